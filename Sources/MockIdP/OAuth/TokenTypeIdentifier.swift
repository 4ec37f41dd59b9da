/// The token type identifiers of RFC 8693 §3 that MockIdP understands: what a token exchange's `subject_token_type`,
/// `actor_token_type` and `requested_token_type` name, and what its `issued_token_type` says.
enum TokenTypeIdentifier: String, Sendable, CaseIterable {
    /// "Indicates that the token is an OAuth 2.0 access token issued by the given authorization server."
    case accessToken = "urn:ietf:params:oauth:token-type:access_token"
    /// "Indicates that the token is an OAuth 2.0 refresh token issued by the given authorization server."
    case refreshToken = "urn:ietf:params:oauth:token-type:refresh_token"
    /// "Indicates that the token is an ID Token as defined in Section 2 of [OpenID.Core]."
    case idToken = "urn:ietf:params:oauth:token-type:id_token"
    /// "Indicates that the token is a JWT": any JWT, whatever it is for (RFC 7519 §9 registers the URN).
    case jwt = "urn:ietf:params:oauth:token-type:jwt"
}
