import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@testable import MockIdP

/// The consent page: shown on `prompt=consent`, with `consentPage: true` or for a client with `"consent": true`; Allow
/// grants the checked scopes only, Deny answers `access_denied`, `prompt=none` gets `consent_required`.
@Suite struct ConsentPageTests {
    static let redirectURI = "http://localhost:3000/callback"
    static let scope = "openid profile email transactions:read"

    /// An authorization request for budgetify, with `extra` parameters.
    static func request(_ extra: [(String, String)] = [], scope: String = scope) -> [(String, String)] {
        [
            ("response_type", "code"), ("client_id", "budgetify"), ("redirect_uri", redirectURI), ("scope", scope), ("state", "state-9"),
            ("nonce", "nonce-9"),
        ] + extra
    }

    /// Asserts that `response` is the consent page and returns its HTML.
    static func expectConsentPage(_ response: TestResponse, sourceLocation: SourceLocation = #_sourceLocation) -> String {
        #expect(response.status == .ok, sourceLocation: sourceLocation)
        #expect(response.headers[.location] == nil, sourceLocation: sourceLocation)
        #expect(response.headers[.contentType]?.hasPrefix("text/html") == true, sourceLocation: sourceLocation)
        #expect(response.headers[.cacheControl] == "no-store", sourceLocation: sourceLocation)
        let html = text(response)
        #expect(html.contains(#"name="mockidp_consent" value="allow""#), "not the consent page: \(html.prefix(300))", sourceLocation: sourceLocation)
        return html
    }

    /// The fields a browser posts when `button` (`mockidp_consent=allow|deny`) is pressed with `checked` boxes ticked:
    /// the form's hidden inputs, one `mockidp_consent_scope` per checked box, then the button.
    static func submission(_ html: String, checked: [String], button: String = "allow") -> [(String, String)] {
        var fields: [(String, String)] = []
        for match in html.matches(of: #/<input type="hidden" name="([^"]*)" value="([^"]*)">/#) {
            fields.append((htmlUnescaped(String(match.1)), htmlUnescaped(String(match.2))))
        }
        fields += checked.map { ("mockidp_consent_scope", $0) }
        fields.append(("mockidp_consent", button))
        return fields
    }

    /// The checkboxes' scope values on the page (openid, fixed, is none of them).
    static func checkboxes(_ html: String) -> [String] {
        html.matches(of: #/<input type="checkbox" name="mockidp_consent_scope" value="([^"]*)"/#).map { htmlUnescaped(String($0.1)) }
    }

    /// The parameters of a response's redirect, which it must have.
    static func redirected(_ response: TestResponse) throws -> [String: String] {
        let location = try #require(response.headers[.location], "no redirect: \(text(response).prefix(300))")
        #expect(location.hasPrefix(redirectURI))
        return try redirectParameters(location)
    }

    /// Redeems the code of a redirect and returns the token response.
    static func tokens(_ idp: TestIdP, _ response: TestResponse) async throws -> [String: Any] {
        let code = try #require(try redirected(response)["code"])
        let redeemed = try await idp.redeem(code)
        #expect(redeemed.status == .ok, "\(text(redeemed))")
        return try json(redeemed)
    }

    static func budgetify(consent: Bool) throws -> MockIdPConfiguration.FixtureSource {
        try builtInFixtures(adding: [
            Client(
                clientID: "careful-app", clientSecret: "careful-secret", redirectURIs: ["http://localhost:7000/cb"],
                scopes: ["openid", "profile", "email"], requiresConsent: consent
            )
        ])
    }

    // MARK: When it is shown

    @Test("prompt=consent shows the page: the client, the signed-in user, each requested scope with its description as a checked box")
    func shownOnPromptConsent() async throws {
        try await withTestIdP { idp in
            let html = Self.expectConsentPage(try await idp.authorizeResponse(Self.request([("prompt", "consent")])))
            #expect(html.contains("<code>budgetify</code>"))
            #expect(html.contains("Alice Andersen") && html.contains("sub alice") && html.contains("alice@alpha-bank.example"))
            for (scope, description) in [
                ("profile", "Your name and basic profile"), ("email", "Your email address"), ("transactions:read", "Read your transactions"),
            ] {
                #expect(html.contains(#"name="mockidp_consent_scope" value="\#(scope)" id="#), "no checkbox for \(scope)")
                #expect(html.contains(description), "no description for \(scope)")
            }
            #expect(Self.checkboxes(html) == ["profile", "email", "transactions:read"], "openid is fixed, the others are checkboxes in request order")
            #expect(html.contains("Sign you in (OpenID Connect)") && html.contains("required to sign you in"))
            #expect(html.contains(#"name="mockidp_consent" value="deny""#))
            #expect(try await idp.issuedCodes().isEmpty, "no code before the user decides")
        }
    }

    @Test("prompt=consent with offline_access (which OIDC Core §11 makes clients send together) keeps auto-consent; the server setting still shows the page")
    func offlineAccessPrompt() async throws {
        let request = Self.request([("prompt", "consent")], scope: "openid offline_access")
        try await withTestIdP { idp in
            let response = try await idp.authorizeResponse(request)
            let tokens = try await Self.tokens(idp, response)
            #expect(tokens["scope"] as? String == "openid offline_access")
            #expect(tokens["refresh_token"] != nil)
        }
        try await withConfiguredTestIdP(consentPage: true) { idp in
            _ = Self.expectConsentPage(try await idp.authorizeResponse(request))
        }
    }

    @Test("a server with consentPage: true shows it for a plain request; the default server consents automatically")
    func shownByServerSetting() async throws {
        try await withConfiguredTestIdP(consentPage: true) { idp in
            _ = Self.expectConsentPage(try await idp.authorizeResponse(Self.request()))
        }
        try await withTestIdP { idp in
            let response = try await idp.authorizeResponse(Self.request())
            #expect(try Self.redirected(response)["code"] != nil)
        }
    }

    @Test("a client with requiresConsent (\"consent\": true) gets the page on every request; one without, only on prompt=consent")
    func shownByClientSetting() async throws {
        for consent in [true, false] {
            try await withConfiguredTestIdP(fixtures: try Self.budgetify(consent: consent)) { idp in
                let request = [
                    ("response_type", "code"), ("client_id", "careful-app"), ("redirect_uri", "http://localhost:7000/cb"), ("scope", "openid email"),
                ]
                let response = try await idp.authorizeResponse(request)
                if consent {
                    #expect(Self.expectConsentPage(response).contains("<code>careful-app</code>"))
                } else {
                    #expect(response.status == .found)
                    #expect(response.headers[.location]?.contains("code=") == true)
                }
                // Budgetify, without the setting, still consents automatically on the same server.
                #expect(try Self.redirected(try await idp.authorizeResponse(Self.request()))["code"] != nil)
            }
        }
    }

    @Test("with the chooser first, the chosen user is the one the consent page shows and the code is for")
    func afterTheChooser() async throws {
        try await withTestIdP { idp in
            let chooser = LoginChooserTests.expectChooser(try await idp.authorizeResponse(Self.request([("prompt", "login consent")])))
            let chosen = try await idp.post("/authorize", form: try LoginChooserTests.submission(chooser, button: "mockidp_user", "bob"))
            let html = Self.expectConsentPage(chosen)
            #expect(html.contains("Bob Brown") && html.contains("sub bob"))
            #expect(!html.contains("Alice Andersen"))

            let tokens = try await Self.tokens(idp, try await idp.post("/authorize", form: Self.submission(html, checked: ["profile"])))
            #expect(try jwtPayload(try #require(tokens["id_token"] as? String))["sub"] as? String == "bob")
            #expect(tokens["scope"] as? String == "openid profile")
        }
    }

    // MARK: Deciding

    @Test("Allow with every box checked grants the requested scope, with state and iss on the redirect")
    func allowAll() async throws {
        try await withTestIdP { idp in
            let html = Self.expectConsentPage(try await idp.authorizeResponse(Self.request([("prompt", "consent")])))
            let response = try await idp.post("/authorize", form: Self.submission(html, checked: Self.checkboxes(html)))
            let parameters = try Self.redirected(response)
            #expect(parameters["state"] == "state-9" && parameters["iss"] == testIssuer)
            let tokens = try await Self.tokens(idp, response)
            #expect(tokens["scope"] as? String == Self.scope)
            let id = try jwtPayload(try #require(tokens["id_token"] as? String))
            #expect(id["nonce"] as? String == "nonce-9" && id["name"] as? String == "Alice Andersen")
        }
    }

    @Test("Allow with boxes unchecked grants only the checked ones: the code, the tokens and the token response's scope (RFC 6749 §3.3)")
    func allowPartial() async throws {
        try await withTestIdP { idp in
            let html = Self.expectConsentPage(try await idp.authorizeResponse(Self.request([("prompt", "consent")])))
            let response = try await idp.post("/authorize", form: Self.submission(html, checked: ["email"]))
            let code = try #require(try Self.redirected(response)["code"])
            let listed = try await idp.issuedCodes()
            #expect(listed.first { $0["code"] as? String == code }?["scope"] as? String == "openid email", "/debug shows the granted scope")

            let tokens = try json(try await idp.redeem(code))
            #expect(tokens["scope"] as? String == "openid email")
            let access = try jwtPayload(try #require(tokens["access_token"] as? String))
            #expect(access["scope"] as? String == "openid email")
            #expect(access["accounts"] == nil, "transactions:read was not granted, so its access-token claim is absent")
            let id = try jwtPayload(try #require(tokens["id_token"] as? String))
            #expect(id["email"] as? String == "alice@alpha-bank.example")
            #expect(id["name"] == nil, "profile was not granted")
        }
    }

    @Test("Allow with nothing checked grants openid alone; without openid requested, it is access_denied")
    func allowNothing() async throws {
        try await withTestIdP { idp in
            let html = Self.expectConsentPage(try await idp.authorizeResponse(Self.request([("prompt", "consent")])))
            let tokens = try await Self.tokens(idp, try await idp.post("/authorize", form: Self.submission(html, checked: [])))
            #expect(tokens["scope"] as? String == "openid")

            let oauthOnly = Self.expectConsentPage(try await idp.authorizeResponse(Self.request([("prompt", "consent")], scope: "transactions:read")))
            let parameters = try Self.redirected(try await idp.post("/authorize", form: Self.submission(oauthOnly, checked: [])))
            #expect(parameters["error"] == "access_denied")
            #expect(parameters["code"] == nil)
        }
    }

    @Test("Deny redirects with error=access_denied, an error_description, state and iss, and issues nothing", arguments: ["query", "fragment"])
    func deny(mode: String) async throws {
        try await withTestIdP { idp in
            let html = Self.expectConsentPage(try await idp.authorizeResponse(Self.request([("prompt", "consent"), ("response_mode", mode)])))
            let response = try await idp.post("/authorize", form: Self.submission(html, checked: Self.checkboxes(html), button: "deny"))
            #expect(response.status == .found)
            let location = try #require(response.headers[.location])
            #expect(location.hasPrefix(Self.redirectURI + (mode == "query" ? "?" : "#")))
            let parameters = try redirectParameters(location)
            #expect(parameters["error"] == "access_denied")
            #expect(parameters["error_description"]?.contains("consent") == true)
            #expect(parameters["state"] == "state-9" && parameters["iss"] == testIssuer)
            #expect(parameters["code"] == nil)
            #expect(try await idp.issuedCodes().isEmpty)
        }
    }

    // MARK: Validating the decision

    @Test("a forged decision is an error redirect, never a grant", arguments: [
        ([("mockidp_consent_scope", "transactions:write")], "allow", "was not requested"),
        ([("mockidp_consent_scope", "email"), ("mockidp_consent_scope", "email")], "allow", "more than once"),
        ([("mockidp_consent_scope", "email")], "maybe", "must be allow or deny"),
    ])
    func forged(scopes: [(String, String)], decision: String, reason: String) async throws {
        try await withTestIdP { idp in
            let html = Self.expectConsentPage(try await idp.authorizeResponse(Self.request([("prompt", "consent")])))
            let fields = Self.submission(html, checked: []).filter { $0.0 != "mockidp_consent" } + scopes + [("mockidp_consent", decision)]
            let parameters = try Self.redirected(try await idp.post("/authorize", form: fields))
            #expect(parameters["error"] == "invalid_request")
            #expect(parameters["error_description"]?.contains(reason) == true, "\(parameters["error_description"] ?? "")")
            #expect(parameters["code"] == nil)
            #expect(try await idp.issuedCodes().isEmpty)
        }
    }

    @Test("a checked scope without a decision is refused; a tampered redirect_uri gets the 400 page, not a redirect")
    func tampered() async throws {
        try await withTestIdP { idp in
            let undecided = try await idp.authorizeResponse(Self.request([("mockidp_consent_scope", "email")]))
            #expect(try Self.redirected(undecided)["error"] == "invalid_request")

            let html = Self.expectConsentPage(try await idp.authorizeResponse(Self.request([("prompt", "consent")])))
            let fields = Self.submission(html, checked: ["email"]).map { $0.0 == "redirect_uri" ? ($0.0, "http://evil.example/cb") : $0 }
            let page = try await idp.post("/authorize", form: fields)
            #expect(page.status == .badRequest)
            #expect(page.headers[.location] == nil)
            #expect(try await idp.issuedCodes().isEmpty)
        }
    }

    @Test("hostile values are escaped on the page and round-trip intact")
    func escaped() async throws {
        try await withTestIdP { idp in
            let state = #""><script>alert(1)</script>&'"#
            let html = Self.expectConsentPage(try await idp.authorizeResponse(Self.request([("prompt", "consent")]).filter { $0.0 != "state" } + [("state", state)]))
            #expect(!html.contains("<script>alert(1)"))
            #expect(try Self.redirected(try await idp.post("/authorize", form: Self.submission(html, checked: [])))["state"] == state)
        }
    }

    // MARK: prompt=none and scripts

    @Test("prompt=none with a request that needs the page gets consent_required (OIDC Core §3.1.2.6), never the page")
    func promptNone() async throws {
        try await withConfiguredTestIdP(consentPage: true) { idp in
            let response = try await idp.authorizeResponse(Self.request([("prompt", "none")]))
            #expect(response.headers[.contentType]?.hasPrefix("text/html") != true)
            let parameters = try Self.redirected(response)
            #expect(parameters["error"] == "consent_required")
            #expect(parameters["state"] == "state-9" && parameters["iss"] == testIssuer)
        }
        try await withConfiguredTestIdP(fixtures: try Self.budgetify(consent: true)) { idp in
            let response = try await idp.authorizeResponse([
                ("response_type", "code"), ("client_id", "careful-app"), ("redirect_uri", "http://localhost:7000/cb"), ("scope", "openid"),
                ("prompt", "none"),
            ])
            #expect(try redirectParameters(try #require(response.headers[.location]))["error"] == "consent_required")
        }
        try await withTestIdP { idp in
            // prompt=none with consent together is invalid in itself (OIDC Core §3.1.2.1).
            let response = try await idp.authorizeResponse(Self.request([("prompt", "none consent")]))
            #expect(try Self.redirected(response)["error"] == "invalid_request")
        }
    }

    @Test("a scripted error or partial grant takes precedence over the page; a scripted sign-in is the user the page shows")
    func scripts() async throws {
        try await withTestIdP { idp in
            _ = try await idp.postJSON("/debug/next", #"{"endpoint": "authorize", "error": "temporarily_unavailable"}"#)
            #expect(try Self.redirected(try await idp.authorizeResponse(Self.request([("prompt", "consent")])))["error"] == "temporarily_unavailable")

            _ = try await idp.postJSON("/debug/next", #"{"endpoint": "authorize", "scope": "openid profile"}"#)
            let scripted = try await Self.tokens(idp, try await idp.authorizeResponse(Self.request([("prompt", "consent")])))
            #expect(scripted["scope"] as? String == "openid profile", "the script's grant, no page")

            _ = try await idp.postJSON("/debug/next", #"{"endpoint": "authorize", "sub": "bob"}"#)
            let html = Self.expectConsentPage(try await idp.authorizeResponse(Self.request([("prompt", "consent")])))
            #expect(html.contains("Bob Brown"))
            let tokens = try await Self.tokens(idp, try await idp.post("/authorize", form: Self.submission(html, checked: ["email"])))
            #expect(try jwtPayload(try #require(tokens["access_token"] as? String))["sub"] as? String == "bob")
            #expect(tokens["scope"] as? String == "openid email")
        }
    }

    // MARK: Fixtures and discovery

    @Test("\"consent\" in clients.json must be true or false; the problem names the file, entry and field")
    func fixtureValidation() throws {
        let problem = try FixtureLoaderTests.onlyProblem(
            clients: #"[{"client_id": "app", "client_secret": "s", "redirect_uris": ["http://localhost/cb"], "consent": "yes"}]"#
        )
        #expect(problem.file == "clients.json")
        #expect(problem.entry == #"index 0 (client_id "app")"#)
        #expect(problem.field == "consent")
        #expect(problem.reason == "expected true or false, found a string")

        let fixtures = try FixtureLoaderTests.decode(
            clients: #"[{"client_id": "app", "client_secret": "s", "redirect_uris": ["http://localhost/cb"], "consent": true}]"#
        )
        #expect(fixtures.clients.first?.requiresConsent == true)
        #expect(try FixtureLoaderTests.decode().clients.first?.requiresConsent == false)
    }

    @Test("discovery lists consent among prompt_values_supported")
    func discovery() async throws {
        try await withTestIdP { idp in
            let document = try json(try await idp.get("/.well-known/openid-configuration"))
            let prompts = try #require(document["prompt_values_supported"] as? [String])
            #expect(Set(prompts) == ["none", "login", "consent", "select_account"])
        }
    }
}
