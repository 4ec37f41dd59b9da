#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Hummingbird

/// `/debug`: see and steer everything MockIdP issued. JSON for programs, an inspector page for browsers.
struct DebugRoutes: Sendable {
    let server: AuthorizationServer

    func addRoutes(to router: Router<IdPRequestContext>) {
        router.get("/debug", use: list)
        router.delete("/debug", use: reset)
        router.get("/debug/requests") { _, _ in try Response.json(server.requestLog.entries) }
        router.get("/debug/clock") { _, _ in try clock() }
        router.post("/debug/clock", use: advanceClock)
        router.delete("/debug/clock") { _, _ in
            server.clock.reset()
            return try clock()
        }
        router.post("/debug/tokens", use: mint)
        router.get("/debug/next") { _, _ in try Response.json(["pending": server.scripts.pending.count]) }
        router.post("/debug/next", use: script)
        router.delete("/debug/next") { _, _ in
            server.scripts.clear()
            return try Response.json(["pending": 0])
        }
        router.post("/debug/users", use: addUsers)
        router.post("/debug/clients", use: addClients)
        router.delete("/debug/fixtures") { _, _ in
            server.directory.reset()
            return try Response.json(["users": server.registry.fixtures.users.count, "clients": server.registry.fixtures.clients.count])
        }
        router.post("/debug/keys/rotate") { request, context in
            var request = request
            _ = try await DebugRequestBody.object(&request, maxSize: context.maxUploadSize, allowed: [])
            let kid = try await server.keys.rotate()
            return try Response.json(["active_kid": JSONValue.string(kid), "published_kids": .array(server.keys.publishedKIDs.map { .string($0) })])
        }
    }

    // MARK: Listing

    @Sendable func list(_ request: Request, context: IdPRequestContext) async throws -> Response {
        let form = try FormParameters(query: request.uri.query)
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
        let snapshot = await server.snapshot(filter: filter)
        if Self.wantsHTML(request) {
            return HTML.response(DebugPage.render(snapshot: snapshot, requests: server.requestLog.entries, keys: server.keys.publishedKIDs))
        }
        return try Response.json(snapshot, headers: [.cacheControl: "no-store"])
    }

    /// A browser asks for text/html first; programs (curl's `*/*`, JSON clients) get JSON.
    static func wantsHTML(_ request: Request) -> Bool {
        guard let accept = request.headers[.accept] else { return false }
        return accept.split(separator: ",").first?.trimmingCharacters(in: " ").lowercased().hasPrefix("text/html") == true
    }

    @Sendable func reset(_ request: Request, context: IdPRequestContext) async throws -> Response {
        await server.store.reset()
        server.scripts.clear()
        server.requestLog.clear()
        return try Response.json(["reset": true])
    }

    // MARK: Clock

    private func clock() throws -> Response {
        try Response.json(["now": server.clock.now, "offset_seconds": server.clock.offsetSeconds])
    }

    @Sendable func advanceClock(_ request: Request, context: IdPRequestContext) async throws -> Response {
        var request = request
        let body = try await DebugRequestBody.object(&request, maxSize: context.maxUploadSize, allowed: ["advance_seconds"])
        guard let seconds = try body.int("advance_seconds") else {
            throw OAuthError(.invalidRequest, "advance_seconds is missing, e.g. {\"advance_seconds\": 3600}")
        }
        guard (0...(10 * 365 * 86400)).contains(seconds) else {
            throw OAuthError(.invalidRequest, "advance_seconds must be between 0 and ten years; the clock only moves forward (DELETE /debug/clock resets it)")
        }
        server.clock.advance(by: seconds)
        // What the jump expired past its retention is purged now, not at the next issuance.
        await server.store.purge(now: server.clock.now)
        return try clock()
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
        return try await server.mint(
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
            allowed: ["client_id", "grant_type", "claims", "access_token_claims", "id_token_claims", "error", "error_description", "status"]
        )
        var scripted = ScriptedResponse(clientID: try body.string("client_id"), grantType: try body.string("grant_type"))
        let claims = try body.object("claims")
        scripted.overrides.accessTokenClaims = claims.merging(try body.object("access_token_claims")) { _, specific in specific }
        scripted.overrides.idTokenClaims = claims.merging(try body.object("id_token_claims")) { _, specific in specific }
        if let error = try body.string("error") {
            let status = try body.int("status") ?? 400
            guard (400...599).contains(status) else {
                throw OAuthError(.invalidRequest, "status must be an HTTP error status, 400 to 599")
            }
            guard claims.isEmpty, scripted.overrides.accessTokenClaims.isEmpty, scripted.overrides.idTokenClaims.isEmpty else {
                throw OAuthError(.invalidRequest, "script either an error or claims, not both")
            }
            var headers: HTTPFields = [:]
            if status == 401 { headers[.wwwAuthenticate] = #"Basic realm="mock-idp""# }
            scripted.error = OAuthError(
                OAuthError.Code(rawValue: error), try body.string("error_description") ?? "scripted through POST /debug/next",
                status: HTTPResponse.Status(code: status), headers: headers
            )
        } else if scripted.overrides.accessTokenClaims.isEmpty && scripted.overrides.idTokenClaims.isEmpty {
            throw OAuthError(.invalidRequest, "script an \"error\" or some \"claims\" (or access_token_claims / id_token_claims)")
        } else if body.fields["status"] != nil || body.fields["error_description"] != nil {
            throw OAuthError(.invalidRequest, "status and error_description go with error")
        }
        return try Response.json(["pending": server.scripts.enqueue(scripted)], status: .created)
    }

    // MARK: Runtime fixtures

    @Sendable func addUsers(_ request: Request, context: IdPRequestContext) async throws -> Response {
        var request = request
        var decoder = FixtureDecoder(file: FixtureValidator.usersFile)
        let users = decoder.users(from: try await Self.array(&request, maxSize: context.maxUploadSize))
        return try add(problems: decoder.problems, count: users.count) { () throws(FixtureError) in try server.directory.add(users: users) }
    }

    @Sendable func addClients(_ request: Request, context: IdPRequestContext) async throws -> Response {
        var request = request
        var decoder = FixtureDecoder(file: FixtureValidator.clientsFile)
        let clients = decoder.clients(from: try await Self.array(&request, maxSize: context.maxUploadSize))
        return try add(problems: decoder.problems, count: clients.count) { () throws(FixtureError) in try server.directory.add(clients: clients) }
    }

    /// The body as a JSON array (a single object is taken as an array of one), re-encoded for `FixtureDecoder`.
    private static func array(_ request: inout Request, maxSize: Int) async throws -> Data {
        let value = try await DebugRequestBody.json(&request, maxSize: maxSize)
        let array: JSONValue = if case .object = value { .array([value]) } else { value }
        return try JSONEncoder().encode(array)
    }

    private func add(problems: [FixtureProblem], count: Int, _ apply: () throws(FixtureError) -> Void) throws -> Response {
        var problems = problems
        if problems.isEmpty {
            do {
                try apply()
            } catch {
                problems = error.problems
            }
        }
        guard problems.isEmpty else {
            let body: [String: JSONValue] = [
                "error": "invalid_fixture",
                "error_description": .string(problems.map(\.description).joined(separator: "; ")),
                "problems": .array(problems.map { .string($0.description) }),
            ]
            return try Response.json(body, status: .badRequest)
        }
        return try Response.json(["added": count], status: .created)
    }
}

extension AuthorizationServer {
    func snapshot(filter: IssuedFilter = IssuedFilter()) async -> IssuedSnapshot {
        await store.snapshot(now: clock.now, offset: clock.offsetSeconds, filter: filter)
    }
}
