#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
package import HTTPTypes
import Hummingbird

/// Authenticates the client at the token endpoint (RFC 6749 §2.3): `client_secret_basic`, `client_secret_post` or `none`
/// (a client_id in the body, or a public client's id in Basic credentials with an empty password).
package enum ClientAuthentication {
    /// A client-authenticated form request (token, introspection, revocation, device authorization): its parameters,
    /// each sent at most once (RFC 6749 §3.1), and the client they authenticate.
    ///
    /// - Parameter resolve: the fixtures, with the client a metadata-document `client_id` (a URL) describes.
    static func form(
        of request: inout Request, maxSize: Int, resolve: (String?) async throws(OAuthError) -> Registry
    ) async throws(OAuthError) -> (FormParameters, Client) {
        let form = try await request.formParameters(maxSize: maxSize)
        let claimed = request.headers[.authorization].flatMap { try? basicCredentials($0).0 } ?? form["client_id"]
        let registry = try await resolve(claimed)
        let client = try authenticate(headers: request.headers, form: form, registry: registry)
        try form.rejectDuplicates()
        return (form, client)
    }

    private static let credentialParameters: Set<String> = ["client_id", "client_secret"]

    /// - Returns: the authenticated client.
    /// - Throws: `invalid_client` (401) when authentication fails; `invalid_request` when the request mixes methods.
    package static func authenticate(headers: HTTPFields, form: FormParameters, registry: Registry) throws(OAuthError) -> MockIdPFixtures.Client {
        try form.rejectDuplicates(among: Self.credentialParameters)
        if let authorization = headers[.authorization] {
            let (clientID, secret) = try basicCredentials(authorization)
            RequestNote.basicClientID(clientID)
            // RFC 6749 §2.3: "The client MUST NOT use more than one authentication method in each request."
            if form["client_secret"] != nil {
                throw OAuthError(.invalidRequest, "client credentials sent both in the Authorization header and in the body")
            }
            if let bodyID = form["client_id"], bodyID != clientID {
                throw OAuthError(.invalidRequest, "client_id in the body does not match the Authorization header")
            }
            // A public client's id with an empty password is no credential but an identification: requests-oauthlib
            // sends it by default and Go's x/oauth2 tries it first. It is authentication method `none` (RFC 6749 §2.1:
            // a public client cannot authenticate; §3.2.1 only asks that it identify itself), not a failed secret.
            if secret.isEmpty, let client = registry.client(clientID), client.isPublic {
                return try verify(clientID: clientID, secret: nil, method: .none, registry: registry)
            }
            return try verify(clientID: clientID, secret: secret, method: .clientSecretBasic, registry: registry)
        }
        guard let clientID = form["client_id"] else {
            throw OAuthError.invalidClient("client authentication required: send client_id (and a secret for a confidential client)")
        }
        if let secret = form["client_secret"] {
            return try verify(clientID: clientID, secret: secret, method: .clientSecretPost, registry: registry)
        }
        return try verify(clientID: clientID, secret: nil, method: .none, registry: registry)
    }

    private static func verify(clientID: String, secret: String?, method: TokenEndpointAuthMethod, registry: Registry) throws(OAuthError) -> Client {
        guard let client = registry.client(clientID) else {
            throw OAuthError.invalidClient("unknown client \"\(clientID)\"")
        }
        RequestNote.client(clientID)
        guard client.allowedAuthMethods.contains(method) else {
            let allowed = client.allowedAuthMethods.map(\.rawValue).sorted().joined(separator: " or ")
            throw OAuthError.invalidClient("client \"\(clientID)\" authenticates with \(allowed), not \(method.rawValue)")
        }
        if let expected = client.clientSecret {
            guard let secret, constantTimeEquals(secret, expected) else {
                throw OAuthError.invalidClient("wrong client_secret for client \"\(clientID)\"")
            }
        }
        return client
    }

    /// RFC 6749 §2.3.1: the id and secret are form-urlencoded, joined by a colon, then Base64-encoded.
    package static func basicCredentials(_ header: String) throws(OAuthError) -> (String, String) {
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "basic" else {
            throw OAuthError.invalidClient("the Authorization header must use the Basic scheme at the token endpoint")
        }
        guard let data = Data(base64Encoded: String(parts[1].trimmingCharacters(in: " "))),
            let decoded = String(validating: data, as: UTF8.self),
            let colon = decoded.firstIndex(of: ":")
        else {
            throw OAuthError.invalidClient("malformed Basic credentials")
        }
        do {
            return (try FormParameters.decode(Array(decoded[..<colon].utf8)), try FormParameters.decode(Array(decoded[decoded.index(after: colon)...].utf8)))
        } catch {
            throw OAuthError.invalidClient("malformed Basic credentials: \(error.reason)")
        }
    }
}
