#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import HTTPTypes

/// The one control plane of an issuer: every /debug operation with its one set of checks.
///
/// `DebugRoutes` decodes a request, calls one of these and encodes the result; `RunningMockIdP` forwards to them. So a
/// refusal, a bound or an effect is the same whichever way a test steers MockIdP.
struct DebugControls: Sendable {
    let state: IdPState
    let requestLog: RequestLog
    /// The server's TLS set-up under HTTPS (`nil` for plain HTTP), for the CA certificate it generated.
    var tls: ServerTLS? = nil

    /// The furthest one move of the clock may go: ten years, the longest lifetime MockIdP issues, so that expiry
    /// arithmetic (`now + ttl`) can never overflow.
    static let maximumClockAdvance = Client.maximumTTL

    // MARK: Reading

    /// What was issued, newest first, filtered.
    func snapshot(filter: IssuedFilter = IssuedFilter()) async -> IssuedSnapshot {
        var snapshot = await state.store.snapshot(now: state.clock.now, offset: state.clock.offsetSeconds, filter: filter)
        let started = state.liveRegistry.original.fixtures.users.count
        snapshot.runtimeUsers = state.registry.fixtures.users.dropFirst(started)
            .filter { filter.sub == nil || filter.sub == $0.sub }
            .map { RuntimeUserInfo(sub: $0.sub, username: $0.username, claims: $0.claims) }
        let startedClients = state.liveRegistry.original.fixtures.clients.count
        snapshot.runtimeClients = state.registry.fixtures.clients.dropFirst(startedClients)
            .filter { filter.clientID == nil || filter.clientID == $0.clientID }
            .map { client in
                let registration = state.registrations.registration(clientID: client.clientID)
                return RuntimeClientInfo(clientID: client.clientID, registered: registration != nil, metadata: registration?.metadata)
            }
        snapshot.fetchedDocuments = state.remote.documents.map { document in
            FetchedDocumentInfo(
                url: document.url, fetchedAt: document.fetchedAt, freshUntil: document.freshUntil,
                document: try? JSONDecoder().decode(ClaimValue.self, from: Data(document.body))
            )
        }
        return snapshot
    }

    /// Recent requests, newest first.
    var requests: [LoggedRequest] { requestLog.entries }

    /// Everything grouped by grant, the most recently changed flow first (`GET /debug/flows`).
    func flows(filter: MockIdPFlowFilter = MockIdPFlowFilter()) async -> MockIdPFlows {
        let now = state.clock.now
        let timeline = await state.store.flowTimeline(
            requests: requestLog.entries, paths: state.paths, mountPath: state.issuer.mountPath, now: now
        )
        return MockIdPFlows(now: now, flows: timeline.flows(filter: filter))
    }

    /// The whole state as one document (`GET /debug/export`): what was issued, the request log and the flows.
    func export() async -> MockIdPExport {
        let snapshot = await snapshot()
        let flows = await flows(filter: MockIdPFlowFilter(limit: Int.max))
        return MockIdPExport(
            issuer: state.issuer.issuer, exportedAt: snapshot.now, snapshot: snapshot, requests: requestLog.entries, flows: flows.flows
        )
    }

    // MARK: Explaining

    /// "Why is this token rejected?": the token decoded and each check a resource server makes, with its rule.
    ///
    /// - Parameter others: the server's other issuers' keys, to name the issuer a foreign token comes from.
    func explain(_ token: String, expecting: TokenExpectations, others: [(name: String, keys: SigningKeys)] = []) async -> TokenExplanation {
        await TokenExplainer(state: state, others: others, requests: requestLog.entries).explain(token, expecting: expecting)
    }

    // MARK: Reset

    /// Forgets every issued code and token, session, scripted response and logged request; fixtures and keys stay.
    func reset() async {
        await state.store.reset()
        state.scripts.clear()
        state.remote.forget()
        requestLog.clear()
    }

    // MARK: Clock

    /// The server clock now.
    var clock: ServerClockReading {
        ServerClockReading(now: state.clock.now, offsetSeconds: state.clock.offsetSeconds)
    }

    /// Moves the server clock forward by `seconds` (0 to ten years) and purges what the jump expired past its retention.
    func advanceClock(by seconds: Int) async throws(OAuthError) -> ServerClockReading {
        guard (0...Self.maximumClockAdvance).contains(seconds) else {
            throw OAuthError(
                .invalidRequest,
                "advance_seconds must be between 0 and ten years (\(Self.maximumClockAdvance)); the clock only moves forward (DELETE /debug/clock resets it)"
            )
        }
        state.clock.advance(by: seconds)
        // What the jump expired past its retention is purged now, not at the next issuance.
        await state.store.purge(now: state.clock.now)
        return clock
    }

    /// Back to wall-clock time.
    func resetClock() -> ServerClockReading {
        state.clock.reset()
        return clock
    }

    // MARK: Scripting

    /// Scripts the next matching token response to carry extra claims; returns how many scripts are pending.
    func scriptTokenResponse(clientID: String?, grantType: String?, overrides: TokenOverrides) throws(OAuthError) -> Int {
        guard !overrides.accessTokenClaims.isEmpty || !overrides.idTokenClaims.isEmpty else {
            throw OAuthError(.invalidRequest, "script an \"error\" or some \"claims\" (or access_token_claims / id_token_claims)")
        }
        return state.scripts.enqueue(ScriptedResponse(clientID: clientID, grantType: grantType, overrides: overrides))
    }

    /// Scripts the next matching token request to fail with an OAuth error; returns how many scripts are pending.
    ///
    /// - Parameters:
    ///   - status: an HTTP error status, 400 to 599; a 401 carries `WWW-Authenticate: Basic`, as RFC 6749 §5.2 requires
    ///     of `invalid_client`.
    func scriptTokenError(
        _ code: String, description: String?, status: Int, clientID: String?, grantType: String?
    ) throws(OAuthError) -> Int {
        guard !code.isEmpty else { throw OAuthError(.invalidRequest, "error must not be empty") }
        guard (400...599).contains(status) else {
            throw OAuthError(.invalidRequest, "status must be an HTTP error status, 400 to 599")
        }
        var headers: HTTPFields = [:]
        if status == 401 { headers[.wwwAuthenticate] = #"Basic realm="mock-idp""# }
        let error = OAuthError(
            OAuthError.Code(rawValue: code), description ?? "scripted through POST /debug/next",
            status: HTTPResponse.Status(code: status), headers: headers
        )
        return state.scripts.enqueue(ScriptedResponse(clientID: clientID, grantType: grantType, error: error))
    }

    /// The error codes a scripted authorization may end with: RFC 6749 §4.1.2.1's and OpenID Connect Core §3.1.2.6's.
    static let authorizationErrors: Set = [
        "access_denied", "login_required", "interaction_required", "consent_required", "account_selection_required",
        "temporarily_unavailable", "server_error", "invalid_scope", "unauthorized_client", "invalid_request",
    ]
    /// The longest scripted delay: 30 s, under every client library's default timeout that matters.
    static let maximumDelayMilliseconds = 30_000

    /// Scripts how the next matching authorization request (`.authorize`) or device verification (`.device`) ends:
    /// with `error` (redirected to the client; at the device step only `access_denied`, a denial), or signed in as
    /// `sub`, granting only `scope`, after `delayMilliseconds`. Returns how many scripts are pending.
    ///
    /// - Throws: `invalid_request` for a script that can never match or never be carried out (an unknown client,
    ///   user or scope, an error code the step cannot end with, a delay out of bounds), with the reason.
    func scriptStep(
        _ step: ScriptedStep, clientID: String?, error code: String?, description: String?, outcome: ScriptedOutcome
    ) throws(OAuthError) -> Int {
        precondition(step != .token)
        let registry = state.registry
        if let clientID, registry.client(clientID) == nil, !ClientIDMetadataDocument.isURL(clientID) {
            throw OAuthError(.invalidRequest, "client_id \"\(clientID)\" is no client of this issuer: the script could never match")
        }
        guard (0...Self.maximumDelayMilliseconds).contains(outcome.delayMilliseconds) else {
            throw OAuthError(.invalidRequest, "delay_ms must be between 0 and \(Self.maximumDelayMilliseconds)")
        }
        var error: OAuthError?
        if let code {
            guard outcome.sub == nil, outcome.scope == nil, outcome.claims == nil else {
                throw OAuthError(.invalidRequest, "script an error, or sub / scope / claims, not both")
            }
            let allowed = step == .device ? ["access_denied"] : Self.authorizationErrors
            guard allowed.contains(code) else {
                throw OAuthError(.invalidRequest, "error \"\(code)\" is not one \(step == .device ? "device verification ends with (access_denied: the user denies)" : "an authorization ends with (\(allowed.sorted().joined(separator: ", ")))")")
            }
            error = OAuthError(OAuthError.Code(rawValue: code), description ?? "scripted through POST /debug/next")
        } else if outcome.sub == nil, outcome.scope == nil, outcome.delayMilliseconds == 0 {
            throw OAuthError(.invalidRequest, "script an error, a sub to sign in as, a scope to grant, or a delay_ms")
        }
        if let sub = outcome.sub, outcome.claims == nil, registry.user(hint: sub) == nil {
            throw OAuthError(.invalidRequest, "sub \"\(sub)\" is no user's sub or username; send claims too to sign in as an ad-hoc subject")
        }
        if outcome.claims != nil, outcome.sub == nil {
            throw OAuthError(.invalidRequest, "claims go with sub: the ad-hoc subject they describe")
        }
        if step == .device, outcome.claims != nil {
            throw OAuthError(.invalidRequest, "device verification signs in fixture users only; leave out claims")
        }
        if let undefined = outcome.scope?.first(where: { registry.scopesByName[$0] == nil }) {
            throw OAuthError(.invalidRequest, "scope \"\(undefined)\" is not defined in scopes.json")
        }
        return state.scripts.enqueue(ScriptedResponse(step: step, clientID: clientID, error: error, outcome: outcome))
    }

    /// How many scripted responses wait.
    var pendingScripts: Int { state.scripts.pending.count }

    /// Drops every scripted response.
    func clearScripts() {
        state.scripts.clear()
    }

    // MARK: Minting

    /// Mints tokens without a flow, exactly as the token endpoint would.
    ///
    /// - Parameters:
    ///   - sub: a user's sub or username; `nil` for a token the client holds on its own behalf.
    ///   - scope: space-separated; `nil` means every scope the client may have.
    ///   - audience: the access token's `aud`; `nil` means the client's audience.
    func mint(clientID: String, sub: String?, scope: String?, audience: [String]?, overrides: TokenOverrides) async throws -> TokenResponse {
        let registry = state.registry
        guard let client = registry.client(clientID) else {
            throw OAuthError(.invalidRequest, "unknown client_id \"\(clientID)\"")
        }
        if let audience, audience.isEmpty || audience.contains("") {
            throw OAuthError(.invalidRequest, "audience must name at least one non-empty audience")
        }
        if let ttl = overrides.accessTokenTTL, ttl <= 0 || ttl > Client.maximumTTL {
            throw OAuthError(.invalidRequest, "expires_in must be a positive number of seconds up to \(Client.maximumTTL) (ten years)")
        }
        var user: User?
        var session: UserSession?
        if let sub {
            guard let found = registry.user(hint: sub) else {
                throw OAuthError(.invalidRequest, "sub \"\(sub)\" matches no user's sub or username")
            }
            user = found
            session = await state.store.session(for: found.sub, now: state.clock.now)
        }
        let scope = try ScopeRequest.resolve(scope, for: client, registry: registry)
        let authorization =
            if let user {
                Authorization.signedIn(user, client: client, scope: scope, session: session, nonce: nil, audience: audience ?? client.audience)
            } else {
                Authorization.clientOnly(client, scope: scope, audience: audience ?? client.audience)
            }
        return try await state.tokens.issue(for: authorization, overrides: overrides)
    }

    // MARK: Runtime fixtures

    /// Adds users and clients, validated like fixture files; all or nothing.
    ///
    /// - Parameters:
    ///   - decodingProblems: what decoding the request's JSON found (`DebugRoutes`); reported together with what
    ///     validation finds, so an unknown field does not hide an entry's other problems.
    /// - Throws: `MockIdPFixtureError` naming each problem, entries indexed as in the request.
    func add(users: [User] = [], clients: [Client] = [], decodingProblems: [MockIdPFixtureError.Problem] = []) async throws(MockIdPFixtureError) {
        // A client may name an algorithm whose key is not published yet: publish it before the client can sign in, so
        // that no token ever waits on a missing key, and only for entries that will be taken.
        try state.liveRegistry.check(users: users, clients: clients, decodingProblems: decodingProblems)
        let algorithms = Set(clients.compactMap(\.idTokenSignedResponseAlg))
        do {
            try await state.keys.publish(algorithms)
        } catch {
            throw MockIdPFixtureError(problems: [
                .init(file: FixtureValidator.clientsFile, field: "id_token_signed_response_alg", reason: "could not generate a signing key: \(error)")
            ])
        }
        try state.liveRegistry.add(users: users, clients: clients, decodingProblems: decodingProblems)
    }

    /// Back to the fixtures MockIdP started with; returns how many users and clients there are now.
    func resetFixtures() -> (users: Int, clients: Int) {
        state.liveRegistry.reset()
        state.registrations.clear()
        let fixtures = state.registry.fixtures
        return (fixtures.users.count, fixtures.clients.count)
    }

    // MARK: Keys

    /// Makes a new signing key active; the previous one stays published until the next rotation.
    /// Returns the new key's id and every published one, active first.
    func rotateSigningKey() async throws -> (activeKID: String, publishedKIDs: [String]) {
        let kid = try await state.keys.rotate()
        return (kid, try await state.keys.publishedKIDs())
    }
}
