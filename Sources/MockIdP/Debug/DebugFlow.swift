/// One flow of `GET /debug/flows`: everything that descends from one grant (an authorization, a device approval, a
/// client's own token request), or one refused request that reached no grant, in time order.
public struct MockIdPFlow: Sendable, Codable, Hashable {
    /// The grant's id, which every code, token and request of the flow names (`flow` in /debug); `request-N` for a
    /// refused request that belongs to no grant.
    public var id: String
    /// The grant that started it: `authorization_code`, `urn:ietf:params:oauth:grant-type:device_code`,
    /// `client_credentials`, …; `nil` when nothing was issued.
    public var grantType: String?
    /// The client.
    public var clientID: String?
    /// The user; `nil` for a client acting on its own behalf.
    public var sub: String?
    /// The scope granted (or, when nothing was granted, asked for).
    public var scope: String?
    /// `pending` (a code or device authorization not yet redeemed), `active` (a token still usable), `revoked`,
    /// `ended` (everything used or expired) or `failed` (refused before anything usable was issued).
    public var status: String
    /// How many of its requests were refused.
    public var failures: Int
    /// When it started and when it last changed, server-clock epoch seconds.
    public var startedAt: Int
    /// When it last changed.
    public var updatedAt: Int
    /// What happened, oldest first.
    public var events: [MockIdPFlowEvent]

    enum CodingKeys: String, CodingKey {
        case id, sub, scope, status, failures, events
        case grantType = "grant_type"
        case clientID = "client_id"
        case startedAt = "started_at"
        case updatedAt = "updated_at"
    }
}

/// One step of a flow: a request to an endpoint (with its outcome), or something the store did on its own (a code or
/// token expiring, a token minted through /debug).
public struct MockIdPFlowEvent: Sendable, Codable, Hashable {
    /// Server-clock epoch seconds.
    public var time: Int
    /// `authorization_request`, `token_request`, `userinfo`, `introspection`, `revocation`, `device_authorization`,
    /// `device_verification`, `logout`, `registration`; or, with no request, `issued`, `used`, `revoked`, `expired`.
    public var kind: String
    /// What happened, in a sentence.
    public var summary: String
    /// The request's id in `/debug/requests`; `nil` for the store's own events.
    public var request: Int?
    /// The request's method and path.
    public var method: String?
    /// The request's path.
    public var path: String?
    /// The HTTP status answered.
    public var status: Int?
    /// The OAuth error answered, with its description and the rule behind it.
    public var error: String?
    /// The error's description.
    public var errorDescription: String?
    /// The rule of the specification that refused the request (`RFC 7636 §4.6`).
    public var rule: String?
    /// The request's parameters, redacted as in `/debug/requests`.
    public var parameters: [String: String]?
    /// The codes and tokens this step issued, used or revoked, each as `type` and value.
    public var tokens: [MockIdPFlowToken]

    enum CodingKeys: String, CodingKey {
        case time, kind, summary, request, method, path, status, error, rule, parameters, tokens
        case errorDescription = "error_description"
    }
}

/// A code or token a flow event touched.
public struct MockIdPFlowToken: Sendable, Codable, Hashable {
    /// `code`, `access_token`, `refresh_token`, `id_token` or `device_code`.
    public var type: String
    /// The value, as /debug lists it.
    public var value: String
    /// What the event did with it: `issued`, `used`, `revoked` or `expired`.
    public var action: String
}

/// What `GET /debug/flows` returns.
public struct MockIdPFlows: Sendable, Codable, Hashable {
    /// The server clock, epoch seconds.
    public var now: Int
    /// The flows, the most recently changed first.
    public var flows: [MockIdPFlow]
}

/// Which flows `GET /debug/flows` keeps (query parameters `client`, `user`, `status`, `q`, `limit`); `nil` matches all.
public struct MockIdPFlowFilter: Sendable, Hashable {
    /// Only flows of this client.
    public var clientID: String?
    /// Only flows of this user.
    public var sub: String?
    /// A flow status (`pending`, `active`, `revoked`, `ended`, `failed`), or `failed` for any flow with a refused request.
    public var status: String?
    /// Only flows where some event's summary, path, error, description or parameter contains this (any case).
    public var text: String?
    /// At most this many flows (default 100).
    public var limit: Int

    /// The statuses `status` may name.
    public static let statuses: Set<String> = ["pending", "active", "revoked", "ended", "failed"]

    /// A filter; `nil` fields match everything.
    public init(clientID: String? = nil, sub: String? = nil, status: String? = nil, text: String? = nil, limit: Int = 100) {
        self.clientID = clientID
        self.sub = sub
        self.status = status
        self.text = text
        self.limit = limit
    }

    func matches(_ flow: MockIdPFlow) -> Bool {
        if let clientID, flow.clientID != clientID { return false }
        if let sub, flow.sub != sub { return false }
        if let status {
            if status == "failed" ? (flow.failures == 0 && flow.status != "failed") : flow.status != status { return false }
        }
        if let text, !text.isEmpty {
            let needle = text.lowercased()
            func has(_ value: String?) -> Bool { value?.lowercased().contains(needle) ?? false }
            let found =
                has(flow.id) || has(flow.clientID) || has(flow.sub) || has(flow.scope)
                || flow.events.contains { event in
                    has(event.summary) || has(event.path) || has(event.error) || has(event.errorDescription)
                        || (event.parameters?.values.contains { has($0) } ?? false) || event.tokens.contains { has($0.value) }
                }
            if !found { return false }
        }
        return true
    }
}
