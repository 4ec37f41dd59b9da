/// An issued code or token: it expires, and it may be used (redeemed, rotated) or revoked first.
protocol Redeemable {
    var expiresAt: Int { get }
    var usedAt: Int? { get }
    var revokedAt: Int? { get }
}

extension Redeemable {
    func status(at now: Int) -> IssuedState {
        if revokedAt != nil { return .revoked }
        if usedAt != nil { return .used }
        return now >= expiresAt ? .expired : .active
    }
}

/// An authorization code, from the authorization request that produced it to its redemption.
struct IssuedCode: Sendable, Redeemable {
    let code: String
    let clientID: String
    let sub: String
    let scope: [String]
    /// The `redirect_uri` sent with the authorization request; `nil` if it was omitted (RFC 6749 §4.1.3).
    let redirectURI: String?
    let effectiveRedirectURI: String
    let nonce: String?
    let codeChallenge: String?
    let codeChallengeMethod: PKCE.Method?
    let authTime: Int
    /// The MockIdP session the user signed in with; logging out revokes what it issued.
    let sid: String
    /// RFC 8707 resource indicators from the authorization request, the access token's audience.
    let resources: [String]
    let issuedAt: Int
    let expiresAt: Int
    /// Every token descended from this code shares this grant id, so a replay can revoke them all.
    let grantID: String
    var usedAt: Int?
    var revokedAt: Int?
    /// The logged requests that issued, redeemed and revoked it (ids in the issuer's request log; see `RequestCause`).
    var issuedBy: Int? = nil
    var usedBy: Int? = nil
    var revokedBy: Int? = nil
}

/// The kind of an issued token, named as in RFC 7009 §2.1 token type hints and OIDC.
enum TokenKind: String, Sendable, Codable {
    case accessToken = "access_token"
    case refreshToken = "refresh_token"
    case idToken = "id_token"
}

/// One issued token and what it was issued for.
struct IssuedToken: Sendable, Redeemable {
    let kind: TokenKind
    let value: String
    let clientID: String
    /// `nil` for tokens issued to a client on its own behalf (client credentials).
    let sub: String?
    let scope: [String]
    let audience: [String]
    let jti: String?
    let authTime: Int?
    let sid: String?
    let issuedAt: Int
    let expiresAt: Int
    /// The authorization these tokens descend from: one code redemption, one device approval, one client-credentials call.
    let grantID: String
    /// For an access or ID token, the refresh token it was issued with, if any.
    let refreshToken: String?
    /// The access token's claims beyond RFC 9068's (fixtures' `access_token_claims`, /debug overrides), which
    /// introspection returns too; a refresh token carries its access token's.
    var claims: [String: ClaimValue] = [:]
    /// How a token issued by token exchange (RFC 8693) came to be; `nil` for every other grant.
    var exchange: TokenExchangeOrigin?
    var usedAt: Int?
    var revokedAt: Int?
    /// The logged requests that issued, used (rotated) and revoked it (ids in the issuer's request log).
    var issuedBy: Int? = nil
    var usedBy: Int? = nil
    var revokedBy: Int? = nil
}

/// The tokens a token exchange (RFC 8693 §2.1) was given: what /debug shows of an exchanged token's origin.
struct TokenExchangeOrigin: Sendable, Hashable {
    /// The `subject_token` presented, and its `subject_token_type`.
    let subjectToken: String
    let subjectTokenType: String
    /// Who issued the subject token: this issuer, or a trusted one.
    let subjectIssuer: String
    /// The `actor_token` and its `actor_token_type`, when one was presented (delegation, RFC 8693 §1.1).
    let actorToken: String?
    let actorTokenType: String?
}

/// A device authorization request (RFC 8628 §3.1) on its way from pending to redeemed.
struct DeviceAuthorization: Sendable {
    let deviceCode: String
    /// Normalised: upper case, no separator (RFC 8628 §6.1 lets users type it loosely).
    let userCode: String
    let clientID: String
    /// The scope asked for; narrowed when the user grants less (a scripted partial grant).
    var scope: [String]
    let resources: [String]
    let issuedAt: Int
    let expiresAt: Int
    var interval: Int
    var lastPolledAt: Int?
    var approvedSub: String?
    var sid: String?
    var authTime: Int?
    var deniedAt: Int?
    var redeemedAt: Int?
    /// The logged requests that asked for it, approved or denied it, and redeemed it (ids in the request log).
    var issuedBy: Int? = nil
    var settledBy: Int? = nil
    var redeemedBy: Int? = nil

    func status(at now: Int) -> IssuedState {
        if redeemedAt != nil { return .used }
        if deniedAt != nil { return .revoked }
        return now >= expiresAt ? .expired : .active
    }
}

/// A user's sign-in at MockIdP: auto-login creates one, RP-initiated logout ends it.
struct UserSession: Sendable {
    let sid: String
    let sub: String
    let authTime: Int
}
