import HTTPTypes
import HummingbirdTesting
import Testing

@testable import MockIdP

@Suite struct RefreshTokenGrantTests {
    @Test("a refresh rotates the refresh token, and the old one no longer works")
    func rotation() async throws {
        try await withTestIdP { idp in
            let first = try #require(try await idp.codeFlowTokens()["refresh_token"] as? String)

            let response = try await idp.refresh(first)
            #expect(response.status == .ok)
            #expect(response.headers[.cacheControl] == "no-store")
            let body = try json(response)
            let second = try #require(body["refresh_token"] as? String)
            #expect(second != first)
            #expect(body["access_token"] is String)
            #expect(body["token_type"] as? String == "Bearer")

            let again = try await idp.refresh(first)
            #expect(again.status == .badRequest)
            #expect(try errorCode(again) == "invalid_grant")
        }
    }

    @Test("reusing a rotated refresh token revokes the whole family (RFC 9700 §2.2.2)")
    func reuseRevokesFamily() async throws {
        try await withTestIdP { idp in
            let first = try #require(try await idp.codeFlowTokens()["refresh_token"] as? String)
            let rotated = try json(try await idp.refresh(first))
            let newestAccess = try #require(rotated["access_token"] as? String)
            let newestRefresh = try #require(rotated["refresh_token"] as? String)
            #expect(try await idp.userInfoStatus(newestAccess) == .ok)

            let reuse = try await idp.refresh(first)
            #expect(reuse.status == .badRequest)
            #expect(try errorCode(reuse) == "invalid_grant")

            #expect(try await idp.userInfoStatus(newestAccess) == .unauthorized)
            try expectInactive(try await idp.introspect(newestAccess))
            let next = try await idp.refresh(newestRefresh)
            #expect(next.status == .badRequest)
            #expect(try errorCode(next) == "invalid_grant")
        }
    }

    @Test("a refresh may ask for a narrower scope, and the new access token carries it")
    func narrowerScope() async throws {
        try await withTestIdP { idp in
            let refreshToken = try #require(try await idp.codeFlowTokens(scope: "openid profile email")["refresh_token"] as? String)

            let response = try await idp.refresh(refreshToken, scope: "openid profile")
            #expect(response.status == .ok)
            let body = try json(response)
            #expect(body["scope"] as? String == "openid profile")
            let claims = try jwtPayload(try #require(body["access_token"] as? String))
            #expect(claims["scope"] as? String == "openid profile")
        }
    }

    @Test("narrowing the scope once does not shrink the grant: the next refresh may ask for the original scope (RFC 6749 §6)")
    func narrowingKeepsOriginalGrant() async throws {
        try await withTestIdP { idp in
            let first = try #require(try await idp.codeFlowTokens(scope: "openid profile email")["refresh_token"] as? String)
            let narrowed = try json(try await idp.refresh(first, scope: "openid profile"))
            let second = try #require(narrowed["refresh_token"] as? String)

            // RFC 6749 §6: "If a new refresh token is issued, the refresh token scope MUST be identical to that of the
            // refresh token included by the client in the request."
            let response = try await idp.refresh(second, scope: "openid profile email")
            #expect(response.status == .ok, "\(bodyText(response))")
            #expect(try json(response)["scope"] as? String == "openid profile email")
        }
    }

    @Test("a refresh asking for a scope beyond the original grant is refused with invalid_scope")
    func widerScope() async throws {
        try await withTestIdP { idp in
            let refreshToken = try #require(try await idp.codeFlowTokens(scope: "openid profile")["refresh_token"] as? String)

            let response = try await idp.refresh(refreshToken, scope: "openid profile email")
            #expect(response.status == .badRequest)
            #expect(try errorCode(response) == "invalid_scope")
        }
    }

    @Test("with openid granted, a refresh returns a new ID token for the same sub with the original auth_time")
    func newIDToken() async throws {
        try await withTestIdP { idp in
            let original = try await idp.codeFlowTokens(scope: "openid profile")
            let originalClaims = try jwtPayload(try #require(original["id_token"] as? String))
            let refreshToken = try #require(original["refresh_token"] as? String)
            idp.state.clock.advance(by: 120)

            let body = try json(try await idp.refresh(refreshToken))
            let idToken = try #require(body["id_token"] as? String)
            #expect(idToken != original["id_token"] as? String)
            let claims = try jwtPayload(idToken)
            #expect(claims["sub"] as? String == "alice")
            #expect(claims["sub"] as? String == originalClaims["sub"] as? String)
            #expect(claims["aud"] as? String == "budgetify")
            let authTime = try #require(originalClaims["auth_time"] as? Int)
            #expect(claims["auth_time"] as? Int == authTime)
            #expect(try #require(claims["iat"] as? Int) >= authTime + 120)
        }
    }

    @Test("without openid in the grant, a refresh returns no ID token")
    func noIDTokenWithoutOpenID() async throws {
        try await withTestIdP { idp in
            let refreshToken = try #require(try await idp.codeFlowTokens(scope: "transactions:read")["refresh_token"] as? String)

            let body = try json(try await idp.refresh(refreshToken))
            #expect(body["access_token"] is String)
            #expect(body["id_token"] == nil)
        }
    }

    @Test("a refresh token presented by another client is refused with invalid_grant and stays usable by its own client")
    func anotherClient() async throws {
        try await withTestIdP { idp in
            let refreshToken = try #require(try await idp.codeFlowTokens()["refresh_token"] as? String)

            let response = try await idp.refresh(refreshToken, as: .budgetifySPA)
            #expect(response.status == .badRequest)
            #expect(try errorCode(response) == "invalid_grant")

            #expect(try await idp.refresh(refreshToken).status == .ok)
        }
    }

    @Test("a refresh token past the client's refresh_token_ttl (86400 s by default) is refused with invalid_grant")
    func expired() async throws {
        try await withTestIdP { idp in
            let refreshToken = try #require(try await idp.codeFlowTokens()["refresh_token"] as? String)
            idp.state.clock.advance(by: 86401)

            let response = try await idp.refresh(refreshToken)
            #expect(response.status == .badRequest)
            #expect(try errorCode(response) == "invalid_grant")
        }
    }

    @Test("a refresh token a minute before the end of its lifetime still works")
    func notYetExpired() async throws {
        try await withTestIdP { idp in
            let refreshToken = try #require(try await idp.codeFlowTokens()["refresh_token"] as? String)
            idp.state.clock.advance(by: 86400 - 60)

            #expect(try await idp.refresh(refreshToken).status == .ok)
        }
    }

    @Test("a refresh request without refresh_token is invalid_request")
    func missingRefreshToken() async throws {
        try await withTestIdP { idp in
            let response = try await idp.tokenRequest("refresh_token")
            #expect(response.status == .badRequest)
            #expect(try errorCode(response) == "invalid_request")
        }
    }

    @Test("a client not registered for the refresh_token grant (reconciler) gets unauthorized_client")
    func clientWithoutGrant() async throws {
        try await withTestIdP { idp in
            let refreshToken = try #require(try await idp.codeFlowTokens()["refresh_token"] as? String)

            let response = try await idp.refresh(refreshToken, as: .reconciler)
            #expect(response.status == .badRequest)
            #expect(try errorCode(response) == "unauthorized_client")
        }
    }
}
