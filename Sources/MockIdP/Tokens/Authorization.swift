/// What a set of tokens is issued for: the outcome of a grant.
struct Authorization: Sendable {
    let client: Client
    /// `nil` when the client acts on its own behalf (client credentials).
    let user: User?
    let scope: [String]
    let authTime: Int?
    /// The MockIdP session the user signed in with (`sid` claim, OIDC Front-Channel Logout §3).
    let sid: String?
    let nonce: String?
    /// Shared by every token descended from one authorization, so that they can be revoked together.
    let grantID: String
    let audience: [String]
    let withRefreshToken: Bool
    /// The refresh token's scope, when it differs from the access token's: RFC 6749 §6 keeps a refreshed grant's
    /// scope whole even when one refresh asks for less.
    var refreshTokenScope: [String]? = nil
    /// Whether an ID token is issued when `openid` is granted; `false` where no user signed in (the JWT bearer grant).
    var withIDToken = true
}

/// Changes a test asks for in the tokens of one issuance (/debug/next, /debug/tokens): claims added or overridden, a lifetime.
struct TokenOverrides: Sendable {
    var accessTokenClaims: [String: ClaimValue] = [:]
    var idTokenClaims: [String: ClaimValue] = [:]
    var accessTokenTTL: Int?
}

extension Authorization {
    /// A user signed in to `client` (password grant, minting): a fresh grant, with a refresh token when the client may
    /// refresh, and the session's `auth_time` and `sid` when the user has one.
    static func signedIn(
        _ user: User, client: Client, scope: [String], session: UserSession?, nonce: String?, audience: [String]
    ) -> Authorization {
        Authorization(
            client: client,
            user: user,
            scope: scope,
            authTime: session?.authTime,
            sid: session?.sid,
            nonce: nonce,
            grantID: randomToken(bytes: 16),
            audience: audience,
            withRefreshToken: client.grantTypes.contains(.refreshToken)
        )
    }

    /// A client on its own behalf (client credentials, minting without a user): no user, no session, no refresh token
    /// (RFC 6749 §4.4.3: "A refresh token SHOULD NOT be included").
    static func clientOnly(_ client: Client, scope: [String], audience: [String]) -> Authorization {
        Authorization(
            client: client, user: nil, scope: scope, authTime: nil, sid: nil, nonce: nil, grantID: randomToken(bytes: 16),
            audience: audience, withRefreshToken: false
        )
    }
}
