import Hummingbird

/// The token endpoint (RFC 6749 §3.2): authenticates the client and hands the request to its grant.
struct TokenEndpoint: Sendable {
    let state: IdPState

    func addRoutes(to router: some RouterMethods<IdPRequestContext>) {
        router.post(RouterPath(state.paths.token), use: handle)
        // RFC 6749 §3.2: "The client MUST use the HTTP "POST" method when making access token requests."
        router.get(RouterPath(state.paths.token)) { _, _ -> Response in
            throw OAuthError(.invalidRequest, "the token endpoint takes POST", status: .methodNotAllowed, headers: [.allow: "POST"])
        }
    }

    @Sendable func handle(_ request: Request, context: IdPRequestContext) async throws -> TokenResponse {
        var request = request
        let form = try await request.formParameters(maxSize: context.maxUploadSize)
        let client: Client
        if JWTBearerGrant.assertionIdentifiesClient(form, headers: request.headers) {
            // RFC 7521 §4.1 / RFC 7523 §2.1: with no client credentials, the grant's signed assertion names its client and
            // the grant verifies it with that client's keys, which authenticates it.
            let registry = try await state.registry(resolving: JWTBearerGrant.issuer(of: form))
            client = try JWTBearerGrant.client(of: form, registry: registry)
        } else {
            let assertions = state.assertionVerifier(endpoint: state.paths.token)
            let registry = try await state.registry(resolving: ClientAuthentication.claimedClientID(headers: request.headers, form: form))
            client = try await ClientAuthentication.authenticate(headers: request.headers, form: form, registry: registry, assertions: assertions)
        }
        try form.rejectDuplicates()
        guard let grantName = form["grant_type"] else {
            throw OAuthError(.invalidRequest, "grant_type is missing")
        }
        guard let grantType = GrantType(rawValue: grantName), Self.implemented.contains(grantType) else {
            throw OAuthError(.unsupportedGrantType, "grant_type \"\(grantName)\" is not supported")
        }
        guard client.grantTypes.contains(grantType) else {
            throw OAuthError(.unauthorizedClient, "client \"\(client.clientID)\" may not use the \(grantName) grant")
        }
        // A response scripted through POST /debug/next answers first: an error instead, or claims for these tokens.
        let script = state.scripts.take(clientID: client.clientID, grantType: grantName)
        if let error = script?.error { throw error }
        let overrides = script?.overrides ?? TokenOverrides()
        switch grantType {
        case .authorizationCode: return try await AuthorizationCodeGrant(state: state, overrides: overrides).handle(form, client: client)
        case .refreshToken: return try await RefreshTokenGrant(state: state, overrides: overrides).handle(form, client: client)
        case .clientCredentials: return try await ClientCredentialsGrant(state: state, overrides: overrides).handle(form, client: client)
        case .password: return try await PasswordGrant(state: state, overrides: overrides).handle(form, client: client)
        case .deviceCode: return try await DeviceCodeGrant(state: state, overrides: overrides).handle(form, client: client)
        case .tokenExchange: return try await TokenExchangeGrant(state: state, overrides: overrides).handle(form, client: client)
        case .jwtBearer: return try await JWTBearerGrant(state: state, overrides: overrides).handle(form, client: client)
        }
    }

    /// The grants this endpoint answers, as advertised in discovery.
    static let implemented: [GrantType] = GrantType.allCases
}
