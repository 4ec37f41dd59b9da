#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension InMemoryStore {
    /// Every code, token and device authorization at one instant, for the flow timeline.
    func flowTimeline(requests: [LoggedRequest], paths: EndpointPaths, mountPath: String, now: Int) -> FlowTimeline {
        FlowTimeline(codes: allCodes, tokens: allTokens, devices: allDevices, requests: requests, paths: paths, mountPath: mountPath, now: now)
    }

    /// A snapshot of what was issued, newest first, filtered.
    func snapshot(now: Int, offset: Int, filter: IssuedFilter) -> IssuedSnapshot {
        func keep(_ clientID: String, _ sub: String?, _ type: String, _ status: IssuedState) -> Bool {
            (filter.clientID.map { $0 == clientID } ?? true) && (filter.sub.map { $0 == sub } ?? true)
                && (filter.type.map { $0 == type } ?? true) && (filter.status.map { $0 == status } ?? true)
        }
        let codes = allCodes.filter { keep($0.clientID, $0.sub, "code", $0.status(at: now)) }
            .sorted { ($0.issuedAt, $0.code) > ($1.issuedAt, $1.code) }
            .map {
                IssuedCodeInfo(
                    code: $0.code, clientID: $0.clientID, sub: $0.sub, scope: $0.scope.joined(separator: " "),
                    redirectURI: $0.effectiveRedirectURI, issuedAt: $0.issuedAt, expiresAt: $0.expiresAt,
                    status: $0.status(at: now),
                    lineage: IssuedLineage(
                        flow: $0.grantID, issuedBy: $0.issuedBy, usedAt: $0.usedAt, usedBy: $0.usedBy, revokedAt: $0.revokedAt,
                        revokedBy: $0.revokedBy
                    )
                )
            }
        let tokens = allTokens.filter { keep($0.clientID, $0.sub, $0.kind.rawValue, $0.status(at: now)) }
            .sorted { ($0.issuedAt, $0.kind.order, $0.value) > ($1.issuedAt, $1.kind.order, $1.value) }
            .map { IssuedTokenInfo($0, now: now) }
        var snapshot = IssuedSnapshot(now: now, offsetSeconds: offset, codes: codes, tokens: tokens)
        // A used assertion has a client but no user, kind or status of the filters'.
        if filter.sub == nil, filter.type == nil, filter.status == nil {
            snapshot.usedAssertions = allUsedAssertions.filter { filter.clientID == nil || filter.clientID == $0.clientID }
                .sorted { ($0.usedAt, $0.clientID, $0.jti) > ($1.usedAt, $1.clientID, $1.jti) }
                .map { UsedAssertionInfo(jti: $0.jti, clientID: $0.clientID, usedAt: $0.usedAt, expiresAt: $0.expiresAt) }
        }
        return snapshot
    }
}

extension IssuedTokenInfo {
    /// An issued token as /debug lists it, its status at `now`.
    init(_ token: IssuedToken, now: Int) {
        let parts = token.kind == .refreshToken ? nil : JWTParts(token.value)
        self.init(
            type: token.kind.rawValue, token: token.value, clientID: token.clientID, sub: token.sub,
            scope: token.scope.joined(separator: " "), issuedAt: token.issuedAt, expiresAt: token.expiresAt,
            status: token.status(at: now),
            header: parts?.header, claims: parts?.claims,
            exchangedFrom: token.exchange.map {
                TokenExchangeInfo(
                    grantType: GrantType.tokenExchange.rawValue, subjectToken: $0.subjectToken, subjectTokenType: $0.subjectTokenType,
                    subjectIssuer: $0.subjectIssuer, actorToken: $0.actorToken, actorTokenType: $0.actorTokenType
                )
            },
            lineage: IssuedLineage(
                flow: token.grantID, issuedBy: token.issuedBy, usedAt: token.usedAt, usedBy: token.usedBy, revokedAt: token.revokedAt,
                revokedBy: token.revokedBy
            )
        )
    }
}

extension TokenKind {
    /// Within one issuance, the ID token was signed last: list it first, newest first.
    var order: Int {
        switch self {
        case .refreshToken: 0
        case .accessToken: 1
        case .idToken: 2
        }
    }
}
