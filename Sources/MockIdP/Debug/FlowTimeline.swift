/// Builds `GET /debug/flows`: the store's codes, tokens and device authorizations grouped by grant, with every logged
/// request that issued, presented, used or revoked one of them (and every refused one), in time order.
///
/// A grant is what the store already keys descendants by: every token of one code redemption, one device approval,
/// one client-credentials call shares a grant id, through every refresh. Requests name the grants they touched
/// (`RequestCause`); a user-chooser or consent page that preceded the authorization response is placed in its flow by
/// the authorization request's own parameters.
struct FlowTimeline {
    let codes: [IssuedCode]
    let tokens: [IssuedToken]
    let devices: [DeviceAuthorization]
    /// The request log, any order.
    let requests: [LoggedRequest]
    let paths: EndpointPaths
    let mountPath: String
    let now: Int

    private final class Builder {
        let id: String
        var grantType: String?
        var clientID: String?
        var sub: String?
        var scope: String?
        var events: [MockIdPFlowEvent] = []
        var statuses: [IssuedState] = []
        var pendingCode = false
        var pendingDevice = false
        var standalone = false

        init(id: String) { self.id = id }
    }

    /// What the store did outside a logged request (or in one the log no longer holds).
    private struct Happening {
        let flow: String
        let token: MockIdPFlowToken
        let time: Int
        let request: Int?
    }

    func flows(filter: MockIdPFlowFilter = MockIdPFlowFilter()) -> [MockIdPFlow] {
        var builders: [String: Builder] = [:]
        func builder(_ id: String) -> Builder {
            if let existing = builders[id] { return existing }
            let made = Builder(id: id)
            builders[id] = made
            return made
        }
        let logged = Dictionary(requests.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        // Per request and flow: the codes and tokens it issued, used or revoked.
        var touchedBy: [Int: [String: [MockIdPFlowToken]]] = [:]
        var happenings: [Happening] = []
        func record(_ flow: String, _ type: String, _ value: String, _ action: String, at time: Int?, by request: Int?) {
            guard let time else { return }
            let token = MockIdPFlowToken(type: type, value: value, action: action)
            if let request, logged[request] != nil {
                touchedBy[request, default: [:]][flow, default: []].append(token)
            } else {
                happenings.append(Happening(flow: flow, token: token, time: time, request: request))
            }
        }
        func expiry(_ flow: String, _ type: String, _ value: String, _ status: IssuedState, _ expiresAt: Int) {
            if status == .expired { happenings.append(Happening(flow: flow, token: MockIdPFlowToken(type: type, value: value, action: "expired"), time: expiresAt, request: nil)) }
        }

        for code in codes {
            let flow = builder(code.grantID)
            flow.grantType = MockIdPFixtures.GrantType.authorizationCode.rawValue
            flow.clientID = code.clientID
            flow.sub = code.sub
            flow.scope = code.scope.joined(separator: " ")
            let status = code.status(at: now)
            if status == .active { flow.pendingCode = true }
            record(code.grantID, "code", code.code, "issued", at: code.issuedAt, by: code.issuedBy)
            record(code.grantID, "code", code.code, "used", at: code.usedAt, by: code.usedBy)
            record(code.grantID, "code", code.code, "revoked", at: code.revokedAt, by: code.revokedBy)
            expiry(code.grantID, "code", code.code, status, code.expiresAt)
        }
        for device in devices {
            let flow = builder(device.deviceCode)
            flow.grantType = MockIdPFixtures.GrantType.deviceCode.rawValue
            flow.clientID = device.clientID
            flow.sub = device.approvedSub
            flow.scope = device.scope.joined(separator: " ")
            let status = device.status(at: now)
            if status == .active { flow.pendingDevice = true }
            record(device.deviceCode, "device_code", device.deviceCode, "issued", at: device.issuedAt, by: device.issuedBy)
            record(device.deviceCode, "device_code", device.deviceCode, "revoked", at: device.deniedAt, by: device.settledBy)
            record(device.deviceCode, "device_code", device.deviceCode, "used", at: device.redeemedAt, by: device.redeemedBy)
            expiry(device.deviceCode, "device_code", device.deviceCode, status, device.expiresAt)
        }
        for token in tokens {
            let flow = builder(token.grantID)
            flow.clientID = flow.clientID ?? token.clientID
            flow.sub = flow.sub ?? token.sub
            if token.kind == .accessToken || flow.scope == nil { flow.scope = token.scope.joined(separator: " ") }
            if flow.grantType == nil {
                if token.exchange != nil {
                    flow.grantType = MockIdPFixtures.GrantType.tokenExchange.rawValue
                } else if let request = token.issuedBy.flatMap({ logged[$0] }), let grantType = request.grantType {
                    flow.grantType = grantType
                } else if token.sub == nil {
                    flow.grantType = MockIdPFixtures.GrantType.clientCredentials.rawValue
                }
            }
            let status = token.status(at: now)
            flow.statuses.append(status)
            let type = token.kind.rawValue
            record(token.grantID, type, token.value, "issued", at: token.issuedAt, by: token.issuedBy)
            record(token.grantID, type, token.value, "used", at: token.usedAt, by: token.usedBy)
            record(token.grantID, type, token.value, "revoked", at: token.revokedAt, by: token.revokedBy)
            expiry(token.grantID, type, token.value, status, token.expiresAt)
        }

        // Requests: each in the flows it touched; a page before an authorization response in that response's flow;
        // any other refused request in a flow of its own.
        let ascending = requests.sorted { $0.id < $1.id }
        var flowOfAuthorization: [String: String] = [:]
        for entry in ascending.reversed() where kind(entry) == .authorization {
            let key = Self.authorizationKey(entry)
            if let flow = entry.flows.first {
                flowOfAuthorization[key] = flow
            } else if let flow = flowOfAuthorization[key] {
                add(entry, to: builder(flow), tokens: [])
                continue
            }
            if entry.flows.isEmpty {
                let flow = builder("request-\(entry.id)")
                flow.standalone = true
                flow.clientID = entry.clientID ?? entry.parameters["client_id"]
                flow.scope = entry.parameters["scope"]
                add(entry, to: flow, tokens: [])
            }
        }
        for entry in ascending {
            if entry.flows.isEmpty {
                if kind(entry) != .authorization, entry.status >= 400 || entry.error != nil {
                    let flow = builder("request-\(entry.id)")
                    flow.standalone = true
                    flow.clientID = entry.clientID
                    flow.sub = entry.sub
                    flow.scope = entry.parameters["scope"]
                    flow.grantType = entry.grantType
                    add(entry, to: flow, tokens: [])
                }
                continue
            }
            for id in entry.flows {
                let flow = builder(id)
                flow.clientID = flow.clientID ?? entry.clientID
                flow.sub = flow.sub ?? entry.sub
                add(entry, to: flow, tokens: touchedBy[entry.id]?[id] ?? [])
            }
        }
        for happening in happenings {
            let flow = builder(happening.flow)
            flow.events.append(
                MockIdPFlowEvent(
                    time: happening.time, kind: happening.token.action, summary: Self.summary(of: happening), request: nil,
                    tokens: [happening.token]
                )
            )
        }

        var flows = builders.values.map { finish($0) }.filter(filter.matches)
        flows.sort { ($0.updatedAt, $0.events.last?.request ?? 0, $0.id) > ($1.updatedAt, $1.events.last?.request ?? 0, $1.id) }
        return Array(flows.prefix(max(0, filter.limit)))
    }

    // MARK: Events

    private func kind(_ entry: LoggedRequest) -> RequestKind {
        RequestKind(path: String(entry.path.dropFirst(mountPath.count)), paths: paths)
    }

    /// What ties a page of the authorization endpoint to the request that carried the user's answer onwards.
    private static func authorizationKey(_ entry: LoggedRequest) -> String {
        ["client_id", "redirect_uri", "state", "nonce", "code_challenge", "scope"].map { entry.parameters[$0] ?? "" }
            .joined(separator: "\u{1F}")
    }

    private func add(_ entry: LoggedRequest, to flow: Builder, tokens: [MockIdPFlowToken]) {
        let kind = kind(entry)
        flow.events.append(
            MockIdPFlowEvent(
                time: entry.time, kind: kind.rawValue, summary: summary(of: entry, kind: kind, tokens: tokens, flow: flow),
                request: entry.id, method: entry.method, path: entry.path, status: entry.status, error: entry.error,
                errorDescription: entry.errorDescription, rule: entry.rule, parameters: entry.parameters, tokens: tokens
            )
        )
    }

    private func summary(of entry: LoggedRequest, kind: RequestKind, tokens: [MockIdPFlowToken], flow: Builder) -> String {
        let issued = tokens.filter { $0.action == "issued" }.map(\.type)
        let used = tokens.filter { $0.action == "used" }.map(\.type)
        let revoked = tokens.filter { $0.action == "revoked" }
        if let error = entry.error {
            let refused = "refused with \(error)" + (entry.errorDescription.map { ": \($0)" } ?? "")
            switch kind {
            case .authorization where entry.status == 302 || entry.status == 303:
                return "redirected back with \(error)" + (entry.errorDescription.map { ": \($0)" } ?? "")
            case .token: return "\(entry.grantType ?? "token request") " + refused
            default: return refused
            }
        }
        if entry.status >= 400 { return "refused (HTTP \(entry.status))" }
        switch kind {
        case .authorization:
            if issued.contains("code") {
                let who = flow.sub.map { "\($0) signed in" } ?? "signed in"
                return "\(who); code issued" + (flow.scope.map { " for \"\($0)\"" } ?? "")
            }
            return entry.status == 200 ? "page shown (user chooser, sign-in or consent)" : "answered \(entry.status)"
        case .token:
            var parts: [String] = []
            if used.contains("code") { parts.append("code redeemed") }
            if used.contains("refresh_token") { parts.append("refresh token rotated") }
            if used.contains("device_code") { parts.append("device code redeemed") }
            if !issued.isEmpty { parts.append("issued " + issued.joined(separator: ", ")) }
            if !revoked.isEmpty { parts.append("revoked \(revoked.count) token(s)") }
            if parts.isEmpty, entry.grantType == MockIdPFixtures.GrantType.tokenExchange.rawValue { parts.append("presented as a subject or actor token") }
            return (entry.grantType.map { "\($0): " } ?? "") + (parts.isEmpty ? "answered \(entry.status)" : parts.joined(separator: "; "))
        case .userinfo: return "userinfo answered" + (entry.sub.map { " for \($0)" } ?? "")
        case .introspection: return "introspected"
        case .revocation: return revoked.isEmpty ? "revocation answered 200 (nothing left to revoke)" : "revoked \(revoked.count) token(s)"
        case .logout: return "signed out" + (revoked.isEmpty ? "" : "; revoked \(revoked.count) code(s) or token(s)")
        case .deviceAuthorization: return "device code and user code issued"
        case .deviceVerification:
            if flow.pendingDevice || entry.method == "GET" { return "verification page shown" }
            return flow.sub.map { "\($0) approved the device" } ?? "the device was denied"
        case .registration: return "client registration answered \(entry.status)"
        case .discovery, .other: return "\(entry.method) \(entry.path) answered \(entry.status)"
        }
    }

    private static func summary(of happening: Happening) -> String {
        let name = String(happening.token.type.map { $0 == "_" ? " " : $0 })
        let how = happening.request == nil ? "" : " (by request \(happening.request!), no longer in the request log)"
        switch happening.token.action {
        case "issued": return happening.request == nil ? "\(name) minted through /debug or the Swift API" : "\(name) issued\(how)"
        case "expired": return "\(name) expired"
        default: return "\(name) \(happening.token.action)\(how)"
        }
    }

    // MARK: Finishing

    private func finish(_ flow: Builder) -> MockIdPFlow {
        let events = flow.events.enumerated().sorted { a, b in
            (a.element.time, a.element.request ?? Int.max, a.offset) < (b.element.time, b.element.request ?? Int.max, b.offset)
        }.map(\.element)
        let failures = events.filter { ($0.status ?? 0) >= 400 || $0.error != nil }.count
        let status: String
        if flow.statuses.contains(.active) {
            status = "active"
        } else if flow.pendingCode || flow.pendingDevice {
            status = "pending"
        } else if !flow.statuses.isEmpty {
            status = flow.statuses.allSatisfy { $0 == .revoked } ? "revoked" : "ended"
        } else if failures > 0 {
            status = "failed"
        } else {
            status = flow.standalone ? "pending" : "ended"
        }
        return MockIdPFlow(
            id: flow.id, grantType: flow.grantType, clientID: flow.clientID, sub: flow.sub, scope: flow.scope, status: status,
            failures: failures, startedAt: events.first?.time ?? now, updatedAt: events.map(\.time).max() ?? now, events: events
        )
    }
}
