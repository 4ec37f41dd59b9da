import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@testable import MockIdP

@Suite struct DebugTokensTests {
    @Test("a minted token response has the token endpoint's shape: Bearer, expires_in, scope, access, ID and refresh tokens")
    func response() async throws {
        try await withTestIdP { idp in
            let response = try await idp.postJSON("/debug/tokens", #"{"client_id": "budgetify", "sub": "alice", "scope": "openid transactions:read"}"#)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType]?.hasPrefix("application/json") == true)
            #expect(response.headers[.cacheControl] == "no-store")
            let body = try json(response)
            #expect(body["token_type"] as? String == "Bearer")
            #expect(body["expires_in"] as? Int == 3600)
            #expect(body["scope"] as? String == "openid transactions:read")
            #expect(body["access_token"] is String)
            #expect(body["id_token"] is String)
            #expect(body["refresh_token"] is String)
        }
    }

    @Test("the minted access token is an at+jwt with iss, sub, aud, client_id, scope, exp, iat and jti")
    func accessTokenClaims() async throws {
        try await withTestIdP { idp in
            let body = try await idp.mint(#"{"client_id": "budgetify", "sub": "alice", "scope": "openid transactions:read"}"#)
            let accessToken = try #require(body["access_token"] as? String)

            #expect(try jwtHeader(accessToken)["typ"] as? String == "at+jwt")
            let claims = try jwtPayload(accessToken)
            #expect(claims["iss"] as? String == testIssuer)
            #expect(claims["sub"] as? String == "alice")
            #expect(claims["aud"] as? String == "https://api.alpha-bank.example")
            #expect(claims["client_id"] as? String == "budgetify")
            #expect(claims["scope"] as? String == "openid transactions:read")
            let iat = try #require(claims["iat"] as? Int)
            #expect(claims["exp"] as? Int == iat + 3600)
            #expect((claims["jti"] as? String)?.isEmpty == false)
        }
    }

    @Test("minted tokens carry exactly the claims and headers of tokens from a code flow for the same scope")
    func sameAsTokenEndpoint() async throws {
        try await withTestIdP { idp in
            let flow = try await idp.codeFlowTokens(scope: "openid profile email")
            let minted = try await idp.mint(#"{"client_id": "budgetify", "sub": "alice", "scope": "openid profile email"}"#)

            #expect(Set(minted.keys) == Set(flow.keys))
            for kind in ["access_token", "id_token"] {
                let mintedToken = try #require(minted[kind] as? String)
                let flowToken = try #require(flow[kind] as? String)
                let mintedHeader = try jwtHeader(mintedToken)
                let flowHeader = try jwtHeader(flowToken)
                #expect(Set(mintedHeader.keys) == Set(flowHeader.keys), "\(kind)")
                for name in ["typ", "alg", "kid"] {
                    #expect(mintedHeader[name] as? String == flowHeader[name] as? String, "\(kind) header \(name)")
                }
                let mintedClaims = try jwtPayload(mintedToken)
                let flowClaims = try jwtPayload(flowToken)
                #expect(Set(mintedClaims.keys) == Set(flowClaims.keys), "\(kind)")
                for name in ["iss", "sub", "client_id", "scope", "azp", "name", "email"] {
                    #expect(mintedClaims[name] as? String == flowClaims[name] as? String, "\(kind) claim \(name)")
                }
                #expect(mintedClaims["aud"] as? String == flowClaims["aud"] as? String, "\(kind) aud")
            }
        }
    }

    @Test("minted tokens introspect as active, pass userinfo, and are listed in /debug")
    func usable() async throws {
        try await withTestIdP { idp in
            let body = try await idp.mint(#"{"client_id": "budgetify", "sub": "alice", "scope": "openid email"}"#)
            let accessToken = try #require(body["access_token"] as? String)
            let refreshToken = try #require(body["refresh_token"] as? String)

            let introspection = try json(try await idp.introspect(accessToken))
            #expect(introspection["active"] as? Bool == true)
            #expect(introspection["sub"] as? String == "alice")
            #expect(introspection["client_id"] as? String == "budgetify")
            #expect(try json(try await idp.introspect(refreshToken))["active"] as? Bool == true)

            let userinfo = try await idp.userinfo(accessToken)
            #expect(userinfo.status == .ok)
            let claims = try json(userinfo)
            #expect(claims["sub"] as? String == "alice")
            #expect(claims["email"] as? String == "alice@alpha-bank.example")

            #expect(try await idp.issuedToken(accessToken)["status"] as? String == "active")
            // The minted refresh token refreshes like any other.
            #expect(try await idp.refresh(refreshToken).status == .ok)
        }
    }

    @Test("without scope, the token gets every scope the client may have")
    func defaultScope() async throws {
        try await withTestIdP { idp in
            let body = try await idp.mint(#"{"client_id": "budgetify-spa", "sub": "alice"}"#)
            #expect(body["scope"] as? String == "openid profile email offline_access transactions:read")
        }
    }

    @Test("the ID token is issued for the user with openid; without openid there is none")
    func idToken() async throws {
        try await withTestIdP { idp in
            let withOpenID = try await idp.mint(#"{"client_id": "budgetify", "sub": "bob", "scope": "openid profile"}"#)
            let idToken = try #require(withOpenID["id_token"] as? String)
            let claims = try jwtPayload(idToken)
            #expect(claims["sub"] as? String == "bob")
            #expect(claims["aud"] as? String == "budgetify")
            #expect(claims["name"] as? String == "Bob Brown")
            #expect(try jwtHeader(idToken)["typ"] as? String == "JWT")

            let withoutOpenID = try await idp.mint(#"{"client_id": "budgetify", "sub": "bob", "scope": "transactions:read"}"#)
            #expect(withoutOpenID["id_token"] == nil)
            #expect(withoutOpenID["access_token"] is String)
        }
    }

    @Test("a refresh token only when the client lists the refresh_token grant and a sub is given")
    func refreshTokenRule() async throws {
        try await withTestIdP { idp in
            // reconciler lists only client_credentials.
            let reconciler = try await idp.mint(#"{"client_id": "reconciler", "sub": "alice", "scope": "transactions:read"}"#)
            #expect(reconciler["refresh_token"] == nil)
            #expect(reconciler["access_token"] is String)

            let budgetify = try await idp.mint(#"{"client_id": "budgetify", "sub": "alice", "scope": "transactions:read"}"#)
            #expect(budgetify["refresh_token"] is String)
        }
    }

    @Test("extra claims go into the access token, id_token_claims into the ID token, and they may override")
    func extraClaims() async throws {
        try await withTestIdP { idp in
            let body = try await idp.mint(
                #"""
                {"client_id": "budgetify", "sub": "alice", "scope": "openid email",
                 "claims": {"roles": ["admin", "auditor"], "tenant": "alpha", "scope": "openid email admin:all"},
                 "id_token_claims": {"acr": "urn:mace:incommon:iap:silver", "email": "alias@example.com"}}
                """#
            )
            let access = try jwtPayload(try #require(body["access_token"] as? String))
            #expect(access["roles"] as? [String] == ["admin", "auditor"])
            #expect(access["tenant"] as? String == "alpha")
            #expect(access["scope"] as? String == "openid email admin:all")
            #expect(access["acr"] == nil)

            let id = try jwtPayload(try #require(body["id_token"] as? String))
            #expect(id["acr"] as? String == "urn:mace:incommon:iap:silver")
            #expect(id["email"] as? String == "alias@example.com")
            #expect(id["roles"] == nil)
            #expect(id["sub"] as? String == "alice")
        }
    }

    @Test("expires_in sets the response's expires_in, the token's exp, and its expiry in /debug and at userinfo")
    func expiresIn() async throws {
        try await withTestIdP { idp in
            let body = try await idp.mint(#"{"client_id": "budgetify", "sub": "alice", "scope": "openid", "expires_in": 120}"#)
            #expect(body["expires_in"] as? Int == 120)
            let accessToken = try #require(body["access_token"] as? String)
            let claims = try jwtPayload(accessToken)
            #expect(try #require(claims["exp"] as? Int) - #require(claims["iat"] as? Int) == 120)
            let listed = try await idp.issuedToken(accessToken)
            #expect(try #require(listed["expires_at"] as? Int) - #require(listed["issued_at"] as? Int) == 120)

            try await idp.advanceClock(by: 120)
            #expect(try await idp.userInfoStatus(accessToken) == .unauthorized)
        }
    }

    @Test("audience as a string sets aud to that string; as an array, to the array")
    func audience() async throws {
        try await withTestIdP { idp in
            let single = try await idp.mint(#"{"client_id": "budgetify", "sub": "alice", "audience": "https://ledger.example"}"#)
            let singleAccess = try #require(single["access_token"] as? String)
            #expect(try jwtPayload(singleAccess)["aud"] as? String == "https://ledger.example")
            #expect(try json(try await idp.introspect(singleAccess))["aud"] as? String == "https://ledger.example")

            let several = try await idp.mint(
                #"{"client_id": "budgetify", "sub": "alice", "audience": ["https://ledger.example", "https://payments.example"]}"#
            )
            let severalAccess = try #require(several["access_token"] as? String)
            #expect(try jwtPayload(severalAccess)["aud"] as? [String] == ["https://ledger.example", "https://payments.example"])
            // The ID token's audience stays the client.
            #expect(try jwtPayload(try #require(several["id_token"] as? String))["aud"] as? String == "budgetify")
        }
    }

    @Test("sub may be a username: carol mints tokens for sub 7d0b2f9e-carol")
    func subByUsername() async throws {
        try await withTestIdP { idp in
            let body = try await idp.mint(#"{"client_id": "budgetify", "sub": "carol", "scope": "openid"}"#)
            #expect(try jwtPayload(try #require(body["access_token"] as? String))["sub"] as? String == "7d0b2f9e-carol")
            #expect(try jwtPayload(try #require(body["id_token"] as? String))["sub"] as? String == "7d0b2f9e-carol")
        }
    }

    @Test("without sub, the token is the client's own: sub is the client_id, no ID token, no refresh token, sub null in /debug")
    func withoutSub() async throws {
        try await withTestIdP { idp in
            let body = try await idp.mint(#"{"client_id": "budgetify", "scope": "openid transactions:read"}"#)
            let accessToken = try #require(body["access_token"] as? String)
            #expect(body["id_token"] == nil)
            #expect(body["refresh_token"] == nil)
            let claims = try jwtPayload(accessToken)
            #expect(claims["sub"] as? String == "budgetify")
            #expect(claims["client_id"] as? String == "budgetify")

            let introspection = try json(try await idp.introspect(accessToken))
            #expect(introspection["active"] as? Bool == true)
            #expect(introspection["username"] == nil)
            // Userinfo serves users, not clients.
            #expect(try await idp.userInfoStatus(accessToken) == .unauthorized)

            let listed = try await idp.issuedTokens()
            #expect(listed.count == 1)
            #expect(listed.first.map { isNull($0, "sub") } == true, "\(listed)")
        }
    }

    // MARK: Errors

    @Test(
        "a bad POST /debug/tokens body is a 400 invalid_request, and nothing is minted",
        arguments: [
            #"{"sub": "alice"}"#,
            #"{}"#,
            #"{"client_id": "nobody"}"#,
            #"{"client_id": "budgetify", "sub": "zoe"}"#,
            #"{"client_id": "budgetify", "sub": "alice", "expires_in": 0}"#,
            #"{"client_id": "budgetify", "sub": "alice", "expires_in": -60}"#,
            #"{"client_id": "budgetify", "sub": "alice", "expires_in": "60"}"#,
            #"{"client_id": "budgetify", "sub": "alice", "expires_in": 1.5}"#,
            #"{"client_id": 42}"#,
            #"{"client_id": "budgetify", "sub": ["alice"]}"#,
            #"{"client_id": "budgetify", "scope": ["openid"]}"#,
            #"{"client_id": "budgetify", "claims": "admin"}"#,
            #"{"client_id": "budgetify", "id_token_claims": ["acr"]}"#,
            #"{"client_id": "budgetify", "audience": 5}"#,
            #"{"client_id": "budgetify", "audience": []}"#,
            #"{"client_id": "budgetify", "audience": ["https://a.example", 5]}"#,
            #"{"client_id": "budgetify", "roles": ["admin"]}"#,
            #"{"client_id": "budgetify""#,
            #"["budgetify"]"#,
        ]
    )
    func badBody(body: String) async throws {
        try await withTestIdP { idp in
            let response = try await idp.postJSON("/debug/tokens", body)
            try expectDebugError(response)
            #expect(try await idp.issuedTokens().isEmpty)
        }
    }

    @Test("a scope the client may not have, or an undefined one, is a 400 invalid_scope", arguments: ["openid calendar.read", "openid admin"])
    func disallowedScope(scope: String) async throws {
        try await withTestIdP { idp in
            let response = try await idp.postJSON("/debug/tokens", #"{"client_id": "budgetify", "sub": "alice", "scope": "\#(scope)"}"#)
            try expectDebugError(response, "invalid_scope")
            #expect(try await idp.issuedTokens().isEmpty)
        }
    }

    @Test("the 400 messages name the problem")
    func messages() async throws {
        try await withTestIdP { idp in
            let missing = try expectDebugError(try await idp.postJSON("/debug/tokens", #"{"sub": "alice"}"#))
            #expect(missing.contains("client_id"))
            let unknownClient = try expectDebugError(try await idp.postJSON("/debug/tokens", #"{"client_id": "nobody"}"#))
            #expect(unknownClient.contains("nobody"))
            let unknownSub = try expectDebugError(try await idp.postJSON("/debug/tokens", #"{"client_id": "budgetify", "sub": "zoe"}"#))
            #expect(unknownSub.contains("zoe"))
            let unknownField = try expectDebugError(try await idp.postJSON("/debug/tokens", #"{"client_id": "budgetify", "roles": []}"#))
            #expect(unknownField.contains("roles"))
            let wrongType = try expectDebugError(try await idp.postJSON("/debug/tokens", #"{"client_id": "budgetify", "claims": "admin"}"#))
            #expect(wrongType.contains("claims"))
            let lifetime = try expectDebugError(try await idp.postJSON("/debug/tokens", #"{"client_id": "budgetify", "expires_in": 0}"#))
            #expect(lifetime.contains("expires_in"))
        }
    }
}
