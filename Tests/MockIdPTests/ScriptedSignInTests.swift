import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@testable import MockIdP

/// Scripted authorization outcomes (`POST /debug/next` with `"endpoint": "authorize"` or `"device"`): how the user's
/// part of the next matching flow ends.
@Suite struct ScriptedSignInTests {
    func script(_ idp: TestIdP, _ body: String) async throws -> TestResponse {
        try await idp.send(.post, "/debug/next", body: body, contentType: "application/json")
    }

    /// The parameters of a response's redirect, which it must have.
    func redirected(_ response: TestResponse) throws -> [String: String] {
        let location = try #require(response.headers[.location], "no redirect: \(text(response))")
        return try redirectParameters(location)
    }

    func authorize(_ idp: TestIdP, clientID: String = "budgetify", scope: String = "openid profile email", extra: [(String, String)] = []) async throws -> TestResponse {
        try await idp.get("/authorize", [
            ("response_type", "code"), ("client_id", clientID), ("redirect_uri", "http://localhost:3000/callback"), ("scope", scope), ("state", "s1"),
            ("code_challenge", pkcePair().challenge), ("code_challenge_method", "S256"),
        ] + extra)
    }

    @Test("each scripted error ends the next authorization with that error redirect, once, for the client it names", arguments: [
        "access_denied", "login_required", "interaction_required", "consent_required", "account_selection_required", "temporarily_unavailable",
        "server_error",
    ])
    func errors(code: String) async throws {
        try await withTestIdP { idp in
            #expect(try await script(idp, #"{"endpoint": "authorize", "client_id": "budgetify-spa", "error": "\#(code)"}"#).status == .created)
            #expect(try redirected(try await authorize(idp))["code"] != nil, "a script for another client does not match")
            #expect(try await script(idp, #"{"endpoint": "authorize", "client_id": "budgetify", "error": "\#(code)", "error_description": "scripted \#(code)"}"#).status == .created)
            let response = try await authorize(idp)
            let parameters = try redirected(response)
            #expect(parameters["error"] == code)
            #expect(parameters["error_description"] == "scripted \(code)")
            #expect(parameters["state"] == "s1" && parameters["iss"] == testIssuer)
            #expect(try redirected(try await authorize(idp))["code"] != nil, "one-shot")
        }
    }

    @Test("a partial grant: the code carries only the consented scopes and the token response's scope says so (RFC 6749 §3.3)")
    func partialGrant() async throws {
        try await withTestIdP { idp in
            #expect(try await script(idp, #"{"endpoint": "authorize", "scope": "openid email"}"#).status == .created)
            let tokens = try await idp.codeFlow(at: IssuerPaths(idp.issuer), scope: "openid profile email")
            #expect(tokens["scope"] as? String == "openid email")
            let claims = try jwtPayload(try #require(tokens["id_token"] as? String))
            #expect(claims["email"] != nil && claims["name"] == nil, "profile was not granted")
        }
    }

    @Test("a scripted sign-in: as a fixture user by username, or as an ad-hoc subject with claims")
    func signIn() async throws {
        try await withTestIdP { idp in
            _ = try await script(idp, #"{"endpoint": "authorize", "sub": "bob"}"#)
            let bob = try jwtPayload(try #require(try await idp.codeFlow(at: IssuerPaths(idp.issuer))["id_token"] as? String))
            #expect(bob["sub"] as? String == "bob")
            _ = try await script(idp, #"{"endpoint": "authorize", "sub": "zoe", "claims": {"name": "Zoe Zed", "email": "zoe@example.com"}}"#)
            let zoe = try jwtPayload(try #require(try await idp.codeFlow(at: IssuerPaths(idp.issuer))["id_token"] as? String))
            #expect(zoe["sub"] as? String == "zoe" && zoe["name"] as? String == "Zoe Zed")
        }
    }

    @Test("with the chooser shown first, a scope-only script waits for the request that concludes")
    func withChooser() async throws {
        try await withTestIdP { idp in
            _ = try await script(idp, #"{"endpoint": "authorize", "scope": "openid"}"#)
            let page = try await authorize(idp, extra: [("prompt", "login")])
            #expect(page.status == .ok, "the chooser")
            #expect(try json(try await idp.get("/debug/next"))["pending"] as? Int == 1)
            let chosen = try await authorize(idp, extra: [("prompt", "login"), (LoginChooserPage.userParameter, "alice")])
            let code = try #require(try redirected(chosen)["code"])
            let listed = try #require(try json(try await idp.get("/debug"))["codes"] as? [[String: Any]])
            #expect(listed.first { $0["code"] as? String == code }?["scope"] as? String == "openid")
        }
    }

    @Test("device verification: a scripted denial, or a user and a partial grant")
    func device() async throws {
        try await withTestIdP { idp in
            _ = try await script(idp, #"{"endpoint": "device", "error": "access_denied"}"#)
            let denied = try await idp.startDeviceAuthorization(scope: "openid profile")
            _ = try await idp.openVerificationPage(userCode: try #require(denied["user_code"] as? String))
            #expect(try errorCode(try await idp.pollDevice(try #require(denied["device_code"] as? String))) == "access_denied")

            _ = try await script(idp, #"{"endpoint": "device", "sub": "bob", "scope": "openid"}"#)
            let approved = try await idp.startDeviceAuthorization(scope: "openid profile")
            let page = try await idp.openVerificationPage(userCode: try #require(approved["user_code"] as? String))
            #expect(text(page).contains("bob"))
            let tokens = try json(try await idp.pollDevice(try #require(approved["device_code"] as? String)))
            #expect(tokens["scope"] as? String == "openid")
            #expect(try jwtPayload(try #require(tokens["access_token"] as? String))["sub"] as? String == "bob")
        }
    }

    @Test("scripts that could never match or be carried out are refused with the reason", arguments: [
        (#"{"endpoint": "authorize", "client_id": "nobody", "error": "access_denied"}"#, "could never match"),
        (#"{"endpoint": "authorize", "error": "invalid_grant"}"#, "is not one an authorization ends with"),
        (#"{"endpoint": "device", "error": "login_required"}"#, "device verification ends with"),
        (#"{"endpoint": "authorize", "sub": "ghost"}"#, "is no user's sub or username"),
        (#"{"endpoint": "authorize", "scope": "openid nonsense"}"#, "not defined"),
        (#"{"endpoint": "authorize", "error": "access_denied", "sub": "bob"}"#, "not both"),
        (#"{"endpoint": "authorize", "delay_ms": 60000}"#, "delay_ms must be between"),
        (#"{"endpoint": "authorize"}"#, "script an error"),
        (#"{"endpoint": "authorize", "grant_type": "refresh_token", "error": "access_denied"}"#, "goes with the token endpoint"),
        (#"{"sub": "bob", "error": "invalid_grant"}"#, "goes with endpoint authorize or device"),
        (#"{"endpoint": "userinfo", "error": "x"}"#, "endpoint is token, authorize or device"),
    ])
    func refused(body: String, reason: String) async throws {
        try await withTestIdP { idp in
            let response = try await script(idp, body)
            #expect(response.status == .badRequest)
            let description = try oauthError(response).description
            #expect(description.contains(reason), "\(description)")
            #expect(try json(try await idp.get("/debug/next"))["pending"] as? Int == 0)
        }
    }

    @Test("the Swift API scripts the same, through the one control plane")
    func swiftAPI() async throws {
        try await withTestIdP { idp in
            let running = RunningMockIdP(controls: idp.issuer.controls)
            try running.scriptNextSignInError("consent_required", clientID: "budgetify")
            let response = try await authorize(idp)
            #expect(try redirected(response)["error"] == "consent_required")
            try running.scriptNextSignIn(as: "bob", grantingOnly: ["openid"])
            let tokens = try await idp.codeFlow(at: IssuerPaths(idp.issuer))
            #expect(tokens["scope"] as? String == "openid")
            #expect(throws: MockIdPRequestError.self) { try running.scriptNextSignIn(at: .deviceVerification, as: "bob", claims: ["name": "B"]) }
        }
    }
}
