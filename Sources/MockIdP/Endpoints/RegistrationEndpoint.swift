#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import HTTPTypes
import Hummingbird

/// Dynamic Client Registration (RFC 7591 §3) at `registration_endpoint`, and each registered client's configuration
/// endpoint (RFC 7592 §2) below it: read, update and delete with the registration access token.
///
/// A registered client is a runtime client: validated like clients.json, served at once, gone with
/// `DELETE /debug/fixtures`.
package struct RegistrationEndpoint: Sendable {
    let state: IdPState

    /// RFC 7591 §3.2.2.
    static let invalidRedirectURI = OAuthError.Code(rawValue: "invalid_redirect_uri")
    static let invalidClientMetadata = OAuthError.Code(rawValue: "invalid_client_metadata")

    /// The RFC 7591 §2 metadata MockIdP understands and echoes; anything else is ignored, as §2 requires.
    static let lists: Set = ["redirect_uris", "post_logout_redirect_uris", "grant_types", "response_types", "contacts"]
    static let strings: Set = [
        "token_endpoint_auth_method", "scope", "client_name", "client_uri", "logo_uri", "tos_uri", "policy_uri", "software_id",
        "software_version", "jwks_uri", "token_endpoint_auth_signing_alg", "backchannel_logout_uri", "frontchannel_logout_uri",
    ]
    /// OpenID Connect Back-Channel and Front-Channel Logout 1.0 §2.2: where the client hears of a logout. Validated and
    /// echoed; MockIdP does not deliver logout notifications yet.
    static let logoutURIs = ["backchannel_logout_uri", "frontchannel_logout_uri"]
    /// RFC 7591 §2 `jwks`: the client's JWK Set, inline.
    static let objects: Set = ["jwks"]

    /// The methods whose client gets a `client_secret`: every one but `none` and `private_key_jwt` (whose keys are its
    /// credentials).
    static func issuesSecret(_ method: String) -> Bool {
        method != TokenEndpointAuthMethod.none.rawValue && method != TokenEndpointAuthMethod.privateKeyJWT.rawValue
    }

    func addRoutes(to router: some RouterMethods<IdPRequestContext>) {
        guard let path = state.paths.registration else { return }
        router.post(RouterPath(path), use: register)
        router.get(RouterPath(path + "/:client_id"), use: read)
        router.put(RouterPath(path + "/:client_id"), use: update)
        router.delete(RouterPath(path + "/:client_id"), use: delete)
    }

    // MARK: RFC 7591 §3: registration

    @Sendable func register(_ request: Request, context: IdPRequestContext) async throws -> Response {
        var request = request
        if let expected = state.registrationToken {
            // RFC 7591 §3: "the authorization server MAY require an initial access token".
            let token = try bearer(request)
            guard constantTimeEquals(token, expected) else {
                throw OAuthError.bearer(.invalidToken, "the initial access token is not the one --registration-token set")
            }
        }
        let metadata = try await Self.metadata(&request, maxSize: context.maxUploadSize)
        let clientID = randomToken(bytes: 16)
        let authMethod = metadata["token_endpoint_auth_method"]?.stringValue ?? TokenEndpointAuthMethod.clientSecretBasic.rawValue
        let secret = Self.issuesSecret(authMethod) ? randomToken() : nil
        let (client, registered) = try Self.client(clientID: clientID, secret: secret, metadata: metadata, registry: state.registry)
        do {
            try state.liveRegistry.add(clients: [client])
        } catch {
            throw Self.refusal(error)
        }
        let registration = ClientRegistrations.Registration(accessToken: randomToken(), issuedAt: state.clock.now, metadata: registered)
        state.registrations.set(registration, clientID: clientID)
        RequestNote.client(client.clientID)
        return Response.json(object: information(client, registration), status: .created, headers: [.cacheControl: "no-store"])
    }

    // MARK: RFC 7592 §2: the client configuration endpoint

    @Sendable func read(_ request: Request, context: IdPRequestContext) async throws -> Response {
        let (client, registration) = try authorize(request, context: context)
        return Response.json(object: information(client, registration), headers: [.cacheControl: "no-store"])
    }

    @Sendable func update(_ request: Request, context: IdPRequestContext) async throws -> Response {
        var request = request
        let (client, registration) = try authorize(request, context: context)
        let metadata = try await Self.metadata(&request, maxSize: context.maxUploadSize)
        // RFC 7592 §2.2: the request "MUST include all client metadata fields", client_id among them; a client_secret
        // sent must be the current one.
        guard metadata["client_id"]?.stringValue == client.clientID else {
            throw OAuthError(.invalidRequest, "the update must carry the client's client_id (RFC 7592 §2.2)")
        }
        if let secret = metadata["client_secret"] {
            guard let given = secret.stringValue, let current = client.clientSecret, constantTimeEquals(given, current) else {
                throw OAuthError(.invalidRequest, "client_secret must be the client's current secret (RFC 7592 §2.2)")
            }
        }
        let method = metadata["token_endpoint_auth_method"]?.stringValue ?? TokenEndpointAuthMethod.clientSecretBasic.rawValue
        if Self.issuesSecret(method) != (client.clientSecret != nil) {
            throw OAuthError(
                Self.invalidClientMetadata,
                "token_endpoint_auth_method cannot change between a method with a client_secret and one without (none, private_key_jwt); register a new client"
            )
        }
        let (updated, registered) = try Self.client(clientID: client.clientID, secret: client.clientSecret, metadata: metadata, registry: state.registry)
        do {
            try state.liveRegistry.replace(client: updated)
        } catch {
            throw Self.refusal(error)
        }
        var next = registration
        next.metadata = registered
        state.registrations.set(next, clientID: client.clientID)
        return Response.json(object: information(updated, next), headers: [.cacheControl: "no-store"])
    }

    @Sendable func delete(_ request: Request, context: IdPRequestContext) async throws -> Response {
        let (client, _) = try authorize(request, context: context)
        state.liveRegistry.remove(clientID: client.clientID)
        state.registrations.remove(clientID: client.clientID)
        // RFC 7592 §2.3: "the authorization server SHOULD immediately invalidate all existing authorization grants and
        // currently-active tokens associated with this client". They stay listed in /debug, as revoked.
        await state.store.revokeClient(client.clientID, now: state.clock.now)
        // RFC 7592 §2.3: "204 No Content".
        return Response(status: .noContent, headers: [.cacheControl: "no-store"])
    }

    /// The client the path names and its registration, when the request's bearer token is its registration access
    /// token. RFC 7592 §2.1: an unknown client, or a wrong token, is a 401.
    private func authorize(_ request: Request, context: IdPRequestContext) throws -> (Client, ClientRegistrations.Registration) {
        let token = try bearer(request)
        let clientID = try context.parameters.require("client_id")
        guard let registration = state.registrations.registration(clientID: clientID), constantTimeEquals(token, registration.accessToken),
            let client = state.registry.client(clientID)
        else {
            throw OAuthError.bearer(.invalidToken, "no client registered as \"\(clientID)\" has this registration access token")
        }
        RequestNote.client(client.clientID)
        return (client, registration)
    }

    private func bearer(_ request: Request) throws(OAuthError) -> String {
        guard let header = request.headers[.authorization] else {
            throw OAuthError.bearer(nil, "send the token as Authorization: Bearer <token>")
        }
        return try BearerToken.token(fromAuthorization: header)
    }

    // MARK: Metadata

    /// The request's JSON object (RFC 7591 §3.1), its understood fields type-checked.
    static func metadata(_ request: inout Request, maxSize: Int) async throws(OAuthError) -> [String: ClaimValue] {
        let contentType = request.headers[.contentType]?.split(separator: ";").first?.trimmingCharacters(in: " ").lowercased()
        guard contentType == "application/json" else {
            throw OAuthError(invalidClientMetadata, "send the client metadata as a JSON object with Content-Type: application/json (RFC 7591 §3.1)")
        }
        let buffer: ByteBuffer
        do {
            buffer = try await request.collectBody(upTo: maxSize)
        } catch {
            throw OAuthError(.invalidRequest, "request body is larger than \(maxSize) bytes", status: .contentTooLarge)
        }
        guard let value = try? JSONDecoder().decode(ClaimValue.self, from: Data(buffer.readableBytesView)), let object = value.objectValue else {
            throw OAuthError(invalidClientMetadata, "the body is not a JSON object")
        }
        try check(object)
        return object
    }

    /// The types of the understood fields: arrays of strings and strings (RFC 7591 §2).
    package static func check(_ object: [String: ClaimValue]) throws(OAuthError) {
        for (name, value) in object {
            if lists.contains(name), !(value.arrayValue?.allSatisfy { $0.stringValue != nil } ?? false) {
                throw OAuthError(name.hasSuffix("redirect_uris") ? invalidRedirectURI : invalidClientMetadata, "\(name) must be an array of strings")
            }
            if strings.contains(name), value.stringValue == nil {
                throw OAuthError(invalidClientMetadata, "\(name) must be a string")
            }
            if objects.contains(name), value.objectValue == nil {
                throw OAuthError(invalidClientMetadata, "\(name) must be a JSON object (a JWK Set, RFC 7517 §5)")
            }
        }
        for name in logoutURIs {
            // Back-Channel Logout §2.2: "an absolute URI ... MAY contain ... query ... MUST NOT include a fragment".
            if let uri = object[name]?.stringValue, RedirectURI.problem(with: uri) != nil || uri.contains("#") || !uri.lowercased().hasPrefix("http") {
                throw OAuthError(invalidClientMetadata, "\(name) must be an absolute http(s) URL without a fragment, not \"\(uri)\"")
            }
        }
        // RFC 7591 §2: "The "jwks_uri" and "jwks" parameters MUST NOT both be present in the same request or response."
        if object["jwks"] != nil && object["jwks_uri"] != nil {
            throw OAuthError(invalidClientMetadata, "jwks and jwks_uri must not both be present (RFC 7591 §2)")
        }
    }

    /// The client the metadata registers, and the metadata as registered (defaults applied, ignored fields dropped).
    package static func client(
        clientID: String, secret: String?, metadata: [String: ClaimValue], registry: Registry
    ) throws(OAuthError) -> (MockIdPFixtures.Client, [String: ClaimValue]) {
        func list(_ name: String) -> [String]? { metadata[name]?.arrayValue?.compactMap(\.stringValue) }
        // RFC 7591 §2 defaults: grant_types ["authorization_code"], response_types ["code"], client_secret_basic.
        let grantTypes = list("grant_types") ?? [GrantType.authorizationCode.rawValue]
        // A client of no authorization_code grant that names no response types has none, rather than §2's default.
        let responseTypes = list("response_types") ?? (grantTypes.contains(GrantType.authorizationCode.rawValue) ? ["code"] : [])
        if let other = responseTypes.first(where: { $0 != "code" }) {
            throw OAuthError(invalidClientMetadata, "response_type \"\(other)\" is not supported; MockIdP issues codes only")
        }
        // RFC 7591 §2.1: grant types and response types must agree.
        if grantTypes.contains(GrantType.authorizationCode.rawValue) != responseTypes.contains("code") {
            throw OAuthError(invalidClientMetadata, "grant_types authorization_code and response_types code go together (RFC 7591 §2.1)")
        }
        let method = metadata["token_endpoint_auth_method"]?.stringValue ?? TokenEndpointAuthMethod.clientSecretBasic.rawValue
        var fixture: [String: ClaimValue] = [
            "client_id": .string(clientID),
            "redirect_uris": metadata["redirect_uris"] ?? .array([]),
            "post_logout_redirect_uris": metadata["post_logout_redirect_uris"] ?? .array([]),
            "grant_types": .array(grantTypes.map { .string($0) }),
            "token_endpoint_auth_method": .string(method),
        ]
        if let secret { fixture["client_secret"] = .string(secret) }
        for name in ["jwks", "jwks_uri", "token_endpoint_auth_signing_alg"] {
            if let value = metadata[name] { fixture[name] = value }
        }
        if let scope = metadata["scope"]?.stringValue { fixture["scopes"] = .array(ScopeRequest.parse(scope).map { .string($0) }) }
        var decoder = FixtureDecoder(file: "registration")
        let clients = decoder.clients(from: Data(("[" + String(decoding: JSONWriter.encode(fixture), as: UTF8.self) + "]").utf8))
        guard decoder.problems.isEmpty, let client = clients.first else {
            throw refusal(MockIdPFixtureError(problems: decoder.problems))
        }
        var registered = metadata.filter { lists.contains($0.key) || strings.contains($0.key) || objects.contains($0.key) }
        registered["grant_types"] = .array(grantTypes.map { .string($0) })
        registered["response_types"] = .array(responseTypes.map { .string($0) })
        registered["token_endpoint_auth_method"] = .string(method)
        registered["redirect_uris"] = fixture["redirect_uris"]
        registered["scope"] = .string((client.scopes ?? registry.fixtures.scopes.map(\.name)).joined(separator: " "))
        return (client, registered)
    }

    /// RFC 7591 §3.2.2: a problem with a redirect URI is `invalid_redirect_uri`, any other `invalid_client_metadata`.
    static func refusal(_ error: MockIdPFixtureError) -> OAuthError {
        let reasons = error.problems.map { problem in (problem.field.map { "\($0): " } ?? "") + problem.reason }
        let redirect = error.problems.contains { $0.field?.contains("redirect_uris") == true }
        return OAuthError(redirect ? invalidRedirectURI : invalidClientMetadata, reasons.joined(separator: "; "))
    }

    /// RFC 7591 §3.2.1 client information, with RFC 7592 §3's `registration_client_uri` and token.
    private func information(_ client: Client, _ registration: ClientRegistrations.Registration) -> [String: ClaimValue] {
        var body = registration.metadata
        body["client_id"] = .string(client.clientID)
        body["client_id_issued_at"] = .int(registration.issuedAt)
        if let secret = client.clientSecret {
            body["client_secret"] = .string(secret)
            // "0 if it will not expire".
            body["client_secret_expires_at"] = .int(0)
        }
        body["registration_access_token"] = .string(registration.accessToken)
        body["registration_client_uri"] = .string(state.issuer.url((state.paths.registration ?? "") + "/" + client.clientID))
        return body
    }
}
