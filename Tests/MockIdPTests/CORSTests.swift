import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@testable import MockIdP

/// CORS (the Fetch standard) on the endpoints a browser app calls: preflights, the headers of actual responses,
/// which origins each client allows, and what a bad Origin or a bad `allowed_origins` gets.
@Suite struct CORSTests {
    /// budgetify-spa's redirect URIs are at these origins; budgetify's at localhost:3000 and 127.0.0.1:3000.
    static let spaOrigin = "http://localhost:5173"
    static let evilOrigin = "https://evil.example"

    static let corsFields: [HTTPField.Name] = [
        .accessControlAllowOrigin, .accessControlAllowMethods, .accessControlAllowHeaders, .accessControlMaxAge,
        .accessControlExposeHeaders, .accessControlAllowCredentials,
    ]

    static func expectNoCORS(_ response: TestResponse, sourceLocation: SourceLocation = #_sourceLocation) {
        for name in corsFields {
            #expect(response.headers[name] == nil, "unexpected \(name): \(response.headers[name] ?? "")", sourceLocation: sourceLocation)
        }
    }

    static func expectAllowed(_ response: TestResponse, _ origin: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(response.headers[.accessControlAllowOrigin] == origin, sourceLocation: sourceLocation)
        #expect(response.headers[.vary]?.contains("Origin") == true, sourceLocation: sourceLocation)
        #expect(response.headers[.accessControlExposeHeaders] == "WWW-Authenticate", sourceLocation: sourceLocation)
    }

    static func spaForm(code: String, verifier: String) -> [(String, String)] {
        [
            ("grant_type", "authorization_code"), ("client_id", "budgetify-spa"), ("code", code),
            ("redirect_uri", "http://localhost:5173/callback"), ("code_verifier", verifier),
        ]
    }

    /// A refresh-token request of `clientID` with a token no one was issued: an invalid_grant, or invalid_client.
    static func refresh(clientID: String) -> [(String, String)] {
        [("grant_type", "refresh_token"), ("client_id", clientID), ("refresh_token", "x")]
    }

    // MARK: Preflight

    @Test("a preflight from an origin a client allows gets 204 with the origin, methods, headers, max-age and Vary")
    func preflightAllowed() async throws {
        try await withTestIdP { idp in
            let response = try await idp.preflight("/token", origin: Self.spaOrigin, requestHeaders: "content-type, dpop")
            #expect(response.status == .noContent)
            #expect(response.headers[.accessControlAllowOrigin] == Self.spaOrigin)
            #expect(response.headers[.accessControlAllowMethods] == "POST")
            let allowedList = (response.headers[.accessControlAllowHeaders] ?? "").lowercased().split(separator: ",")
            let allowed = Set(allowedList.map { $0.trimmingCharacters(in: .whitespaces) })
            #expect(allowed.isSuperset(of: ["authorization", "content-type", "dpop", "x-requested-with"]))
            #expect(response.headers[.accessControlMaxAge] == "600")
            #expect(response.headers[.vary] == "Origin")
            #expect(response.headers[.accessControlAllowCredentials] == nil)
            #expect(response.body.readableBytes == 0)

            let userinfo = try await idp.preflight("/userinfo", origin: Self.spaOrigin, method: "GET", requestHeaders: "authorization")
            #expect(userinfo.status == .noContent)
            #expect(userinfo.headers[.accessControlAllowMethods] == "GET, POST")
            for path in ["/introspect", "/revoke", "/device_authorization", "/end_session", "/debug", "/debug/clock"] {
                let other = try await idp.preflight(path, origin: Self.spaOrigin)
                #expect(other.status == .noContent, "\(path)")
                #expect(other.headers[.accessControlAllowOrigin] == Self.spaOrigin, "\(path)")
            }
        }
    }

    @Test("a preflight from an origin no client allows gets 403 without any CORS header, and says why")
    func preflightDisallowed() async throws {
        try await withTestIdP { idp in
            for path in ["/token", "/userinfo", "/revoke", "/debug"] {
                let response = try await idp.preflight(path, origin: Self.evilOrigin)
                #expect(response.status == .forbidden, "\(path)")
                Self.expectNoCORS(response)
                #expect(response.headers[.vary] == nil)
                let body = try json(response)
                #expect(body["error"] as? String == "invalid_request")
                #expect((body["error_description"] as? String)?.contains("https://evil.example is not allowed by any client") == true)
            }
            // The request log shows the refusal, for "why does my SPA fail?".
            let logged = try jsonArray(try await idp.get("/debug/requests"))
            #expect(logged.contains { $0["method"] as? String == "OPTIONS" && $0["status"] as? Int == 403 && $0["path"] as? String == "/token" })
        }
    }

    @Test("the opaque origin null is never allowed on a client endpoint, even by a client that allows any origin")
    func nullOrigin() async throws {
        let fixtures = try FixtureLoader.builtIn()
        var clients = fixtures.clients
        clients.append(Client(clientID: "anywhere", grantTypes: [.refreshToken], allowedOrigins: .any))
        try await withTestIdP(fixtures: .values(MockIdPFixtures(users: fixtures.users, clients: clients, scopes: fixtures.scopes))) { idp in
            #expect(try await idp.preflight("/token", origin: "null").status == .forbidden)
            #expect(try await idp.preflight("/token", origin: "http://any.example:9999").status == .noContent)
            let discovery = try await idp.get("/.well-known/openid-configuration", headers: [.origin: "null"])
            #expect(discovery.headers[.accessControlAllowOrigin] == "*")
        }
    }

    @Test("a plain OPTIONS request (no Origin, no Access-Control-Request-Method) gets 204 with Allow")
    func plainOptions() async throws {
        try await withTestIdP { idp in
            let response = try await idp.client.execute(uri: "/token", method: .options, headers: [:], body: nil)
            #expect(response.status == .noContent)
            #expect(response.headers[.allow] == "OPTIONS, POST")
            Self.expectNoCORS(response)
        }
    }

    // MARK: Actual responses

    @Test("the public client's flow from its own origin: token, userinfo, refresh and revoke responses carry the origin")
    func spaFlow() async throws {
        try await withTestIdP { idp in
            let origin: HTTPFields = [.origin: Self.spaOrigin]
            let pkce = pkcePair()
            let code = try await idp.code(
                clientID: "budgetify-spa", redirectURI: "http://localhost:5173/callback", scope: "openid profile offline_access",
                extra: [("code_challenge", pkce.challenge), ("code_challenge_method", "S256")]
            )
            let token = try await idp.post("/token", form: Self.spaForm(code: code, verifier: pkce.verifier), headers: origin)
            #expect(token.status == .ok)
            Self.expectAllowed(token, Self.spaOrigin)
            let tokens = try json(token)
            let accessToken = try #require(tokens["access_token"] as? String)
            let refreshToken = try #require(tokens["refresh_token"] as? String)

            let userinfo = try await idp.get("/userinfo", headers: [.origin: Self.spaOrigin, .authorization: "Bearer \(accessToken)"])
            #expect(userinfo.status == .ok)
            Self.expectAllowed(userinfo, Self.spaOrigin)

            let refreshed = try await idp.post(
                "/token", form: [("grant_type", "refresh_token"), ("client_id", "budgetify-spa"), ("refresh_token", refreshToken)], headers: origin
            )
            #expect(refreshed.status == .ok)
            Self.expectAllowed(refreshed, Self.spaOrigin)
            let newRefresh = try #require(try json(refreshed)["refresh_token"] as? String)

            let revoked = try await idp.post("/revoke", form: [("client_id", "budgetify-spa"), ("token", newRefresh)], headers: origin)
            #expect(revoked.status == .ok)
            Self.expectAllowed(revoked, Self.spaOrigin)
        }
    }

    @Test("a disallowed origin gets no CORS header, and the request is answered as for any other caller")
    func disallowedOriginStillAnswered() async throws {
        try await withTestIdP { idp in
            let response = try await idp.publicClientTokens(headers: [.origin: Self.evilOrigin])
            #expect(response.status == .ok)
            #expect(try json(response)["access_token"] is String)
            Self.expectNoCORS(response)
        }
    }

    @Test("the actual response is checked against the client it is for, not any client")
    func checkedAgainstTheRequestsClient() async throws {
        try await withTestIdP { idp in
            // localhost:5173 is budgetify-spa's origin, not budgetify's.
            let form = [("grant_type", "client_credentials"), ("scope", "transactions:read")]
            let credentials = basic("budgetify", "budgetify-secret")
            let fromSPA = try await idp.post("/token", form: form, headers: [.authorization: credentials, .origin: Self.spaOrigin])
            #expect(fromSPA.status == .ok)
            Self.expectNoCORS(fromSPA)
            let fromBudgetify = try await idp.post("/token", form: form, headers: [.authorization: credentials, .origin: "http://localhost:3000"])
            Self.expectAllowed(fromBudgetify, "http://localhost:3000")

            // Userinfo goes by the access token's client.
            let budgetifyToken = try await idp.accessToken()
            let userinfo = try await idp.get("/userinfo", headers: [.origin: Self.spaOrigin, .authorization: "Bearer \(budgetifyToken)"])
            #expect(userinfo.status == .ok)
            Self.expectNoCORS(userinfo)
            // A wrong secret still names the client: its origins decide.
            let wrong = try await idp.post("/token", form: form, headers: [.authorization: basic("budgetify", "nope"), .origin: Self.spaOrigin])
            #expect(wrong.status == .unauthorized)
            Self.expectNoCORS(wrong)
        }
    }

    @Test("error responses carry CORS headers for an allowed origin, with WWW-Authenticate exposed")
    func errorsCarryCORS() async throws {
        try await withTestIdP { idp in
            let origin: HTTPFields = [.origin: Self.spaOrigin]
            // No known client: any client's origins decide, so the page can read invalid_client.
            let unknown = try await idp.post("/token", form: Self.refresh(clientID: "nobody"), headers: origin)
            #expect(unknown.status == .unauthorized)
            #expect(try errorCode(unknown) == "invalid_client")
            Self.expectAllowed(unknown, Self.spaOrigin)
            #expect(unknown.headers[.wwwAuthenticate] != nil)

            let noToken = try await idp.get("/userinfo", headers: origin)
            #expect(noToken.status == .unauthorized)
            #expect(noToken.headers[.wwwAuthenticate]?.hasPrefix("Bearer") == true)
            Self.expectAllowed(noToken, Self.spaOrigin)

            let badGrant = try await idp.post(
                "/token", form: [("grant_type", "refresh_token"), ("client_id", "budgetify-spa"), ("refresh_token", "nope")], headers: origin
            )
            #expect(badGrant.status == .badRequest)
            Self.expectAllowed(badGrant, Self.spaOrigin)
        }
    }

    @Test("discovery, RFC 8414 metadata and the JWKS are public: any origin, as Access-Control-Allow-Origin: *")
    func publicDataAnswersAnyOrigin() async throws {
        try await withTestIdP { idp in
            for path in ["/.well-known/openid-configuration", "/.well-known/oauth-authorization-server", "/jwks"] {
                let response = try await idp.get(path, headers: [.origin: Self.evilOrigin])
                #expect(response.status == .ok)
                #expect(response.headers[.accessControlAllowOrigin] == "*")
                let preflight = try await idp.preflight(path, origin: Self.evilOrigin, method: "GET")
                #expect(preflight.status == .noContent)
                #expect(preflight.headers[.accessControlAllowOrigin] == "*")
                #expect(preflight.headers[.accessControlAllowMethods] == "GET")
            }
        }
    }

    @Test("without an Origin header nothing changes; the authorization endpoint and pages get no CORS")
    func noOriginNoCORS() async throws {
        try await withTestIdP { idp in
            Self.expectNoCORS(try await idp.publicClientTokens())
            Self.expectNoCORS(try await idp.get("/.well-known/openid-configuration"))
            let authorize = try await idp.get(
                "/authorize", [("response_type", "code"), ("client_id", "budgetify"), ("redirect_uri", "http://localhost:3000/callback")],
                headers: [.origin: Self.spaOrigin]
            )
            #expect(authorize.status == .found)
            Self.expectNoCORS(authorize)
            let preflight = try await idp.preflight("/authorize", origin: Self.spaOrigin)
            #expect(preflight.status == .notFound)
            Self.expectNoCORS(preflight)
        }
    }

    @Test("/debug's JSON answers origins that a client allows, not arbitrary pages")
    func debugRoutes() async throws {
        try await withTestIdP { idp in
            Self.expectAllowed(try await idp.get("/debug", headers: [.origin: Self.spaOrigin]), Self.spaOrigin)
            Self.expectAllowed(try await idp.get("/debug/requests", headers: [.origin: "http://127.0.0.1:3000"]), "http://127.0.0.1:3000")
            let evil = try await idp.get("/debug", headers: [.origin: Self.evilOrigin])
            #expect(evil.status == .ok)
            Self.expectNoCORS(evil)
        }
    }

    // MARK: Which origins

    @Test("without allowed_origins a client allows the origins of its redirect URIs, default port dropped")
    func defaultFromRedirectURIs() async throws {
        let fixtures = try FixtureLoader.builtIn()
        var clients = fixtures.clients
        clients.append(Client(clientID: "ported", redirectURIs: ["https://App.Example:443/cb?x=1", "http://user@localhost:8081/a/b"]))
        clients.append(Client(clientID: "native", redirectURIs: ["com.example.app:/callback"]))
        try await withTestIdP(fixtures: .values(MockIdPFixtures(users: fixtures.users, clients: clients, scopes: fixtures.scopes))) { idp in
            let policy = try #require(idp.state.registry.originPolicy(clientID: "ported"))
            #expect(policy.allows("https://app.example"))
            #expect(policy.allows("http://localhost:8081"))
            #expect(!policy.allows("https://app.example:443"))
            #expect(!(try #require(idp.state.registry.originPolicy(clientID: "native"))).allows("com.example.app://callback"))
            let spa = try #require(idp.state.registry.originPolicy(clientID: "budgetify-spa"))
            #expect(spa.allows("http://localhost:5173") && spa.allows("http://127.0.0.1:5173"))
            #expect(!spa.allows("http://localhost:3000"))
            #expect(try await idp.preflight("/token", origin: "http://127.0.0.1:5173").status == .noContent)
            // Origins compare case-insensitively in scheme and host, as a hand-written header may differ.
            let mixed = try await idp.preflight("/token", origin: "HTTPS://APP.example")
            #expect(mixed.headers[.accessControlAllowOrigin] == "https://app.example")
        }
    }

    @Test("an explicit allowed_origins list replaces the redirect URIs' origins; \"*\" allows any origin")
    func explicitOrigins() async throws {
        let fixtures = try FixtureLoader.builtIn()
        var clients = fixtures.clients
        clients.append(
            Client(
                clientID: "listed", redirectURIs: ["http://localhost:7000/cb"],
                allowedOrigins: .origins(["https://listed.example", "http://[::1]:7000"])
            )
        )
        clients.append(Client(clientID: "open", redirectURIs: ["http://localhost:7100/cb"], allowedOrigins: .any))
        clients.append(Client(clientID: "closed", redirectURIs: ["http://localhost:7200/cb"], allowedOrigins: .origins([])))
        try await withTestIdP(fixtures: .values(MockIdPFixtures(users: fixtures.users, clients: clients, scopes: fixtures.scopes))) { idp in
            let registry = idp.state.registry
            #expect(registry.originPolicy(clientID: "listed")?.allows("https://listed.example") == true)
            #expect(registry.originPolicy(clientID: "listed")?.allows("http://[::1]:7000") == true)
            #expect(registry.originPolicy(clientID: "listed")?.allows("http://localhost:7000") == false)
            #expect(registry.originPolicy(clientID: "open")?.allows("https://whatever.example:1234") == true)
            #expect(registry.originPolicy(clientID: "closed")?.allows("http://localhost:7200") == false)

            // "open" allows any origin: its own token requests answer any, other clients' do not.
            let unknownOrigin = "https://whatever.example"
            let open = try await idp.post("/token", form: Self.refresh(clientID: "open"), headers: [.origin: unknownOrigin])
            Self.expectAllowed(open, unknownOrigin)
            let spa = try await idp.post("/token", form: Self.refresh(clientID: "budgetify-spa"), headers: [.origin: unknownOrigin])
            Self.expectNoCORS(spa)
        }
    }

    @Test("a client added at runtime through /debug/clients brings its origins; resetting the fixtures takes them away")
    func runtimeClient() async throws {
        try await withTestIdP { idp in
            let origin = "http://localhost:9000"
            #expect(try await idp.preflight("/token", origin: origin).status == .forbidden)
            let added = try await idp.postJSON(
                "/debug/clients", #"{"client_id": "cli", "redirect_uris": ["http://localhost:9100/cb"], "allowed_origins": ["http://localhost:9000"]}"#
            )
            #expect(added.status == .created, "\(bodyText(added))")
            #expect(try await idp.preflight("/token", origin: origin).status == .noContent)
            #expect(try await idp.preflight("/token", origin: "http://localhost:9100").status == .forbidden, "an explicit list replaces the default")
            let token = try await idp.post("/token", form: Self.refresh(clientID: "cli"), headers: [.origin: origin])
            Self.expectAllowed(token, origin)
            #expect(try await idp.sendDelete("/debug/fixtures").status == .ok)
            #expect(try await idp.preflight("/token", origin: origin).status == .forbidden)
        }
    }

    @Test("introspection and device authorization go by the authenticated client")
    func introspectionAndDevice() async throws {
        try await withTestIdP { idp in
            let token = try await idp.accessToken()
            let budgetify = "http://localhost:3000"
            let introspection = try await idp.post(
                "/introspect", form: [("token", token)], headers: [.authorization: basic("budgetify", "budgetify-secret"), .origin: budgetify]
            )
            #expect(try json(introspection)["active"] as? Bool == true)
            Self.expectAllowed(introspection, budgetify)
            // reconciler registers no redirect URI, so no origin: a service, not a browser app.
            let service = try await idp.post(
                "/introspect", form: [("token", token)], headers: [.authorization: basic("reconciler", "reconciler-secret"), .origin: budgetify]
            )
            #expect(service.status == .ok)
            Self.expectNoCORS(service)
            let device = try await idp.post(
                "/device_authorization", form: [("scope", "openid")], headers: [.authorization: basic("budgetify", "budgetify-secret"), .origin: budgetify]
            )
            #expect(device.status == .ok)
            Self.expectAllowed(device, budgetify)
            let tv = try await idp.post("/device_authorization", form: [("client_id", "budgetify-tv")], headers: [.origin: budgetify])
            #expect(tv.status == .ok)
            Self.expectNoCORS(tv)
        }
    }

    @Test("logout's response goes by its client_id")
    func endSession() async throws {
        try await withTestIdP { idp in
            let response = try await idp.get("/end_session", [("client_id", "budgetify-spa")], headers: [.origin: Self.spaOrigin])
            #expect(response.status == .ok)
            Self.expectAllowed(response, Self.spaOrigin)
            let other = try await idp.get("/end_session", [("client_id", "budgetify")], headers: [.origin: Self.spaOrigin])
            Self.expectNoCORS(other)
        }
    }

    @Test("an issuer mounted under a path prefix answers preflights under it")
    func pathPrefix() async throws {
        try await withTestIssuers(MockIdPConfiguration(issuer: testIssuer, issuers: [.init("alpha")])) { idp, _ in
            let preflight = try await idp.preflight("/alpha/token", origin: Self.spaOrigin)
            #expect(preflight.status == .noContent)
            #expect(preflight.headers[.accessControlAllowOrigin] == Self.spaOrigin)
            for path in CORSRoutes.debugPaths {
                #expect(try await idp.preflight("/alpha" + path, origin: Self.spaOrigin).status == .noContent, "\(path)")
            }
            #expect(try await idp.preflight("/alpha/token", origin: Self.evilOrigin).status == .forbidden)
        }
    }

    // MARK: Bad input

    @Test(
        "a malformed Origin header is a 400 invalid_request, never a 5xx, on preflights and actual requests",
        arguments: [
            "evil", "http://", "http://a/b", "http://a/", "http://a b", "http://a:99999", "http://a:", "http://a, http://b",
            "://a", "1http://a", "http://a?x", "http://[::1", "http://é.example",
        ]
    )
    func malformedOrigin(header: String) async throws {
        try await withTestIdP { idp in
            for response in [
                try await idp.preflight("/token", origin: header),
                try await idp.post("/token", form: [("grant_type", "client_credentials")], headers: [.origin: header]),
                try await idp.get("/.well-known/openid-configuration", headers: [.origin: header]),
            ] {
                #expect(response.status == .badRequest)
                #expect(try errorCode(response) == "invalid_request")
                #expect(bodyText(response).contains("malformed Origin header"))
                Self.expectNoCORS(response)
            }
        }
    }

    @Test("random Origin headers on every CORS path, preflight or not, never get a 5xx")
    func randomOrigins() async throws {
        try await withTestIdP { idp in
            var random = HostileInputTests.SeededGenerator(state: 13)
            let alphabet = Array("htps:/[]@?#.:%0123456789abcXYZ, \u{7F}é")
            let paths = CORSRoutes.exactPaths(EndpointPaths()).map(\.0) + CORSRoutes.debugPaths
            for _ in 0..<200 {
                let prefix = ["", "http://", "https://", "http://localhost:5173", "null"].randomElement(using: &random)!
                let origin = prefix + String((0..<Int.random(in: 0...12, using: &random)).map { _ in alphabet.randomElement(using: &random)! })
                let path = paths.randomElement(using: &random)!
                let method: HTTPRequest.Method = [.options, .get, .post].randomElement(using: &random)!
                var headers: HTTPFields = [.origin: origin]
                if Bool.random(using: &random) { headers[.accessControlRequestMethod] = "POST" }
                let response = try await idp.client.execute(uri: path, method: method, headers: headers, body: nil)
                #expect(response.status.code < 500, "\(method) \(path) with Origin \(origin) answered \(response.status)")
            }
        }
    }

    @Test(
        "allowed_origins that is not \"*\" or a list of origins is a fixture error naming file, entry and field",
        arguments: [
            (
                #""http://localhost:5173""#, "allowed_origins",
                #"expected "*" or an array of origins such as ["http://localhost:5173"], found "http://localhost:5173""#
            ),
            ("7", "allowed_origins", #"expected "*" or an array of origins such as ["http://localhost:5173"], found 7"#),
            ("[1]", "allowed_origins[0]", "expected a string, found a number"),
            (
                #"["http://localhost:5173/"]"#, "allowed_origins[0]",
                #""http://localhost:5173/" ends with a slash: an origin has no path (write http://localhost:5173)"#
            ),
            (
                #"["http://a.example", "http://localhost:5173/app"]"#, "allowed_origins[1]",
                #""http://localhost:5173/app" is not an origin: it has a path, query or fragment ("/app"); an origin is scheme://host[:port]"#
            ),
            (
                #"["HTTP://Localhost:5173"]"#, "allowed_origins[0]",
                #""HTTP://Localhost:5173" must be lowercase, as browsers send it in the Origin header (write http://localhost:5173)"#
            ),
            (
                #"["https://app.example:443"]"#, "allowed_origins[0]",
                #""https://app.example:443" names the default port of https: browsers leave it out (write https://app.example)"#
            ),
            (
                #"["localhost:5173"]"#, "allowed_origins[0]",
                #""localhost:5173" is not an origin: scheme://host[:port], with no path, query or fragment (RFC 6454 §6.2)"#
            ),
            (#"["http://a.example", "*"]"#, "allowed_origins[1]", #""*" allows every origin only on its own: write "allowed_origins": "*""#),
            (
                #"["http://localhost:05173"]"#, "allowed_origins[0]",
                #""http://localhost:05173" writes its port with leading zeros, which browsers do not (write http://localhost:5173)"#
            ),
            (#"["http://[]:80"]"#, "allowed_origins[0]", #""http://[]:80" is not an origin: scheme://host[:port], with no path, query or fragment (RFC 6454 §6.2)"#),
        ]
    )
    func invalidAllowedOrigins(value: String, field: String, reason: String) throws {
        let clients = #"[{"client_id": "app", "client_secret": "s", "redirect_uris": ["http://localhost/cb"], "allowed_origins": \#(value)}]"#
        let problem = try FixtureLoaderTests.onlyProblem(clients: clients)
        #expect(problem.file == "clients.json")
        #expect(problem.entry == #"index 0 (client_id "app")"#)
        #expect(problem.field == field)
        #expect(problem.reason == reason)
    }

    @Test("allowed_origins decodes \"*\", [\"*\"] and a list of origins")
    func decodesAllowedOrigins() throws {
        func decoded(_ value: String) throws -> AllowedOrigins? {
            let clients = #"[{"client_id": "app", "client_secret": "s", "redirect_uris": ["http://localhost/cb"], "allowed_origins": \#(value)}]"#
            return try FixtureLoaderTests.decode(clients: clients).clients.first?.allowedOrigins
        }
        #expect(try decoded(#""*""#) == .any)
        #expect(try decoded(#"["*"]"#) == .any)
        #expect(try decoded("null") == nil)
        #expect(try decoded("[]") == .origins([]))
        let origins = ["http://localhost:5173", "https://[::1]:8443", "chrome-extension://abcdef"]
        #expect(try decoded(#"["http://localhost:5173", "https://[::1]:8443", "chrome-extension://abcdef"]"#) == .origins(origins))
    }

    @Test("invalid allowed_origins added at runtime is a 400 naming the entry and field")
    func runtimeValidation() async throws {
        try await withTestIdP { idp in
            let response = try await idp.postJSON(
                "/debug/clients", #"{"client_id": "cli", "redirect_uris": ["http://localhost:9100/cb"], "allowed_origins": ["http://x/"]}"#
            )
            let problems = try DebugFixturesTests.problems(response)
            #expect(problems.count == 1)
            #expect(problems.first?.contains(#"field "allowed_origins[0]""#) == true)
            #expect(problems.first?.contains("cli") == true)
        }
    }
}

extension TestIdP {
    /// A CORS preflight: OPTIONS with `Origin` and `Access-Control-Request-Method` (and `-Headers` when given).
    func preflight(_ path: String, origin: String, method: String = "POST", requestHeaders: String? = nil) async throws -> TestResponse {
        var headers: HTTPFields = [.origin: origin, .accessControlRequestMethod: method]
        if let requestHeaders { headers[.accessControlRequestHeaders] = requestHeaders }
        return try await client.execute(uri: path, method: .options, headers: headers, body: nil)
    }

    /// The public client's code flow with S256 PKCE, the token request sent with `headers`.
    func publicClientTokens(headers: HTTPFields) async throws -> TestResponse {
        let pkce = pkcePair()
        let code = try await code(
            clientID: "budgetify-spa", redirectURI: "http://localhost:5173/callback", scope: "openid profile",
            extra: [("code_challenge", pkce.challenge), ("code_challenge_method", "S256")]
        )
        return try await post("/token", form: CORSTests.spaForm(code: code, verifier: pkce.verifier), headers: headers)
    }
}
