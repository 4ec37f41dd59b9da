/// Redeeming an authorization code (RFC 6749 §4.1.3, RFC 7636 §4.6).
struct AuthorizationCodeGrant: Sendable {
    let state: IdPState
    var overrides = TokenOverrides()

    func handle(_ form: FormParameters, client: Client) async throws -> TokenResponse {
        guard let value = form["code"] else {
            throw OAuthError(.invalidRequest, "code is missing")
        }
        let now = state.clock.now
        let code: IssuedCode
        switch await state.store.redeem(code: value, clientID: client.clientID, now: now) {
        case .redeemed(let redeemed):
            code = redeemed
        case .unknown:
            throw OAuthError(.invalidGrant, "unknown authorization code")
        case .wrongClient:
            throw OAuthError(.invalidGrant, "the authorization code was issued to another client")
        case .expired:
            throw OAuthError(.invalidGrant, "the authorization code has expired (codes live \(IdPState.codeLifetime) s)")
        case .replayed(let revoked):
            // RFC 6749 §4.1.2: "If an authorization code is used more than once, the authorization server MUST deny
            // the request and SHOULD revoke (when possible) all tokens previously issued based on that authorization code."
            throw OAuthError(.invalidGrant, "the authorization code was already used; \(revoked) token(s) issued from it are now revoked")
        }
        // RFC 6749 §4.1.3: redirect_uri is required, and must be identical, if the authorization request included it.
        if let expected = code.redirectURI, form["redirect_uri"] != expected {
            throw OAuthError(.invalidGrant, "redirect_uri does not match the one in the authorization request")
        }
        if code.redirectURI == nil, let sent = form["redirect_uri"], sent != code.effectiveRedirectURI {
            throw OAuthError(.invalidGrant, "redirect_uri does not match the client's registered redirect URI")
        }
        try verifyPKCE(form["code_verifier"], code: code)
        guard let user = state.registry.user(sub: code.sub) else {
            throw OAuthError(.invalidGrant, "the user this code was issued for no longer exists")
        }
        return try await state.tokens.issue(
            for: Authorization(
                client: client,
                user: user,
                scope: code.scope,
                authTime: code.authTime,
                sid: code.sid,
                nonce: code.nonce,
                grantID: code.grantID,
                audience: try ResourceIndicators.audience(requested: ResourceIndicators.parse(form, layout: state.layout), authorized: code.resources, client: client),
                withRefreshToken: client.grantTypes.contains(.refreshToken)
            ),
            overrides: overrides
        )
    }

    private func verifyPKCE(_ verifier: String?, code: IssuedCode) throws(OAuthError) {
        guard let challenge = code.codeChallenge, let method = code.codeChallengeMethod else {
            // RFC 9700 §2.1.1: without a code_challenge in the authorization request, a code_verifier is refused,
            // so that an attacker cannot downgrade a PKCE flow.
            if verifier != nil {
                throw OAuthError(.invalidGrant, "code_verifier sent, but the authorization request had no code_challenge")
            }
            return
        }
        guard let verifier else {
            throw OAuthError(.invalidGrant, "code_verifier is missing: the authorization request had a code_challenge")
        }
        guard PKCE.isWellFormed(verifier) else {
            throw OAuthError(.invalidGrant, "code_verifier must be 43 to 128 characters of [A-Za-z0-9-._~] (RFC 7636 §4.1)")
        }
        guard PKCE.verify(verifier: verifier, challenge: challenge, method: method) else {
            throw OAuthError(.invalidGrant, "code_verifier does not match the code_challenge (\(method.rawValue))")
        }
    }
}
