import HTTPTypes
import HummingbirdTesting
import Testing

@testable import MockIdP

@Suite struct SessionTests {
    /// The claims of the ID token from one code flow for budgetify.
    private func idTokenClaims(_ idp: TestIdP, extra: [(String, String)] = []) async throws -> [String: Any] {
        try jwtPayload(try #require(try await idp.codeFlowTokens(scope: "openid", extra: extra)["id_token"] as? String))
    }

    @Test("two authorizations for the same user share auth_time and sid")
    func singleSignOn() async throws {
        try await withTestIdP { idp in
            let first = try await idTokenClaims(idp)
            idp.state.clock.advance(by: 30)
            let second = try await idTokenClaims(idp)

            let authTime = try #require(first["auth_time"] as? Int)
            #expect(second["auth_time"] as? Int == authTime)
            let sid = try #require(first["sid"] as? String)
            #expect(second["sid"] as? String == sid)
            #expect(try #require(second["iat"] as? Int) > authTime)
        }
    }

    @Test("different users get different sessions")
    func separateUsers() async throws {
        try await withTestIdP { idp in
            let alice = try await idTokenClaims(idp)
            let bob = try await idTokenClaims(idp, extra: [("login_hint", "bob")])

            #expect(bob["sub"] as? String == "bob")
            #expect(try #require(bob["sid"] as? String) != alice["sid"] as? String)
        }
    }

    @Test("prompt=login signs the user in again: a new auth_time and sid")
    func promptLogin() async throws {
        try await withTestIdP { idp in
            let first = try await idTokenClaims(idp)
            idp.state.clock.advance(by: 30)
            // prompt=login shows the user chooser; picking alice there re-submits the request with the choice.
            let chooser = try await idp.get(
                "/authorize",
                [
                    ("response_type", "code"), ("client_id", "budgetify"), ("redirect_uri", "http://localhost:3000/callback"),
                    ("scope", "openid"), ("prompt", "login"),
                ]
            )
            #expect(chooser.status == .ok)
            #expect(chooser.headers[.location] == nil)
            let second = try await idTokenClaims(idp, extra: [("prompt", "login"), (LoginChooserPage.userParameter, "alice")])

            let authTime = try #require(first["auth_time"] as? Int)
            #expect(try #require(second["auth_time"] as? Int) >= authTime + 30)
            #expect(try #require(second["sid"] as? String) != first["sid"] as? String)
        }
    }

    @Test("max_age=0 after time has passed signs the user in again: a new auth_time")
    func maxAgeZero() async throws {
        try await withTestIdP { idp in
            let first = try await idTokenClaims(idp)
            idp.state.clock.advance(by: 30)
            let second = try await idTokenClaims(idp, extra: [("max_age", "0")])

            let authTime = try #require(first["auth_time"] as? Int)
            #expect(try #require(second["auth_time"] as? Int) >= authTime + 30)
        }
    }

    @Test("a max_age the session still satisfies keeps the original auth_time")
    func maxAgeSatisfied() async throws {
        try await withTestIdP { idp in
            let first = try await idTokenClaims(idp)
            idp.state.clock.advance(by: 30)
            let second = try await idTokenClaims(idp, extra: [("max_age", "3600")])

            #expect(second["auth_time"] as? Int == first["auth_time"] as? Int)
        }
    }
}
