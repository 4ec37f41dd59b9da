import HTTPTypes
import HummingbirdTesting
import Testing

@testable import MockIdP

@Suite struct AuthorizeEndpointTests {
    static let redirectURI = "http://localhost:3000/callback"

    /// A valid request for budgetify, with `changes` replacing or adding parameters (an empty value removes one).
    static func request(_ changes: [(String, String)] = []) -> [(String, String)] {
        var parameters = [
            ("response_type", "code"), ("client_id", "budgetify"), ("redirect_uri", redirectURI), ("scope", "openid profile"),
            ("state", "state-123"),
        ]
        for (name, value) in changes {
            parameters.removeAll { $0.0 == name }
            if !value.isEmpty { parameters.append((name, value)) }
        }
        return parameters
    }

    /// The `sub` of the user a code was issued for, read from the ID token it redeems to.
    static func signedInSub(_ idp: TestIdP, _ parameters: [String: String]) async throws -> String? {
        let code = try #require(parameters["code"])
        let response = try await idp.redeem(code)
        let idToken = try #require(try json(response)["id_token"] as? String)
        return try jwtPayload(idToken)["sub"] as? String
    }

    /// Asserts the response is the 400 page shown when MockIdP cannot redirect, and returns its text.
    @discardableResult
    static func expectErrorPage(_ response: TestResponse, sourceLocation: SourceLocation = #_sourceLocation) -> String {
        #expect(response.status == .badRequest, sourceLocation: sourceLocation)
        #expect(response.headers[.location] == nil, sourceLocation: sourceLocation)
        #expect(response.headers[.contentType]?.hasPrefix("text/html") == true, sourceLocation: sourceLocation)
        return text(response)
    }

    /// Asserts an error redirect to budgetify's callback with `error`, a description, the state and the issuer.
    static func expectErrorRedirect(
        _ response: TestResponse, _ error: String, state: String? = "state-123", sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        #expect(response.status == .found, sourceLocation: sourceLocation)
        let location = try #require(response.headers[.location], sourceLocation: sourceLocation)
        #expect(location.hasPrefix(redirectURI + "?"), sourceLocation: sourceLocation)
        let parameters = try redirectParameters(location)
        #expect(parameters["error"] == error, "\(parameters)", sourceLocation: sourceLocation)
        #expect(parameters["error_description"]?.isEmpty == false, sourceLocation: sourceLocation)
        #expect(parameters["state"] == state, sourceLocation: sourceLocation)
        #expect(parameters["iss"] == testIssuer, sourceLocation: sourceLocation)
        #expect(parameters["code"] == nil, sourceLocation: sourceLocation)
    }

    // MARK: Success

    @Test("a valid request redirects to the redirect URI with code, state and iss")
    func success() async throws {
        try await withTestIdP { idp in
            let response = try await idp.authorizeResponse(Self.request())
            #expect(response.status == .found)
            #expect(response.headers[.cacheControl] == "no-store")
            let location = try #require(response.headers[.location])
            #expect(location.hasPrefix(Self.redirectURI + "?"))
            let parameters = try redirectParameters(location)
            #expect(parameters["code"]?.isEmpty == false)
            #expect(parameters["state"] == "state-123")
            #expect(parameters["iss"] == testIssuer)
            #expect(Set(parameters.keys) == ["code", "state", "iss"])
        }
    }

    @Test("each request gets a different code")
    func codesAreUnique() async throws {
        try await withTestIdP { idp in
            let first = try await idp.code()
            let second = try await idp.code()
            #expect(first != second)
        }
    }

    @Test("state is returned exactly, special characters included, and omitted when not sent")
    func stateRoundTrip() async throws {
        try await withTestIdP { idp in
            let state = "a b+c&d=e/é?"
            let parameters = try await idp.authorize(Self.request([("state", state)]))
            #expect(parameters["state"] == state)
            let withoutState = try await idp.authorize(Self.request([("state", "")]))
            #expect(withoutState["state"] == nil)
            #expect(withoutState["code"] != nil)
        }
    }

    @Test("the authorization request may be a POSTed form")
    func postForm() async throws {
        try await withTestIdP { idp in
            let response = try await idp.post("/authorize", form: Self.request())
            #expect(response.status == .found)
            let parameters = try redirectParameters(try #require(response.headers[.location]))
            #expect(parameters["code"] != nil)
            #expect(parameters["state"] == "state-123")
            #expect(parameters["iss"] == testIssuer)
        }
    }

    @Test("with no login_hint the first user, alice, is signed in")
    func defaultUser() async throws {
        try await withTestIdP { idp in
            let parameters = try await idp.authorize(Self.request())
            #expect(try await Self.signedInSub(idp, parameters) == "alice")
            #expect(idp.state.registry.defaultUser?.sub == "alice")
        }
    }

    @Test("login_hint signs in the user it names by sub or by username", arguments: ["7d0b2f9e-carol", "carol"])
    func loginHint(hint: String) async throws {
        try await withTestIdP { idp in
            let parameters = try await idp.authorize(Self.request([("login_hint", hint)]))
            #expect(try await Self.signedInSub(idp, parameters) == "7d0b2f9e-carol")
        }
    }

    @Test("a login_hint that names no user is an error redirect")
    func unknownLoginHint() async throws {
        try await withTestIdP { idp in
            let response = try await idp.authorizeResponse(Self.request([("login_hint", "mallory")]))
            try Self.expectErrorRedirect(response, "invalid_request")
        }
    }

    @Test("response_mode=fragment puts the response in the fragment")
    func fragmentMode() async throws {
        try await withTestIdP { idp in
            let response = try await idp.authorizeResponse(Self.request([("response_mode", "fragment")]))
            #expect(response.status == .found)
            let location = try #require(response.headers[.location])
            #expect(location.hasPrefix(Self.redirectURI + "#"))
            #expect(!location.contains("?"))
            let parameters = try redirectParameters(location)
            #expect(parameters["code"] != nil)
            #expect(parameters["state"] == "state-123")
            #expect(parameters["iss"] == testIssuer)
        }
    }

    @Test("an error in fragment mode is delivered in the fragment")
    func fragmentModeError() async throws {
        try await withTestIdP { idp in
            let response = try await idp.authorizeResponse(Self.request([("response_mode", "fragment"), ("scope", "nope")]))
            let location = try #require(response.headers[.location])
            #expect(location.hasPrefix(Self.redirectURI + "#"))
            let parameters = try redirectParameters(location)
            #expect(parameters["error"] == "invalid_scope")
            #expect(parameters["state"] == "state-123")
            #expect(parameters["iss"] == testIssuer)
        }
    }

    @Test("response_mode=form_post answers with an auto-submitting form of hidden inputs")
    func formPostMode() async throws {
        try await withTestIdP { idp in
            let state = #"s"<script>&'"#
            let response = try await idp.authorizeResponse(Self.request([("response_mode", "form_post"), ("state", state)]))
            #expect(response.status == .ok)
            #expect(response.headers[.location] == nil)
            #expect(response.headers[.contentType]?.hasPrefix("text/html") == true)
            #expect(response.headers[.cacheControl] == "no-store")
            let html = text(response)
            #expect(html.contains(#"<form method="post" action="\#(Self.redirectURI)">"#))
            #expect(html.contains("document.forms[0].submit()"))
            #expect(!html.contains("<script>&"), "state must be HTML-escaped")
            let fields = hiddenInputs(html)
            #expect(Set(fields.keys) == ["code", "state", "iss"])
            #expect(fields["state"] == state)
            #expect(fields["iss"] == testIssuer)
            let code = try #require(fields["code"])
            #expect(try await idp.redeem(code).status == .ok)
        }
    }

    @Test("a registered redirect URI with a query keeps it and appends the response")
    func redirectURIWithQuery() async throws {
        let client = Client(clientID: "query-app", clientSecret: "s", redirectURIs: ["http://localhost:8080/cb?tenant=a"])
        try await withTestIdP(fixtures: try builtInFixtures(adding: [client])) { idp in
            let response = try await idp.authorizeResponse([("response_type", "code"), ("client_id", "query-app"), ("state", "x")])
            let location = try #require(response.headers[.location])
            #expect(location.hasPrefix("http://localhost:8080/cb?tenant=a&"))
            let parameters = try redirectParameters(location)
            #expect(parameters["tenant"] == "a")
            #expect(parameters["code"] != nil)
            #expect(parameters["state"] == "x")
        }
    }

    // MARK: Requests that cannot be redirected (RFC 6749 §4.1.2.1)

    @Test("an unknown client is shown an error page, never redirected")
    func unknownClient() async throws {
        try await withTestIdP { idp in
            let html = Self.expectErrorPage(try await idp.authorizeResponse(Self.request([("client_id", "evil")])))
            #expect(html.contains("evil"))
        }
    }

    @Test(
        "a redirect URI that is not registered exactly is shown an error page",
        arguments: [
            "https://evil.example/callback", "http://localhost:3000/callback/", "http://localhost:3000/callback?x=1",
            "http://LOCALHOST:3000/callback", "http://localhost:3000/callback#frag", "http://localhost:5173/callback",
        ]
    )
    func unregisteredRedirectURI(uri: String) async throws {
        try await withTestIdP { idp in
            let response = try await idp.authorizeResponse(Self.request([("redirect_uri", uri)]))
            Self.expectErrorPage(response)
        }
    }

    @Test("a missing client_id is shown an error page")
    func missingClientID() async throws {
        try await withTestIdP { idp in
            let html = Self.expectErrorPage(try await idp.authorizeResponse(Self.request([("client_id", "")])))
            #expect(html.contains("client_id"))
        }
    }

    @Test("a duplicated client_id or redirect_uri is shown an error page", arguments: ["client_id", "redirect_uri"])
    func duplicatedClientParameter(name: String) async throws {
        try await withTestIdP { idp in
            let value = name == "client_id" ? "budgetify" : Self.redirectURI
            Self.expectErrorPage(try await idp.authorizeResponse(Self.request() + [(name, value)]))
        }
    }

    @Test("redirect_uri may be omitted when the client registers exactly one")
    func omittedRedirectURIWithOne() async throws {
        try await withTestIdP { idp in
            let response = try await idp.authorizeResponse([("response_type", "code"), ("client_id", "planner"), ("state", "p")])
            #expect(response.status == .found)
            let location = try #require(response.headers[.location])
            #expect(location.hasPrefix("http://localhost:4000/auth/callback?"))
            let parameters = try redirectParameters(location)
            #expect(parameters["code"] != nil)
            #expect(parameters["state"] == "p")
        }
    }

    @Test("redirect_uri may not be omitted when the client registers several")
    func omittedRedirectURIWithSeveral() async throws {
        try await withTestIdP { idp in
            let response = try await idp.authorizeResponse(Self.request([("redirect_uri", "")]))
            Self.expectErrorPage(response)
        }
    }

    @Test("a client without redirect URIs (reconciler, client_credentials only) is shown an error page")
    func clientWithoutRedirectURIs() async throws {
        try await withTestIdP { idp in
            Self.expectErrorPage(try await idp.authorizeResponse([("response_type", "code"), ("client_id", "reconciler"), ("state", "r")]))
            Self.expectErrorPage(
                try await idp.authorizeResponse([("response_type", "code"), ("client_id", "reconciler"), ("redirect_uri", Self.redirectURI)])
            )
        }
    }

    // MARK: Errors redirected to the client

    @Test("a client registered without the authorization_code grant gets unauthorized_client")
    func clientWithoutCodeGrant() async throws {
        let client = Client(clientID: "cc-only", clientSecret: "s", redirectURIs: [Self.redirectURI], grantTypes: [.clientCredentials])
        try await withTestIdP(fixtures: try builtInFixtures(adding: [client])) { idp in
            let response = try await idp.authorizeResponse(Self.request([("client_id", "cc-only"), ("scope", "")]))
            try Self.expectErrorRedirect(response, "unauthorized_client")
        }
    }

    @Test(
        "an invalid request is redirected back with its error, a description, state and iss",
        arguments: [
            ([("response_type", "")], "invalid_request"),
            ([("response_type", "token")], "unsupported_response_type"),
            ([("response_type", "code id_token")], "unsupported_response_type"),
            ([("scope", "openid payments")], "invalid_scope"),
            ([("scope", "openid calendar.read")], "invalid_scope"),
            ([("request", "eyJhbGciOiJub25lIn0.e30.")], "request_not_supported"),
            ([("request_uri", "urn:example:req")], "request_uri_not_supported"),
            ([("prompt", "none login")], "invalid_request"),
            ([("prompt", "consent none")], "invalid_request"),
            ([("response_mode", "web_message")], "invalid_request"),
            ([("code_challenge_method", "S256")], "invalid_request"),
        ] as [([(String, String)], String)]
    )
    func errorRedirect(changes: [(String, String)], error: String) async throws {
        try await withTestIdP { idp in
            try Self.expectErrorRedirect(try await idp.authorizeResponse(Self.request(changes)), error)
        }
    }

    @Test("a parameter sent twice is redirected back as invalid_request", arguments: ["scope", "state", "response_type", "nonce"])
    func duplicatedParameter(name: String) async throws {
        try await withTestIdP { idp in
            let response = try await idp.authorizeResponse(Self.request([("nonce", "n")]) + [(name, "again")])
            #expect(response.status == .found)
            let parameters = try redirectParameters(try #require(response.headers[.location]))
            #expect(parameters["error"] == "invalid_request")
            #expect(parameters["error_description"]?.contains(name) == true)
            #expect(parameters["iss"] == testIssuer)
        }
    }

    @Test("a scope allowed to another client but not this one is invalid_scope")
    func disallowedScopeForPublicClient() async throws {
        try await withTestIdP { idp in
            let pkce = pkcePair()
            let response = try await idp.authorizeResponse([
                ("response_type", "code"), ("client_id", "budgetify-spa"), ("redirect_uri", "http://localhost:5173/callback"),
                ("scope", "openid address"), ("state", "spa"), ("code_challenge", pkce.challenge), ("code_challenge_method", "S256"),
            ])
            let parameters = try redirectParameters(try #require(response.headers[.location]))
            #expect(parameters["error"] == "invalid_scope")
            #expect(parameters["state"] == "spa")
        }
    }

    @Test("prompt=none alone is accepted: the user is always signed in")
    func promptNone() async throws {
        try await withTestIdP { idp in
            let parameters = try await idp.authorize(Self.request([("prompt", "none")]))
            #expect(parameters["code"] != nil)
        }
    }

    @Test("with no scope the client's registered scopes are granted")
    func defaultScope() async throws {
        try await withTestIdP { idp in
            let parameters = try await idp.authorize(Self.request([("scope", "")]))
            let response = try await idp.redeem(try #require(parameters["code"]))
            let scope = try #require(try json(response)["scope"] as? String)
            let registered = try #require(idp.state.registry.client("budgetify")?.scopes)
            #expect(scope.split(separator: " ").map(String.init) == registered)
        }
    }

    // MARK: PKCE (RFC 7636, RFC 9700 §2.1.1)

    static func spaRequest(_ extra: [(String, String)]) -> [(String, String)] {
        [
            ("response_type", "code"), ("client_id", "budgetify-spa"), ("redirect_uri", "http://localhost:5173/callback"),
            ("scope", "openid"), ("state", "spa"),
        ] + extra
    }

    static func expectSPAError(_ response: TestResponse, _ error: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let location = try #require(response.headers[.location], sourceLocation: sourceLocation)
        #expect(location.hasPrefix("http://localhost:5173/callback?"), sourceLocation: sourceLocation)
        let parameters = try redirectParameters(location)
        #expect(parameters["error"] == error, sourceLocation: sourceLocation)
        #expect(parameters["error_description"]?.isEmpty == false, sourceLocation: sourceLocation)
        #expect(parameters["state"] == "spa", sourceLocation: sourceLocation)
        #expect(parameters["iss"] == testIssuer, sourceLocation: sourceLocation)
    }

    @Test("a public client with an S256 challenge gets a code")
    func publicClientS256() async throws {
        try await withTestIdP { idp in
            let parameters = try await idp.authorize(Self.spaRequest([("code_challenge", pkcePair().challenge), ("code_challenge_method", "S256")]))
            #expect(parameters["code"] != nil)
        }
    }

    @Test("a public client without a code_challenge is refused")
    func publicClientWithoutChallenge() async throws {
        try await withTestIdP { idp in
            try Self.expectSPAError(try await idp.authorizeResponse(Self.spaRequest([])), "invalid_request")
        }
    }

    @Test("a public client may not use the plain method, stated or by default", arguments: [true, false])
    func publicClientPlain(stated: Bool) async throws {
        try await withTestIdP { idp in
            let method = stated ? [("code_challenge_method", "plain")] : []
            try Self.expectSPAError(try await idp.authorizeResponse(Self.spaRequest([("code_challenge", pkcePair().verifier)] + method)), "invalid_request")
        }
    }

    @Test(
        "a malformed code_challenge is refused",
        arguments: [
            "short", String(repeating: "a", count: 42), String(repeating: "a", count: 129),
            String(repeating: "a", count: 42) + "+", String(repeating: "a", count: 42) + "=", String(repeating: "a", count: 42) + "/",
        ]
    )
    func malformedChallenge(challenge: String) async throws {
        try await withTestIdP { idp in
            let response = try await idp.authorizeResponse(Self.spaRequest([("code_challenge", challenge), ("code_challenge_method", "S256")]))
            try Self.expectSPAError(response, "invalid_request")
        }
    }

    @Test("an unknown code_challenge_method is refused", arguments: ["S512", "s256", "PLAIN"])
    func unknownChallengeMethod(method: String) async throws {
        try await withTestIdP { idp in
            let response = try await idp.authorizeResponse(Self.spaRequest([("code_challenge", pkcePair().challenge), ("code_challenge_method", method)]))
            try Self.expectSPAError(response, "invalid_request")
        }
    }

    @Test("a confidential client may use PKCE, or not")
    func confidentialClientPKCEOptional() async throws {
        try await withTestIdP { idp in
            #expect(try await idp.authorize(Self.request())["code"] != nil)
            let withPKCE = try await idp.authorize(Self.request([("code_challenge", pkcePair().challenge), ("code_challenge_method", "S256")]))
            #expect(withPKCE["code"] != nil)
        }
    }
}
