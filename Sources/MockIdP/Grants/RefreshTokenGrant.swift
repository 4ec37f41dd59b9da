/// Exchanging a refresh token (RFC 6749 §6), with rotation on every use and reuse detection (RFC 9700 §2.2.2).
struct RefreshTokenGrant: Sendable {
    let state: IdPState
    var overrides = TokenOverrides()

    func handle(_ form: FormParameters, client: Client) async throws -> TokenResponse {
        guard let value = form["refresh_token"] else {
            throw OAuthError(.invalidRequest, "refresh_token is missing")
        }
        // Scope and resource are checked before the token is rotated: a refused request issues nothing, so it must
        // not use the refresh token up either (RFC 6749 §5.2).
        var requestedScope: [String]?
        if form["scope"] != nil { requestedScope = ScopeRequest.parse(form["scope"]) }
        let resources = try ResourceIndicators.parse(form, layout: state.layout)
        if let current = await state.store.token(value), current.kind == .refreshToken, current.clientID == client.clientID,
            current.status(at: state.clock.now) == .active
        {
            try Self.check(scope: requestedScope, resources: resources, against: current, client: client)
        }
        let old: IssuedToken
        switch await state.store.rotate(refreshToken: value, clientID: client.clientID, now: state.clock.now) {
        case .rotated(let token):
            old = token
        case .unknown:
            throw OAuthError(.invalidGrant, "unknown refresh token")
        case .wrongClient:
            throw OAuthError(.invalidGrant, "the refresh token was issued to another client")
        case .expired:
            throw OAuthError(.invalidGrant, "the refresh token has expired")
        case .revoked:
            throw OAuthError(.invalidGrant, "the refresh token has been revoked")
        case .reused(let revoked):
            throw OAuthError(
                .invalidGrant,
                "the refresh token was already used (rotated); as a precaution \(revoked) token(s) of its family are now revoked (RFC 9700 §4.14.2)"
            )
        }
        try Self.check(scope: requestedScope, resources: resources, against: old, client: client)
        let scope = requestedScope ?? old.scope
        var user: User?
        if let sub = old.sub {
            guard let found = state.registry.user(sub: sub) else {
                throw OAuthError(.invalidGrant, "the user this refresh token was issued for no longer exists")
            }
            user = found
        }
        return try await state.tokens.issue(
            for: Authorization(
                client: client,
                user: user,
                scope: scope,
                authTime: old.authTime,
                sid: old.sid,
                nonce: nil,
                grantID: old.grantID,
                audience: try ResourceIndicators.audience(requested: resources, authorized: old.audience, client: client),
                withRefreshToken: true,
                refreshTokenScope: old.scope
            ),
            overrides: overrides
        )
    }

    /// RFC 6749 §6: "The requested scope MUST NOT include any scope not originally granted by the resource owner,
    /// and if omitted is treated as equal to the scope originally granted." Resources likewise (RFC 8707 §2.2).
    private static func check(scope: [String]?, resources: [String], against token: IssuedToken, client: Client) throws(OAuthError) {
        if let wider = scope?.first(where: { !token.scope.contains($0) }) {
            throw OAuthError(.invalidScope, "scope \"\(wider)\" was not part of the original grant")
        }
        _ = try ResourceIndicators.audience(requested: resources, authorized: token.audience, client: client)
    }
}
