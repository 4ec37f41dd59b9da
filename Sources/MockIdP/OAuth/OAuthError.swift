#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
package import Hummingbird
package import HTTPTypes
import NIOCore

/// An OAuth 2.0 error response (RFC 6749 §5.2): JSON `error` and `error_description`, never cached.
package struct OAuthError: HTTPResponseError, Sendable {
    /// An error code from the RFCs' registries; a struct, so new codes need no change to a public enum.
    package struct Code: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
        package let rawValue: String
        package init(rawValue: String) { self.rawValue = rawValue }
        package var description: String { rawValue }

        // RFC 6749 §4.1.2.1 and §5.2
        package static let invalidRequest = Code(rawValue: "invalid_request")
        package static let invalidClient = Code(rawValue: "invalid_client")
        static let invalidGrant = Code(rawValue: "invalid_grant")
        static let unauthorizedClient = Code(rawValue: "unauthorized_client")
        static let unsupportedGrantType = Code(rawValue: "unsupported_grant_type")
        static let unsupportedResponseType = Code(rawValue: "unsupported_response_type")
        static let invalidScope = Code(rawValue: "invalid_scope")
        static let accessDenied = Code(rawValue: "access_denied")
        static let serverError = Code(rawValue: "server_error")
        // RFC 6750 §3.1
        static let invalidToken = Code(rawValue: "invalid_token")
        static let insufficientScope = Code(rawValue: "insufficient_scope")
        // OIDC Core §3.1.2.6
        static let consentRequired = Code(rawValue: "consent_required")
        static let requestNotSupported = Code(rawValue: "request_not_supported")
        static let requestURINotSupported = Code(rawValue: "request_uri_not_supported")
        // RFC 7009 §2.2.1
        static let unsupportedTokenType = Code(rawValue: "unsupported_token_type")
        // RFC 8628 §3.5
        static let authorizationPending = Code(rawValue: "authorization_pending")
        static let slowDown = Code(rawValue: "slow_down")
        static let expiredToken = Code(rawValue: "expired_token")
    }

    package let code: Code
    package let description: String
    package var status: HTTPResponse.Status
    package var headers: HTTPFields
    /// RFC 6750 §3.1: a request with no authentication at all gets the challenge and no error information.
    var withoutBody = false

    init(_ code: Code, _ description: String, status: HTTPResponse.Status = .badRequest, headers: HTTPFields = [:]) {
        self.code = code
        self.description = description
        self.status = status
        self.headers = headers
    }

    /// RFC 6749 §5.2: failed client authentication is 401 with a `WWW-Authenticate` challenge.
    static func invalidClient(_ description: String) -> OAuthError {
        OAuthError(.invalidClient, description, status: .unauthorized, headers: [.wwwAuthenticate: #"Basic realm="mock-idp""#])
    }

    /// RFC 6750 §3: a bearer-token error with its `WWW-Authenticate: Bearer` challenge.
    static func bearer(_ code: Code?, _ description: String, status: HTTPResponse.Status = .unauthorized) -> OAuthError {
        var challenge = #"Bearer realm="mock-idp""#
        if let code {
            challenge += #", error="\#(code.rawValue)", error_description="\#(description.replacing("\"", with: "'"))""#
        }
        var error = OAuthError(code ?? .invalidToken, description, status: status, headers: [.wwwAuthenticate: challenge])
        error.withoutBody = code == nil
        return error
    }

    private struct Body: Encodable {
        let error: String
        let error_description: String
    }

    package func response(from request: Request, context: some RequestContext) throws -> Response {
        if !withoutBody { RequestNote.error(code.rawValue, description) }
        var headers = headers
        if withoutBody {
            headers[.cacheControl] = "no-store"
            return Response(status: status, headers: headers)
        }
        headers[.contentType] = "application/json; charset=utf-8"
        headers[.cacheControl] = "no-store"
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let body = (try? encoder.encode(Body(error: code.rawValue, error_description: description))) ?? Data()
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}
