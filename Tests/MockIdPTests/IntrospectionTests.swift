import HTTPTypes
import HummingbirdTesting
import Testing

@testable import MockIdP

@Suite struct IntrospectionTests {
    @Test("introspection without client authentication is 401 invalid_client")
    func requiresAuthentication() async throws {
        try await withTestIdP { idp in
            let token = try #require(try await idp.codeFlowTokens()["access_token"] as? String)

            let response = try await idp.introspect(token, as: nil)
            #expect(response.status == .unauthorized)
            #expect(response.headers[.wwwAuthenticate] != nil)
            #expect(try errorCode(response) == "invalid_client")
        }
    }

    @Test("a public client cannot introspect (RFC 7662 §2.1): 401 invalid_client")
    func publicClientRefused() async throws {
        try await withTestIdP { idp in
            let token = try #require(try await idp.spaTokens()["access_token"] as? String)

            let response = try await idp.introspect(token, as: .budgetifySPA)
            #expect(response.status == .unauthorized)
            #expect(try errorCode(response) == "invalid_client")
        }
    }

    @Test("a wrong client secret is 401 invalid_client")
    func wrongSecret() async throws {
        try await withTestIdP { idp in
            let token = try #require(try await idp.codeFlowTokens()["access_token"] as? String)

            let response = try await idp.introspect(token, as: ClientCredentials(clientID: "budgetify", secret: "guess"))
            #expect(response.status == .unauthorized)
            #expect(try errorCode(response) == "invalid_client")
        }
    }

    @Test("an active access token introspects with its scope, client, user, times, audience, issuer and jti")
    func activeAccessToken() async throws {
        try await withTestIdP { idp in
            let token = try #require(try await idp.codeFlowTokens(scope: "openid profile email")["access_token"] as? String)
            let claims = try jwtPayload(token)

            let response = try await idp.introspect(token)
            #expect(response.status == .ok)
            #expect(response.headers[.cacheControl] == "no-store")
            let body = try json(response)
            #expect(body["active"] as? Bool == true)
            #expect(body["scope"] as? String == "openid profile email")
            #expect(body["client_id"] as? String == "budgetify")
            #expect(body["username"] as? String == "alice")
            #expect(body["token_type"] as? String == "Bearer")
            #expect(body["sub"] as? String == "alice")
            #expect(body["aud"] as? String == "https://api.alpha-bank.example")
            #expect(body["iss"] as? String == testIssuer)
            let iat = try #require(claims["iat"] as? Int)
            #expect(body["iat"] as? Int == iat)
            #expect(body["nbf"] as? Int == iat)
            #expect(body["exp"] as? Int == claims["exp"] as? Int)
            #expect(body["exp"] as? Int == iat + 3600)
            #expect(body["jti"] as? String == claims["jti"] as? String)
        }
    }

    @Test("another confidential client (a resource server) may introspect budgetify's token")
    func otherConfidentialClient() async throws {
        try await withTestIdP { idp in
            let token = try #require(try await idp.codeFlowTokens()["access_token"] as? String)

            let body = try json(try await idp.introspect(token, as: .reconciler))
            #expect(body["active"] as? Bool == true)
            #expect(body["client_id"] as? String == "budgetify")
        }
    }

    @Test("a client-credentials token introspects with the client as sub and no username")
    func clientCredentialsToken() async throws {
        try await withTestIdP { idp in
            let issued = try json(try await idp.tokenRequest("client_credentials", as: .reconciler))
            let token = try #require(issued["access_token"] as? String)

            let body = try json(try await idp.introspect(token, as: .reconciler))
            #expect(body["active"] as? Bool == true)
            #expect(body["sub"] as? String == "reconciler")
            #expect(body["client_id"] as? String == "reconciler")
            #expect(body["username"] == nil)
        }
    }

    @Test("an active refresh token introspects too")
    func refreshToken() async throws {
        try await withTestIdP { idp in
            let token = try #require(try await idp.codeFlowTokens(scope: "openid profile")["refresh_token"] as? String)

            let response = try await idp.introspect(token)
            #expect(response.status == .ok)
            let body = try json(response)
            #expect(body["active"] as? Bool == true)
            #expect(body["client_id"] as? String == "budgetify")
            #expect(body["sub"] as? String == "alice")
            #expect(body["scope"] as? String == "openid profile")
            let iat = try #require(body["iat"] as? Int)
            #expect(body["exp"] as? Int == iat + 86400)
        }
    }

    @Test("a rotated refresh token introspects as exactly {\"active\": false}")
    func rotatedRefreshToken() async throws {
        try await withTestIdP { idp in
            let token = try #require(try await idp.codeFlowTokens()["refresh_token"] as? String)
            #expect(try await idp.refresh(token).status == .ok)

            try expectInactive(try await idp.introspect(token))
        }
    }

    @Test("an unknown token introspects as exactly {\"active\": false}")
    func unknownToken() async throws {
        try await withTestIdP { idp in
            try expectInactive(try await idp.introspect(randomToken()))
        }
    }

    @Test("a malformed token introspects as exactly {\"active\": false}")
    func malformedToken() async throws {
        try await withTestIdP { idp in
            try expectInactive(try await idp.introspect("not.a.jwt at all"))
            try expectInactive(try await idp.introspect("eyJhbGciOiJub25lIn0.eyJzdWIiOiJhbGljZSJ9."))
        }
    }

    @Test("an expired access token introspects as exactly {\"active\": false}")
    func expiredToken() async throws {
        try await withTestIdP { idp in
            let token = try #require(try await idp.codeFlowTokens()["access_token"] as? String)
            #expect(try json(try await idp.introspect(token))["active"] as? Bool == true)

            idp.state.clock.advance(by: 3601)
            try expectInactive(try await idp.introspect(token))
        }
    }

    @Test("a revoked access token introspects as exactly {\"active\": false}")
    func revokedToken() async throws {
        try await withTestIdP { idp in
            let token = try #require(try await idp.codeFlowTokens()["access_token"] as? String)
            #expect(try await idp.revoke(token).status == .ok)

            try expectInactive(try await idp.introspect(token))
        }
    }

    @Test("an ID token introspects as exactly {\"active\": false}: it is not an access token")
    func idToken() async throws {
        try await withTestIdP { idp in
            let token = try #require(try await idp.codeFlowTokens(scope: "openid")["id_token"] as? String)

            try expectInactive(try await idp.introspect(token))
        }
    }

    @Test("a request without token is invalid_request")
    func missingToken() async throws {
        try await withTestIdP { idp in
            let response = try await idp.post("/introspect", form: [], as: .budgetify)
            #expect(response.status == .badRequest)
            #expect(try errorCode(response) == "invalid_request")
        }
    }
}
