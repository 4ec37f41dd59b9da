/// Every code and token MockIdP issued, safe under concurrent requests.
///
/// Expired entries are kept for `retention` seconds after they expire, so /debug can still show them,
/// then purged so that memory stays flat in long test runs.
actor InMemoryStore {
    private var codes: [String: IssuedCode] = [:]
    private var tokens: [String: IssuedToken] = [:]
    private var tokensByGrant: [String: [String]] = [:]
    private var devices: [String: DeviceAuthorization] = [:]
    private var deviceCodesByUserCode: [String: String] = [:]
    private var sessions: [String: UserSession] = [:]
    private var usedAssertions: [UsedAssertion.Key: UsedAssertion] = [:]
    private var lastPurge = 0
    let retention: Int
    static let purgeInterval = 30
    /// A purge that drops at least this many tokens calls `afterLargePurge`.
    static let largePurge = 10_000
    /// Called after a large purge, outside nothing but the store: the `mock-idp` binary hands freed heap pages back to
    /// the system there (`malloc_trim`), so that its resident set returns near idle. The library itself does nothing.
    let afterLargePurge: (@Sendable () -> Void)?

    init(retention: Int = 600, afterLargePurge: (@Sendable () -> Void)? = nil) {
        self.retention = retention
        self.afterLargePurge = afterLargePurge
    }

    // MARK: Codes

    func insert(_ code: IssuedCode) {
        purgeIfDue(now: code.issuedAt)
        var code = code
        code.issuedBy = RequestCause.id
        RequestCause.touch(grant: code.grantID, sub: code.sub)
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
        RequestCause.touch(grant: code.grantID, sub: code.sub)
        guard code.clientID == clientID else { return .wrongClient }
        if code.usedAt != nil || code.revokedAt != nil {
            return .replayed(revokedTokens: revokeGrant(code.grantID, now: now))
        }
        if now >= code.expiresAt { return .expired }
        code.usedAt = now
        code.usedBy = RequestCause.id
        codes[value] = code
        return .redeemed(code)
    }

    // MARK: Tokens

    func insert(_ issued: [IssuedToken]) {
        guard let first = issued.first else { return }
        purgeIfDue(now: first.issuedAt)
        let cause = RequestCause.id
        RequestCause.touch(grant: first.grantID, sub: first.sub)
        for var token in issued {
            token.issuedBy = cause
            tokens[token.value] = token
            tokensByGrant[token.grantID, default: []].append(token.value)
        }
    }

    func token(_ value: String) -> IssuedToken? {
        guard let token = tokens[value] else { return nil }
        RequestCause.touch(grant: token.grantID, sub: token.sub)
        return token
    }

    /// Revokes every token of a grant; returns how many were still unrevoked.
    @discardableResult
    func revokeGrant(_ grantID: String, now: Int) -> Int {
        var count = 0
        let cause = RequestCause.id
        for value in tokensByGrant[grantID] ?? [] where tokens[value]?.revokedAt == nil {
            tokens[value]?.revokedAt = now
            tokens[value]?.revokedBy = cause
            count += 1
        }
        if count > 0 { RequestCause.touch(grant: grantID, sub: nil) }
        return count
    }

    /// Revokes every unrevoked code and token issued to `clientID`; returns how many tokens that revoked.
    @discardableResult
    func revokeClient(_ clientID: String, now: Int) -> Int {
        let cause = RequestCause.id
        for (value, code) in codes where code.clientID == clientID && code.revokedAt == nil {
            codes[value]?.revokedAt = now
            codes[value]?.revokedBy = cause
        }
        var count = 0
        for (value, token) in tokens where token.clientID == clientID && token.revokedAt == nil {
            tokens[value]?.revokedAt = now
            tokens[value]?.revokedBy = cause
            count += 1
        }
        return count
    }

    /// Revokes one token; with `family`, every token of its grant (RFC 7009 §2.1 for refresh tokens).
    func revoke(_ value: String, family: Bool, now: Int) {
        guard let token = tokens[value] else { return }
        RequestCause.touch(grant: token.grantID, sub: token.sub)
        if family {
            revokeGrant(token.grantID, now: now)
        } else if token.revokedAt == nil {
            tokens[value]?.revokedAt = now
            tokens[value]?.revokedBy = RequestCause.id
        }
    }

    enum Rotation: Sendable {
        case rotated(IssuedToken)
        case unknown
        case wrongClient
        case expired
        case revoked
        /// RFC 9700 §4.14.2: a rotated refresh token presented again means it leaked; the whole family is revoked.
        case reused(revokedTokens: Int)
    }

    /// Marks a refresh token used, atomically, so that it can be exchanged exactly once.
    func rotate(refreshToken value: String, clientID: String, now: Int) -> Rotation {
        guard var token = tokens[value], token.kind == .refreshToken else { return .unknown }
        RequestCause.touch(grant: token.grantID, sub: token.sub)
        guard token.clientID == clientID else { return .wrongClient }
        switch token.status(at: now) {
        case .used:
            return .reused(revokedTokens: revokeGrant(token.grantID, now: now))
        case .revoked:
            return .revoked
        case .expired:
            return .expired
        case .active:
            token.usedAt = now
            token.usedBy = RequestCause.id
            tokens[value] = token
            return .rotated(token)
        }
    }

    // MARK: Device authorizations

    func insert(_ device: DeviceAuthorization) {
        purgeIfDue(now: device.issuedAt)
        var device = device
        device.issuedBy = RequestCause.id
        RequestCause.touch(grant: device.deviceCode, sub: nil)
        devices[device.deviceCode] = device
        deviceCodesByUserCode[device.userCode] = device.deviceCode
    }

    func device(userCode: String) -> DeviceAuthorization? {
        guard let device = deviceCodesByUserCode[userCode].flatMap({ devices[$0] }) else { return nil }
        RequestCause.touch(grant: device.deviceCode, sub: device.approvedSub)
        return device
    }

    /// Approves (or denies) a pending device authorization; returns it, or `nil` if it is unknown, expired or settled.
    ///
    /// - Parameter scope: the scope the user granted, when less than the device asked for.
    func settleDevice(userCode: String, session: UserSession?, scope: [String]? = nil, now: Int) -> DeviceAuthorization? {
        guard let deviceCode = deviceCodesByUserCode[userCode], var device = devices[deviceCode],
            device.status(at: now) == .active, device.approvedSub == nil
        else { return nil }
        RequestCause.touch(grant: device.deviceCode, sub: session?.sub)
        device.settledBy = RequestCause.id
        if let scope { device.scope = device.scope.filter(scope.contains) }
        if let session {
            device.approvedSub = session.sub
            device.sid = session.sid
            device.authTime = session.authTime
        } else {
            device.deniedAt = now
        }
        devices[deviceCode] = device
        return device
    }

    enum DevicePoll: Sendable {
        case approved(DeviceAuthorization)
        case pending
        case slowDown(interval: Int)
        case denied
        case expired
        case redeemed
        case unknown
    }

    /// One token-endpoint poll (RFC 8628 §3.5), atomically: rate check, then state.
    func poll(deviceCode: String, clientID: String, now: Int) -> DevicePoll {
        guard var device = devices[deviceCode], device.clientID == clientID else { return .unknown }
        RequestCause.touch(grant: deviceCode, sub: device.approvedSub)
        if device.redeemedAt != nil { return .redeemed }
        if now >= device.expiresAt { return .expired }
        if device.deniedAt != nil { return .denied }
        defer { devices[deviceCode] = device }
        if let last = device.lastPolledAt, now - last < device.interval {
            // RFC 8628 §3.5: "the interval MUST be increased by 5 seconds for this and all subsequent requests."
            device.interval += 5
            device.lastPolledAt = now
            return .slowDown(interval: device.interval)
        }
        device.lastPolledAt = now
        guard device.approvedSub != nil else { return .pending }
        device.redeemedAt = now
        device.redeemedBy = RequestCause.id
        return .approved(device)
    }

    // MARK: Sessions

    /// The user's current session, or a new one when there is none, it is older than `maxAge`, or `fresh` is asked.
    func session(for sub: String, now: Int, maxAge: Int? = nil, fresh: Bool = false) -> UserSession {
        if !fresh, let session = sessions[sub], maxAge.map({ now - session.authTime <= $0 }) ?? true {
            return session
        }
        let session = UserSession(sid: randomToken(bytes: 16), sub: sub, authTime: now)
        sessions[sub] = session
        return session
    }

    /// Ends the user's session and revokes every grant the user made by signing in (this session and any earlier
    /// one it replaced); returns the ended session.
    func endSession(sub: String, now: Int) -> UserSession? {
        guard let session = sessions.removeValue(forKey: sub) else { return nil }
        let grants = Set(tokens.values.filter { $0.sub == sub && $0.sid != nil }.map(\.grantID))
        for grant in grants { revokeGrant(grant, now: now) }
        for (value, code) in codes where code.sub == sub && code.usedAt == nil {
            codes[value]?.revokedAt = now
            codes[value]?.revokedBy = RequestCause.id
            RequestCause.touch(grant: code.grantID, sub: sub)
        }
        return session
    }

    // MARK: Assertions

    /// Records that `clientID` used an assertion with this `jti`, atomically: of two concurrent uses only one succeeds.
    ///
    /// - Returns: `false` when the `jti` was used already and has not been purged (RFC 7523 §3 item 7).
    func useAssertion(jti: String, clientID: String, expiresAt: Int, now: Int) -> Bool {
        purgeIfDue(now: now)
        let key = UsedAssertion.Key(clientID: clientID, jti: jti)
        guard usedAssertions[key] == nil else { return false }
        usedAssertions[key] = UsedAssertion(clientID: clientID, jti: jti, usedAt: now, expiresAt: expiresAt)
        return true
    }

    /// Tells the current request which grants these codes, tokens or device codes belong to (for a request refused
    /// before it reached the store, so that /debug's flows still place it).
    func touch(anyOf values: [String]) {
        for value in values {
            if let code = codes[value] {
                RequestCause.touch(grant: code.grantID, sub: code.sub)
            } else if let token = tokens[value] {
                RequestCause.touch(grant: token.grantID, sub: token.sub)
            } else if let device = devices[value] {
                RequestCause.touch(grant: device.deviceCode, sub: device.approvedSub)
            }
        }
    }

    // MARK: Listing and housekeeping

    var allCodes: [IssuedCode] { Array(codes.values) }
    var allDevices: [DeviceAuthorization] { Array(devices.values) }
    var allTokens: [IssuedToken] { Array(tokens.values) }
    var allUsedAssertions: [UsedAssertion] { Array(usedAssertions.values) }

    /// Forgets every code and token.
    func reset() {
        codes = [:]
        tokens = [:]
        tokensByGrant = [:]
        devices = [:]
        deviceCodesByUserCode = [:]
        sessions = [:]
        usedAssertions = [:]
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
        devices = devices.filter { $0.value.expiresAt > cutoff }
        deviceCodesByUserCode = deviceCodesByUserCode.filter { devices[$0.value] != nil }
        // A jti must stay refused while its assertion is accepted: until exp plus the leeway. Retention is longer.
        let assertionCutoff = min(cutoff, now - ClientAssertion.leeway)
        usedAssertions = usedAssertions.filter { $0.value.expiresAt > assertionCutoff }
        let expired = tokens.values.filter { $0.expiresAt <= cutoff }
        guard !expired.isEmpty else { return }
        for token in expired {
            tokens[token.value] = nil
        }
        for (grant, values) in tokensByGrant {
            let kept = values.filter { tokens[$0] != nil }
            tokensByGrant[grant] = kept.isEmpty ? nil : kept
        }
        if tokens.isEmpty {
            // Drop the tables' capacity too, so a long run's peak does not stay reserved.
            tokens = [:]
            tokensByGrant = [:]
        }
        if expired.count >= Self.largePurge { afterLargePurge?() }
    }
}
