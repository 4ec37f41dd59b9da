import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@testable import MockIdP

@Suite struct DebugFixturesTests {
    static let cliClient = #"{"client_id": "cli", "client_secret": "cli-secret", "redirect_uris": ["http://localhost:9000/cb"], "scopes": ["openid", "profile"]}"#

    /// The authorization request with `login_hint` for budgetify, as a raw response.
    static func authorize(_ idp: TestIdP, loginHint: String) async throws -> TestResponse {
        try await idp.authorizeResponse([
            ("response_type", "code"), ("client_id", "budgetify"), ("redirect_uri", "http://localhost:3000/callback"),
            ("scope", "openid profile"), ("state", "s1"), ("login_hint", loginHint),
        ])
    }

    /// Whether `loginHint` names a user who can sign in: the authorization request redirects with a code.
    static func canSignIn(_ idp: TestIdP, _ loginHint: String) async throws -> Bool {
        let response = try await authorize(idp, loginHint: loginHint)
        guard let location = response.headers[.location] else { return false }
        return try redirectParameters(location)["code"] != nil
    }

    /// Runs the code flow for the runtime client `cli` and returns the token response.
    static func cliFlow(_ idp: TestIdP) async throws -> TestResponse {
        let code = try await idp.code(clientID: "cli", redirectURI: "http://localhost:9000/cb", scope: "openid profile")
        return try await idp.redeem(code, clientID: "cli", secret: "cli-secret", redirectURI: "http://localhost:9000/cb")
    }

    /// The `problems` of a 400 `invalid_fixture` answer.
    static func problems(_ response: TestResponse, sourceLocation: SourceLocation = #_sourceLocation) throws -> [String] {
        #expect(response.status == .badRequest, "\(bodyText(response))", sourceLocation: sourceLocation)
        let body = try json(response)
        #expect(body["error"] as? String == "invalid_fixture", sourceLocation: sourceLocation)
        #expect((body["error_description"] as? String)?.isEmpty == false, sourceLocation: sourceLocation)
        let problems = try #require(body["problems"] as? [String], sourceLocation: sourceLocation)
        #expect(!problems.isEmpty, sourceLocation: sourceLocation)
        return problems
    }

    // MARK: Users

    @Test("a user added as an object signs in via login_hint, by sub or username, with their claims")
    func addUserObject() async throws {
        try await withTestIdP { idp in
            let response = try await idp.postJSON(
                "/debug/users", #"{"sub": "erin-42", "username": "erin", "claims": {"name": "Erin Example", "tenant": "alpha"}}"#
            )
            #expect(response.status == .created)
            #expect(try json(response)["added"] as? Int == 1)

            for hint in ["erin-42", "erin"] {
                let issued = try await idp.codeFlowTokens(scope: "openid profile", extra: [("login_hint", hint)])
                let claims = try jwtPayload(try #require(issued["id_token"] as? String))
                #expect(claims["sub"] as? String == "erin-42")
                #expect(claims["name"] as? String == "Erin Example")
            }
        }
    }

    @Test("users added as an array are all added")
    func addUserArray() async throws {
        try await withTestIdP { idp in
            let response = try await idp.postJSON("/debug/users", #"[{"sub": "erin"}, {"sub": "frank", "password": "frank-password"}]"#)
            #expect(response.status == .created)
            #expect(try json(response)["added"] as? Int == 2)

            #expect(try await Self.canSignIn(idp, "erin"))
            #expect(try await Self.canSignIn(idp, "frank"))
            // frank's password works at the password grant.
            #expect(try await idp.passwordGrant(username: "frank", password: "frank-password").status == .ok)
        }
    }

    @Test("an added user can be minted tokens for and appears on the user chooser")
    func addedUserElsewhere() async throws {
        try await withTestIdP { idp in
            _ = try await idp.postJSON("/debug/users", #"{"sub": "erin", "claims": {"name": "Erin Example"}}"#)

            #expect(try await idp.postJSON("/debug/tokens", #"{"client_id": "budgetify", "sub": "erin"}"#).status == .ok)
            let page = try await idp.authorizeResponse([
                ("response_type", "code"), ("client_id", "budgetify"), ("redirect_uri", "http://localhost:3000/callback"), ("prompt", "login"),
            ])
            #expect(text(page).contains("Erin Example"))
        }
    }

    // MARK: Clients

    @Test("a client added as an object can run a code flow")
    func addClientObject() async throws {
        try await withTestIdP { idp in
            let response = try await idp.postJSON("/debug/clients", Self.cliClient)
            #expect(response.status == .created)
            #expect(try json(response)["added"] as? Int == 1)

            let tokens = try await Self.cliFlow(idp)
            #expect(tokens.status == .ok, "\(bodyText(tokens))")
            let body = try json(tokens)
            #expect(try jwtPayload(try #require(body["id_token"] as? String))["aud"] as? String == "cli")
            #expect(try jwtPayload(try #require(body["access_token"] as? String))["client_id"] as? String == "cli")
        }
    }

    @Test("clients added as an array are all added, with their settings")
    func addClientArray() async throws {
        try await withTestIdP { idp in
            let response = try await idp.postJSON(
                "/debug/clients",
                #"""
                [{"client_id": "worker", "client_secret": "worker-secret", "grant_types": ["client_credentials"], "access_token_ttl": 60, "audience": "https://jobs.example"},
                 {"client_id": "spa2", "redirect_uris": ["http://localhost:8080/cb"]}]
                """#
            )
            #expect(response.status == .created)
            #expect(try json(response)["added"] as? Int == 2)

            let worker = try await idp.tokenRequest("client_credentials", as: ClientCredentials(clientID: "worker", secret: "worker-secret"))
            #expect(worker.status == .ok)
            let body = try json(worker)
            #expect(body["expires_in"] as? Int == 60)
            #expect(try jwtPayload(try #require(body["access_token"] as? String))["aud"] as? String == "https://jobs.example")

            let spa = try await idp.authorizeResponse([
                ("response_type", "code"), ("client_id", "spa2"), ("redirect_uri", "http://localhost:8080/cb"),
                ("code_challenge", pkcePair().challenge), ("code_challenge_method", "S256"),
            ])
            #expect(spa.status == .found)
            #expect(try redirectParameters(try #require(spa.headers[.location]))["code"] != nil)
        }
    }

    // MARK: Invalid entries

    @Test(
        "an invalid user is a 400 whose problems name the field, and nothing is added",
        arguments: [
            (#"{"claims": {"name": "No Sub"}}"#, "sub"),
            (#"{"sub": ""}"#, "sub"),
            (#"{"sub": "alice"}"#, "sub"),
            (#"{"sub": "alice2", "username": "bob"}"#, "username"),
            (#"{"sub": 42}"#, "sub"),
            (#"{"sub": "erin", "role": "admin"}"#, "role"),
            (#"{"sub": "erin", "claims": {"iss": "http://evil.example"}}"#, "claims.iss"),
            (#"{"sub": "erin", "claims": "Erin"}"#, "claims"),
        ]
    )
    func invalidUser(body: String, field: String) async throws {
        try await withTestIdP { idp in
            let problems = try Self.problems(try await idp.postJSON("/debug/users", body))
            #expect(problems.contains { $0.contains("field \"\(field)\"") }, "\(problems)")
            #expect(problems.allSatisfy { $0.contains("users.json") }, "\(problems)")
            #expect(!(try await Self.canSignIn(idp, "erin")))
            #expect(idp.state.registry.fixtures.users.count == 4)
        }
    }

    @Test(
        "an invalid client is a 400 whose problems name the field, and nothing is added",
        arguments: [
            (#"{"redirect_uris": ["http://localhost:9000/cb"]}"#, "client_id"),
            (#"{"client_id": "budgetify", "redirect_uris": ["http://localhost:9000/cb"]}"#, "client_id"),
            (#"{"client_id": "cli", "redirect_uris": ["http://localhost:9000/cb"], "scopes": ["openid", "admin"]}"#, "scopes[1]"),
            (#"{"client_id": "cli", "redirect_uris": ["not a uri"]}"#, "redirect_uris[0]"),
            (#"{"client_id": "cli", "redirect_uris": ["http://localhost:9000/cb#fragment"]}"#, "redirect_uris[0]"),
            (#"{"client_id": "cli"}"#, "redirect_uris"),
            (#"{"client_id": "cli", "redirect_uris": ["http://localhost:9000/cb"], "secret": "x"}"#, "secret"),
            (#"{"client_id": "cli", "redirect_uris": ["http://localhost:9000/cb"], "grant_types": ["implicit"]}"#, "grant_types[0]"),
            (#"{"client_id": "cli", "redirect_uris": ["http://localhost:9000/cb"], "access_token_ttl": 0}"#, "access_token_ttl"),
        ]
    )
    func invalidClient(body: String, field: String) async throws {
        try await withTestIdP { idp in
            let problems = try Self.problems(try await idp.postJSON("/debug/clients", body))
            #expect(problems.contains { $0.contains("field \"\(field)\"") }, "\(problems)")
            #expect(problems.allSatisfy { $0.contains("clients.json") }, "\(problems)")
            let authorize = try await idp.authorizeResponse([
                ("response_type", "code"), ("client_id", "cli"), ("redirect_uri", "http://localhost:9000/cb"),
            ])
            #expect(authorize.status == .badRequest)
            #expect(idp.state.registry.fixtures.clients.count == 7)
        }
    }

    @Test("one invalid entry in an array adds none of them: all or nothing")
    func allOrNothingUsers() async throws {
        try await withTestIdP { idp in
            // A decoding problem (unknown field) in the second entry.
            _ = try Self.problems(try await idp.postJSON("/debug/users", #"[{"sub": "erin"}, {"sub": "frank", "role": "admin"}]"#))
            #expect(!(try await Self.canSignIn(idp, "erin")))
            #expect(!(try await Self.canSignIn(idp, "frank")))

            // A validation problem (duplicate of an existing sub) in the second entry.
            let problems = try Self.problems(try await idp.postJSON("/debug/users", #"[{"sub": "erin"}, {"sub": "bob"}]"#))
            #expect(problems.contains { $0.contains("bob") }, "\(problems)")
            #expect(!(try await Self.canSignIn(idp, "erin")))

            // A duplicate within the request itself.
            _ = try Self.problems(try await idp.postJSON("/debug/users", #"[{"sub": "erin"}, {"sub": "erin"}]"#))
            #expect(!(try await Self.canSignIn(idp, "erin")))
        }
    }

    @Test("one invalid client in an array adds none of them")
    func allOrNothingClients() async throws {
        try await withTestIdP { idp in
            let body = "[\(Self.cliClient), {\"client_id\": \"other\", \"redirect_uris\": [\"ftp//broken\"]}]"
            let problems = try Self.problems(try await idp.postJSON("/debug/clients", body))
            #expect(problems.contains { $0.contains("redirect_uris[0]") }, "\(problems)")

            let code = try await idp.authorizeResponse([
                ("response_type", "code"), ("client_id", "cli"), ("redirect_uri", "http://localhost:9000/cb"),
            ])
            #expect(code.status == .badRequest)
        }
    }

    @Test("every problem is reported, not only the first")
    func everyProblem() async throws {
        try await withTestIdP { idp in
            let problems = try Self.problems(
                try await idp.postJSON("/debug/clients", #"[{"client_id": "budgetify", "redirect_uris": ["x"]}, {"client_id": "b", "scopes": ["nope"]}]"#)
            )
            #expect(problems.count >= 4, "\(problems)")
        }
    }

    @Test("entries are indexed as in the request, and a duplicate of a loaded entry says it is already registered")
    func indexedAsInRequest() async throws {
        try await withTestIdP { idp in
            let problems = try Self.problems(
                try await idp.postJSON("/debug/clients", "[\(Self.cliClient), {\"client_id\": \"budgetify\", \"redirect_uris\": [\"http://x/cb\"]}, \(Self.cliClient)]")
            )
            #expect(
                problems == [
                    #"clients.json, index 1 (client_id "budgetify"), field "client_id": duplicate client_id "budgetify" (already registered)"#,
                    #"clients.json, index 2 (client_id "cli"), field "client_id": duplicate client_id "cli" (first at index 0)"#,
                ]
            )
            let users = try Self.problems(try await idp.postJSON("/debug/users", #"[{"sub": "erin"}, {"sub": "alice"}]"#))
            #expect(
                users == [
                    #"users.json, index 1 (sub "alice"), field "sub": duplicate sub "alice" (already registered)"#,
                    #"users.json, index 1 (sub "alice"), field "username": duplicate username "alice" (already registered)"#,
                ]
            )
        }
    }

    @Test("an unknown field does not hide the entry's other problems")
    func unknownFieldHidesNothing() async throws {
        try await withTestIdP { idp in
            let problems = try Self.problems(
                try await idp.postJSON("/debug/clients", #"[{"client_id": "budgetify", "colour": "red", "redirect_uris": ["relative/cb"]}]"#)
            )
            #expect(problems.contains { $0.contains(#"field "colour": unknown field"#) }, "\(problems)")
            #expect(problems.contains { $0.contains(#"field "client_id": duplicate client_id"#) }, "\(problems)")
            #expect(problems.contains { $0.contains(#"field "redirect_uris[0]""#) }, "\(problems)")
            #expect(problems.allSatisfy { $0.hasPrefix(#"clients.json, index 0 (client_id "budgetify")"#) }, "\(problems)")
        }
    }

    @Test(
        "a body that is not a JSON object or array of objects is a 400",
        arguments: [("/debug/users", #"{"sub": "erin""#), ("/debug/users", #""erin""#), ("/debug/clients", "[1, 2]"), ("/debug/clients", "")]
    )
    func notFixtures(path: String, body: String) async throws {
        try await withTestIdP { idp in
            let response = try await idp.postJSON(path, body)
            #expect(response.status == .badRequest, "\(bodyText(response))")
            #expect(try json(response)["error"] is String)
            #expect(try json(response)["error_description"] is String)
        }
    }

    // MARK: Removing

    @Test("DELETE /debug/fixtures removes runtime users and clients: the client then gets the 400 page at /authorize")
    func resetFixtures() async throws {
        try await withTestIdP { idp in
            #expect(try await idp.postJSON("/debug/clients", Self.cliClient).status == .created)
            #expect(try await idp.postJSON("/debug/users", #"{"sub": "erin"}"#).status == .created)
            #expect(try await Self.cliFlow(idp).status == .ok)
            #expect(try await Self.canSignIn(idp, "erin"))

            let response = try await idp.sendDelete("/debug/fixtures")
            #expect(response.status == .ok)
            let body = try json(response)
            #expect(body["users"] as? Int == 4)
            #expect(body["clients"] as? Int == 7)

            let page = try await idp.authorizeResponse([
                ("response_type", "code"), ("client_id", "cli"), ("redirect_uri", "http://localhost:9000/cb"), ("scope", "openid"),
            ])
            #expect(page.status == .badRequest)
            #expect(page.headers[.location] == nil)
            #expect(page.headers[.contentType]?.hasPrefix("text/html") == true)
            #expect(text(page).contains("cli"))

            let hint = try await Self.authorize(idp, loginHint: "erin")
            #expect(try redirectParameters(try #require(hint.headers[.location]))["error"] == "invalid_request")
            // The shipped fixtures are still there.
            #expect(try await Self.canSignIn(idp, "bob"))
        }
    }

    @Test("after DELETE /debug/fixtures the same entries can be added again")
    func addAgainAfterReset() async throws {
        try await withTestIdP { idp in
            #expect(try await idp.postJSON("/debug/clients", Self.cliClient).status == .created)
            _ = try await idp.sendDelete("/debug/fixtures")
            #expect(try await idp.postJSON("/debug/clients", Self.cliClient).status == .created)
            #expect(try await Self.cliFlow(idp).status == .ok)
        }
    }
}
