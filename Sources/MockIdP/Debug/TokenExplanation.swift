/// What `POST /debug/explain` (and `RunningMockIdP.explain`) says about a token: "why is this token rejected?".
public struct TokenExplanation: Sendable, Codable, Hashable {
    /// `jwt` (a compact JWS), `opaque` (a refresh token, or any string that is no JWS) or `malformed` (a JWS gone wrong).
    public var format: String
    /// The JOSE header, decoded (not verified); `nil` unless a JWT.
    public var header: [String: ClaimValue]?
    /// The claims, decoded; `nil` unless a JWT.
    public var claims: [String: ClaimValue]?
    /// Whether the signature verifies, and with which key; `nil` unless a JWT.
    public var signature: TokenSignatureCheck?
    /// This issuer's record of the token, as `GET /debug` lists it; `nil` when it did not issue it (or forgot it:
    /// `DELETE /debug`, retention).
    public var issued: IssuedTokenInfo?
    /// Each check a resource server makes, in the order it makes them, each with the rule it applies.
    public var checks: [TokenCheck]
    /// `accepted` when every check passes, else `rejected`.
    public var verdict: String
    /// One sentence: the first failed check, or that the token is good.
    public var summary: String

    enum CodingKeys: String, CodingKey {
        case format, header, claims, signature, issued, checks, verdict, summary
    }
}

/// The signature of an explained JWT.
public struct TokenSignatureCheck: Sendable, Codable, Hashable {
    /// Whether it verifies with the key its `kid` names.
    public var verified: Bool
    /// The header's `kid`.
    public var kid: String?
    /// The header's `alg`.
    public var alg: String?
    /// Which key: `current` (the active signing key), `previous` (published after a rotation, still verifying),
    /// `other_algorithm` (a key of another algorithm this issuer publishes), `unknown_kid`, `another_issuer`, `none`
    /// (no kid, or `alg: none`).
    public var key: String
    /// The other issuer of this server whose key it is, when `key` is `another_issuer`.
    public var issuer: String?
}

/// One check of an explained token.
public struct TokenCheck: Sendable, Codable, Hashable {
    /// What is checked: `format`, `signature`, `issued`, `status`, `exp`, `nbf`, `iss`, `aud`, `scope`, `typ`.
    public var name: String
    /// Whether the token passes it.
    public var passed: Bool
    /// What was found, in words.
    public var detail: String
    /// The rule applied, e.g. `RFC 9068 §4`.
    public var rule: String
}

/// What the caller's resource server expects of a token, for `POST /debug/explain`; each `nil` field is not checked
/// (the issuer defaults to this one's).
public struct TokenExpectations: Sendable, Hashable {
    /// An audience the token's `aud` must contain.
    public var audience: String?
    /// Scopes the token's `scope` (or Entra's `scp`) must all grant.
    public var scopes: [String]?
    /// The issuer `iss` must equal; this issuer's identifier when `nil`.
    public var issuer: String?
    /// `access_token` (RFC 9068: `typ` `at+jwt`) or `id_token`; judged from the token when `nil`.
    public var tokenType: String?

    /// - Parameters:
    ///   - audience: an audience the token's `aud` must contain.
    ///   - scopes: scopes it must grant.
    ///   - issuer: the issuer it must name (default this one).
    ///   - tokenType: `access_token` or `id_token`.
    public init(audience: String? = nil, scopes: [String]? = nil, issuer: String? = nil, tokenType: String? = nil) {
        self.audience = audience
        self.scopes = scopes
        self.issuer = issuer
        self.tokenType = tokenType
    }
}
