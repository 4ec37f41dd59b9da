/// Verifies JWT assertions (RFC 7523 §3) for one request: the claims against the server clock and the audiences the
/// request's endpoint answers to, the signature against the client's secret or keys, then the single use of its
/// `jti`. What it needs from the issuer (the clock, the client's `jwks_uri`, the store of used `jti`s) it is given as
/// values and functions, so that protocol code does not reach into the issuer's state.
package struct ClientAssertionVerifier: Sendable {
    /// The server clock, epoch seconds.
    package var now: Int
    /// Values of which an assertion's `aud` must contain one: the issuer identifier, the endpoint's URL, and the token
    /// endpoint's URL (RFC 7523 §3 item 3; OpenID Connect Core §9 names the token endpoint at every endpoint).
    package var audiences: Set<String>
    /// The client's public keys: its inline `jwks`, or its `jwks_uri` fetched; the assertion's `kid`, when it names
    /// one, so that a key set lacking it can be fetched again.
    package var keys: @Sendable (MockIdPFixtures.Client, String?) async throws(ClientAssertion.Failure) -> [ClientJWK]
    /// Records a `jti` as used until the assertion expires; `false` when it was used already (RFC 7523 §3 item 7).
    package var consume: @Sendable (_ jti: String, _ clientID: String, _ expiresAt: Int) async -> Bool

    /// - Parameters:
    ///   - now: the server clock.
    ///   - audiences: the accepted `aud` values.
    ///   - keys: the client's public keys.
    ///   - consume: records a `jti`, `false` on a replay.
    package init(
        now: Int, audiences: Set<String>,
        keys: @escaping @Sendable (MockIdPFixtures.Client, String?) async throws(ClientAssertion.Failure) -> [ClientJWK],
        consume: @escaping @Sendable (_ jti: String, _ clientID: String, _ expiresAt: Int) async -> Bool
    ) {
        self.now = now
        self.audiences = audiences
        self.keys = keys
        self.consume = consume
    }

    /// The public keys of an inline `jwks`; `[]` for a client without one.
    package static func inlineKeys(of client: MockIdPFixtures.Client) throws(ClientAssertion.Failure) -> [ClientJWK] {
        guard let jwks = client.jwks else { return [] }
        do {
            return try ClientJWK.keys(ofSet: jwks)
        } catch {
            throw ClientAssertion.Failure("the client's jwks: \(error.field): \(error.reason)")
        }
    }

    /// Verifies `assertion` as issued by `client` and records its `jti`.
    ///
    /// Order matters: the signature is checked before the `jti` is recorded, so that a forged assertion cannot use up
    /// the `jti` of a genuine one.
    ///
    /// - Parameters:
    ///   - subject: the `sub` required (the client_id for client authentication), `nil` for any.
    ///   - algorithms: the algorithms the client may sign with here.
    /// - Returns: the assertion's `sub`.
    /// - Throws: `ClientAssertion.Failure` naming what is wrong.
    package func verify(
        _ assertion: ClientAssertion, client: MockIdPFixtures.Client, subject: String?, algorithms: Set<MockIdPFixtures.AssertionSigningAlgorithm>
    ) async throws(ClientAssertion.Failure) -> String {
        let use = try assertion.check(.init(issuer: client.clientID, subject: subject, audiences: audiences, now: now))
        let keys = self.keys
        try await assertion.verifySignature(allowed: algorithms, secret: client.clientSecret) { () async throws(ClientAssertion.Failure) in
            try await keys(client, assertion.kid)
        }
        guard await consume(use.jti, client.clientID, use.expiresAt) else {
            throw ClientAssertion.Failure("jti \"\(use.jti)\" was used already: an assertion is good for one request (RFC 7523 §3)")
        }
        return assertion.string("sub") ?? ""
    }
}
