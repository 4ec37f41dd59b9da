/// A JWT assertion's `jti` that was used (RFC 7523 §3 item 7: "The authorization server MAY ensure that JWTs are not
/// replayed by maintaining the set of used "jti" values for the length of time for which the JWT would be
/// considered valid"). Kept until the assertion has expired, then purged with the expired codes and tokens.
struct UsedAssertion: Sendable, Hashable {
    /// The client that issued it: `jti`s are unique per issuer.
    let clientID: String
    let jti: String
    /// When it was used, server-clock epoch seconds.
    let usedAt: Int
    /// The assertion's `exp`, server-clock epoch seconds; the `jti` is refused again until then (and the leeway).
    let expiresAt: Int

    /// The store's key: `jti` within its client.
    struct Key: Hashable {
        let clientID: String
        let jti: String
    }
}
