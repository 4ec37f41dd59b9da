import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@testable import MockIdP

@Suite struct LoginChooserTests {
    static let redirectURI = "http://localhost:3000/callback"

    /// An authorization request for budgetify, with `extra` parameters.
    static func request(_ extra: [(String, String)] = []) -> [(String, String)] {
        [
            ("response_type", "code"), ("client_id", "budgetify"), ("redirect_uri", redirectURI), ("scope", "openid profile"),
            ("state", "state-7"), ("nonce", "nonce-7"),
        ] + extra
    }

    /// Asserts that `response` is the chooser page and returns its HTML.
    static func expectChooser(_ response: TestResponse, sourceLocation: SourceLocation = #_sourceLocation) -> String {
        #expect(response.status == .ok, sourceLocation: sourceLocation)
        #expect(response.headers[.location] == nil, sourceLocation: sourceLocation)
        #expect(response.headers[.contentType]?.hasPrefix("text/html") == true, sourceLocation: sourceLocation)
        let html = text(response)
        #expect(html.contains(#"name="mockidp_user""#), "not the chooser page", sourceLocation: sourceLocation)
        return html
    }

    /// The fields a browser submits from the chooser form whose button is `button` (`name="value"`), in document order:
    /// the form's hidden inputs, then the button's own name and value.
    static func submission(_ html: String, button name: String, _ value: String) throws -> [(String, String)] {
        let marker = #"name="\#(name)" value="\#(value)""#
        let form = try #require(html.components(separatedBy: "<form").first { $0.contains(marker) }, "no form with \(marker)")
        let body = try #require(form.components(separatedBy: "</form>").first)
        var fields: [(String, String)] = []
        for match in body.matches(of: #/<input type="hidden" name="([^"]*)" value="([^"]*)">/#) {
            fields.append((htmlUnescaped(String(match.1)), htmlUnescaped(String(match.2))))
        }
        fields.append((name, value))
        return fields
    }

    /// The parameters of a response's redirect.
    static func redirect(_ response: TestResponse) throws -> [String: String] {
        try redirectParameters(try #require(response.headers[.location]))
    }

    /// POSTs a chooser submission to /authorize, as the form does.
    static func submit(_ idp: TestIdP, _ fields: [(String, String)]) async throws -> TestResponse {
        try await idp.post("/authorize", form: fields)
    }

    // MARK: Showing the chooser

    @Test("prompt=login and prompt=select_account show the chooser with every seeded user's name and sub", arguments: ["login", "select_account"])
    func shown(prompt: String) async throws {
        try await withTestIdP { idp in
            let response = try await idp.authorizeResponse(Self.request([("prompt", prompt)]))
            let html = Self.expectChooser(response)
            #expect(response.headers[.cacheControl] == "no-store")
            for (name, sub) in [
                ("Alice Andersen", "alice"), ("Bob Brown", "bob"), ("Carol Chen", "7d0b2f9e-carol"), ("Dave (no password, minimal claims)", "dave"),
            ] {
                #expect(html.contains(HTML.escape(name)), "\(name) missing")
                #expect(html.contains("sub \(sub)"), "sub \(sub) missing")
                #expect(html.contains(#"name="mockidp_user" value="\#(sub)""#), "no button for \(sub)")
            }
            #expect(html.contains(#"name="mockidp_action" value="deny""#))
            #expect(html.contains("budgetify"))
        }
    }

    @Test("the chooser's hidden inputs carry the original request parameters")
    func hiddenInputsCarryRequest() async throws {
        try await withTestIdP { idp in
            let pkce = pkcePair()
            let original = Self.request([
                ("prompt", "login"), ("code_challenge", pkce.challenge), ("code_challenge_method", "S256"), ("response_mode", "query"),
                ("login_hint", "carol"), ("max_age", "300"),
            ])
            let html = Self.expectChooser(try await idp.authorizeResponse(original))

            let fields = try Self.submission(html, button: "mockidp_user", "bob")
            var expected = Dictionary(uniqueKeysWithValues: original)
            expected["mockidp_user"] = "bob"
            #expect(Dictionary(fields, uniquingKeysWith: { first, _ in first }) == expected)
            #expect(fields.count == expected.count, "a parameter is carried more than once: \(fields)")
            #expect(hiddenInputs(html) == Dictionary(uniqueKeysWithValues: original))
        }
    }

    @Test("hidden inputs are HTML-escaped, so a hostile state round-trips intact")
    func hostileState() async throws {
        try await withTestIdP { idp in
            let state = #""><script>alert(1)</script>&'"#
            let html = Self.expectChooser(try await idp.authorizeResponse(Self.request([("prompt", "login")]).filter { $0.0 != "state" } + [("state", state)]))
            #expect(!html.contains("<script>alert(1)"))

            let response = try await Self.submit(idp, try Self.submission(html, button: "mockidp_user", "alice"))
            #expect(response.status == .found)
            #expect(try redirectParameters(try #require(response.headers[.location]))["state"] == state)
        }
    }

    // MARK: Choosing

    @Test("submitting the form with mockidp_user=bob redirects with a code whose tokens are for bob")
    func chooseBob() async throws {
        try await withTestIdP { idp in
            let html = Self.expectChooser(try await idp.authorizeResponse(Self.request([("prompt", "select_account")])))

            let response = try await Self.submit(idp, try Self.submission(html, button: "mockidp_user", "bob"))
            #expect(response.status == .found)
            let location = try #require(response.headers[.location])
            #expect(location.hasPrefix(Self.redirectURI + "?"))
            let parameters = try redirectParameters(location)
            #expect(parameters["state"] == "state-7")
            #expect(parameters["iss"] == testIssuer)
            let code = try #require(parameters["code"])

            let tokens = try json(try await idp.redeem(code))
            let id = try jwtPayload(try #require(tokens["id_token"] as? String))
            #expect(id["sub"] as? String == "bob")
            #expect(id["nonce"] as? String == "nonce-7")
            #expect(try jwtPayload(try #require(tokens["access_token"] as? String))["sub"] as? String == "bob")
        }
    }

    @Test("choosing a user whose sub differs from the username (carol) signs in that sub")
    func chooseCarol() async throws {
        try await withTestIdP { idp in
            let html = Self.expectChooser(try await idp.authorizeResponse(Self.request([("prompt", "login")])))

            let response = try await Self.submit(idp, try Self.submission(html, button: "mockidp_user", "7d0b2f9e-carol"))
            let code = try #require(try Self.redirect(response)["code"])
            let tokens = try json(try await idp.redeem(code))
            #expect(try jwtPayload(try #require(tokens["id_token"] as? String))["sub"] as? String == "7d0b2f9e-carol")
        }
    }

    @Test("the chooser keeps a PKCE flow intact: the code redeems with the verifier")
    func pkceThroughChooser() async throws {
        try await withTestIdP { idp in
            let pkce = pkcePair()
            let html = Self.expectChooser(
                try await idp.authorizeResponse([
                    ("response_type", "code"), ("client_id", "budgetify-spa"), ("redirect_uri", "http://localhost:5173/callback"),
                    ("scope", "openid"), ("prompt", "login"), ("code_challenge", pkce.challenge), ("code_challenge_method", "S256"),
                ])
            )
            let response = try await Self.submit(idp, try Self.submission(html, button: "mockidp_user", "bob"))
            let code = try #require(try Self.redirect(response)["code"])
            let redeemed = try await idp.redeem(
                code, clientID: "budgetify-spa", secret: nil, redirectURI: "http://localhost:5173/callback", extra: [("code_verifier", pkce.verifier)]
            )
            #expect(redeemed.status == .ok, "\(bodyText(redeemed))")
        }
    }

    @Test("resource indicators pass through the chooser once each: the access token's aud is the same as without it")
    func resourcesThroughChooser() async throws {
        try await withTestIdP { idp in
            for resources in [["https://ledger.example"], ["https://ledger.example", "https://payments.example"]] {
                let extra = resources.map { ("resource", $0) }
                let direct = try await idp.codeFlowTokens(extra: extra)
                let directAudience = try jwtPayload(try #require(direct["access_token"] as? String))["aud"]

                let html = Self.expectChooser(try await idp.authorizeResponse(Self.request([("prompt", "login")] + extra)))
                let fields = try Self.submission(html, button: "mockidp_user", "alice")
                #expect(fields.filter { $0.0 == "resource" }.map(\.1) == resources, "the form carries resource as \(fields.filter { $0.0 == "resource" })")
                let response = try await Self.submit(idp, fields)
                let code = try #require(try Self.redirect(response)["code"])
                let tokens = try json(try await idp.redeem(code))
                let audience = try jwtPayload(try #require(tokens["access_token"] as? String))["aud"]
                if resources.count == 1 {
                    #expect(audience as? String == resources[0], "aud \(String(describing: audience))")
                    #expect(directAudience as? String == resources[0])
                } else {
                    #expect(audience as? [String] == resources, "aud \(String(describing: audience))")
                    #expect(directAudience as? [String] == resources)
                }
            }
        }
    }

    @Test("Deny redirects with error=access_denied, state and iss, and no code")
    func deny() async throws {
        try await withTestIdP { idp in
            let html = Self.expectChooser(try await idp.authorizeResponse(Self.request([("prompt", "login")])))

            let response = try await Self.submit(idp, try Self.submission(html, button: "mockidp_action", "deny"))
            #expect(response.status == .found)
            let location = try #require(response.headers[.location])
            #expect(location.hasPrefix(Self.redirectURI + "?"))
            let parameters = try redirectParameters(location)
            #expect(parameters["error"] == "access_denied")
            #expect(parameters["error_description"]?.isEmpty == false)
            #expect(parameters["state"] == "state-7")
            #expect(parameters["iss"] == testIssuer)
            #expect(parameters["code"] == nil)
            #expect(try await idp.issuedCodes().isEmpty)
        }
    }

    @Test("Deny honours response_mode=fragment")
    func denyFragment() async throws {
        try await withTestIdP { idp in
            let html = Self.expectChooser(try await idp.authorizeResponse(Self.request([("prompt", "login"), ("response_mode", "fragment")])))

            let response = try await Self.submit(idp, try Self.submission(html, button: "mockidp_action", "deny"))
            let location = try #require(response.headers[.location])
            #expect(location.hasPrefix(Self.redirectURI + "#"))
            #expect(try redirectParameters(location)["error"] == "access_denied")
        }
    }

    // MARK: When it is not shown

    @Test("without prompt the default server signs in at once, and prompt=none never shows the chooser")
    func notShown() async throws {
        try await withTestIdP { idp in
            for extra in [[], [("prompt", "none")]] {
                let response = try await idp.authorizeResponse(Self.request(extra))
                #expect(response.status == .found, "\(extra)")
                #expect(try redirectParameters(try #require(response.headers[.location]))["code"] != nil)
            }
        }
    }

    @Test("a server with loginPage: true shows the chooser for a plain request, and choosing works")
    func loginPageServer() async throws {
        try await withConfiguredTestIdP(loginPage: true) { idp in
            let html = Self.expectChooser(try await idp.authorizeResponse(Self.request()))
            #expect(html.contains("Bob Brown"))

            let response = try await Self.submit(idp, try Self.submission(html, button: "mockidp_user", "bob"))
            let code = try #require(try Self.redirect(response)["code"])
            let tokens = try json(try await idp.redeem(code))
            #expect(try jwtPayload(try #require(tokens["id_token"] as? String))["sub"] as? String == "bob")
        }
    }

    @Test("a server with loginPage: true still never shows the chooser on prompt=none")
    func loginPageServerPromptNone() async throws {
        try await withConfiguredTestIdP(loginPage: true) { idp in
            let response = try await idp.authorizeResponse(Self.request([("prompt", "none")]))
            #expect(response.status == .found)
            #expect(response.headers[.contentType]?.hasPrefix("text/html") != true)
            #expect(response.headers[.location]?.hasPrefix(Self.redirectURI) == true)
        }
    }

    @Test("an invalid request is refused before the chooser: an unregistered redirect URI gets the 400 page, a bad scope a redirect")
    func validatedBeforeChooser() async throws {
        try await withTestIdP { idp in
            let page = try await idp.authorizeResponse(Self.request([("prompt", "login")]).map { $0.0 == "redirect_uri" ? ($0.0, "http://evil.example/cb") : $0 })
            #expect(page.status == .badRequest)
            #expect(page.headers[.location] == nil)

            let redirect = try await idp.authorizeResponse(Self.request([("prompt", "login")]).map { $0.0 == "scope" ? ($0.0, "openid calendar.read") : $0 })
            #expect(redirect.status == .found)
            #expect(try redirectParameters(try #require(redirect.headers[.location]))["error"] == "invalid_scope")
        }
    }

    // MARK: Re-validation of the submission

    @Test("a submission with a tampered redirect_uri gets the 400 page, not a redirect")
    func tamperedRedirectURI() async throws {
        try await withTestIdP { idp in
            let html = Self.expectChooser(try await idp.authorizeResponse(Self.request([("prompt", "login")])))
            let fields = try Self.submission(html, button: "mockidp_user", "bob")
                .map { $0.0 == "redirect_uri" ? ($0.0, "http://evil.example/callback") : $0 }

            let response = try await Self.submit(idp, fields)
            #expect(response.status == .badRequest)
            #expect(response.headers[.location] == nil)
            #expect(response.headers[.contentType]?.hasPrefix("text/html") == true)
            #expect(text(response).contains("invalid_request"))
            #expect(try await idp.issuedCodes().isEmpty)
        }
    }

    @Test("a submission with an unknown mockidp_user is an invalid_request redirect")
    func unknownUser() async throws {
        try await withTestIdP { idp in
            let html = Self.expectChooser(try await idp.authorizeResponse(Self.request([("prompt", "login")])))
            let fields = try Self.submission(html, button: "mockidp_user", "bob").map { $0.0 == "mockidp_user" ? ($0.0, "mallory") : $0 }

            let response = try await Self.submit(idp, fields)
            #expect(response.status == .found)
            let parameters = try redirectParameters(try #require(response.headers[.location]))
            #expect(parameters["error"] == "invalid_request")
            #expect(parameters["error_description"]?.contains("mallory") == true)
            #expect(parameters["state"] == "state-7")
            #expect(parameters["iss"] == testIssuer)
            #expect(parameters["code"] == nil)
        }
    }

    @Test("a submission whose scope was widened past the client's is an invalid_scope redirect")
    func tamperedScope() async throws {
        try await withTestIdP { idp in
            let html = Self.expectChooser(try await idp.authorizeResponse(Self.request([("prompt", "login")])))
            let fields = try Self.submission(html, button: "mockidp_user", "bob").map { $0.0 == "scope" ? ($0.0, "openid calendar.write") : $0 }

            let response = try await Self.submit(idp, fields)
            #expect(try redirectParameters(try #require(response.headers[.location]))["error"] == "invalid_scope")
        }
    }

    @Test("mockidp_user sent with a plain GET request is checked as well")
    func chosenUserOnGet() async throws {
        try await withTestIdP { idp in
            let known = try await idp.authorizeResponse(Self.request([("mockidp_user", "bob")]))
            let code = try #require(try Self.redirect(known)["code"])
            let tokens = try json(try await idp.redeem(code))
            #expect(try jwtPayload(try #require(tokens["id_token"] as? String))["sub"] as? String == "bob")

            let unknown = try await idp.authorizeResponse(Self.request([("mockidp_user", "nobody")]))
            #expect(try redirectParameters(try #require(unknown.headers[.location]))["error"] == "invalid_request")
        }
    }
}
