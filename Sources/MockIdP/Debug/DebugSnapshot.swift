#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Where an issued code or token stands, as /debug reports it.
public enum IssuedState: String, Sendable, Codable, Hashable, CaseIterable {
    case active
    /// A redeemed code, a rotated refresh token, or an exchanged device code.
    case used
    case expired
    case revoked
}

/// An authorization code MockIdP issued.
public struct IssuedCodeInfo: Sendable, Codable, Hashable {
    public var code: String
    public var clientID: String
    public var sub: String
    public var scope: String
    public var redirectURI: String
    /// Server-clock seconds since 1970.
    public var issuedAt: Int
    public var expiresAt: Int
    public var status: IssuedState

    enum CodingKeys: String, CodingKey {
        case code, sub, scope, status
        case clientID = "client_id"
        case redirectURI = "redirect_uri"
        case issuedAt = "issued_at"
        case expiresAt = "expires_at"
    }
}

/// A token MockIdP issued, with its decoded JWT header and claims.
public struct IssuedTokenInfo: Sendable, Codable, Hashable {
    /// `access_token`, `refresh_token` or `id_token`.
    public var type: String
    public var token: String
    public var clientID: String
    /// `nil` for tokens a client got on its own behalf (client credentials).
    public var sub: String?
    public var scope: String
    public var issuedAt: Int
    public var expiresAt: Int
    public var status: IssuedState
    /// The decoded JOSE header, for JWTs.
    public var header: [String: JSONValue]?
    /// The decoded payload, for JWTs.
    public var claims: [String: JSONValue]?

    enum CodingKeys: String, CodingKey {
        case type, token, sub, scope, status, header, claims
        case clientID = "client_id"
        case issuedAt = "issued_at"
        case expiresAt = "expires_at"
    }

    /// `sub` is always present (null for a client's own token); `header` and `claims` only for JWTs.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(type, forKey: .type)
        try container.encode(token, forKey: .token)
        try container.encode(clientID, forKey: .clientID)
        try container.encode(sub, forKey: .sub)
        try container.encode(scope, forKey: .scope)
        try container.encode(issuedAt, forKey: .issuedAt)
        try container.encode(expiresAt, forKey: .expiresAt)
        try container.encode(status, forKey: .status)
        try container.encodeIfPresent(header, forKey: .header)
        try container.encodeIfPresent(claims, forKey: .claims)
    }
}

/// Everything MockIdP issued, newest first: what `GET /debug` returns.
public struct IssuedSnapshot: Sendable, Codable, Hashable {
    /// The server clock when the snapshot was taken (seconds since 1970).
    public var now: Int
    public var clockOffsetSeconds: Int
    public var codes: [IssuedCodeInfo]
    public var tokens: [IssuedTokenInfo]

    enum CodingKeys: String, CodingKey {
        case now, codes, tokens
        case clockOffsetSeconds = "clock_offset_seconds"
    }
}

/// Which entries a snapshot keeps; `nil` fields match everything.
public struct IssuedFilter: Sendable, Hashable {
    public var clientID: String?
    public var sub: String?
    /// `code`, `access_token`, `refresh_token` or `id_token`.
    public var type: String?
    public var status: IssuedState?

    public init(clientID: String? = nil, sub: String? = nil, type: String? = nil, status: IssuedState? = nil) {
        self.clientID = clientID
        self.sub = sub
        self.type = type
        self.status = status
    }

    static let types: Set<String> = ["code", "access_token", "refresh_token", "id_token"]
}

extension InMemoryStore {
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
                    status: $0.status(at: now)
                )
            }
        let tokens = allTokens.filter { keep($0.clientID, $0.sub, $0.kind.rawValue, $0.status(at: now)) }
            .sorted { ($0.issuedAt, $0.kind.order, $0.value) > ($1.issuedAt, $1.kind.order, $1.value) }
            .map { token in
                let parts = token.kind == .refreshToken ? nil : JWTParts(token.value)
                return IssuedTokenInfo(
                    type: token.kind.rawValue, token: token.value, clientID: token.clientID, sub: token.sub,
                    scope: token.scope.joined(separator: " "), issuedAt: token.issuedAt, expiresAt: token.expiresAt,
                    status: token.status(at: now),
                    header: parts?.header, claims: parts?.claims
                )
            }
        return IssuedSnapshot(now: now, clockOffsetSeconds: offset, codes: codes, tokens: tokens)
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

/// The decoded header and payload of a compact JWS, unverified (for display).
struct JWTParts {
    let header: [String: JSONValue]
    let claims: [String: JSONValue]

    init?(_ token: String) {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3,
            let headerData = String(parts[0]).base64URLDecoded,
            let payloadData = String(parts[1]).base64URLDecoded,
            let header = try? JSONDecoder().decode([String: JSONValue].self, from: headerData),
            let claims = try? JSONDecoder().decode([String: JSONValue].self, from: payloadData)
        else { return nil }
        self.header = header
        self.claims = claims
    }
}
