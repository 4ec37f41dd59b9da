import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@testable import MockIdP

/// /debug over HTTP and `RunningMockIdP` in Swift are two doors to one control plane (`DebugControls`): the same
/// refusal, the same bound and the same effect, whichever door a test uses.
@Suite struct ControlPlaneTests {
    /// The Swift API over the same issuer the HTTP requests reach.
    static func swiftAPI(_ idp: TestIdP) -> RunningMockIdP {
        RunningMockIdP(controls: idp.controls)
    }

    /// The `error_description` of a 400 `invalid_request` answer.
    static func refusal(_ response: TestResponse, sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        #expect(response.status == .badRequest, "\(bodyText(response))", sourceLocation: sourceLocation)
        let body = try json(response)
        #expect(body["error"] as? String == "invalid_request", sourceLocation: sourceLocation)
        return try #require(body["error_description"] as? String, sourceLocation: sourceLocation)
    }

    /// What the Swift API threw, as the HTTP API would say it.
    static func refusal(sourceLocation: SourceLocation = #_sourceLocation, _ body: () async throws -> Void) async throws -> String {
        do {
            try await body()
        } catch let error as MockIdPRequestError {
            #expect(error.code == .invalidRequest, sourceLocation: sourceLocation)
            #expect(error.status == 400, sourceLocation: sourceLocation)
            return error.description
        }
        Issue.record("the Swift API accepted what the HTTP API refuses", sourceLocation: sourceLocation)
        return ""
    }

    static let clientCredentials = [("grant_type", "client_credentials"), ("client_id", "reconciler"), ("client_secret", "reconciler-secret")]

    // MARK: Scripting

    @Test("a scripted status outside 400...599 is refused the same way by POST /debug/next and scriptNextTokenError", arguments: [200, 302, 600, -1])
    func scriptedStatusBound(status: Int) async throws {
        try await withTestIdP { idp in
            let overHTTP = try Self.refusal(
                try await idp.postJSON("/debug/next", #"{"error": "temporarily_unavailable", "status": \#(status)}"#)
            )
            let inSwift = try await Self.refusal { try Self.swiftAPI(idp).scriptNextTokenError("temporarily_unavailable", status: status) }
            #expect(inSwift == overHTTP)
            // Nothing was queued: the next token request is answered normally.
            #expect(try json(try await idp.get("/debug/next"))["pending"] as? Int == 0)
            #expect(try await idp.post("/token", form: Self.clientCredentials).status == .ok)
        }
    }

    @Test("a scripted 401 carries WWW-Authenticate (RFC 6749 §5.2) whether scripted over HTTP or in Swift")
    func scripted401Challenge() async throws {
        try await withTestIdP { idp in
            #expect(try await idp.postJSON("/debug/next", #"{"error": "invalid_client", "status": 401}"#).status == .created)
            let overHTTP = try await idp.post("/token", form: Self.clientCredentials)
            try Self.swiftAPI(idp).scriptNextTokenError("invalid_client", status: 401)
            let inSwift = try await idp.post("/token", form: Self.clientCredentials)
            for response in [overHTTP, inSwift] {
                #expect(response.status == .unauthorized)
                #expect(response.headers[.wwwAuthenticate] == #"Basic realm="mock-idp""#)
                #expect(try json(response)["error"] as? String == "invalid_client")
            }
        }
    }

    @Test("a script with neither an error nor claims is refused the same way by both")
    func emptyScript() async throws {
        try await withTestIdP { idp in
            let overHTTP = try Self.refusal(try await idp.postJSON("/debug/next", #"{"client_id": "reconciler"}"#))
            let inSwift = try await Self.refusal { try Self.swiftAPI(idp).scriptNextTokenResponse(clientID: "reconciler") }
            #expect(inSwift == overHTTP)
        }
    }

    @Test("scripted claims reach the next token the same way through both, and both count the same queue")
    func scriptedClaims() async throws {
        try await withTestIdP { idp in
            let created = try await idp.postJSON("/debug/next", #"{"claims": {"tenant": "http"}}"#)
            #expect(try json(created)["pending"] as? Int == 1)
            #expect(try Self.swiftAPI(idp).scriptNextTokenResponse(accessTokenClaims: ["tenant": "swift"]) == 2)
            for expected in ["http", "swift"] {
                let token = try #require(try json(try await idp.post("/token", form: Self.clientCredentials))["access_token"] as? String)
                #expect(try jwtPayload(token)["tenant"] as? String == expected)
            }
        }
    }

    // MARK: Clock

    @Test("a clock move beyond ten years or backwards is refused the same way by both, and Int.max does not trap", arguments: [Int.max, -1, 10 * 365 * 86400 + 1])
    func clockBound(seconds: Int) async throws {
        try await withTestIdP { idp in
            let overHTTP = try Self.refusal(try await idp.postJSON("/debug/clock", #"{"advance_seconds": \#(seconds)}"#))
            let inSwift = try await Self.refusal { try await Self.swiftAPI(idp).advanceClock(by: seconds) }
            #expect(inSwift == overHTTP)
            #expect(idp.state.clock.offsetSeconds == 0)
            // The clock still works.
            #expect(try await Self.swiftAPI(idp).advanceClock(by: 10 * 365 * 86400).offsetSeconds == 10 * 365 * 86400)
        }
    }

    @Test("advancing the clock in Swift purges what expired past its retention, as POST /debug/clock does")
    func clockPurges() async throws {
        try await withTestIdP { idp in
            let api = Self.swiftAPI(idp)
            _ = try await idp.post("/token", form: Self.clientCredentials)
            #expect(await api.issued().tokens.count == 1)
            // The reconciler's token lives 3600 s; expired entries stay listed for 600 s more.
            let reading = try await api.advanceClock(by: 3600 + 600 + 1)
            #expect(reading.offsetSeconds == 4201)
            #expect(await api.issued().tokens.isEmpty)

            _ = try await idp.post("/token", form: Self.clientCredentials)
            #expect(try await idp.postJSON("/debug/clock", #"{"advance_seconds": 4201}"#).status == .ok)
            #expect(try await idp.issuedTokens().isEmpty)
            #expect(api.clock.offsetSeconds == 8402)
            #expect(try json(try await idp.get("/debug"))["offset_seconds"] as? Int == 8402)
        }
    }

    // MARK: Reset

    @Test("reset() forgets exactly what DELETE /debug forgets: issued tokens, scripts and the request log")
    func reset() async throws {
        for door in ["http", "swift"] {
            try await withTestIdP { idp in
                let api = Self.swiftAPI(idp)
                _ = try await idp.post("/token", form: Self.clientCredentials)
                try api.scriptNextTokenError("temporarily_unavailable", status: 503)
                #expect(!api.requests.isEmpty)
                if door == "http" {
                    #expect(try json(try await idp.sendDelete("/debug"))["reset"] as? Bool == true)
                } else {
                    await api.reset()
                }
                #expect(await api.issued().tokens.isEmpty, "\(door)")
                #expect(api.requests.isEmpty, "\(door)")
                #expect(try json(try await idp.get("/debug/next"))["pending"] as? Int == 0, "\(door)")
                #expect(try await idp.post("/token", form: Self.clientCredentials).status == .ok, "\(door)")
            }
        }
    }

    // MARK: Minting and fixtures

    @Test("minting refuses an unknown client, an unknown user and an out-of-range lifetime the same way through both")
    func mintRefusals() async throws {
        try await withTestIdP { idp in
            let api = Self.swiftAPI(idp)
            let cases: [(json: String, swift: () async throws -> Void)] = [
                (#"{"client_id": "nobody"}"#, { _ = try await api.mintTokens(clientID: "nobody") }),
                (#"{"client_id": "budgetify", "sub": "zed"}"#, { _ = try await api.mintTokens(clientID: "budgetify", sub: "zed") }),
                (#"{"client_id": "budgetify", "expires_in": 0}"#, { _ = try await api.mintTokens(clientID: "budgetify", expiresIn: 0) }),
            ]
            for (body, swift) in cases {
                let overHTTP = try Self.refusal(try await idp.postJSON("/debug/tokens", body))
                #expect(try await Self.refusal(swift) == overHTTP, "\(body)")
            }
        }
    }

    @Test("runtime fixtures are refused with the same problems through both, and added the same way")
    func fixtures() async throws {
        try await withTestIdP { idp in
            let api = Self.swiftAPI(idp)
            let overHTTP = try DebugFixturesTests.problems(try await idp.postJSON("/debug/clients", #"[{"client_id": "budgetify"}]"#))
            do {
                try await api.add(clients: [MockIdPFixtures.Client(clientID: "budgetify")])
                Issue.record("a duplicate client was added")
            } catch let error as MockIdPFixtureError {
                #expect(error.problems.map(\.description) == overHTTP)
            }
            try await api.add(clients: [MockIdPFixtures.Client(clientID: "cli", clientSecret: "s", redirectURIs: ["http://localhost:9000/cb"])])
            let counts = api.resetFixtures()
            #expect(counts.users == 4 && counts.clients == 7)
        }
    }
}
