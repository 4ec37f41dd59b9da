#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// An authorization code MockIdP issued.
public struct IssuedCodeInfo: Sendable, Codable, Hashable {
    /// The code value.
    public var code: String
    /// The client it was issued to.
    public var clientID: String
    /// The signed-in user.
    public var sub: String
    /// The granted scope, space-separated.
    public var scope: String
    /// The redirect URI it was delivered to.
    public var redirectURI: String
    /// Server-clock seconds since 1970.
    public var issuedAt: Int
    /// When it expires, in server-clock seconds since 1970.
    public var expiresAt: Int
    /// Where it stands now.
    public var status: IssuedState
    /// What issued, redeemed and revoked it.
    public var lineage = IssuedLineage()

    enum CodingKeys: String, CodingKey {
        case code, sub, scope, status
        case clientID = "client_id"
        case redirectURI = "redirect_uri"
        case issuedAt = "issued_at"
        case expiresAt = "expires_at"
    }

    /// The fields above, then the lineage's beside them (`flow`, `issued_by`, …, each only when known).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(code, forKey: .code)
        try container.encode(clientID, forKey: .clientID)
        try container.encode(sub, forKey: .sub)
        try container.encode(scope, forKey: .scope)
        try container.encode(redirectURI, forKey: .redirectURI)
        try container.encode(issuedAt, forKey: .issuedAt)
        try container.encode(expiresAt, forKey: .expiresAt)
        try container.encode(status, forKey: .status)
        try lineage.encode(to: encoder)
    }

    /// Reads what `encode(to:)` writes.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        code = try container.decode(String.self, forKey: .code)
        clientID = try container.decode(String.self, forKey: .clientID)
        sub = try container.decode(String.self, forKey: .sub)
        scope = try container.decode(String.self, forKey: .scope)
        redirectURI = try container.decode(String.self, forKey: .redirectURI)
        issuedAt = try container.decode(Int.self, forKey: .issuedAt)
        expiresAt = try container.decode(Int.self, forKey: .expiresAt)
        status = try container.decode(IssuedState.self, forKey: .status)
        lineage = try IssuedLineage(from: decoder)
    }

    init(
        code: String, clientID: String, sub: String, scope: String, redirectURI: String, issuedAt: Int, expiresAt: Int,
        status: IssuedState, lineage: IssuedLineage = IssuedLineage()
    ) {
        self.code = code
        self.clientID = clientID
        self.sub = sub
        self.scope = scope
        self.redirectURI = redirectURI
        self.issuedAt = issuedAt
        self.expiresAt = expiresAt
        self.status = status
        self.lineage = lineage
    }
}

/// Where an issued code or token comes from and what happened to it: its flow (`GET /debug/flows`) and the logged
/// requests (ids of `/debug/requests`) that issued, used and revoked it. A field is absent when it did not happen, or
/// when it happened outside a logged request (the Swift API, /debug's own controls).
public struct IssuedLineage: Sendable, Codable, Hashable {
    /// The flow (grant) it belongs to.
    public var flow: String?
    /// The request that issued it.
    public var issuedBy: Int?
    /// When it was used (a code redeemed, a refresh token rotated), server-clock epoch seconds.
    public var usedAt: Int?
    /// The request that used it.
    public var usedBy: Int?
    /// When it was revoked, server-clock epoch seconds.
    public var revokedAt: Int?
    /// The request that revoked it (a revocation, a logout, a replayed code, a deleted registration).
    public var revokedBy: Int?

    /// A lineage; every field absent by default.
    public init(
        flow: String? = nil, issuedBy: Int? = nil, usedAt: Int? = nil, usedBy: Int? = nil, revokedAt: Int? = nil, revokedBy: Int? = nil
    ) {
        self.flow = flow
        self.issuedBy = issuedBy
        self.usedAt = usedAt
        self.usedBy = usedBy
        self.revokedAt = revokedAt
        self.revokedBy = revokedBy
    }

    enum CodingKeys: String, CodingKey {
        case flow
        case issuedBy = "issued_by"
        case usedAt = "used_at"
        case usedBy = "used_by"
        case revokedAt = "revoked_at"
        case revokedBy = "revoked_by"
    }
}

/// A token MockIdP issued, with its decoded JWT header and claims.
public struct IssuedTokenInfo: Sendable, Codable, Hashable {
    /// `access_token`, `refresh_token` or `id_token`.
    public var type: String
    /// The token value (a JWT, or an opaque refresh token).
    public var token: String
    /// The client it was issued to.
    public var clientID: String
    /// `nil` for tokens a client got on its own behalf (client credentials).
    public var sub: String?
    /// The granted scope, space-separated.
    public var scope: String
    /// When it was issued, in server-clock seconds since 1970.
    public var issuedAt: Int
    /// When it expires, in server-clock seconds since 1970.
    public var expiresAt: Int
    /// Where it stands now.
    public var status: IssuedState
    /// The decoded JOSE header, for JWTs.
    public var header: [String: ClaimValue]?
    /// The decoded payload, for JWTs.
    public var claims: [String: ClaimValue]?
    /// For a token issued by token exchange (RFC 8693), what it was exchanged for; `nil` for every other grant.
    public var exchangedFrom: TokenExchangeInfo? = nil
    /// What issued, used and revoked it.
    public var lineage = IssuedLineage()

    enum CodingKeys: String, CodingKey {
        case type, token, sub, scope, status, header, claims
        case clientID = "client_id"
        case issuedAt = "issued_at"
        case expiresAt = "expires_at"
        case exchangedFrom = "exchanged_from"
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
        try container.encodeIfPresent(exchangedFrom, forKey: .exchangedFrom)
        try lineage.encode(to: encoder)
    }

    /// Reads what `encode(to:)` writes.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        type = try container.decode(String.self, forKey: .type)
        token = try container.decode(String.self, forKey: .token)
        clientID = try container.decode(String.self, forKey: .clientID)
        sub = try container.decodeIfPresent(String.self, forKey: .sub)
        scope = try container.decode(String.self, forKey: .scope)
        issuedAt = try container.decode(Int.self, forKey: .issuedAt)
        expiresAt = try container.decode(Int.self, forKey: .expiresAt)
        status = try container.decode(IssuedState.self, forKey: .status)
        header = try container.decodeIfPresent([String: ClaimValue].self, forKey: .header)
        claims = try container.decodeIfPresent([String: ClaimValue].self, forKey: .claims)
        exchangedFrom = try container.decodeIfPresent(TokenExchangeInfo.self, forKey: .exchangedFrom)
        lineage = try IssuedLineage(from: decoder)
    }

    init(
        type: String, token: String, clientID: String, sub: String?, scope: String, issuedAt: Int, expiresAt: Int,
        status: IssuedState, header: [String: ClaimValue]?, claims: [String: ClaimValue]?, exchangedFrom: TokenExchangeInfo? = nil,
        lineage: IssuedLineage = IssuedLineage()
    ) {
        self.type = type
        self.token = token
        self.clientID = clientID
        self.sub = sub
        self.scope = scope
        self.issuedAt = issuedAt
        self.expiresAt = expiresAt
        self.status = status
        self.header = header
        self.claims = claims
        self.exchangedFrom = exchangedFrom
        self.lineage = lineage
    }
}

/// How an exchanged token came to be (RFC 8693 §2.1): the grant, and the tokens the client presented.
public struct TokenExchangeInfo: Sendable, Codable, Hashable {
    /// Always `urn:ietf:params:oauth:grant-type:token-exchange`.
    public var grantType: String
    /// The `subject_token` presented.
    public var subjectToken: String
    /// Its `subject_token_type` (an RFC 8693 §3 token type identifier).
    public var subjectTokenType: String
    /// Who issued the subject token: this issuer, or one the client trusts.
    public var subjectIssuer: String
    /// The `actor_token` presented, if any (delegation).
    public var actorToken: String?
    /// Its `actor_token_type`.
    public var actorTokenType: String?

    enum CodingKeys: String, CodingKey {
        case grantType = "grant_type"
        case subjectToken = "subject_token"
        case subjectTokenType = "subject_token_type"
        case subjectIssuer = "subject_issuer"
        case actorToken = "actor_token"
        case actorTokenType = "actor_token_type"
    }
}

/// Everything MockIdP issued, newest first: what `GET /debug` returns.
public struct IssuedSnapshot: Sendable, Codable, Hashable {
    /// The server clock when the snapshot was taken (seconds since 1970).
    public var now: Int
    /// How far the server clock has been moved forward (`/debug/clock`).
    public var offsetSeconds: Int
    /// Authorization codes, newest first.
    public var codes: [IssuedCodeInfo]
    /// Access, refresh and ID tokens, newest first.
    public var tokens: [IssuedTokenInfo]
    /// Users that exist since the server started: signed in as a typed subject, or added by `POST /debug/users`;
    /// `DELETE /debug/fixtures` removes them.
    public var runtimeUsers: [RuntimeUserInfo] = []
    /// Clients that exist since the server started: registered by Dynamic Client Registration (RFC 7591), or added by
    /// `POST /debug/clients`; `DELETE /debug/fixtures` removes them.
    public var runtimeClients: [RuntimeClientInfo] = []
    /// The `jti`s of JWT assertions clients used (RFC 7523: `client_assertion`, the JWT bearer grant's `assertion`),
    /// newest first: each is refused again until its assertion expires. `DELETE /debug` forgets them.
    public var usedAssertions: [UsedAssertionInfo] = []
    /// Documents fetched from elsewhere and held while fresh: client metadata documents (a `client_id` that is a URL),
    /// `jwks_uri`s; `DELETE /debug` forgets them.
    public var fetchedDocuments: [FetchedDocumentInfo] = []

    enum CodingKeys: String, CodingKey {
        case now, codes, tokens
        case offsetSeconds = "offset_seconds"
        case usedAssertions = "used_assertions"
        case runtimeUsers = "runtime_users"
        case runtimeClients = "runtime_clients"
        case fetchedDocuments = "fetched_documents"
    }
}

/// A document fetched from elsewhere, as `GET /debug` lists it.
public struct FetchedDocumentInfo: Sendable, Codable, Hashable {
    /// Where it was fetched from.
    public var url: String
    /// When, server-clock epoch seconds.
    public var fetchedAt: Int
    /// Until when it is used without fetching it again (its `Cache-Control: max-age` or `Expires`).
    public var freshUntil: Int
    /// Its body as JSON; `nil` when the body is not JSON.
    public var document: ClaimValue?

    enum CodingKeys: String, CodingKey {
        case url, document
        case fetchedAt = "fetched_at"
        case freshUntil = "fresh_until"
    }
}

/// A used JWT assertion, as `GET /debug` lists it.
public struct UsedAssertionInfo: Sendable, Codable, Hashable {
    /// The assertion's `jti`.
    public var jti: String
    /// The client that issued it.
    public var clientID: String
    /// When it was used, in server-clock seconds since 1970.
    public var usedAt: Int
    /// The assertion's `exp`: until then its `jti` is refused.
    public var expiresAt: Int

    enum CodingKeys: String, CodingKey {
        case jti
        case clientID = "client_id"
        case usedAt = "used_at"
        case expiresAt = "expires_at"
    }
}

/// A client added at runtime, as `GET /debug` lists it.
public struct RuntimeClientInfo: Sendable, Codable, Hashable {
    /// Its client identifier.
    public var clientID: String
    /// Whether it registered itself (RFC 7591) rather than through `POST /debug/clients`.
    public var registered: Bool
    /// What it registered, as its configuration endpoint reads it (RFC 7592), without credentials; `nil` for a client
    /// added through /debug.
    public var metadata: [String: ClaimValue]?

    enum CodingKeys: String, CodingKey {
        case clientID = "client_id"
        case registered, metadata
    }
}

/// A user added at runtime, as `GET /debug` lists it.
public struct RuntimeUserInfo: Sendable, Codable, Hashable {
    /// Its subject identifier.
    public var sub: String
    /// Its login name.
    public var username: String
    /// Its claims.
    public var claims: [String: ClaimValue]
}

/// Which entries a snapshot keeps; `nil` fields match everything.
public struct IssuedFilter: Sendable, Hashable {
    /// Only entries of this client.
    public var clientID: String?
    /// Only entries of this user.
    public var sub: String?
    /// `code`, `access_token`, `refresh_token` or `id_token`.
    public var type: String?
    /// Only entries with this status.
    public var status: IssuedState?

    /// A filter; `nil` fields match everything.
    public init(clientID: String? = nil, sub: String? = nil, type: String? = nil, status: IssuedState? = nil) {
        self.clientID = clientID
        self.sub = sub
        self.type = type
        self.status = status
    }

    static let types: Set<String> = ["code", "access_token", "refresh_token", "id_token"]
}
