import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@testable import MockIdP

@Suite struct DebugRequestsTests {
    static let redacted = "[redacted]"

    @Test("GET /debug/requests starts empty and lists requests newest first")
    func newestFirst() async throws {
        try await withTestIdP { idp in
            #expect(try await idp.loggedRequests().isEmpty)

            _ = try await idp.get("/.well-known/openid-configuration")
            _ = try await idp.get("/jwks")
            _ = try await idp.tokenRequest("client_credentials", as: .reconciler)

            let response = try await idp.get("/debug/requests")
            #expect(response.status == .ok)
            #expect(response.headers[.contentType]?.hasPrefix("application/json") == true)
            let entries = try jsonArray(response)
            #expect(entries.map { $0["path"] as? String } == ["/token", "/jwks", "/.well-known/openid-configuration"])
            #expect(entries.map { $0["method"] as? String } == ["POST", "GET", "GET"])
            #expect(entries.map { $0["status"] as? Int } == [200, 200, 200])
            let times = entries.compactMap { $0["time"] as? Int }
            #expect(times.count == 3)
            #expect(times == times.sorted(by: >))
        }
    }

    @Test("a failed token request shows method, path, client_id from the Basic header, grant_type, status, error and description")
    func failedTokenRequestBasic() async throws {
        try await withTestIdP { idp in
            let response = try await idp.tokenRequest("client_credentials", [("scope", "transactions:read")], as: ClientCredentials(clientID: "reconciler", secret: "wrong"))
            #expect(response.status == .unauthorized)
            let returned = try oauthError(response)

            let entries = try await idp.loggedRequests()
            try #require(entries.count == 1)
            let entry = entries[0]
            #expect(entry["method"] as? String == "POST")
            #expect(entry["path"] as? String == "/token")
            #expect(entry["client_id"] as? String == "reconciler")
            #expect(entry["grant_type"] as? String == "client_credentials")
            #expect(entry["status"] as? Int == 401)
            #expect(entry["error"] as? String == "invalid_client")
            #expect(entry["error_description"] as? String == returned.description)
            #expect(entry["parameters"] as? [String: String] == ["grant_type": "client_credentials", "scope": "transactions:read"])
            #expect(entry["time"] is Int)
        }
    }

    @Test("a failed token request with client_secret_post shows the client_id from the body and redacts the secret")
    func failedTokenRequestBody() async throws {
        try await withTestIdP { idp in
            let response = try await idp.tokenRequest(
                "authorization_code", [("code", "not-a-code"), ("redirect_uri", "http://localhost:4000/auth/callback")], as: .planner
            )
            #expect(response.status == .badRequest)

            let entry = try #require(try await idp.loggedRequests().first)
            #expect(entry["client_id"] as? String == "planner")
            #expect(entry["grant_type"] as? String == "authorization_code")
            #expect(entry["status"] as? Int == 400)
            #expect(entry["error"] as? String == "invalid_grant")
            #expect((entry["error_description"] as? String)?.isEmpty == false)
            let parameters = try #require(entry["parameters"] as? [String: String])
            #expect(parameters["client_id"] == "planner")
            #expect(parameters["client_secret"] == Self.redacted)
            #expect(parameters["code"] == Self.redacted)
            #expect(parameters["redirect_uri"] == "http://localhost:4000/auth/callback")
        }
    }

    @Test("codes, verifiers, secrets, refresh tokens, passwords and tokens are redacted; scope and redirect_uri are shown")
    func redaction() async throws {
        try await withTestIdP { idp in
            let pkce = pkcePair()
            let redirectURI = "http://localhost:5173/callback"
            let code = try await idp.code(
                clientID: "budgetify-spa", redirectURI: redirectURI, scope: "openid profile",
                extra: [("code_challenge", pkce.challenge), ("code_challenge_method", "S256")]
            )
            let redeemed = try await idp.redeem(
                code, clientID: "budgetify-spa", secret: nil, redirectURI: redirectURI, extra: [("code_verifier", pkce.verifier)]
            )
            let tokens = try json(redeemed)
            let refreshToken = try #require(tokens["refresh_token"] as? String)
            let accessToken = try #require(tokens["access_token"] as? String)
            _ = try await idp.refresh(refreshToken, scope: "openid", as: .budgetifySPA)
            _ = try await idp.passwordGrant(username: "alice", password: "alice-password", scope: "openid", as: ClientCredentials(clientID: "budgetify", secret: "budgetify-secret", inBody: true))
            _ = try await idp.revoke(accessToken, as: .budgetify)

            let response = try await idp.get("/debug/requests")
            let entries = try jsonArray(response)
            try #require(entries.count == 5)
            let revoke = try #require(entries[0]["parameters"] as? [String: String])
            #expect(revoke == ["token": Self.redacted])
            let password = try #require(entries[1]["parameters"] as? [String: String])
            #expect(password["password"] == Self.redacted)
            #expect(password["client_secret"] == Self.redacted)
            #expect(password["username"] == "alice")
            #expect(password["scope"] == "openid")
            let refresh = try #require(entries[2]["parameters"] as? [String: String])
            #expect(refresh["refresh_token"] == Self.redacted)
            #expect(refresh["scope"] == "openid")
            let redemption = try #require(entries[3]["parameters"] as? [String: String])
            #expect(redemption["code"] == Self.redacted)
            #expect(redemption["code_verifier"] == Self.redacted)
            #expect(redemption["redirect_uri"] == redirectURI)
            #expect(redemption["client_id"] == "budgetify-spa")
            let authorize = try #require(entries[4]["parameters"] as? [String: String])
            #expect(entries[4]["path"] as? String == "/authorize")
            #expect(entries[4]["status"] as? Int == 302)
            #expect(authorize["scope"] == "openid profile")
            #expect(authorize["redirect_uri"] == redirectURI)
            #expect(authorize["code_challenge"] == pkce.challenge)

            // No secret value appears anywhere in the log.
            let logged = text(response)
            for secret in [code, pkce.verifier, refreshToken, accessToken, "alice-password", "budgetify-secret"] {
                #expect(!logged.contains(secret), "the request log shows a secret")
            }
        }
    }

    @Test("the client_id of a Basic-authenticated request comes from the header, with percent-decoding")
    func basicHeaderClientID() async throws {
        try await withTestIdP { idp in
            _ = try await idp.introspect("whatever", as: .budgetify)

            let entry = try #require(try await idp.loggedRequests().first)
            #expect(entry["path"] as? String == "/introspect")
            #expect(entry["client_id"] as? String == "budgetify")
            #expect(entry["parameters"] as? [String: String] == ["token": Self.redacted])
        }
    }

    @Test("an authorization request answered with an error redirect is logged with its error")
    func authorizeErrorRedirect() async throws {
        try await withTestIdP { idp in
            let response = try await idp.authorizeResponse([
                ("response_type", "code"), ("client_id", "budgetify"), ("redirect_uri", "http://localhost:3000/callback"),
                ("scope", "openid calendar.read"), ("state", "s1"),
            ])
            #expect(response.status == .found)
            let redirect = try redirectParameters(try #require(response.headers[.location]))
            #expect(redirect["error"] == "invalid_scope")

            let entry = try #require(try await idp.loggedRequests().first)
            #expect(entry["method"] as? String == "GET")
            #expect(entry["path"] as? String == "/authorize")
            #expect(entry["client_id"] as? String == "budgetify")
            #expect(entry["status"] as? Int == 302)
            #expect(entry["error"] as? String == "invalid_scope")
            #expect(entry["error_description"] as? String == redirect["error_description"])
            let parameters = try #require(entry["parameters"] as? [String: String])
            #expect(parameters["scope"] == "openid calendar.read")
            #expect(parameters["state"] == "s1")
        }
    }

    @Test("an authorization request shown the error page is logged with its error")
    func authorizeErrorPage() async throws {
        try await withTestIdP { idp in
            let response = try await idp.authorizeResponse([("response_type", "code"), ("client_id", "nobody")])
            #expect(response.status == .badRequest)

            let entry = try #require(try await idp.loggedRequests().first)
            #expect(entry["status"] as? Int == 400)
            #expect(entry["error"] as? String == "invalid_request")
            #expect(entry["client_id"] as? String == "nobody")
        }
    }

    @Test("a successful request has no error fields")
    func successHasNoError() async throws {
        try await withTestIdP { idp in
            _ = try await idp.tokenRequest("client_credentials", as: .reconciler)

            let entry = try #require(try await idp.loggedRequests().first)
            #expect(entry["status"] as? Int == 200)
            #expect(entry["error"] == nil || entry["error"] is NSNull)
            #expect(entry["error_description"] == nil || entry["error_description"] is NSNull)
        }
    }

    @Test("/debug requests themselves are not logged")
    func debugNotLogged() async throws {
        try await withTestIdP { idp in
            _ = try await idp.get("/debug")
            _ = try await idp.get("/debug", [("type", "bogus")])
            _ = try await idp.get("/debug/clock")
            _ = try await idp.postJSON("/debug/clock", #"{"advance_seconds": 1}"#)
            _ = try await idp.postJSON("/debug/tokens", #"{"client_id": "budgetify"}"#)
            _ = try await idp.get("/debug/next")
            _ = try await idp.get("/debug/requests")
            #expect(try await idp.loggedRequests().isEmpty)

            _ = try await idp.get("/jwks")
            #expect(try await idp.loggedRequests().map { $0["path"] as? String } == ["/jwks"])
        }
    }

    @Test("the log is bounded: a server with requestLogCapacity 3 keeps the newest 3, newest first")
    func bounded() async throws {
        try await withConfiguredTestIdP(requestLogCapacity: 3) { idp in
            for state in ["s1", "s2", "s3", "s4", "s5"] {
                _ = try await idp.authorizeResponse([
                    ("response_type", "code"), ("client_id", "budgetify"), ("redirect_uri", "http://localhost:3000/callback"),
                    ("scope", "openid"), ("state", state),
                ])
            }

            let entries = try await idp.loggedRequests()
            #expect(entries.compactMap { ($0["parameters"] as? [String: String])?["state"] } == ["s5", "s4", "s3"])

            _ = try await idp.get("/jwks")
            let after = try await idp.loggedRequests()
            #expect(after.count == 3)
            #expect(after.first?["path"] as? String == "/jwks")
            #expect(after.compactMap { ($0["parameters"] as? [String: String])?["state"] } == ["s5", "s4"])
        }
    }

    @Test("the default log keeps 500 requests")
    func defaultCapacity() async throws {
        try await withTestIdP { idp in
            for _ in 0..<505 {
                _ = try await idp.get("/jwks")
            }
            #expect(try await idp.loggedRequests().count == 500)
        }
    }
}
