/// Tokens as the token endpoint returns them (RFC 6749 §5.1), from `RunningMockIdP.mintTokens`.
public struct MintedTokens: Sendable, Hashable {
    /// The access token, a JWT (RFC 9068).
    public var accessToken: String
    /// `Bearer`.
    public var tokenType: String
    /// The access token's lifetime in seconds.
    public var expiresIn: Int
    /// The granted scope, space-separated; `nil` when none was granted.
    public var scope: String?
    /// The refresh token, when the client may refresh and a user is signed in.
    public var refreshToken: String?
    /// The ID token, when a user is signed in and `openid` was granted.
    public var idToken: String?

    init(_ response: TokenResponse) {
        accessToken = response.accessToken
        tokenType = response.tokenType
        expiresIn = response.expiresIn
        scope = response.scope
        refreshToken = response.refreshToken
        idToken = response.idToken
    }
}
