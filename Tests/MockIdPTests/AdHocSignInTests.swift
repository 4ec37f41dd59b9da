import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@testable import MockIdP

@Suite struct AdHocSignInTests {
    /// The chooser for budgetify (`prompt=login`) with `scope`.
    static func chooser(_ idp: TestIdP, scope: String = "openid profile email") async throws -> String {
        let request = LoginChooserTests.request([("prompt", "login")]).map { $0.0 == "scope" ? ($0.0, scope) : $0 }
        return LoginChooserTests.expectChooser(try await idp.authorizeResponse(request))
    }

    /// What a browser submits from the "sign in as anyone" form: its hidden inputs, the subject and the claims.
    static func submission(_ html: String, sub: String, claims: String = "") throws -> [(String, String)] {
        let form = try #require(html.components(separatedBy: "<form").first { $0.contains(#"id="adhoc""#) }, "no sign-in-as-anyone form")
        let body = try #require(form.components(separatedBy: "</form>").first)
        var fields: [(String, String)] = []
        for match in body.matches(of: #/<input type="hidden" name="([^"]*)" value="([^"]*)">/#) {
            fields.append((htmlUnescaped(String(match.1)), htmlUnescaped(String(match.2))))
        }
        return fields + [(AdHocSignIn.subjectParameter, sub), (AdHocSignIn.claimsParameter, claims)]
    }

    /// Types `sub` and `claims` on a fresh chooser and submits them.
    static func signIn(_ idp: TestIdP, sub: String, claims: String = "", scope: String = "openid profile email") async throws -> TestResponse {
        try await LoginChooserTests.submit(idp, try submission(try await chooser(idp, scope: scope), sub: sub, claims: claims))
    }

    /// Signs in as `sub` with `claims` and redeems the code: the token response.
    static func tokens(_ idp: TestIdP, sub: String, claims: String = "", scope: String = "openid profile email") async throws -> [String: Any] {
        let response = try await signIn(idp, sub: sub, claims: claims, scope: scope)
        #expect(response.status == .found, "\(bodyText(response))")
        let code = try #require(try LoginChooserTests.redirect(response)["code"])
        let redeemed = try await idp.redeem(code)
        #expect(redeemed.status == .ok, "\(bodyText(redeemed))")
        return try json(redeemed)
    }

    /// Asserts that `response` is the chooser again, a 400 with `message` in its error, and returns its HTML.
    static func expectRefused(_ response: TestResponse, _ message: String, sourceLocation: SourceLocation = #_sourceLocation) -> String {
        #expect(response.status == .badRequest, sourceLocation: sourceLocation)
        #expect(response.headers[.location] == nil, sourceLocation: sourceLocation)
        let html = text(response)
        #expect(html.contains(#"name="mockidp_user""#), "not the chooser page", sourceLocation: sourceLocation)
        let error = html.firstMatch(of: #/<p class="error" id="adhoc-error" role="alert">([^<]*)</p>/#).map { htmlUnescaped(String($0.1)) }
        #expect(error?.contains(message) == true, "error \(error ?? "none"), expected \(message)", sourceLocation: sourceLocation)
        return html
    }

    // MARK: Signing in

    @Test("a typed sub with claims signs in: ID token, userinfo, refresh and introspection carry the sub and the scopes' claims")
    func typedSubWithClaims() async throws {
        try await withTestIdP { idp in
            let claims = #"{"name": "Erin Example", "email": "erin@example.com", "phone_number": "+47 555", "tenant": {"id": 7}}"#
            let tokens = try await Self.tokens(idp, sub: "erin-42", claims: claims)
            let id = try jwtPayload(try #require(tokens["id_token"] as? String))
            #expect(id["sub"] as? String == "erin-42")
            #expect(id["name"] as? String == "Erin Example")
            #expect(id["email"] as? String == "erin@example.com")
            #expect(id["nonce"] as? String == "nonce-7")
            #expect(id["phone_number"] == nil, "the phone scope was not requested")
            #expect(id["tenant"] == nil, "no scope releases tenant")

            let accessToken = try #require(tokens["access_token"] as? String)
            let userinfo = try json(try await idp.userinfo(accessToken))
            #expect(userinfo["sub"] as? String == "erin-42")
            #expect(userinfo["name"] as? String == "Erin Example")
            #expect(userinfo["email"] as? String == "erin@example.com")

            let introspection = try json(try await idp.introspect(accessToken))
            #expect(introspection["active"] as? Bool == true)
            #expect(introspection["sub"] as? String == "erin-42")

            let refreshed = try await idp.refresh(try #require(tokens["refresh_token"] as? String))
            #expect(refreshed.status == .ok, "\(bodyText(refreshed))")
            let refreshedID = try jwtPayload(try #require(try json(refreshed)["id_token"] as? String))
            #expect(refreshedID["sub"] as? String == "erin-42")
            #expect(refreshedID["name"] as? String == "Erin Example")
        }
    }

    @Test("a sub without claims signs in with no claims beyond sub; its username is the sub")
    func typedSubWithoutClaims() async throws {
        try await withTestIdP { idp in
            let tokens = try await Self.tokens(idp, sub: "  someone else  ", claims: "\r\n")
            let id = try jwtPayload(try #require(tokens["id_token"] as? String))
            #expect(id["sub"] as? String == "someone else", "surrounding spaces are dropped")
            #expect(id["name"] == nil)
            #expect(idp.state.registry.user(sub: "someone else")?.username == "someone else")
        }
    }

    @Test("signing in again as the same subject with other claims gives the new claims; without claims keeps them")
    func replaceClaims() async throws {
        try await withTestIdP { idp in
            _ = try await Self.tokens(idp, sub: "erin", claims: #"{"name": "Erin One"}"#)
            let second = try await Self.tokens(idp, sub: "erin", claims: #"{"name": "Erin Two", "email": "two@example.com"}"#)
            let id = try jwtPayload(try #require(second["id_token"] as? String))
            #expect(id["name"] as? String == "Erin Two")
            #expect(id["email"] as? String == "two@example.com")
            #expect(idp.state.registry.fixtures.users.filter { $0.sub == "erin" }.count == 1)

            let third = try await Self.tokens(idp, sub: "erin")
            #expect(try jwtPayload(try #require(third["id_token"] as? String))["name"] as? String == "Erin Two")
        }
    }

    @Test("a runtime user added through /debug/users has its claims replaced by a typed sign-in")
    func replaceRuntimeUser() async throws {
        try await withTestIdP { idp in
            _ = try await idp.postJSON("/debug/users", #"{"sub": "frank", "password": "frank-pw", "claims": {"name": "Frank Old"}}"#)
            let tokens = try await Self.tokens(idp, sub: "frank", claims: #"{"name": "Frank New"}"#)
            #expect(try jwtPayload(try #require(tokens["id_token"] as? String))["name"] as? String == "Frank New")
            #expect(try await idp.passwordGrant(username: "frank", password: "frank-pw").status == .ok, "the password stays")
        }
    }

    @Test("a seeded user's sub without claims signs in as that user; with claims it is refused")
    func seededSub() async throws {
        try await withTestIdP { idp in
            let before = idp.state.registry.fixtures.users.count
            let tokens = try await Self.tokens(idp, sub: "bob")
            let id = try jwtPayload(try #require(tokens["id_token"] as? String))
            #expect(id["sub"] as? String == "bob")
            #expect(id["name"] as? String == "Bob Brown")

            _ = Self.expectRefused(try await Self.signIn(idp, sub: "bob", claims: #"{"name": "Not Bob"}"#), "seeded user")
            #expect(idp.state.registry.user(sub: "bob")?.claims["name"]?.stringValue == "Bob Brown")
            #expect(idp.state.registry.fixtures.users.count == before)
        }
    }

    // MARK: Refusals

    @Test("invalid claims JSON shows the chooser again with the error and the typed values; nothing is issued or added")
    func invalidJSON() async throws {
        try await withTestIdP { idp in
            let response = try await Self.signIn(idp, sub: "erin", claims: #"{"name": "Erin""#)
            let html = Self.expectRefused(response, "not valid JSON")
            #expect(html.contains(#"name="mockidp_sub" id="mockidp_sub" value="erin""#), "the typed sub is kept")
            #expect(html.contains(HTML.escape(#"{"name": "Erin""#) + "</textarea>"), "the typed claims are kept")
            // The page's hidden inputs are still the original request, without the typed fields.
            #expect(hiddenInputs(html) == Dictionary(uniqueKeysWithValues: LoginChooserTests.request([("prompt", "login")]).map {
                $0.0 == "scope" ? ($0.0, "openid profile email") : $0
            }))
            #expect(try await idp.issuedCodes().isEmpty)
            #expect(idp.state.registry.user(sub: "erin") == nil)
            let logged = try await idp.loggedRequests().first { ($0["path"] as? String)?.hasPrefix("/authorize") == true && ($0["status"] as? Int) == 400 }
            #expect(logged?["error"] as? String == "invalid_request")
        }
    }

    @Test("claims that are not an object, or break a fixture rule, are refused", arguments: [
        (#"["admin"]"#, "must be a JSON object"),
        (#""admin""#, "must be a JSON object"),
        (#"{"a": 1} {"b": 2}"#, "not valid JSON"),
    ])
    func notAnObject(claims: String, message: String) async throws {
        try await withTestIdP { idp in
            _ = Self.expectRefused(try await Self.signIn(idp, sub: "erin", claims: claims), message)
            #expect(try await idp.issuedCodes().isEmpty)
        }
    }

    @Test("reserved claims are refused", arguments: ["sub", "iss", "aud", "exp", "iat", "nonce", "auth_time", "azp", "sid"])
    func reservedClaim(name: String) async throws {
        try await withTestIdP { idp in
            _ = Self.expectRefused(try await Self.signIn(idp, sub: "erin", claims: #"{"name": "Erin", "\#(name)": "x"}"#), #""\#(name)" is set by MockIdP"#)
            #expect(try await idp.issuedCodes().isEmpty)
            #expect(idp.state.registry.user(sub: "erin") == nil)
        }
    }

    @Test("the subject must be non-empty, at most 255 characters, without control characters", arguments: [
        ("   ", "must not be empty"),
        (String(repeating: "a", count: 256), "at most 255"),
        ("erin\u{7}", "control characters"),
        ("er\tin", "control characters"),
    ])
    func badSubject(sub: String, message: String) async throws {
        try await withTestIdP { idp in
            _ = Self.expectRefused(try await Self.signIn(idp, sub: sub), message)
            #expect(try await idp.issuedCodes().isEmpty)
        }
    }

    @Test("a subject of 255 characters signs in")
    func longestSubject() async throws {
        try await withTestIdP { idp in
            let sub = String(repeating: "é", count: 255)
            let tokens = try await Self.tokens(idp, sub: sub)
            #expect(try jwtPayload(try #require(tokens["id_token"] as? String))["sub"] as? String == sub)
        }
    }

    @Test("a subject that is a seeded user's username is refused (an ad-hoc user's username is its sub)")
    func seededUsername() async throws {
        try await withTestIdP { idp in
            _ = Self.expectRefused(try await Self.signIn(idp, sub: "carol"), "duplicate username")
            #expect(try await idp.issuedCodes().isEmpty)
        }
    }

    @Test("with prompt=none a refused subject is an invalid_request redirect, not a page")
    func promptNone() async throws {
        try await withTestIdP { idp in
            let response = try await idp.authorizeResponse(
                LoginChooserTests.request([("prompt", "none"), ("mockidp_sub", "erin"), ("mockidp_claims", "{")])
            )
            #expect(response.status == .found)
            #expect(try LoginChooserTests.redirect(response)["error"] == "invalid_request")
        }
    }

    // MARK: login_hint=sub:NAME

    @Test("login_hint=sub:NAME signs in as the ad-hoc subject NAME, or as the seeded user whose sub it is")
    func loginHintSub() async throws {
        try await withTestIdP { idp in
            let adHoc = try await idp.codeFlowTokens(extra: [("login_hint", "sub:someone")])
            #expect(try jwtPayload(try #require(adHoc["id_token"] as? String))["sub"] as? String == "someone")
            #expect(idp.state.registry.user(sub: "someone") != nil)

            let seeded = try await idp.codeFlowTokens(extra: [("login_hint", "sub:alice")])
            let id = try jwtPayload(try #require(seeded["id_token"] as? String))
            #expect(id["sub"] as? String == "alice")
            #expect(id["name"] as? String == "Alice Andersen")

            // A plain hint is what it was: a seeded user's sub or username, else an error.
            let plain = try await idp.authorize(LoginChooserTests.request([("login_hint", "nobody")]))
            #expect(plain["error"] == "invalid_request")
            let empty = try await idp.authorize(LoginChooserTests.request([("login_hint", "sub:")]))
            #expect(empty["error"] == "invalid_request")
            #expect(empty["error_description"]?.contains("must not be empty") == true)
        }
    }

    @Test("login_hint=sub:NAME fills in the chooser's subject field")
    func loginHintPrefills() async throws {
        try await withTestIdP { idp in
            let html = LoginChooserTests.expectChooser(
                try await idp.authorizeResponse(LoginChooserTests.request([("prompt", "login"), ("login_hint", "sub:someone")]))
            )
            #expect(html.contains(#"name="mockidp_sub" id="mockidp_sub" value="someone""#))
        }
    }

    // MARK: Runtime user

    @Test("the ad-hoc user is a runtime user: on the chooser, in /debug, and gone after resetFixtures")
    func runtimeUser() async throws {
        try await withTestIdP { idp in
            let seeded = idp.state.registry.fixtures.users.count
            _ = try await Self.tokens(idp, sub: "erin-42", claims: #"{"name": "Erin Example"}"#)

            #expect(try await idp.issuedCodes([("sub", "erin-42")]).count == 1)
            #expect(try await idp.issuedTokens([("sub", "erin-42")]).isEmpty == false)
            let html = try await Self.chooser(idp)
            #expect(html.contains(#"name="mockidp_user" value="erin-42""#))
            #expect(html.contains("Erin Example"))
            let listed = try #require(try json(try await idp.get("/debug"))["runtime_users"] as? [[String: Any]])
            #expect(listed.map { $0["sub"] as? String } == ["erin-42"])
            #expect((listed.first?["claims"] as? [String: Any])?["name"] as? String == "Erin Example")
            #expect(text(try await idp.get("/debug", headers: [.accept: "text/html"])).contains("Users added at runtime"))

            #expect(idp.controls.resetFixtures().users == seeded)
            #expect(await idp.controls.snapshot().runtimeUsers.isEmpty)
            #expect(idp.state.registry.user(sub: "erin-42") == nil)
            #expect(!(try await Self.chooser(idp)).contains(#"value="erin-42""#))
        }
    }
}
