import HTTPTypes
import HummingbirdTesting
import Testing

@testable import MockIdP

@Suite struct PasswordGrantTests {
    @Test("budgetify signs a user in by username and password")
    func byUsername() async throws {
        try await withTestIdP { idp in
            let response = try await idp.passwordGrant(username: "carol", password: "carol-password")
            #expect(response.status == .ok)
            #expect(response.headers[.cacheControl] == "no-store")
            let claims = try jwtPayload(try #require(try json(response)["access_token"] as? String))
            #expect(claims["sub"] as? String == "7d0b2f9e-carol")
            #expect(claims["client_id"] as? String == "budgetify")
        }
    }

    @Test("budgetify signs a user in by sub and password")
    func bySub() async throws {
        try await withTestIdP { idp in
            let response = try await idp.passwordGrant(username: "7d0b2f9e-carol", password: "carol-password")
            #expect(response.status == .ok)
            let claims = try jwtPayload(try #require(try json(response)["access_token"] as? String))
            #expect(claims["sub"] as? String == "7d0b2f9e-carol")
        }
    }

    @Test("a wrong password is invalid_grant")
    func wrongPassword() async throws {
        try await withTestIdP { idp in
            let response = try await idp.passwordGrant(username: "alice", password: "bob-password")
            #expect(response.status == .badRequest)
            #expect(try errorCode(response) == "invalid_grant")
        }
    }

    @Test("an unknown username is invalid_grant")
    func unknownUser() async throws {
        try await withTestIdP { idp in
            let response = try await idp.passwordGrant(username: "mallory", password: "alice-password")
            #expect(response.status == .badRequest)
            #expect(try errorCode(response) == "invalid_grant")
        }
    }

    @Test("a user without a password (dave) cannot sign in with any password")
    func userWithoutPassword() async throws {
        try await withTestIdP { idp in
            for password in ["dave", "dave-password", "null"] {
                let response = try await idp.passwordGrant(username: "dave", password: password)
                #expect(response.status == .badRequest)
                #expect(try errorCode(response) == "invalid_grant")
            }
        }
    }

    @Test("a request without username or without password is invalid_request")
    func missingCredentials() async throws {
        try await withTestIdP { idp in
            let noUsername = try await idp.passwordGrant(username: nil, password: "alice-password")
            #expect(noUsername.status == .badRequest)
            #expect(try errorCode(noUsername) == "invalid_request")

            let noPassword = try await idp.passwordGrant(username: "alice", password: nil)
            #expect(noPassword.status == .badRequest)
            #expect(try errorCode(noPassword) == "invalid_request")
        }
    }

    @Test("a client that does not list the password grant (planner) gets unauthorized_client")
    func clientWithoutGrant() async throws {
        try await withTestIdP { idp in
            let response = try await idp.passwordGrant(username: "alice", password: "alice-password", as: .planner)
            #expect(response.status == .badRequest)
            #expect(try errorCode(response) == "unauthorized_client")
        }
    }

    @Test("with openid requested, the response carries an ID token for the user")
    func idTokenWithOpenID() async throws {
        try await withTestIdP { idp in
            let response = try await idp.passwordGrant(username: "alice", password: "alice-password", scope: "openid email")
            #expect(response.status == .ok)
            let body = try json(response)
            #expect(body["scope"] as? String == "openid email")
            let claims = try jwtPayload(try #require(body["id_token"] as? String))
            #expect(claims["sub"] as? String == "alice")
            #expect(claims["aud"] as? String == "budgetify")
            #expect(claims["email"] as? String == "alice@alpha-bank.example")
            #expect(claims["auth_time"] is Int)
        }
    }

    @Test("without openid, the response has no ID token")
    func noIDTokenWithoutOpenID() async throws {
        try await withTestIdP { idp in
            let response = try await idp.passwordGrant(username: "alice", password: "alice-password", scope: "transactions:read")
            #expect(response.status == .ok)
            let body = try json(response)
            #expect(body["access_token"] is String)
            #expect(body["id_token"] == nil)
        }
    }

    @Test("the response carries a refresh token that can be exchanged")
    func refreshToken() async throws {
        try await withTestIdP { idp in
            let response = try await idp.passwordGrant(username: "alice", password: "alice-password", scope: "openid")
            #expect(response.status == .ok)
            let refreshToken = try #require(try json(response)["refresh_token"] as? String)

            let refreshed = try await idp.refresh(refreshToken)
            #expect(refreshed.status == .ok)
            let claims = try jwtPayload(try #require(try json(refreshed)["access_token"] as? String))
            #expect(claims["sub"] as? String == "alice")
        }
    }
}
