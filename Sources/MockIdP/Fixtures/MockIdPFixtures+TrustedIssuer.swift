extension MockIdPFixtures {
    /// An issuer whose JWTs a client may exchange (RFC 8693 §2.1 `subject_token`, `actor_token`): an entry of a
    /// client's `token_exchange_trusted_issuers` in clients.json.
    ///
    /// A presented JWT whose `iss` is `issuer` is verified against the issuer's keys, `jwks` when given, else the
    /// JWKS fetched from `jwksURI`; it must carry an `exp` that has not passed. Another issuer of the same MockIdP
    /// process is such an issuer too (its `jwks_uri`), since each issuer keeps its own records.
    ///
    /// ```swift
    /// let ledger = MockIdPFixtures.Client(
    ///     clientID: "ledger-service",
    ///     clientSecret: "ledger-secret",
    ///     grantTypes: [.tokenExchange],
    ///     tokenExchangeTrustedIssuers: [.init(issuer: "https://partner.example", jwksURI: "https://partner.example/jwks")]
    /// )
    /// ```
    public struct TrustedIssuer: Sendable, Hashable {
        /// The issuer identifier, compared with a JWT's `iss` exactly (RFC 7519 §4.1.1, a case-sensitive string).
        public var issuer: String
        /// Where the issuer publishes its JWKS (RFC 7517 §5); `nil` when `jwks` is given inline.
        public var jwksURI: String?
        /// The issuer's JWKS inline, a JSON object with a `keys` array, each key with a `kid`; `nil` to fetch `jwksURI`.
        public var jwks: [String: ClaimValue]?

        /// An issuer trusted through its published keys (`jwksURI`) or keys given inline (`jwks`): exactly one of the two.
        public init(issuer: String, jwksURI: String? = nil, jwks: [String: ClaimValue]? = nil) {
            self.issuer = issuer
            self.jwksURI = jwksURI
            self.jwks = jwks
        }
    }
}

typealias TrustedIssuer = MockIdPFixtures.TrustedIssuer
