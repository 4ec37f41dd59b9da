import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@testable import MockIdP

@Suite struct DebugNextTests {
    /// Scripts `body` through POST /debug/next, requiring a 201.
    static func script(_ idp: TestIdP, _ body: String) async throws -> [String: Any] {
        let response = try await idp.postJSON("/debug/next", body)
        try #require(response.status == .created, "POST /debug/next failed: \(bodyText(response))")
        return try json(response)
    }

    // MARK: Scripted errors

    @Test("a scripted error answers the next token request instead, and the code it carried still redeems afterwards")
    func scriptedError() async throws {
        try await withTestIdP { idp in
            let scripted = try await Self.script(idp, #"{"error": "invalid_grant", "error_description": "session revoked"}"#)
            #expect(scripted["pending"] as? Int == 1)
            let code = try await idp.code()

            let failed = try await idp.redeem(code)
            #expect(failed.status == .badRequest)
            #expect(failed.headers[.contentType]?.hasPrefix("application/json") == true)
            #expect(failed.headers[.cacheControl] == "no-store")
            let error = try oauthError(failed)
            #expect(error.error == "invalid_grant")
            #expect(error.description == "session revoked")
            #expect(try await idp.pendingScripts() == 0)

            // One-shot: the same request now succeeds, with the same code.
            let retried = try await idp.redeem(code)
            #expect(retried.status == .ok, "\(bodyText(retried))")
            #expect(try json(retried)["access_token"] is String)
        }
    }

    @Test("a scripted error may carry a 5xx status: 503 temporarily_unavailable")
    func serviceUnavailable() async throws {
        try await withTestIdP { idp in
            _ = try await Self.script(idp, #"{"error": "temporarily_unavailable", "status": 503}"#)

            let response = try await idp.tokenRequest("client_credentials", as: .reconciler)
            #expect(response.status == .serviceUnavailable)
            let error = try oauthError(response)
            #expect(error.error == "temporarily_unavailable")
            #expect(!error.description.isEmpty)

            #expect(try await idp.tokenRequest("client_credentials", as: .reconciler).status == .ok)
        }
    }

    @Test("a scripted 401 carries a WWW-Authenticate challenge (RFC 6749 §5.2)")
    func unauthorized() async throws {
        try await withTestIdP { idp in
            _ = try await Self.script(idp, #"{"error": "invalid_client", "error_description": "secret rotated", "status": 401}"#)

            let response = try await idp.tokenRequest("client_credentials", as: .reconciler)
            #expect(response.status == .unauthorized)
            #expect(response.headers[.wwwAuthenticate]?.isEmpty == false)
            #expect(try oauthError(response) == ("invalid_client", "secret rotated"))
        }
    }

    @Test("a scripted error without status is a 400")
    func defaultStatus() async throws {
        try await withTestIdP { idp in
            _ = try await Self.script(idp, #"{"error": "invalid_grant"}"#)

            let response = try await idp.tokenRequest("client_credentials", as: .reconciler)
            #expect(response.status == .badRequest)
            #expect(try errorCode(response) == "invalid_grant")
        }
    }

    @Test("scripted responses are queued and answer in order")
    func queuedInOrder() async throws {
        try await withTestIdP { idp in
            #expect(try await Self.script(idp, #"{"error": "invalid_grant", "error_description": "first"}"#)["pending"] as? Int == 1)
            #expect(try await Self.script(idp, #"{"error": "temporarily_unavailable", "status": 503}"#)["pending"] as? Int == 2)
            #expect(try await Self.script(idp, #"{"claims": {"tenant": "alpha"}}"#)["pending"] as? Int == 3)
            #expect(try await idp.pendingScripts() == 3)

            let first = try await idp.tokenRequest("client_credentials", as: .reconciler)
            #expect(first.status == .badRequest)
            #expect(try oauthError(first).description == "first")
            let second = try await idp.tokenRequest("client_credentials", as: .reconciler)
            #expect(second.status == .serviceUnavailable)
            let third = try await idp.tokenRequest("client_credentials", as: .reconciler)
            #expect(third.status == .ok)
            #expect(try jwtPayload(try #require(try json(third)["access_token"] as? String))["tenant"] as? String == "alpha")
            let fourth = try await idp.tokenRequest("client_credentials", as: .reconciler)
            #expect(fourth.status == .ok)
            #expect(try jwtPayload(try #require(try json(fourth)["access_token"] as? String))["tenant"] == nil)
            #expect(try await idp.pendingScripts() == 0)
        }
    }

    // MARK: Matching

    @Test("a script for one client leaves another client's request untouched and stays pending")
    func matchesClient() async throws {
        try await withTestIdP { idp in
            _ = try await Self.script(idp, #"{"client_id": "reconciler", "error": "invalid_client", "status": 401}"#)

            let other = try await idp.tokenRequest("client_credentials", as: .budgetify)
            #expect(other.status == .ok)
            #expect(try await idp.pendingScripts() == 1)

            let matched = try await idp.tokenRequest("client_credentials", as: .reconciler)
            #expect(matched.status == .unauthorized)
            #expect(try await idp.pendingScripts() == 0)
        }
    }

    @Test("a script for one grant type leaves other grants untouched and answers the matching one")
    func matchesGrantType() async throws {
        try await withTestIdP { idp in
            _ = try await Self.script(
                idp, #"{"client_id": "budgetify", "grant_type": "refresh_token", "error": "invalid_grant", "error_description": "session revoked"}"#
            )

            let issued = try await idp.codeFlowTokens()
            let refreshToken = try #require(issued["refresh_token"] as? String)
            #expect(try await idp.tokenRequest("client_credentials").status == .ok)
            #expect(try await idp.pendingScripts() == 1)

            let refreshed = try await idp.refresh(refreshToken)
            #expect(refreshed.status == .badRequest)
            #expect(try oauthError(refreshed) == ("invalid_grant", "session revoked"))
            #expect(try await idp.pendingScripts() == 0)
            // The refresh token was not consumed by the scripted failure.
            #expect(try await idp.refresh(refreshToken).status == .ok)
        }
    }

    @Test("a matching script is taken before an earlier non-matching one, which stays queued")
    func skipsNonMatching() async throws {
        try await withTestIdP { idp in
            _ = try await Self.script(idp, #"{"grant_type": "password", "error": "invalid_grant", "error_description": "for password"}"#)
            _ = try await Self.script(idp, #"{"grant_type": "client_credentials", "error": "invalid_scope", "error_description": "for cc"}"#)

            let response = try await idp.tokenRequest("client_credentials", as: .reconciler)
            #expect(try oauthError(response) == ("invalid_scope", "for cc"))
            #expect(try await idp.pendingScripts() == 1)

            let password = try await idp.passwordGrant(username: "alice", password: "alice-password")
            #expect(try oauthError(password) == ("invalid_grant", "for password"))
        }
    }

    // MARK: Claims

    @Test("claims go into both the access token and the ID token of the next issuance, once")
    func claimsInBothTokens() async throws {
        try await withTestIdP { idp in
            _ = try await Self.script(idp, #"{"claims": {"tenant": "alpha", "roles": ["admin"]}}"#)

            let issued = try await idp.codeFlowTokens(scope: "openid profile")
            let access = try jwtPayload(try #require(issued["access_token"] as? String))
            let id = try jwtPayload(try #require(issued["id_token"] as? String))
            #expect(access["tenant"] as? String == "alpha")
            #expect(access["roles"] as? [String] == ["admin"])
            #expect(id["tenant"] as? String == "alpha")
            #expect(id["roles"] as? [String] == ["admin"])

            let next = try await idp.codeFlowTokens(scope: "openid profile")
            // The next access token has alice's own access_token_claims again, not the scripted ones.
            let nextAccess = try jwtPayload(try #require(next["access_token"] as? String))
            #expect(nextAccess["tenant"] as? String == "alpha-bank")
            #expect(nextAccess["roles"] as? [String] == ["customer"])
            #expect(try jwtPayload(try #require(next["id_token"] as? String))["tenant"] == nil)
        }
    }

    @Test("access_token_claims and id_token_claims go into their own token only")
    func claimsPerToken() async throws {
        try await withTestIdP { idp in
            _ = try await Self.script(idp, #"{"access_token_claims": {"roles": ["admin"]}, "id_token_claims": {"acr": "mfa"}}"#)

            let issued = try await idp.codeFlowTokens(scope: "openid profile")
            let access = try jwtPayload(try #require(issued["access_token"] as? String))
            let id = try jwtPayload(try #require(issued["id_token"] as? String))
            #expect(access["roles"] as? [String] == ["admin"])
            #expect(access["acr"] == nil)
            #expect(id["acr"] as? String == "mfa")
            #expect(id["roles"] == nil)
        }
    }

    @Test("scripted claims override issued ones, and a token-specific claim overrides the shared one")
    func claimsOverride() async throws {
        try await withTestIdP { idp in
            _ = try await Self.script(
                idp,
                #"""
                {"claims": {"tenant": "alpha", "name": "Scripted Name"},
                 "id_token_claims": {"tenant": "beta"},
                 "access_token_claims": {"scope": "openid profile admin"}}
                """#
            )

            let issued = try await idp.codeFlowTokens(scope: "openid profile")
            let access = try jwtPayload(try #require(issued["access_token"] as? String))
            let id = try jwtPayload(try #require(issued["id_token"] as? String))
            #expect(access["tenant"] as? String == "alpha")
            #expect(access["scope"] as? String == "openid profile admin")
            #expect(id["tenant"] as? String == "beta")
            #expect(id["name"] as? String == "Scripted Name")
            #expect(id["sub"] as? String == "alice")
        }
    }

    @Test("scripted claims apply to a refresh as well, when matched by grant_type")
    func claimsOnRefresh() async throws {
        try await withTestIdP { idp in
            let refreshToken = try #require(try await idp.codeFlowTokens()["refresh_token"] as? String)
            _ = try await Self.script(idp, #"{"grant_type": "refresh_token", "claims": {"tenant": "gamma"}}"#)

            let refreshed = try json(try await idp.refresh(refreshToken))
            #expect(try jwtPayload(try #require(refreshed["access_token"] as? String))["tenant"] as? String == "gamma")
            #expect(try jwtPayload(try #require(refreshed["id_token"] as? String))["tenant"] as? String == "gamma")
        }
    }

    // MARK: Clearing and validation

    @Test("DELETE /debug/next drops every pending script, and the next request is answered normally")
    func clear() async throws {
        try await withTestIdP { idp in
            _ = try await Self.script(idp, #"{"error": "temporarily_unavailable", "status": 503}"#)
            _ = try await Self.script(idp, #"{"error": "invalid_grant"}"#)

            let response = try await idp.sendDelete("/debug/next")
            #expect(response.status == .ok)
            #expect(try json(response)["pending"] as? Int == 0)
            #expect(try await idp.pendingScripts() == 0)
            #expect(try await idp.tokenRequest("client_credentials", as: .reconciler).status == .ok)
        }
    }

    @Test("GET /debug/next starts at 0 pending")
    func initiallyEmpty() async throws {
        try await withTestIdP { idp in
            let response = try await idp.get("/debug/next")
            #expect(response.status == .ok)
            #expect(try json(response)["pending"] as? Int == 0)
        }
    }

    @Test(
        "an invalid script is a 400 and nothing is queued",
        arguments: [
            #"{"error": "invalid_grant", "claims": {"tenant": "alpha"}}"#,
            #"{"error": "invalid_grant", "id_token_claims": {"acr": "mfa"}}"#,
            #"{}"#,
            #"{"client_id": "budgetify", "grant_type": "refresh_token"}"#,
            #"{"claims": {}}"#,
            #"{"error": "invalid_grant", "status": 200}"#,
            #"{"error": "invalid_grant", "status": 399}"#,
            #"{"error": "invalid_grant", "status": 600}"#,
            #"{"error": "invalid_grant", "status": "503"}"#,
            #"{"status": 503}"#,
            #"{"claims": {"tenant": "alpha"}, "status": 503}"#,
            #"{"claims": {"tenant": "alpha"}, "error_description": "why"}"#,
            #"{"error": 5}"#,
            #"{"claims": ["tenant"]}"#,
            #"{"error": "invalid_grant", "delay": 5}"#,
            #"{"error": "invalid_grant""#,
            #"[{"error": "invalid_grant"}]"#,
        ]
    )
    func invalid(body: String) async throws {
        try await withTestIdP { idp in
            try expectDebugError(try await idp.postJSON("/debug/next", body))
            #expect(try await idp.pendingScripts() == 0)
            #expect(try await idp.tokenRequest("client_credentials", as: .reconciler).status == .ok)
        }
    }
}
