/// Every code and token MockIdP issued, safe under concurrent requests.
///
/// Expired entries are kept for `retention` seconds after they expire, so /debug can still show them,
/// then purged so that memory stays flat in long test runs.
actor InMemoryStore {
    private var codes: [String: IssuedCode] = [:]
    private var tokens: [String: IssuedToken] = [:]
    private var tokensByGrant: [String: [String]] = [:]
    private var lastPurge = 0
    let retention: Int
    static let purgeInterval = 30

    init(retention: Int = 600) {
        self.retention = retention
    }

    // MARK: Codes

    func insert(_ code: IssuedCode) {
        purgeIfDue(now: code.issuedAt)
        codes[code.code] = code
    }

    enum Redemption: Sendable {
        case redeemed(IssuedCode)
        case unknown
        case expired
        case wrongClient
        /// RFC 6749 §4.1.2: a code used twice is refused and the tokens issued from it are revoked.
        case replayed(revokedTokens: Int)
    }

    /// Marks `code` used by `clientID`, atomically: of two concurrent redemptions only one succeeds.
    func redeem(code value: String, clientID: String, now: Int) -> Redemption {
        guard var code = codes[value] else { return .unknown }
        guard code.clientID == clientID else { return .wrongClient }
        if code.usedAt != nil || code.revokedAt != nil {
            return .replayed(revokedTokens: revokeGrant(code.grantID, now: now))
        }
        if now >= code.expiresAt { return .expired }
        code.usedAt = now
        codes[value] = code
        return .redeemed(code)
    }

    // MARK: Tokens

    func insert(_ issued: [IssuedToken]) {
        guard let first = issued.first else { return }
        purgeIfDue(now: first.issuedAt)
        for token in issued {
            tokens[token.value] = token
            tokensByGrant[token.grantID, default: []].append(token.value)
        }
    }

    func token(_ value: String) -> IssuedToken? {
        tokens[value]
    }

    /// Revokes every token of a grant; returns how many were still unrevoked.
    @discardableResult
    func revokeGrant(_ grantID: String, now: Int) -> Int {
        var count = 0
        for value in tokensByGrant[grantID] ?? [] where tokens[value]?.revokedAt == nil {
            tokens[value]?.revokedAt = now
            count += 1
        }
        return count
    }

    // MARK: Listing and housekeeping

    var allCodes: [IssuedCode] { Array(codes.values) }
    var allTokens: [IssuedToken] { Array(tokens.values) }

    /// Forgets every code and token.
    func reset() {
        codes = [:]
        tokens = [:]
        tokensByGrant = [:]
    }

    private func purgeIfDue(now: Int) {
        guard now - lastPurge >= Self.purgeInterval else { return }
        purge(now: now)
    }

    /// Drops codes and tokens that expired more than `retention` seconds ago.
    func purge(now: Int) {
        lastPurge = now
        let cutoff = now - retention
        codes = codes.filter { $0.value.expiresAt > cutoff }
        let expired = tokens.values.filter { $0.expiresAt <= cutoff }
        guard !expired.isEmpty else { return }
        for token in expired {
            tokens[token.value] = nil
        }
        for (grant, values) in tokensByGrant {
            let kept = values.filter { tokens[$0] != nil }
            tokensByGrant[grant] = kept.isEmpty ? nil : kept
        }
    }
}
