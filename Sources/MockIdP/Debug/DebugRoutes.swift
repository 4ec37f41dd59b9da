#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Hummingbird

/// `/debug`: see and steer everything MockIdP issued. JSON for programs, an inspector page for browsers.
///
/// The routes only decode a request, call `DebugControls` (which owns every operation and its checks) and encode
/// the result.
struct DebugRoutes: Sendable {
    let controls: DebugControls
    /// The server's issuers, whose keys `/debug/explain` recognises; `nil` for a lone issuer.
    var issuers: IssuerTable? = nil

    func addRoutes(to router: some RouterMethods<IdPRequestContext>) {
        router.get("/debug", use: list)
        router.delete("/debug") { _, _ in
            await controls.reset()
            return try Response.json(["reset": true])
        }
        router.get("/debug/requests") { _, _ in try Response.json(controls.requests) }
        router.get("/debug/flows", use: flows)
        router.get("/debug/export") { _, _ in
            try Response.json(await controls.export(), headers: [.cacheControl: "no-store", .contentDisposition: #"inline; filename="mock-idp-export.json""#])
        }
        router.get("/debug/clock") { _, _ in try Self.json(controls.clock) }
        router.post("/debug/clock", use: advanceClock)
        router.delete("/debug/clock") { _, _ in try Self.json(controls.resetClock()) }
        router.post("/debug/tokens", use: mint)
        router.post("/debug/explain", use: explain)
        router.get("/debug/next") { _, _ in try Response.json(["pending": controls.pendingScripts]) }
        router.post("/debug/next", use: script)
        router.delete("/debug/next") { _, _ in
            controls.clearScripts()
            return try Response.json(["pending": 0])
        }
        router.post("/debug/users", use: addUsers)
        router.post("/debug/clients", use: addClients)
        router.delete("/debug/fixtures") { _, _ in
            let counts = controls.resetFixtures()
            return try Response.json(["users": counts.users, "clients": counts.clients])
        }
        router.get("/debug/ca.pem") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/x-pem-file"], body: .init(byteBuffer: ByteBuffer(string: try controls.caCertificate())))
        }
        router.post("/debug/keys/rotate") { request, context in
            var request = request
            _ = try await DebugRequestBody.object(&request, maxSize: context.maxUploadSize, allowed: [])
            let keys = try await controls.rotateSigningKey()
            return try Response.json(["active_kid": ClaimValue.string(keys.activeKID), "published_kids": .array(keys.publishedKIDs.map { .string($0) })])
        }
    }

    // MARK: Listing

    @Sendable func list(_ request: Request, context: IdPRequestContext) async throws -> Response {
        let form = try FormParameters.oauth(query: request.uri.query)
        try form.rejectDuplicates()
        let allowed: Set = ["client_id", "sub", "type", "status"]
        if let unknown = form.values.keys.sorted().first(where: { !allowed.contains($0) }) {
            throw OAuthError(.invalidRequest, "unknown filter \"\(unknown)\" (filters: client_id, sub, type, status)")
        }
        var filter = IssuedFilter(clientID: form["client_id"], sub: form["sub"], type: form["type"])
        if let type = filter.type, !IssuedFilter.types.contains(type) {
            throw OAuthError(.invalidRequest, "type must be one of \(IssuedFilter.types.sorted().joined(separator: ", "))")
        }
        if let status = form["status"] {
            guard let state = IssuedState(rawValue: status) else {
                throw OAuthError(.invalidRequest, "status must be one of \(IssuedState.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            filter.status = state
        }
        let snapshot = await controls.snapshot(filter: filter)
        if Self.wantsHTML(request) {
            return HTML.response(
                DebugPage.render(
                    snapshot: snapshot, requests: controls.requests,
                    keys: try await controls.state.keys.publishedKIDs(),
                    debugPath: controls.state.issuer.mountPath + EndpointPaths.debug,
                    flows: await controls.flows(filter: MockIdPFlowFilter(limit: 50)).flows
                )
            )
        }
        return try Response.json(snapshot, headers: [.cacheControl: "no-store"])
    }

    /// `GET /debug/flows?client=…&user=…&status=…&q=…&limit=…` (`client_id` and `sub` are accepted for the first two,
    /// as `GET /debug` names them).
    @Sendable func flows(_ request: Request, context: IdPRequestContext) async throws -> Response {
        let filter = try Self.flowFilter(query: request.uri.query)
        return try Response.json(await controls.flows(filter: filter), headers: [.cacheControl: "no-store"])
    }

    /// The flow filter of a query string; `invalid_request` naming an unknown parameter or a bad value.
    static func flowFilter(query: String?) throws(OAuthError) -> MockIdPFlowFilter {
        let form = try FormParameters.oauth(query: query)
        try form.rejectDuplicates()
        let allowed: Set = ["client", "client_id", "user", "sub", "status", "q", "limit"]
        if let unknown = form.values.keys.sorted().first(where: { !allowed.contains($0) }) {
            throw OAuthError(.invalidRequest, "unknown filter \"\(unknown)\" (filters: client, user, status, q, limit)")
        }
        if form["client"] != nil, form["client_id"] != nil { throw OAuthError(.invalidRequest, "give client or client_id, not both") }
        if form["user"] != nil, form["sub"] != nil { throw OAuthError(.invalidRequest, "give user or sub, not both") }
        var filter = MockIdPFlowFilter(clientID: form["client"] ?? form["client_id"], sub: form["user"] ?? form["sub"], text: form["q"])
        if let status = form["status"] {
            guard MockIdPFlowFilter.statuses.contains(status) else {
                throw OAuthError(.invalidRequest, "status must be one of \(MockIdPFlowFilter.statuses.sorted().joined(separator: ", "))")
            }
            filter.status = status
        }
        if let limit = form["limit"] {
            guard let value = Int(limit), (1...100_000).contains(value) else {
                throw OAuthError(.invalidRequest, "limit must be a whole number from 1 to 100000")
            }
            filter.limit = value
        }
        return filter
    }

    /// A browser asks for text/html first; programs (curl's `*/*`, JSON clients) get JSON.
    static func wantsHTML(_ request: Request) -> Bool {
        guard let accept = request.headers[.accept] else { return false }
        return accept.split(separator: ",").first?.trimmingCharacters(in: " ").lowercased().hasPrefix("text/html") == true
    }

    // MARK: Clock

    /// `{"now": …, "offset_seconds": …}`, as `/debug/clock` and `GET /debug` name them.
    static func json(_ clock: ServerClockReading) throws -> Response {
        try Response.json(["now": clock.now, "offset_seconds": clock.offsetSeconds])
    }

    @Sendable func advanceClock(_ request: Request, context: IdPRequestContext) async throws -> Response {
        var request = request
        let body = try await DebugRequestBody.object(&request, maxSize: context.maxUploadSize, allowed: ["advance_seconds"])
        guard let seconds = try body.int("advance_seconds") else {
            throw OAuthError(.invalidRequest, "advance_seconds is missing, e.g. {\"advance_seconds\": 3600}")
        }
        return try Self.json(try await controls.advanceClock(by: seconds))
    }

    // MARK: Explaining

    @Sendable func explain(_ request: Request, context: IdPRequestContext) async throws -> Response {
        var request = request
        let body = try await DebugRequestBody.object(&request, maxSize: context.maxUploadSize, allowed: ["token", "audience", "scope", "issuer", "token_type"])
        guard let token = try body.string("token") else {
            throw OAuthError(.invalidRequest, "token is missing, e.g. {\"token\": \"eyJ…\", \"audience\": \"https://api.example\", \"scope\": \"read\"}")
        }
        let tokenType = try body.string("token_type")
        if let tokenType, !["access_token", "id_token"].contains(tokenType) {
            throw OAuthError(.invalidRequest, "token_type is access_token or id_token, not \"\(tokenType)\"")
        }
        let expecting = TokenExpectations(
            audience: try body.string("audience"), scopes: try body.string("scope").map { ScopeRequest.parse($0) }, issuer: try body.string("issuer"),
            tokenType: tokenType
        )
        let others = issuers?.keys(besides: controls.state.issuer.mountPath) ?? []
        let explanation = await controls.explain(token, expecting: expecting, others: others)
        return try Response.json(explanation)
    }

    // MARK: Minting and scripting

    @Sendable func mint(_ request: Request, context: IdPRequestContext) async throws -> TokenResponse {
        var request = request
        let body = try await DebugRequestBody.object(
            &request, maxSize: context.maxUploadSize, allowed: ["client_id", "sub", "scope", "claims", "id_token_claims", "expires_in", "audience"]
        )
        guard let clientID = try body.string("client_id") else {
            throw OAuthError(.invalidRequest, "client_id is missing")
        }
        var audience: [String]?
        if let value = body.fields["audience"] {
            switch value {
            case .string(let single): audience = [single]
            case .array(let values) where !values.isEmpty && values.allSatisfy({ $0.stringValue != nil }): audience = values.compactMap(\.stringValue)
            default: throw OAuthError(.invalidRequest, "\"audience\" must be a string or an array of strings")
            }
        }
        return try await controls.mint(
            clientID: clientID,
            sub: try body.string("sub"),
            scope: try body.string("scope"),
            audience: audience,
            overrides: TokenOverrides(
                accessTokenClaims: try body.object("claims"), idTokenClaims: try body.object("id_token_claims"), accessTokenTTL: try body.int("expires_in")
            )
        )
    }

    @Sendable func script(_ request: Request, context: IdPRequestContext) async throws -> Response {
        var request = request
        let body = try await DebugRequestBody.object(
            &request, maxSize: context.maxUploadSize,
            allowed: [
                "endpoint", "client_id", "grant_type", "claims", "access_token_claims", "id_token_claims", "error", "error_description", "status",
                "sub", "scope", "delay_ms",
            ]
        )
        let endpoint = try body.string("endpoint") ?? ScriptedStep.token.rawValue
        guard let step = ScriptedStep(rawValue: endpoint) else {
            throw OAuthError(.invalidRequest, "endpoint is token, authorize or device, not \"\(endpoint)\"")
        }
        if step != .token {
            for field in ["grant_type", "access_token_claims", "id_token_claims", "status"] where body.fields[field] != nil {
                throw OAuthError(.invalidRequest, "\(field) goes with the token endpoint, not endpoint \(endpoint)")
            }
            let outcome = ScriptedOutcome(
                sub: try body.string("sub"), claims: body.fields["claims"] == nil ? nil : try body.object("claims"),
                scope: try body.string("scope").map { ScopeRequest.parse($0) }, delayMilliseconds: try body.int("delay_ms") ?? 0
            )
            let pending = try controls.scriptStep(
                step, clientID: try body.string("client_id"), error: try body.string("error"), description: try body.string("error_description"),
                outcome: outcome
            )
            return try Response.json(["pending": pending], status: .created)
        }
        for field in ["sub", "scope", "delay_ms"] where body.fields[field] != nil {
            throw OAuthError(.invalidRequest, "\(field) goes with endpoint authorize or device, not the token endpoint")
        }
        let clientID = try body.string("client_id")
        let grantType = try body.string("grant_type")
        let claims = try body.object("claims")
        let accessTokenClaims = claims.merging(try body.object("access_token_claims")) { _, specific in specific }
        let idTokenClaims = claims.merging(try body.object("id_token_claims")) { _, specific in specific }
        let pending: Int
        if let error = try body.string("error") {
            guard accessTokenClaims.isEmpty, idTokenClaims.isEmpty else {
                throw OAuthError(.invalidRequest, "script either an error or claims, not both")
            }
            pending = try controls.scriptTokenError(
                error, description: try body.string("error_description"), status: try body.int("status") ?? 400,
                clientID: clientID, grantType: grantType
            )
        } else {
            if body.fields["status"] != nil || body.fields["error_description"] != nil, !(accessTokenClaims.isEmpty && idTokenClaims.isEmpty) {
                throw OAuthError(.invalidRequest, "status and error_description go with error")
            }
            pending = try controls.scriptTokenResponse(
                clientID: clientID, grantType: grantType,
                overrides: TokenOverrides(accessTokenClaims: accessTokenClaims, idTokenClaims: idTokenClaims)
            )
        }
        return try Response.json(["pending": pending], status: .created)
    }

    // MARK: Runtime fixtures

    @Sendable func addUsers(_ request: Request, context: IdPRequestContext) async throws -> Response {
        var request = request
        var decoder = FixtureDecoder(file: FixtureValidator.usersFile)
        let users = decoder.users(from: try await Self.array(&request, maxSize: context.maxUploadSize))
        return try await add(count: users.count) { () async throws(MockIdPFixtureError) in
            try await controls.add(users: users, decodingProblems: decoder.problems)
        }
    }

    @Sendable func addClients(_ request: Request, context: IdPRequestContext) async throws -> Response {
        var request = request
        var decoder = FixtureDecoder(file: FixtureValidator.clientsFile)
        let clients = decoder.clients(from: try await Self.array(&request, maxSize: context.maxUploadSize))
        return try await add(count: clients.count) { () async throws(MockIdPFixtureError) in
            try await controls.add(clients: clients, decodingProblems: decoder.problems)
        }
    }

    /// The body as a JSON array (a single object is taken as an array of one), re-encoded for `FixtureDecoder`.
    private static func array(_ request: inout Request, maxSize: Int) async throws -> Data {
        let value = try await DebugRequestBody.json(&request, maxSize: maxSize)
        let array: ClaimValue = if case .object = value { .array([value]) } else { value }
        return try JSONEncoder().encode(array)
    }

    /// `201 {"added": N}`, or `400` with `invalid_fixture` and every problem.
    private func add(count: Int, _ apply: () async throws(MockIdPFixtureError) -> Void) async throws -> Response {
        do {
            try await apply()
        } catch {
            return try Self.fixtureErrorResponse(error)
        }
        return try Response.json(["added": count], status: .created)
    }

    /// `400` with `invalid_fixture` and every problem.
    static func fixtureErrorResponse(_ error: MockIdPFixtureError) throws -> Response {
        let body: [String: ClaimValue] = [
            "error": "invalid_fixture",
            "error_description": .string(error.problems.map(\.description).joined(separator: "; ")),
            "problems": .array(error.problems.map { .string($0.description) }),
        ]
        return try Response.json(body, status: .badRequest)
    }
}
