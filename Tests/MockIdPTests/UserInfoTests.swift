import HTTPTypes
import HummingbirdTesting
import Testing

@testable import MockIdP

@Suite struct UserInfoTests {
    /// Asserts an RFC 6750 §3 bearer error: `status`, and a `WWW-Authenticate: Bearer` challenge naming `error`.
    static func expectBearerError(
        _ response: TestResponse, _ error: String, status: HTTPResponse.Status, sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        #expect(response.status == status, sourceLocation: sourceLocation)
        let challenge = try #require(response.headers[.wwwAuthenticate], sourceLocation: sourceLocation)
        #expect(challenge.hasPrefix(#"Bearer realm="mock-idp""#), sourceLocation: sourceLocation)
        #expect(challenge.contains(#"error="\#(error)""#), "\(challenge)", sourceLocation: sourceLocation)
        #expect(try oauthError(response).error == error, sourceLocation: sourceLocation)
    }

    @Test("GET with a bearer token returns sub and the claims of the granted scopes")
    func getClaims() async throws {
        try await withTestIdP { idp in
            let token = try await idp.accessToken(scope: "openid profile email")
            let response = try await idp.userinfo(token)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType]?.hasPrefix("application/json") == true)
            #expect(response.headers[.cacheControl] == "no-store")
            let claims = try json(response)
            let alice = try #require(idp.state.registry.user(sub: "alice"))
            #expect(claims["sub"] as? String == "alice")
            #expect(claims["name"] as? String == alice.claims["name"]?.stringValue)
            #expect(claims["email"] as? String == alice.claims["email"]?.stringValue)
            for unrequested in ["phone_number", "address", "accounts"] {
                #expect(claims[unrequested] == nil, "\(unrequested) was released without its scope")
            }
            for tokenClaim in ["iss", "aud", "exp", "iat"] {
                #expect(claims[tokenClaim] == nil)
            }
        }
    }

    @Test("POST with access_token in the form returns the same claims")
    func postClaims() async throws {
        try await withTestIdP { idp in
            let token = try await idp.accessToken(scope: "openid phone")
            let response = try await idp.post("/userinfo", form: [("access_token", token)])
            #expect(response.status == .ok)
            let claims = try json(response)
            #expect(claims["sub"] as? String == "alice")
            #expect(claims["phone_number"] as? String == idp.state.registry.user(sub: "alice")?.claims["phone_number"]?.stringValue)
            #expect(claims["name"] == nil)
        }
    }

    @Test("the claims follow the user the token was issued for")
    func otherUser() async throws {
        try await withTestIdP { idp in
            let token = try await idp.accessToken(scope: "openid profile", extra: [("login_hint", "bob")])
            let claims = try json(try await idp.userinfo(token))
            #expect(claims["sub"] as? String == "bob")
            #expect(claims["name"] as? String == idp.state.registry.user(sub: "bob")?.claims["name"]?.stringValue)
        }
    }

    @Test("no token at all is 401 with a bare Bearer challenge (RFC 6750 §3.1)")
    func missingToken() async throws {
        try await withTestIdP { idp in
            for response in [try await idp.get("/userinfo"), try await idp.post("/userinfo", form: [])] {
                #expect(response.status == .unauthorized)
                #expect(response.headers[.wwwAuthenticate] == #"Bearer realm="mock-idp""#)
                #expect(!text(response).contains("error"), "RFC 6750 §3.1: no error information without authentication")
            }
        }
    }

    @Test("an unknown token is 401 invalid_token", arguments: ["garbage", "eyJhbGciOiJub25lIn0.eyJzdWIiOiJhbGljZSJ9."])
    func garbageToken(token: String) async throws {
        try await withTestIdP { idp in
            try Self.expectBearerError(try await idp.userinfo(token), "invalid_token", status: .unauthorized)
        }
    }

    @Test("an ID token is not an access token")
    func idTokenRefused() async throws {
        try await withTestIdP { idp in
            let idToken = try #require(try await idp.tokens(scope: "openid")["id_token"] as? String)
            try Self.expectBearerError(try await idp.userinfo(idToken), "invalid_token", status: .unauthorized)
        }
    }

    @Test("an expired access token is 401 invalid_token")
    func expiredToken() async throws {
        try await withTestIdP { idp in
            let token = try await idp.accessToken()
            #expect(try await idp.userinfo(token).status == .ok)
            let ttl = try #require(idp.state.registry.client("budgetify")?.accessTokenTTL)
            idp.state.clock.advance(by: ttl + 1)
            try Self.expectBearerError(try await idp.userinfo(token), "invalid_token", status: .unauthorized)
        }
    }

    @Test("a revoked access token (its code was replayed) is 401 invalid_token")
    func revokedToken() async throws {
        try await withTestIdP { idp in
            let code = try await idp.code()
            let token = try #require(try json(try await idp.redeem(code))["access_token"] as? String)
            #expect(try await idp.redeem(code).status == .badRequest)
            try Self.expectBearerError(try await idp.userinfo(token), "invalid_token", status: .unauthorized)
        }
    }

    @Test("a token in both the header and the body is 400 invalid_request (RFC 6750 §2)")
    func tokenTwice() async throws {
        try await withTestIdP { idp in
            let token = try await idp.accessToken()
            let response = try await idp.post("/userinfo", form: [("access_token", token)], headers: [.authorization: "Bearer \(token)"])
            try Self.expectBearerError(response, "invalid_request", status: .badRequest)
        }
    }

    @Test("access_token sent twice in the body is 400 invalid_request")
    func tokenDuplicatedInBody() async throws {
        try await withTestIdP { idp in
            let token = try await idp.accessToken()
            let response = try await idp.post("/userinfo", form: [("access_token", token), ("access_token", token)])
            #expect(response.status == .badRequest)
            #expect(try oauthError(response).error == "invalid_request")
        }
    }

    @Test("an Authorization header that is not Bearer is 400 invalid_request", arguments: ["Basic YTpi", "Bearer", "Bearer ", "Bearer   ", "   ", "token"])
    func malformedHeader(header: String) async throws {
        try await withTestIdP { idp in
            try Self.expectBearerError(try await idp.get("/userinfo", headers: [.authorization: header]), "invalid_request", status: .badRequest)
        }
    }

    @Test("an access token without the openid scope is 403 insufficient_scope")
    func withoutOpenID() async throws {
        try await withTestIdP { idp in
            let token = try await idp.accessToken(scope: "profile email")
            try Self.expectBearerError(try await idp.userinfo(token), "insufficient_scope", status: .forbidden)
        }
    }
}
