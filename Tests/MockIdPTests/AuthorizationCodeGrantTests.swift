import Crypto
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@testable import MockIdP

@Suite struct AuthorizationCodeGrantTests {
    static let redirectURI = "http://localhost:3000/callback"

    /// Asserts an RFC 6749 §5.2 error response with `status` and `error`.
    static func expectError(
        _ response: TestResponse, _ error: String, status: HTTPResponse.Status = .badRequest, sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        #expect(response.status == status, sourceLocation: sourceLocation)
        #expect(response.headers[.contentType]?.hasPrefix("application/json") == true, sourceLocation: sourceLocation)
        #expect(response.headers[.cacheControl] == "no-store", sourceLocation: sourceLocation)
        let body = try oauthError(response)
        #expect(body.error == error, "\(body.description)", sourceLocation: sourceLocation)
        #expect(!body.description.isEmpty, sourceLocation: sourceLocation)
    }

    /// OIDC Core §3.1.3.6: base64url of the left half of SHA-256 of the access token's ASCII octets.
    static func atHash(_ accessToken: String) -> String {
        Data(SHA256.hash(data: Data(accessToken.utf8)).prefix(16)).base64EncodedString()
            .replacing("+", with: "-").replacing("/", with: "_").replacing("=", with: "")
    }

    // MARK: Token response

    @Test("the token response is a Bearer token with the client's lifetime, the scope and a refresh token, never cached")
    func tokenResponse() async throws {
        try await withTestIdP { idp in
            let code = try await idp.code(scope: "openid profile email")
            let response = try await idp.redeem(code)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType]?.hasPrefix("application/json") == true)
            #expect(response.headers[.cacheControl] == "no-store")
            let body = try json(response)
            #expect(body["token_type"] as? String == "Bearer")
            let client = try #require(idp.state.registry.client("budgetify"))
            #expect(body["expires_in"] as? Int == client.accessTokenTTL)
            #expect(body["scope"] as? String == "openid profile email")
            #expect((body["access_token"] as? String)?.isEmpty == false)
            #expect((body["refresh_token"] as? String)?.isEmpty == false)
            #expect((body["id_token"] as? String)?.isEmpty == false)
        }
    }

    @Test("expires_in follows the client's access_token_ttl from the fixtures")
    func expiresInFollowsFixture() async throws {
        try await withTestIdP { idp in
            let response = try await idp.publicClientTokens()
            #expect(response.status == .ok)
            let spa = try #require(idp.state.registry.client("budgetify-spa"))
            #expect(spa.accessTokenTTL != Client.defaultAccessTokenTTL)
            #expect(try json(response)["expires_in"] as? Int == spa.accessTokenTTL)
        }
    }

    @Test("no ID token is issued without the openid scope")
    func noIDTokenWithoutOpenID() async throws {
        try await withTestIdP { idp in
            let body = try await idp.tokens(scope: "profile transactions:read")
            #expect(body["id_token"] == nil)
            #expect(body["access_token"] != nil)
            #expect(body["scope"] as? String == "profile transactions:read")
        }
    }

    @Test("no refresh token is issued to a client without the refresh_token grant")
    func noRefreshTokenWithoutGrant() async throws {
        let client = Client(clientID: "code-only", clientSecret: "s", redirectURIs: [Self.redirectURI], grantTypes: [.authorizationCode])
        try await withTestIdP(fixtures: try builtInFixtures(adding: [client])) { idp in
            let body = try await idp.tokens(clientID: "code-only", secret: "s", scope: "openid")
            #expect(body["refresh_token"] == nil)
            #expect(body["id_token"] != nil)
        }
    }

    // MARK: Access token (RFC 9068)

    @Test("the access token is an at+jwt with iss, sub, aud, exp, iat, jti, client_id and scope")
    func accessTokenClaims() async throws {
        try await withTestIdP { idp in
            let before = idp.state.clock.now
            let body = try await idp.tokens(scope: "openid transactions:read")
            let after = idp.state.clock.now
            let accessToken = try #require(body["access_token"] as? String)
            let header = try jwtHeader(accessToken)
            #expect(header["typ"] as? String == "at+jwt")
            #expect(header["alg"] as? String == "RS256")
            let activeKID = try await idp.state.keys.activeKID()
            #expect(header["kid"] as? String == activeKID)

            let claims = try jwtPayload(accessToken)
            let client = try #require(idp.state.registry.client("budgetify"))
            #expect(claims["iss"] as? String == testIssuer)
            #expect(claims["sub"] as? String == "alice")
            #expect(claims["aud"] as? String == client.audience.first)
            #expect(claims["client_id"] as? String == "budgetify")
            #expect(claims["scope"] as? String == "openid transactions:read")
            #expect((claims["jti"] as? String)?.isEmpty == false)
            let iat = try #require(claims["iat"] as? Int)
            let exp = try #require(claims["exp"] as? Int)
            #expect(exp - iat == client.accessTokenTTL)
            #expect(before <= iat && iat <= after)
        }
    }

    @Test("a client without an audience gets its client_id as the access token's aud")
    func audienceDefaultsToClientID() async throws {
        try await withTestIdP { idp in
            let code = try await idp.code(clientID: "planner", redirectURI: "http://localhost:4000/auth/callback", scope: "openid")
            let response = try await idp.post(
                "/token",
                form: [
                    ("grant_type", "authorization_code"), ("code", code), ("redirect_uri", "http://localhost:4000/auth/callback"),
                    ("client_id", "planner"), ("client_secret", "planner-secret"),
                ]
            )
            let accessToken = try #require(try json(response)["access_token"] as? String)
            #expect(try jwtPayload(accessToken)["aud"] as? String == "planner")
        }
    }

    @Test("each access token has its own jti")
    func uniqueJTI() async throws {
        try await withTestIdP { idp in
            let first = try jwtPayload(try await idp.accessToken())["jti"] as? String
            let second = try jwtPayload(try await idp.accessToken())["jti"] as? String
            #expect(first != nil && first != second)
        }
    }

    // MARK: ID token (OIDC Core §2, §3.1.3.6, §5.4)

    @Test("the ID token carries iss, sub, aud, azp, exp, iat, auth_time, nonce and a correct at_hash")
    func idTokenClaims() async throws {
        try await withTestIdP { idp in
            let before = idp.state.clock.now
            let body = try await idp.tokens(scope: "openid", extra: [("nonce", "n-0S6_WzA2Mj")])
            let after = idp.state.clock.now
            let idToken = try #require(body["id_token"] as? String)
            let accessToken = try #require(body["access_token"] as? String)
            #expect(try jwtHeader(idToken)["alg"] as? String == "RS256")
            let claims = try jwtPayload(idToken)
            let client = try #require(idp.state.registry.client("budgetify"))
            #expect(claims["iss"] as? String == testIssuer)
            #expect(claims["sub"] as? String == "alice")
            #expect(claims["aud"] as? String == "budgetify")
            #expect(claims["azp"] as? String == "budgetify")
            #expect(claims["nonce"] as? String == "n-0S6_WzA2Mj")
            #expect(claims["at_hash"] as? String == Self.atHash(accessToken))
            let iat = try #require(claims["iat"] as? Int)
            let exp = try #require(claims["exp"] as? Int)
            let authTime = try #require(claims["auth_time"] as? Int)
            #expect(exp - iat == client.idTokenTTL)
            #expect(before <= authTime && authTime <= iat && iat <= after)
        }
    }

    @Test("an ID token without a nonce in the request has no nonce claim")
    func noNonce() async throws {
        try await withTestIdP { idp in
            let idToken = try #require(try await idp.tokens(scope: "openid")["id_token"] as? String)
            #expect(try jwtPayload(idToken)["nonce"] == nil)
        }
    }

    @Test("the ID token releases the claims of the granted scopes and no others")
    func idTokenScopeClaims() async throws {
        try await withTestIdP { idp in
            let idToken = try #require(try await idp.tokens(scope: "openid profile email")["id_token"] as? String)
            let claims = try jwtPayload(idToken)
            let alice = try #require(idp.state.registry.user(sub: "alice"))
            #expect(claims["name"] as? String == alice.claims["name"]?.stringValue)
            #expect(claims["given_name"] as? String == alice.claims["given_name"]?.stringValue)
            #expect(claims["email"] as? String == alice.claims["email"]?.stringValue)
            #expect(claims["email_verified"] as? Bool == true)
            for unrequested in ["phone_number", "phone_number_verified", "address", "accounts"] {
                #expect(claims[unrequested] == nil, "\(unrequested) was released without its scope")
            }
        }
    }

    @Test("the phone and transactions:read scopes release their claims")
    func moreScopeClaims() async throws {
        try await withTestIdP { idp in
            let idToken = try #require(try await idp.tokens(scope: "openid phone transactions:read")["id_token"] as? String)
            let claims = try jwtPayload(idToken)
            let alice = try #require(idp.state.registry.user(sub: "alice"))
            #expect(claims["phone_number"] as? String == alice.claims["phone_number"]?.stringValue)
            #expect((claims["accounts"] as? [String])?.count == 2)
            #expect(claims["name"] == nil)
            #expect(claims["email"] == nil)
        }
    }

    // MARK: Code lifecycle (RFC 6749 §4.1.2, §4.1.3)

    @Test("a code is single-use; a replay is invalid_grant and revokes the tokens it issued")
    func replay() async throws {
        try await withTestIdP { idp in
            let code = try await idp.code()
            let first = try await idp.redeem(code)
            #expect(first.status == .ok)
            let accessToken = try #require(try json(first)["access_token"] as? String)
            #expect(try await idp.userinfo(accessToken).status == .ok)

            try Self.expectError(try await idp.redeem(code), "invalid_grant")
            #expect(try await idp.userinfo(accessToken).status == .unauthorized)
        }
    }

    @Test("a replay does not touch tokens from other codes")
    func replayIsScoped() async throws {
        try await withTestIdP { idp in
            let other = try await idp.accessToken()
            let code = try await idp.code()
            #expect(try await idp.redeem(code).status == .ok)
            #expect(try await idp.redeem(code).status == .badRequest)
            #expect(try await idp.userinfo(other).status == .ok)
        }
    }

    @Test("an expired code is invalid_grant")
    func expiredCode() async throws {
        try await withTestIdP { idp in
            let code = try await idp.code()
            idp.state.clock.advance(by: IdPState.codeLifetime + 1)
            try Self.expectError(try await idp.redeem(code), "invalid_grant")
        }
    }

    @Test("an unknown code is invalid_grant")
    func unknownCode() async throws {
        try await withTestIdP { idp in
            try Self.expectError(try await idp.redeem("not-a-code"), "invalid_grant")
        }
    }

    @Test("a code issued to another client is invalid_grant")
    func codeForAnotherClient() async throws {
        try await withTestIdP { idp in
            let code = try await idp.code()
            let response = try await idp.post(
                "/token",
                form: [
                    ("grant_type", "authorization_code"), ("code", code), ("redirect_uri", Self.redirectURI),
                    ("client_id", "planner"), ("client_secret", "planner-secret"),
                ]
            )
            try Self.expectError(response, "invalid_grant")
        }
    }

    @Test("a redirect_uri that differs from the authorization request's is invalid_grant")
    func redirectURIMismatch() async throws {
        try await withTestIdP { idp in
            let code = try await idp.code()
            try Self.expectError(try await idp.redeem(code, redirectURI: "http://127.0.0.1:3000/callback"), "invalid_grant")
        }
    }

    @Test("a redirect_uri sent in the authorization request is required at the token endpoint")
    func redirectURIMissing() async throws {
        try await withTestIdP { idp in
            let code = try await idp.code()
            let response = try await idp.post(
                "/token", form: [("grant_type", "authorization_code"), ("code", code)], headers: [.authorization: basic("budgetify", "budgetify-secret")]
            )
            try Self.expectError(response, "invalid_grant")
        }
    }

    @Test("when the authorization request omitted redirect_uri, the token request may omit it or send the registered one")
    func omittedRedirectURI() async throws {
        try await withTestIdP { idp in
            for redirect in [nil, "http://localhost:4000/auth/callback"] as [String?] {
                let parameters = try await idp.authorize([("response_type", "code"), ("client_id", "planner"), ("scope", "openid")])
                let code = try #require(parameters["code"])
                var form = [("grant_type", "authorization_code"), ("code", code), ("client_id", "planner"), ("client_secret", "planner-secret")]
                if let redirect { form.append(("redirect_uri", redirect)) }
                #expect(try await idp.post("/token", form: form).status == .ok)
            }
            let parameters = try await idp.authorize([("response_type", "code"), ("client_id", "planner"), ("scope", "openid")])
            let code = try #require(parameters["code"])
            let response = try await idp.post(
                "/token",
                form: [
                    ("grant_type", "authorization_code"), ("code", code), ("client_id", "planner"), ("client_secret", "planner-secret"),
                    ("redirect_uri", "http://localhost:4000/other"),
                ]
            )
            try Self.expectError(response, "invalid_grant")
        }
    }

    // MARK: PKCE (RFC 7636 §4.6, RFC 9700 §2.1.1)

    @Test("a public client redeems with the S256 verifier and no secret")
    func pkceS256() async throws {
        try await withTestIdP { idp in
            let response = try await idp.publicClientTokens()
            #expect(response.status == .ok)
            #expect(try json(response)["access_token"] != nil)
        }
    }

    @Test("the plain method verifies the verifier against the challenge as is")
    func pkcePlain() async throws {
        try await withTestIdP { idp in
            let verifier = pkcePair().verifier
            let code = try await idp.code(extra: [("code_challenge", verifier), ("code_challenge_method", "plain")])
            #expect(try await idp.redeem(code, extra: [("code_verifier", verifier)]).status == .ok)
        }
    }

    @Test("a challenge without a method is plain (RFC 7636 §4.3)")
    func pkceDefaultPlain() async throws {
        try await withTestIdP { idp in
            let pair = pkcePair()
            let code = try await idp.code(extra: [("code_challenge", pair.verifier)])
            #expect(try await idp.redeem(code, extra: [("code_verifier", pair.verifier)]).status == .ok)
            let s256Code = try await idp.code(extra: [("code_challenge", pair.challenge)])
            try Self.expectError(try await idp.redeem(s256Code, extra: [("code_verifier", pair.verifier)]), "invalid_grant")
        }
    }

    @Test(
        "a wrong, malformed or missing code_verifier is invalid_grant",
        arguments: [.some("wrong"), .some("short"), nil] as [String?]
    )
    func pkceWrongVerifier(kind: String?) async throws {
        try await withTestIdP { idp in
            let pair = pkcePair()
            let code = try await idp.code(extra: [("code_challenge", pair.challenge), ("code_challenge_method", "S256")])
            let verifier: [(String, String)] =
                switch kind {
                case "wrong": [("code_verifier", pkcePair().verifier)]
                case "short": [("code_verifier", String(pair.verifier.prefix(42)))]
                default: []
                }
            try Self.expectError(try await idp.redeem(code, extra: verifier), "invalid_grant")
        }
    }

    @Test("a code_verifier sent when the authorization request had no challenge is invalid_grant")
    func pkceDowngrade() async throws {
        try await withTestIdP { idp in
            let code = try await idp.code()
            try Self.expectError(try await idp.redeem(code, extra: [("code_verifier", pkcePair().verifier)]), "invalid_grant")
        }
    }

    // MARK: Request errors

    @Test("a missing code is invalid_request")
    func missingCode() async throws {
        try await withTestIdP { idp in
            let response = try await idp.post(
                "/token", form: [("grant_type", "authorization_code"), ("redirect_uri", Self.redirectURI)],
                headers: [.authorization: basic("budgetify", "budgetify-secret")]
            )
            try Self.expectError(response, "invalid_request")
        }
    }

    @Test("a missing grant_type is invalid_request")
    func missingGrantType() async throws {
        try await withTestIdP { idp in
            let code = try await idp.code()
            let response = try await idp.post(
                "/token", form: [("code", code), ("redirect_uri", Self.redirectURI)], headers: [.authorization: basic("budgetify", "budgetify-secret")]
            )
            try Self.expectError(response, "invalid_request")
        }
    }

    @Test("an unknown grant_type is unsupported_grant_type", arguments: ["implicit", "authorization-code", "urn:example:custom"])
    func unknownGrantType(grantType: String) async throws {
        try await withTestIdP { idp in
            let code = try await idp.code()
            let response = try await idp.post(
                "/token", form: [("grant_type", grantType), ("code", code), ("redirect_uri", Self.redirectURI)],
                headers: [.authorization: basic("budgetify", "budgetify-secret")]
            )
            try Self.expectError(response, "unsupported_grant_type")
        }
    }

    @Test("a client not registered for the grant is unauthorized_client")
    func unauthorizedClient() async throws {
        try await withTestIdP { idp in
            let code = try await idp.code()
            let response = try await idp.post(
                "/token", form: [("grant_type", "authorization_code"), ("code", code), ("redirect_uri", Self.redirectURI)],
                headers: [.authorization: basic("reconciler", "reconciler-secret")]
            )
            try Self.expectError(response, "unauthorized_client")
        }
    }

    @Test("a parameter sent twice is invalid_request", arguments: ["code", "grant_type", "redirect_uri", "code_verifier"])
    func duplicatedParameter(name: String) async throws {
        try await withTestIdP { idp in
            let code = try await idp.code()
            var form = [("grant_type", "authorization_code"), ("code", code), ("redirect_uri", Self.redirectURI), ("code_verifier", pkcePair().verifier)]
            form.append(form.first { $0.0 == name }!)
            let response = try await idp.post("/token", form: form, headers: [.authorization: basic("budgetify", "budgetify-secret")])
            try Self.expectError(response, "invalid_request")
            #expect(try oauthError(response).description.contains(name))
        }
    }

    @Test("GET /token is 405 with Allow: POST")
    func getToken() async throws {
        try await withTestIdP { idp in
            let code = try await idp.code()
            let response = try await idp.get("/token", [("grant_type", "authorization_code"), ("code", code)])
            try Self.expectError(response, "invalid_request", status: .methodNotAllowed)
            #expect(response.headers[.allow] == "POST")
            // The code was not consumed by the refused GET.
            #expect(try await idp.redeem(code).status == .ok)
        }
    }
}
