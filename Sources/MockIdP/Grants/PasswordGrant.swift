/// The resource owner password credentials grant (RFC 6749 §4.3), kept for legacy apps and test suites.
///
/// RFC 9700 §2.4: "The resource owner password credentials grant MUST NOT be used." Clients get it only when
/// clients.json lists it for them.
struct PasswordGrant: Sendable {
    let server: AuthorizationServer
    var overrides = TokenOverrides()

    func handle(_ form: FormParameters, client: Client) async throws -> TokenResponse {
        guard let username = form["username"] else {
            throw OAuthError(.invalidRequest, "username is missing")
        }
        guard let password = form["password"] else {
            throw OAuthError(.invalidRequest, "password is missing")
        }
        guard let user = server.registry.user(hint: username), let expected = user.password, constantTimeEquals(password, expected) else {
            throw OAuthError(.invalidGrant, "wrong username or password")
        }
        let scope = try ScopeRequest.resolve(form["scope"], for: client, registry: server.registry)
        let session = await server.store.session(for: user.sub, now: server.clock.now, fresh: true)
        return try await server.tokens.issue(
            for: Authorization(
                client: client,
                user: user,
                scope: scope,
                authTime: session.authTime,
                sid: session.sid,
                nonce: nil,
                grantID: randomToken(bytes: 16),
                audience: try ResourceIndicators.audience(requested: ResourceIndicators.parse(form), authorized: [], client: client),
                withRefreshToken: client.grantTypes.contains(.refreshToken)
            ),
            overrides: overrides
        )
    }
}
