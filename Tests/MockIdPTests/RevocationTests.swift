import HTTPTypes
import HummingbirdTesting
import Testing

@testable import MockIdP

@Suite struct RevocationTests {
    @Test("revoking an unknown token answers 200 (RFC 7009 §2.2)")
    func unknownToken() async throws {
        try await withTestIdP { idp in
            let response = try await idp.revoke(randomToken())
            #expect(response.status == .ok)
            #expect(response.headers[.cacheControl] == "no-store")
        }
    }

    @Test("a client revoking its own access token: userinfo then answers 401 and introspection inactive")
    func revokeOwnAccessToken() async throws {
        try await withTestIdP { idp in
            let token = try #require(try await idp.codeFlowTokens()["access_token"] as? String)
            #expect(try await idp.userInfoStatus(token) == .ok)

            #expect(try await idp.revoke(token).status == .ok)

            #expect(try await idp.userInfoStatus(token) == .unauthorized)
            try expectInactive(try await idp.introspect(token))
        }
    }

    @Test("revoking a refresh token also revokes the access tokens issued with it (RFC 7009 §2.1)")
    func revokeRefreshToken() async throws {
        try await withTestIdP { idp in
            let tokens = try await idp.codeFlowTokens()
            let access = try #require(tokens["access_token"] as? String)
            let refresh = try #require(tokens["refresh_token"] as? String)
            #expect(try await idp.userInfoStatus(access) == .ok)

            #expect(try await idp.revoke(refresh).status == .ok)

            #expect(try await idp.userInfoStatus(access) == .unauthorized)
            try expectInactive(try await idp.introspect(access))
            let refreshed = try await idp.refresh(refresh)
            #expect(refreshed.status == .badRequest)
            #expect(try errorCode(refreshed) == "invalid_grant")
        }
    }

    @Test("revoking an access token leaves other grants alone")
    func otherGrantsUnaffected() async throws {
        try await withTestIdP { idp in
            let first = try #require(try await idp.codeFlowTokens()["access_token"] as? String)
            let second = try #require(try await idp.codeFlowTokens()["access_token"] as? String)

            #expect(try await idp.revoke(first).status == .ok)

            #expect(try await idp.userInfoStatus(first) == .unauthorized)
            #expect(try await idp.userInfoStatus(second) == .ok)
        }
    }

    @Test("a client revoking another client's token is refused with 400 unauthorized_client, and the token stays active")
    func anotherClientsToken() async throws {
        try await withTestIdP { idp in
            let token = try #require(try await idp.codeFlowTokens()["access_token"] as? String)

            let response = try await idp.revoke(token, as: .reconciler)
            #expect(response.status == .badRequest)
            #expect(try errorCode(response) == "unauthorized_client")

            #expect(try await idp.userInfoStatus(token) == .ok)
            #expect(try json(try await idp.introspect(token))["active"] as? Bool == true)
        }
    }

    @Test("revocation requires client authentication: a wrong secret is 401 and the token stays active")
    func wrongSecret() async throws {
        try await withTestIdP { idp in
            let token = try #require(try await idp.codeFlowTokens()["access_token"] as? String)

            let response = try await idp.revoke(token, as: ClientCredentials(clientID: "budgetify", secret: "guess"))
            #expect(response.status == .unauthorized)
            #expect(try errorCode(response) == "invalid_client")

            #expect(try await idp.userInfoStatus(token) == .ok)
        }
    }

    @Test("revocation without any client authentication is 401")
    func noAuthentication() async throws {
        try await withTestIdP { idp in
            let token = try #require(try await idp.codeFlowTokens()["access_token"] as? String)

            let response = try await idp.revoke(token, as: nil)
            #expect(response.status == .unauthorized)
            #expect(try errorCode(response) == "invalid_client")
            #expect(try await idp.userInfoStatus(token) == .ok)
        }
    }

    @Test("a public client revokes its own token with client_id only")
    func publicClient() async throws {
        try await withTestIdP { idp in
            let token = try #require(try await idp.spaTokens(scope: "openid profile")["access_token"] as? String)
            #expect(try await idp.userInfoStatus(token) == .ok)

            #expect(try await idp.revoke(token, as: .budgetifySPA).status == .ok)

            #expect(try await idp.userInfoStatus(token) == .unauthorized)
        }
    }
}
