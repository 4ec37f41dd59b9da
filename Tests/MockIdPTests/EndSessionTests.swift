import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@testable import MockIdP

@Suite struct EndSessionTests {
    @Test("with id_token_hint and a registered post_logout_redirect_uri, logout redirects there with state echoed")
    func redirectsToRegisteredURI() async throws {
        try await withTestIdP { idp in
            let idToken = try #require(try await idp.codeFlowTokens(scope: "openid")["id_token"] as? String)

            let response = try await idp.endSession([
                ("id_token_hint", idToken), ("post_logout_redirect_uri", "http://localhost:3000/"), ("state", "af0 ifj&sld"),
            ])
            #expect(response.status == .found)
            #expect(response.headers[.location] == "http://localhost:3000/?state=af0%20ifj%26sld")
        }
    }

    @Test("with client_id instead of id_token_hint, logout still redirects to a registered URI")
    func redirectsWithClientID() async throws {
        try await withTestIdP { idp in
            let response = try await idp.endSession([("client_id", "budgetify"), ("post_logout_redirect_uri", "http://127.0.0.1:3000/")])
            #expect(response.status == .found)
            #expect(response.headers[.location] == "http://127.0.0.1:3000/")
        }
    }

    @Test("an unregistered post_logout_redirect_uri gets the signed-out page and no redirect")
    func unregisteredURI() async throws {
        try await withTestIdP { idp in
            let idToken = try #require(try await idp.codeFlowTokens(scope: "openid")["id_token"] as? String)

            let response = try await idp.endSession([("id_token_hint", idToken), ("post_logout_redirect_uri", "https://attacker.example/")])
            #expect(response.status == .ok)
            #expect(response.headers[.location] == nil)
            #expect(response.headers[.contentType]?.hasPrefix("text/html") == true)
            #expect(bodyText(response).contains("Signed out"))
        }
    }

    @Test("an expired id_token_hint is still accepted")
    func expiredHint() async throws {
        try await withTestIdP { idp in
            let idToken = try #require(try await idp.codeFlowTokens(scope: "openid")["id_token"] as? String)
            idp.state.clock.advance(by: 3601)

            let response = try await idp.endSession([("id_token_hint", idToken), ("post_logout_redirect_uri", "http://localhost:3000/")])
            #expect(response.status == .found)
            #expect(response.headers[.location] == "http://localhost:3000/")
        }
    }

    @Test("an id_token_hint with a forged payload is refused with a 400 page")
    func forgedHint() async throws {
        try await withTestIdP { idp in
            let idToken = try #require(try await idp.codeFlowTokens(scope: "openid")["id_token"] as? String)
            let parts = idToken.split(separator: ".").map(String.init)
            try #require(parts.count == 3)
            let payloadData = try #require(parts[1].base64URLDecoded)
            let payload = try #require(String(data: payloadData, encoding: .utf8))
            let forgedPayload = Array(payload.replacing(#""sub":"alice""#, with: #""sub":"bob""#).utf8).base64URLEncoded
            try #require(forgedPayload != parts[1])
            let forged = [parts[0], forgedPayload, parts[2]].joined(separator: ".")

            let response = try await idp.endSession([("id_token_hint", forged), ("post_logout_redirect_uri", "http://localhost:3000/")])
            #expect(response.status == .badRequest)
            #expect(response.headers[.location] == nil)
            #expect(response.headers[.contentType]?.hasPrefix("text/html") == true)
        }
    }

    @Test("a garbage id_token_hint is refused with a 400 page")
    func garbageHint() async throws {
        try await withTestIdP { idp in
            let response = try await idp.endSession([("id_token_hint", "garbage"), ("post_logout_redirect_uri", "http://localhost:3000/")])
            #expect(response.status == .badRequest)
            #expect(response.headers[.location] == nil)
            #expect(response.headers[.contentType]?.hasPrefix("text/html") == true)
        }
    }

    @Test("an access token sent as id_token_hint is refused with a 400 page and ends no session")
    func accessTokenAsHint() async throws {
        try await withTestIdP { idp in
            let access = try #require(try await idp.codeFlowTokens(scope: "openid")["access_token"] as? String)

            // RP-Initiated Logout §2: id_token_hint is an "ID Token previously issued by the OP"; RFC 9068 §2.1 types
            // access tokens at+jwt precisely so that they are not accepted where an ID token is expected.
            let response = try await idp.endSession([("id_token_hint", access)])
            #expect(response.status == .badRequest)
            #expect(try await idp.userInfoStatus(access) == .ok)
        }
    }

    @Test("a client_id that is not the hint's audience is refused with a 400 page")
    func clientIDMismatch() async throws {
        try await withTestIdP { idp in
            let idToken = try #require(try await idp.codeFlowTokens(scope: "openid")["id_token"] as? String)

            let response = try await idp.endSession([
                ("id_token_hint", idToken), ("client_id", "planner"), ("post_logout_redirect_uri", "http://localhost:4000/"),
            ])
            #expect(response.status == .badRequest)
            #expect(response.headers[.location] == nil)
        }
    }

    @Test("logout ends the session: its tokens are revoked, and the next sign-in gets a new auth_time and sid")
    func endsSession() async throws {
        try await withTestIdP { idp in
            let tokens = try await idp.codeFlowTokens(scope: "openid profile")
            let access = try #require(tokens["access_token"] as? String)
            let refresh = try #require(tokens["refresh_token"] as? String)
            let idToken = try #require(tokens["id_token"] as? String)
            let before = try jwtPayload(idToken)
            let authTime = try #require(before["auth_time"] as? Int)
            #expect(try await idp.userInfoStatus(access) == .ok)
            idp.state.clock.advance(by: 30)

            let response = try await idp.endSession([("id_token_hint", idToken)])
            #expect(response.status == .ok)

            #expect(try await idp.userInfoStatus(access) == .unauthorized)
            try expectInactive(try await idp.introspect(access))
            #expect(try errorCode(try await idp.refresh(refresh)) == "invalid_grant")

            let after = try jwtPayload(try #require(try await idp.codeFlowTokens(scope: "openid")["id_token"] as? String))
            #expect(try #require(after["auth_time"] as? Int) >= authTime + 30)
            #expect(after["sid"] as? String != before["sid"] as? String)
        }
    }

    @Test("an authorization code issued in the ended session can no longer be redeemed")
    func endsSessionCodes() async throws {
        try await withTestIdP { idp in
            let idToken = try #require(try await idp.codeFlowTokens(scope: "openid")["id_token"] as? String)
            let code = try await idp.code(scope: "openid")

            #expect(try await idp.endSession([("id_token_hint", idToken)]).status == .ok)

            let response = try await idp.redeem(code)
            #expect(response.status == .badRequest)
            #expect(try errorCode(response) == "invalid_grant")
        }
    }

    @Test("logout_hint by username ends that user's session only")
    func logoutHint() async throws {
        try await withTestIdP { idp in
            let carol = try #require(try await idp.codeFlowTokens(scope: "openid", extra: [("login_hint", "carol")])["access_token"] as? String)
            let alice = try #require(try await idp.codeFlowTokens(scope: "openid")["access_token"] as? String)

            let response = try await idp.endSession([("logout_hint", "carol")])
            #expect(response.status == .ok)

            #expect(try await idp.userInfoStatus(carol) == .unauthorized)
            #expect(try await idp.userInfoStatus(alice) == .ok)
        }
    }

    @Test("post_logout_redirect_uri without client_id or id_token_hint does not redirect")
    func redirectNeedsClient() async throws {
        try await withTestIdP { idp in
            let response = try await idp.endSession([("post_logout_redirect_uri", "http://localhost:3000/"), ("state", "s1")])
            #expect(response.status == .ok)
            #expect(response.headers[.location] == nil)
            #expect(response.headers[.contentType]?.hasPrefix("text/html") == true)
        }
    }
}
