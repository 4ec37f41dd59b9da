import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@testable import MockIdP

/// Several issuers on one port: each under its path, with its own fixtures, key, store, clock, scripts, request log
/// and /debug; from fixture subdirectories, the configuration, on demand or /debug/issuers.
@Suite struct MultiIssuerTests {
    @Test("two issuers mounted under their paths share nothing")
    func twoIssuersShareNothing() async throws {
        let configuration = MockIdPConfiguration(issuer: "http://idp.test", issuers: [.init("alpha"), .init("partner")])
        try await withTestIssuers(configuration) { idp, issuers in
            let alpha = try #require(issuers.entry(named: "alpha")).issuer
            let partner = try #require(issuers.entry(named: "partner")).issuer
            for name in ["alpha", "partner"] {
                let document = try json(try await idp.get("/\(name)/.well-known/openid-configuration"))
                #expect(document["issuer"] as? String == "http://idp.test/\(name)")
                #expect(document["token_endpoint"] as? String == "http://idp.test/\(name)/token")
            }

            let form = [("grant_type", "client_credentials"), ("client_id", "reconciler"), ("client_secret", "reconciler-secret")]
            let issued = try json(try await idp.post("/alpha/token", form: form))
            let token = try #require(issued["access_token"] as? String)
            #expect(try jwtPayload(token)["iss"] as? String == "http://idp.test/alpha")
            #expect(try jwtHeader(token)["alg"] as? String == "RS256")

            // Issued state, request log and clock are the issuer's own.
            #expect((try json(try await idp.get("/debug"))["tokens"] as? [Any])?.isEmpty == true, "the root issuer issued nothing")
            #expect((try json(try await idp.get("/alpha/debug"))["tokens"] as? [Any])?.count == 1)
            #expect((try json(try await idp.get("/partner/debug"))["tokens"] as? [Any])?.isEmpty == true)
            let discovery = "/.well-known/openid-configuration"
            #expect(try jsonArray(try await idp.get("/alpha/debug/requests")).map { $0["path"] as? String } == ["/alpha/token", "/alpha" + discovery])
            #expect(try jsonArray(try await idp.get("/partner/debug/requests")).map { $0["path"] as? String } == ["/partner" + discovery])
            #expect(try await idp.postJSON("/partner/debug/clock", #"{"advance_seconds": 3600}"#).status == .ok)
            #expect(alpha.state.clock.offsetSeconds == 0)
            #expect(partner.state.clock.offsetSeconds == 3600)

            // A token of one issuer is unknown to the other's userinfo.
            #expect(try await idp.get("/partner/userinfo", headers: [.authorization: "Bearer \(token)"]).status == .unauthorized)
            let partnerToken = try #require(try json(try await idp.post("/partner/token", form: form))["access_token"] as? String)
            #expect(try jwtHeader(partnerToken)["kid"] as? String != jwtHeader(token)["kid"] as? String, "each issuer signs with its own key")
        }
    }

    static let erin = #"[{"sub": "erin", "claims": {"name": "Erin Evans"}}]"#

    @Test("fixture subdirectories are issuers; a file one lacks comes from the top level, then the built-in one")
    func subdirectories() async throws {
        let topClients = #"[{"client_id": "top", "client_secret": "top-secret", "grant_types": ["client_credentials"], "scopes": ["openid"]}]"#
        try await withFixturesDirectory([
            "clients.json": topClients,
            "partner-bank/users.json": Self.erin,
            "alpha-bank/issuer.json": #"{"layout": "keycloak"}"#,
            "notes/readme.txt": "not an issuer: no fixture file",
        ]) { directory in
            try await withTestIssuers(MockIdPConfiguration(issuer: testIssuer, fixtures: .directory(directory))) { idp, issuers in
                #expect(issuers.named.map(\.name) == ["alpha-bank", "partner-bank"])
                let partner = try issuers.require("partner-bank")
                #expect(partner.state.registry.fixtures.users.map(\.sub) == ["erin"], "its own users.json")
                #expect(partner.state.registry.fixtures.clients.map(\.clientID) == ["top"], "the top-level clients.json")
                #expect(partner.state.registry.fixtures.scopes.count == (try FixtureLoader.builtIn()).scopes.count, "the built-in scopes.json")
                #expect(idp.state.registry.fixtures.clients.map(\.clientID) == ["top"], "the root serves the top-level files as before")
                #expect(try issuers.require("alpha-bank").state.layout == .keycloak)
                #expect(try await idp.get("/notes/.well-known/openid-configuration").status == .notFound)
            }
        }
    }

    @Test("discovery per OpenID Connect Discovery §4 under the issuer, and per RFC 8414 §3.1 at the root")
    func discoveryPaths() async throws {
        let configuration = MockIdPConfiguration(
            issuer: testIssuer, issuers: [.init("partner-bank"), .init("alpha-bank", layout: .keycloak), .init("contoso", layout: .entra), .init("shop", layout: .auth0)]
        )
        try await withTestIssuers(configuration) { idp, _ in
            let cases = [
                ("/partner-bank/.well-known/openid-configuration", "/.well-known/oauth-authorization-server/partner-bank", "\(testIssuer)/partner-bank"),
                ("/realms/alpha-bank/.well-known/openid-configuration", "/.well-known/oauth-authorization-server/realms/alpha-bank", "\(testIssuer)/realms/alpha-bank"),
                ("/contoso/v2.0/.well-known/openid-configuration", "/.well-known/oauth-authorization-server/contoso/v2.0", "\(testIssuer)/contoso/v2.0"),
                ("/shop/.well-known/openid-configuration", "/.well-known/oauth-authorization-server/shop", "\(testIssuer)/shop/"),
            ]
            for (oidc, rfc8414, issuer) in cases {
                let first = try json(try await idp.get(oidc))
                let second = try json(try await idp.get(rfc8414))
                #expect(first["issuer"] as? String == issuer, "\(oidc)")
                #expect(second["issuer"] as? String == issuer, "\(rfc8414)")
            }
            #expect(try json(try await idp.get("/.well-known/oauth-authorization-server"))["issuer"] as? String == testIssuer, "the root's, unchanged")
            #expect(try await idp.get("/.well-known/oauth-authorization-server/nobody").status == .notFound)
        }
    }

    @Test("a token of one issuer is unknown to another: introspection inactive, userinfo 401, its key not in the other's JWKS")
    func isolation() async throws {
        let configuration = MockIdPConfiguration(issuer: testIssuer, issuers: [.init("alpha"), .init("partner")])
        try await withTestIssuers(configuration) { idp, issuers in
            let alpha = IssuerPaths(try issuers.require("alpha"))
            let partner = IssuerPaths(try issuers.require("partner"))
            let token = try #require(try await idp.codeFlow(at: alpha)["access_token"] as? String)
            #expect(try await idp.get(alpha.userinfo, headers: [.authorization: "Bearer \(token)"]).status == .ok)
            #expect(try await idp.get(partner.userinfo, headers: [.authorization: "Bearer \(token)"]).status == .unauthorized)
            #expect(try await idp.userinfo(token).status == .unauthorized, "the root's userinfo refuses it too")
            let reconciler: HTTPFields = [.authorization: basic("reconciler", "reconciler-secret")]
            let there = try json(try await idp.post(try #require(alpha.introspection), form: [("token", token)], headers: reconciler))
            let elsewhere = try json(try await idp.post(try #require(partner.introspection), form: [("token", token)], headers: reconciler))
            #expect(there["active"] as? Bool == true)
            #expect(elsewhere["active"] as? Bool == false)
            let kid = try #require(try jwtHeader(token)["kid"] as? String)
            let alphaKIDs = try #require(try json(try await idp.get(alpha.jwks))["keys"] as? [[String: Any]]).compactMap { $0["kid"] as? String }
            let partnerKIDs = try #require(try json(try await idp.get(partner.jwks))["keys"] as? [[String: Any]]).compactMap { $0["kid"] as? String }
            let rootKIDs = try #require(try json(try await idp.get("/jwks"))["keys"] as? [[String: Any]]).compactMap { $0["kid"] as? String }
            #expect(alphaKIDs.contains(kid))
            #expect(Set(partnerKIDs).isDisjoint(with: alphaKIDs))
            #expect(Set(rootKIDs).isDisjoint(with: alphaKIDs), "no issuer shares the root's shipped key")
        }
    }

    @Test("with issuers on demand, the first request under an unknown segment makes an issuer of that name; /realms/NAME a Keycloak realm")
    func onDemand() async throws {
        try await withTestIssuers(MockIdPConfiguration(issuer: testIssuer, issuersOnDemand: true)) { idp, issuers in
            let document = try json(try await idp.get("/anything/.well-known/openid-configuration"))
            #expect(document["issuer"] as? String == "\(testIssuer)/anything")
            let realm = try json(try await idp.get("/realms/acme/.well-known/openid-configuration"))
            #expect(realm["token_endpoint"] as? String == "\(testIssuer)/realms/acme/protocol/openid-connect/token")
            #expect(issuers.named.map(\.name) == ["acme", "anything"])
            #expect(issuers.named.map(\.origin) == [.onDemand, .onDemand])
            // The root's own paths, and segments that cannot name an issuer, stay the root's.
            #expect(try json(try await idp.get("/.well-known/openid-configuration"))["issuer"] as? String == testIssuer)
            #expect(try await idp.get("/favicon.ico").status == .notFound)
            #expect(issuers.named.count == 2)
        }
        try await withTestIssuers(MockIdPConfiguration(issuer: testIssuer)) { idp, issuers in
            let status = try await idp.get("/anything/.well-known/openid-configuration").status
            #expect(status == .notFound, "off by default")
            #expect(issuers.named.isEmpty)
        }
    }

    @Test("POST /debug/issuers adds an issuer with inline fixtures, GET lists it, DELETE removes it with what it issued")
    func runtimeIssuers() async throws {
        try await withTestIssuers(MockIdPConfiguration(issuer: testIssuer)) { idp, issuers in
            let added = try await idp.postJSON("/debug/issuers", #"{"name": "partner-bank", "layout": "keycloak", "users": \#(Self.erin)}"#)
            #expect(added.status == .created, "\(text(added))")
            #expect(try json(added)["issuer"] as? String == "\(testIssuer)/realms/partner-bank")
            let listed = try #require(try json(try await idp.get("/debug/issuers"))["issuers"] as? [[String: Any]])
            #expect(listed.map { $0["name"] as? String } == ["partner-bank"])
            #expect(listed.first?["origin"] as? String == "runtime")
            let partner = IssuerPaths(try issuers.require("partner-bank"))
            let tokens = try await idp.codeFlow(at: partner)
            #expect(try jwtPayload(try #require(tokens["id_token"] as? String))["sub"] as? String == "erin")

            #expect(try await idp.send(.delete, "/debug/issuers/partner-bank", body: nil).status == .ok)
            #expect(try await idp.get(partner.discovery).status == .notFound)
            #expect(try await idp.send(.delete, "/debug/issuers/partner-bank", body: nil).status == .notFound)
        }
    }

    @Test(
        "an issuer name must be one URL path segment of letters, digits, -, _ or ~, and none of the root's paths",
        arguments: ["token", "debug", ".well-known", "realms", "a.b", "a/b", "", "ä", String(repeating: "x", count: 65)]
    )
    func badNames(name: String) async throws {
        try await withTestIssuers(MockIdPConfiguration(issuer: testIssuer)) { idp, issuers in
            let body = try JSONSerialization.data(withJSONObject: ["name": name])
            let response = try await idp.send(.post, "/debug/issuers", body: Array(body), contentType: "application/json")
            #expect(response.status == .badRequest)
            #expect(try oauthError(response).error == "invalid_request")
            #expect(issuers.named.isEmpty)
        }
    }

    @Test("POST /debug/issuers refuses a taken name, an unknown layout and invalid fixtures (naming entry and field)")
    func runtimeRefusals() async throws {
        try await withTestIssuers(MockIdPConfiguration(issuer: testIssuer, issuers: [.init("alpha")])) { idp, issuers in
            let taken = try await idp.postJSON("/debug/issuers", #"{"name": "alpha"}"#)
            #expect(taken.status == .badRequest)
            #expect(try oauthError(taken).description.contains("exists already"))
            let layout = try await idp.postJSON("/debug/issuers", #"{"name": "beta", "layout": "okta"}"#)
            #expect(try oauthError(layout).description.contains("unknown layout \"okta\""))
            let fixtures = try await idp.postJSON("/debug/issuers", #"{"name": "beta", "clients": [{"client_id": "x", "redirect_uris": ["not a uri"]}]}"#)
            #expect(fixtures.status == .badRequest)
            let description = try oauthError(fixtures).description
            #expect(description.contains("clients, index 0 (client_id \"x\"), field \"redirect_uris[0]\""), "\(description)")
            #expect(issuers.named.map(\.name) == ["alpha"])
        }
    }

    @Test("an issuer directory that cannot start names the directory, file, entry and field")
    func startProblems() async throws {
        let files = [
            "bad/clients.json": #"[{"client_id": "x", "redirect_uris": ["not a uri"]}]"#,
            "weird/issuer.json": #"{"layout": "okta"}"#,
            "token/users.json": Self.erin,
            "a.b/users.json": Self.erin,
        ]
        try await withFixturesDirectory(files) { directory in
            let error = await #expect(throws: MockIdPFixtureError.self) {
                _ = try await IssuerTable.make(configuration: MockIdPConfiguration(fixtures: .directory(directory)))
            }
            let problems = try #require(error).problems.map(\.description)
            #expect(problems.count == 4, "\(problems)")
            #expect(problems.contains { $0.hasPrefix(directory + "/bad/clients.json, index 0 (client_id \"x\"), field \"redirect_uris[0]\"") }, "\(problems)")
            #expect(problems.contains { $0.hasPrefix(directory + "/weird/issuer.json, field \"layout\"") && $0.contains("unknown layout \"okta\"") }, "\(problems)")
            #expect(problems.contains { $0.hasPrefix(directory + "/token") && $0.contains("collides with the root's /token path") }, "\(problems)")
            #expect(problems.contains { $0.hasPrefix(directory + "/a.b") && $0.contains("letters, digits") }, "\(problems)")
        }
    }

    @Test("the configuration refuses a Keycloak or Entra root, a reserved or doubled issuer name")
    func configurationProblems() async throws {
        for layout in [MockIdPConfiguration.Layout.keycloak, .entra] {
            await #expect(throws: MockIdPFixtureError.self) { _ = try await IssuerTable.make(configuration: MockIdPConfiguration(layout: layout)) }
        }
        let error = await #expect(throws: MockIdPFixtureError.self) {
            _ = try await IssuerTable.make(configuration: MockIdPConfiguration(issuers: [.init("debug"), .init("x"), .init("x")]))
        }
        let problems = try #require(error).problems.map(\.description)
        #expect(problems.count == 2, "\(problems)")
        #expect(problems.contains { $0.contains("collides with the root's /debug path") })
        #expect(problems.contains { $0.contains("issuer \"x\" is declared twice") })
    }

    @Test("each issuer has its own clock, scripts and reset")
    func ownControls() async throws {
        try await withTestIssuers(MockIdPConfiguration(issuer: testIssuer, issuers: [.init("alpha")])) { idp, issuers in
            let alpha = IssuerPaths(try issuers.require("alpha"))
            #expect(try await idp.postJSON("/alpha/debug/next", #"{"error": "temporarily_unavailable", "status": 503}"#).status == .created)
            #expect(try await idp.post("/token", form: [("grant_type", "client_credentials")], headers: [.authorization: basic("reconciler", "reconciler-secret")]).status == .ok)
            let scripted = try await idp.post(alpha.token, form: [("grant_type", "client_credentials")], headers: [.authorization: basic("reconciler", "reconciler-secret")])
            #expect(scripted.status == .serviceUnavailable)
            _ = try await idp.clientCredentials(at: alpha)
            #expect((try json(try await idp.get("/alpha/debug"))["tokens"] as? [Any])?.count == 1)
            #expect(try await idp.send(.delete, "/debug", body: nil).status == .ok)
            #expect((try json(try await idp.get("/alpha/debug"))["tokens"] as? [Any])?.count == 1, "the root's reset is the root's")
            let page = text(try await idp.get("/alpha/debug", headers: [.accept: "text/html"]))
            #expect(page.contains("act('DELETE','/alpha/debug')"), "the inspector's buttons steer its own issuer")
            #expect(!page.contains("act('DELETE','/debug')"))
            #expect(try await idp.send(.delete, "/alpha/debug", body: nil).status == .ok)
            #expect((try json(try await idp.get("/alpha/debug"))["tokens"] as? [Any])?.isEmpty == true)
        }
    }

    @Test("the Swift API starts several issuers and gives each its endpoints and controls")
    func swiftAPI() async throws {
        let started = try await MockIdPServer.start(MockIdPConfiguration(issuers: [.init("alpha-bank", layout: .keycloak)]))
        defer { Task { try await started.stop() } }
        let root = started.idp
        let realm = try #require(root.issuer(named: "alpha-bank"))
        #expect(realm.issuer == root.issuer + "/realms/alpha-bank")
        #expect(realm.tokenEndpoint == realm.issuer + "/protocol/openid-connect/token")
        #expect(realm.name == "alpha-bank")
        #expect(realm.layout == .keycloak)
        let minted = try await realm.mintTokens(clientID: "budgetify", sub: "alice", scope: "openid")
        #expect(try jwtPayload(minted.accessToken)["iss"] as? String == realm.issuer)
        #expect(await realm.issued().tokens.count >= 1)
        #expect(await root.issued().tokens.isEmpty)

        let entra = try await root.addIssuer("contoso", layout: .entra)
        #expect(entra.issuer == root.issuer + "/contoso/v2.0")
        #expect(entra.revocationEndpoint == nil)
        #expect(entra.introspectionEndpoint == nil)
        #expect(root.namedIssuers.map(\.name) == ["alpha-bank", "contoso"])
        await #expect(throws: MockIdPRequestError.self) { try await root.addIssuer("contoso") }
        #expect(root.removeIssuer("contoso"))
        #expect(root.issuer(named: "contoso") == nil)
        #expect(!root.removeIssuer("contoso"))
    }

    @Test("random paths on a server making issuers on demand never get a 5xx, and only valid names become issuers")
    func hostilePaths() async throws {
        try await withTestIssuers(MockIdPConfiguration(issuer: testIssuer, issuers: [.init("alpha", layout: .keycloak)], issuersOnDemand: true)) { idp, issuers in
            var random = HostileInputTests.SeededGenerator(state: 14)
            let pieces = ["", "/", "//", "realms", ".well-known", "oauth-authorization-server", "alpha", "x", "..", ".", "%2F", "%2e%2e", "token", "a.b", "é", "~", "debug"]
            for _ in 0..<300 {
                let path = "/" + (0..<Int.random(in: 0...4, using: &random)).map { _ in pieces.randomElement(using: &random)! }.joined(separator: "/")
                let response = try await idp.get(path)
                #expect(response.status.code < 500, "\(path): \(response.status)")
            }
            for entry in issuers.named {
                #expect(IssuerName.problem(with: entry.name) == nil, "\(entry.name)")
            }
        }
    }
}
