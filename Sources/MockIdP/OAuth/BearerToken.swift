import Hummingbird
import HTTPTypes

/// Bearer token usage (RFC 6750 §2): the Authorization header, or `access_token` in a form body.
package enum BearerToken {
    static func extract(from request: inout Request, maxSize: Int) async throws(OAuthError) -> String {
        var fromBody: String?
        if request.method == .post, request.headers[.contentType] != nil {
            let form = try await request.formParameters(maxSize: maxSize)
            try form.rejectDuplicates(among: ["access_token"])
            fromBody = form["access_token"]
        }
        guard let header = request.headers[.authorization] else {
            guard let fromBody else {
                // RFC 6750 §3.1: with no authentication at all, the challenge carries no error code.
                throw OAuthError.bearer(nil, "no access token: send Authorization: Bearer <token>")
            }
            return fromBody
        }
        // RFC 6750 §2: "Clients MUST NOT use more than one method to transmit the token in each request."
        if fromBody != nil {
            throw OAuthError.bearer(.invalidRequest, "access token sent both in the Authorization header and in the body", status: .badRequest)
        }
        return try token(fromAuthorization: header)
    }

    /// The token of an `Authorization: Bearer <token>` value; `invalid_request` (400) for any other shape.
    /// Apart from `extract` so that it can be fuzzed without an HTTP request.
    package static func token(fromAuthorization header: String) throws(OAuthError) -> String {
        let parts = header.split(separator: " ", maxSplits: 1)
        let token = parts.count == 2 ? String(parts[1].trimmingCharacters(in: " ")) : ""
        guard parts.first?.lowercased() == "bearer", !token.isEmpty else {
            throw OAuthError.bearer(.invalidRequest, "malformed Authorization header: expected \"Bearer <token>\"", status: .badRequest)
        }
        return token
    }
}
