#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
package import HTTPTypes
import Hummingbird

/// Authenticates the client at the token endpoint (RFC 6749 §2.3): `client_secret_basic`, `client_secret_post`, `none`
/// (a client_id in the body, or a public client's id in Basic credentials with an empty password), and the JWT
/// assertions of RFC 7523 §2.2: `client_secret_jwt` and `private_key_jwt` (OpenID Connect Core §9).
package enum ClientAuthentication {
    /// A client-authenticated form request (token, introspection, revocation, device authorization): its parameters,
    /// each sent at most once (RFC 6749 §3.1), and the client they authenticate.
    ///
    /// - Parameter resolve: the fixtures, with the client a metadata-document `client_id` (a URL) describes.
    static func form(
        of request: inout Request, maxSize: Int, resolve: (String?) async throws(OAuthError) -> Registry, assertions: ClientAssertionVerifier
    ) async throws(OAuthError) -> (FormParameters, Client) {
        let form = try await request.formParameters(maxSize: maxSize)
        let registry = try await resolve(claimedClientID(headers: request.headers, form: form))
        let client = try await authenticate(headers: request.headers, form: form, registry: registry, assertions: assertions)
        try form.rejectDuplicates()
        return (form, client)
    }

    /// The client_id the request claims, before anything is verified: Basic credentials', the `client_id` parameter, or
    /// a client assertion's `iss`; for resolving a metadata-document client (a URL) before authenticating.
    static func claimedClientID(headers: HTTPFields, form: FormParameters) -> String? {
        if let id = headers[.authorization].flatMap({ try? basicCredentials($0).0 }) { return id }
        if let id = form["client_id"] { return id }
        return form["client_assertion"].flatMap { try? ClientAssertion(parsing: $0) }?.string("iss")
    }

    private static let credentialParameters: Set<String> = ["client_id", "client_secret", "client_assertion", "client_assertion_type"]

    /// RFC 7523 §2.2: the `client_assertion_type` of a JWT assertion.
    package static let jwtAssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

    /// Whether the form presents a client assertion (RFC 7521 §4.2) rather than a secret or nothing.
    static func presentsAssertion(_ form: FormParameters) -> Bool {
        form["client_assertion"] != nil || form["client_assertion_type"] != nil
    }

    /// Authenticates by any method: a client assertion through `assertions`, the others as
    /// `authenticate(headers:form:registry:)` does.
    ///
    /// - Returns: the authenticated client.
    /// - Throws: `invalid_client` (401) when authentication fails; `invalid_request` when the request mixes methods or
    ///   lacks a parameter.
    package static func authenticate(
        headers: HTTPFields, form: FormParameters, registry: Registry, assertions: ClientAssertionVerifier
    ) async throws(OAuthError) -> MockIdPFixtures.Client {
        try form.rejectDuplicates(among: Self.credentialParameters)
        guard presentsAssertion(form) else { return try authenticate(headers: headers, form: form, registry: registry) }
        // RFC 6749 §2.3: "The client MUST NOT use more than one authentication method in each request."
        if headers[.authorization] != nil {
            throw OAuthError(.invalidRequest, "client credentials sent both in the Authorization header and as client_assertion")
        }
        if form["client_secret"] != nil {
            throw OAuthError(.invalidRequest, "client credentials sent both as client_secret and as client_assertion")
        }
        guard let type = form["client_assertion_type"] else {
            throw OAuthError(.invalidRequest, "client_assertion_type is missing (RFC 7521 §4.2: \(jwtAssertionType) for a JWT)")
        }
        guard let jwt = form["client_assertion"] else {
            throw OAuthError(.invalidRequest, "client_assertion is missing")
        }
        // RFC 6749 §5.2: an unsupported authentication method is invalid_client.
        guard type == jwtAssertionType else {
            throw OAuthError.invalidClient("client_assertion_type \"\(type)\" is not supported; use \(jwtAssertionType) (RFC 7523 §2.2)")
        }
        let assertion: ClientAssertion
        do {
            assertion = try ClientAssertion(parsing: jwt)
        } catch {
            throw OAuthError.invalidClient("malformed client_assertion: \(error.reason)")
        }
        // RFC 7523 §3: iss and sub are the client_id; a client_id parameter, when sent, must agree (RFC 7521 §4.2).
        guard let clientID = form["client_id"] ?? assertion.string("iss") ?? assertion.string("sub") else {
            throw OAuthError.invalidClient("client_assertion names no client: its iss and sub must be the client_id")
        }
        guard let client = registry.client(clientID) else {
            throw OAuthError.invalidClient("unknown client \"\(clientID)\"")
        }
        RequestNote.client(clientID)
        let method: TokenEndpointAuthMethod = assertion.algorithm.isSymmetric ? .clientSecretJWT : .privateKeyJWT
        guard client.allowedAuthMethods.contains(method) else {
            let allowed = client.allowedAuthMethods.map(\.rawValue).sorted().joined(separator: " or ")
            throw OAuthError.invalidClient(
                "client \"\(clientID)\" authenticates with \(allowed), not \(method.rawValue) (a client_assertion signed with \(assertion.algorithm.rawValue))"
            )
        }
        do {
            _ = try await assertions.verify(assertion, client: client, subject: clientID, algorithms: client.assertionAlgorithms(for: method))
        } catch {
            throw OAuthError.invalidClient("client_assertion refused: \(error.reason)")
        }
        return client
    }

    /// Authenticates by a secret or as a public client (`client_secret_basic`, `client_secret_post`, `none`); a
    /// request that presents a client assertion is refused here, since verifying one needs
    /// `authenticate(headers:form:registry:assertions:)`.
    ///
    /// - Returns: the authenticated client.
    /// - Throws: `invalid_client` (401) when authentication fails; `invalid_request` when the request mixes methods.
    package static func authenticate(headers: HTTPFields, form: FormParameters, registry: Registry) throws(OAuthError) -> MockIdPFixtures.Client {
        try form.rejectDuplicates(among: Self.credentialParameters)
        if presentsAssertion(form) {
            throw OAuthError.invalidClient("a client_assertion is verified only with the issuer's clock and keys")
        }
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
