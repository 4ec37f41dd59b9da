extension AuthorizationServer {
    /// Mints tokens without a flow, exactly as the token endpoint would (`POST /debug/tokens`, `RunningMockIdP.mintTokens`).
    ///
    /// - Parameters:
    ///   - sub: a user's sub or username; `nil` for a token the client holds on its own behalf.
    ///   - scope: space-separated; `nil` means every scope the client may have.
    ///   - audience: the access token's `aud`; `nil` means the client's audience.
    func mint(
        clientID: String,
        sub: String?,
        scope: String?,
        audience: [String]?,
        overrides: TokenOverrides
    ) async throws -> TokenResponse {
        guard let client = registry.client(clientID) else {
            throw OAuthError(.invalidRequest, "unknown client_id \"\(clientID)\"")
        }
        var user: User?
        var session: UserSession?
        if let sub {
            guard let found = registry.user(hint: sub) else {
                throw OAuthError(.invalidRequest, "sub \"\(sub)\" matches no user's sub or username")
            }
            user = found
            session = await store.session(for: found.sub, now: clock.now)
        }
        if let ttl = overrides.accessTokenTTL, ttl <= 0 || ttl > Client.maximumTTL {
            throw OAuthError(.invalidRequest, "expires_in must be a positive number of seconds up to \(Client.maximumTTL) (ten years)")
        }
        return try await tokens.issue(
            for: Authorization(
                client: client,
                user: user,
                scope: try ScopeRequest.resolve(scope, for: client, registry: registry),
                authTime: session?.authTime,
                sid: session?.sid,
                nonce: nil,
                grantID: randomToken(bytes: 16),
                audience: audience ?? client.audience,
                withRefreshToken: user != nil && client.grantTypes.contains(.refreshToken)
            ),
            overrides: overrides
        )
    }
}
