import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@testable import MockIdP

/// Fixture claims in access tokens (users', clients' and scopes' `access_token_claims`), and in introspection.
@Suite struct AccessTokenClaimsTests {
    @Test("a user's access_token_claims and the claims a granted scope copies are in the access token and its introspection")
    func userAndScopeClaims() async throws {
        try await withTestIdP { idp in
            let tokens = try await idp.codeFlowTokens(scope: "openid transactions:read")
            let accessToken = try #require(tokens["access_token"] as? String)
            let claims = try jwtPayload(accessToken)
            #expect(claims["roles"] as? [String] == ["customer"])
            #expect(claims["tenant"] as? String == "alpha-bank")
            #expect(claims["accounts"] as? [String] == ["NL01ALPH0123456789", "NL02ALPH9876543210"])
            #expect(claims["sub"] as? String == "alice")
            let introspection = try json(try await idp.introspect(accessToken))
            #expect(introspection["active"] as? Bool == true)
            #expect(introspection["roles"] as? [String] == ["customer"])
            #expect(introspection["accounts"] as? [String] == ["NL01ALPH0123456789", "NL02ALPH9876543210"])
            #expect(introspection["token_type"] as? String == "Bearer")
            // The ID token is untouched: roles are for the resource server.
            let idToken = try jwtPayload(try #require(tokens["id_token"] as? String))
            #expect(idToken["roles"] == nil)
        }
    }

    @Test("a scope not granted copies nothing")
    func scopeNotGranted() async throws {
        try await withTestIdP { idp in
            let tokens = try await idp.codeFlowTokens(scope: "openid profile")
            let claims = try jwtPayload(try #require(tokens["access_token"] as? String))
            #expect(claims["accounts"] == nil)
            #expect(claims["roles"] as? [String] == ["customer"])
        }
    }

    @Test("a client's access_token_claims are in its client-credentials tokens")
    func clientClaims() async throws {
        try await withTestIdP { idp in
            let response = try await idp.tokenRequest("client_credentials", [("scope", "transactions:read")], as: .reconciler)
            #expect(response.status == .ok)
            let accessToken = try #require(try json(response)["access_token"] as? String)
            #expect(try jwtPayload(accessToken)["roles"] as? [String] == ["reconciliation"])
            let introspection = try json(try await idp.introspect(accessToken, as: .reconciler))
            #expect(introspection["roles"] as? [String] == ["reconciliation"])
        }
    }

    @Test("the user's claims win over the client's; /debug/next overrides win over both")
    func layering() async throws {
        var client = Client(clientID: "layered", clientSecret: "s", redirectURIs: ["http://localhost/cb"], grantTypes: [.password])
        client.accessTokenClaims = ["roles": .array([.string("client-role")]), "plan": .string("gold")]
        try await withTestIdP(fixtures: try builtInFixtures(adding: [client])) { idp in
            let credentials = ClientCredentials(clientID: "layered", secret: "s")
            var response = try await idp.passwordGrant(username: "alice", password: "alice-password", as: credentials)
            var claims = try jwtPayload(try #require(try json(response)["access_token"] as? String))
            #expect(claims["roles"] as? [String] == ["customer"])
            #expect(claims["plan"] as? String == "gold")

            let scripted = try await idp.postJSON("/debug/next", #"{"access_token_claims": {"plan": "platinum"}}"#)
            #expect(scripted.status == .created, "\(bodyText(scripted))")
            response = try await idp.passwordGrant(username: "alice", password: "alice-password", as: credentials)
            claims = try jwtPayload(try #require(try json(response)["access_token"] as? String))
            #expect(claims["plan"] as? String == "platinum")
            #expect(claims["roles"] as? [String] == ["customer"])
        }
    }

    @Test("refreshing keeps the claims")
    func refreshKeepsClaims() async throws {
        try await withTestIdP { idp in
            let tokens = try await idp.codeFlowTokens(scope: "openid offline_access transactions:read")
            let refreshToken = try #require(tokens["refresh_token"] as? String)
            let refreshed = try json(try await idp.refresh(refreshToken))
            let claims = try jwtPayload(try #require(refreshed["access_token"] as? String))
            #expect(claims["roles"] as? [String] == ["customer"])
            #expect(claims["accounts"] != nil)
        }
    }

    @Test("reserved claims cannot come from fixtures: each is a problem naming file, entry and field")
    func reservedClaims() throws {
        let problems = try FixtureLoaderTests.problems(
            users: #"[{"sub": "alice", "access_token_claims": {"iss": "x", "roles": ["a"], "cnf": {}}}]"#,
            clients: #"[{"client_id": "app", "client_secret": "s", "redirect_uris": ["http://localhost/cb"], "access_token_claims": {"scope": "all"}}]"#,
            scopes: #"[{"name": "openid"}, {"name": "profile", "claims": ["name"], "access_token_claims": ["name", "sub"]}]"#
        )
        let located = Set(problems.map { "\($0.file) | \($0.entry ?? "-") | \($0.field ?? "-")" })
        #expect(
            located == [
                #"users.json | index 0 (sub "alice") | access_token_claims.cnf"#,
                #"users.json | index 0 (sub "alice") | access_token_claims.iss"#,
                #"clients.json | index 0 (client_id "app") | access_token_claims.scope"#,
                #"scopes.json | index 1 (name "profile") | access_token_claims[1]"#,
            ]
        )
    }

    @Test("access_token_claims of the wrong shape are type problems")
    func wrongShapes() throws {
        let problems = try FixtureLoaderTests.problems(
            users: #"[{"sub": "alice", "access_token_claims": ["roles"]}]"#,
            scopes: #"[{"name": "openid", "access_token_claims": "name"}]"#
        )
        #expect(Set(problems.map(\.field)) == ["access_token_claims"])
        #expect(problems.count == 2)
    }
}
