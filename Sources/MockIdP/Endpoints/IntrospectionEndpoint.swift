import Hummingbird

/// Token introspection (RFC 7662): a resource server asks whether a token is active and what it grants.
struct IntrospectionEndpoint: Sendable {
    let state: IdPState

    func addRoutes(to router: some RouterMethods<IdPRequestContext>) {
        // Entra and Auth0 have no introspection endpoint, and their layouts serve none.
        guard let path = state.paths.introspection else { return }
        router.post(RouterPath(path), use: handle)
    }

    @Sendable func handle(_ request: Request, context: IdPRequestContext) async throws -> Response {
        var request = request
        let assertions = state.assertionVerifier(endpoint: state.paths.introspection ?? state.paths.token)
        let (form, client) = try await ClientAuthentication.form(
            of: &request, maxSize: context.maxUploadSize, resolve: state.registry(resolving:), assertions: assertions
        )
        // RFC 7662 §2.1: "the endpoint MUST also require some form of authorization"; a public client proves nothing.
        guard !client.isPublic else {
            throw OAuthError.invalidClient("introspection needs a confidential client (one with a client_secret)")
        }
        guard let value = form["token"] else {
            throw OAuthError(.invalidRequest, "token is missing")
        }
        let now = state.clock.now
        // RFC 7662 §2.2: anything not active (unknown, expired, revoked, malformed, an ID token) is {"active": false} alone.
        guard let token = await state.store.token(value), token.kind != .idToken, token.status(at: now) == .active else {
            return Response.json(object: ["active": .bool(false)], headers: [.cacheControl: "no-store"])
        }
        var body: [String: ClaimValue] = [
            "active": .bool(true),
            "client_id": .string(token.clientID),
            "token_type": .string(token.kind == .accessToken ? "Bearer" : "refresh_token"),
            "exp": .int(token.expiresAt),
            "iat": .int(token.issuedAt),
            "nbf": .int(token.issuedAt),
            "sub": .string(token.sub ?? token.clientID),
            "aud": TokenService.audienceClaim(token.audience),
            "iss": .string(state.issuer.issuer),
        ]
        if !token.scope.isEmpty { body["scope"] = .string(token.scope.joined(separator: " ")) }
        if let jti = token.jti { body["jti"] = .string(jti) }
        if let sub = token.sub, let user = state.registry.user(sub: sub) { body["username"] = .string(user.username) }
        // The token's own claims beyond RFC 7662's (roles, groups, a tenant), as a resource server reads them from the
        // JWT; the members above, which describe the token's state, keep their meaning.
        body.merge(token.claims) { member, _ in member }
        return Response.json(object: body, headers: [.cacheControl: "no-store"])
    }
}
