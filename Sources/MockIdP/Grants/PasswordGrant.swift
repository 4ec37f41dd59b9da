/// The resource owner password credentials grant (RFC 6749 §4.3), kept for legacy apps and test suites.
///
/// RFC 9700 §2.4: "The resource owner password credentials grant MUST NOT be used." Clients get it only when
/// clients.json lists it for them.
struct PasswordGrant: Sendable {
    let state: IdPState
    var overrides = TokenOverrides()

    func handle(_ form: FormParameters, client: Client) async throws -> TokenResponse {
        guard let username = form["username"] else {
            throw OAuthError(.invalidRequest, "username is missing")
        }
        guard let password = form["password"] else {
            throw OAuthError(.invalidRequest, "password is missing")
        }
        guard let user = state.registry.user(hint: username), let expected = user.password, constantTimeEquals(password, expected) else {
            throw OAuthError(.invalidGrant, "wrong username or password")
        }
        let scope = try ScopeRequest.resolve(form["scope"], for: client, registry: state.registry)
        let session = await state.store.session(for: user.sub, now: state.clock.now, fresh: true)
        return try await state.tokens.issue(
            for: .signedIn(
                user, client: client, scope: scope, session: session, nonce: nil,
                audience: try ResourceIndicators.audience(requested: ResourceIndicators.parse(form, layout: state.layout), authorized: [], client: client)
            ),
            overrides: overrides
        )
    }
}
