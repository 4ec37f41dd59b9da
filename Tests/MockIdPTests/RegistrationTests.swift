import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@testable import MockIdP

/// Dynamic Client Registration (RFC 7591) and client management (RFC 7592).
@Suite struct RegistrationTests {
    static let mcpClient = #"""
        {"redirect_uris": ["http://localhost:6274/oauth/callback"], "client_name": "MCP Inspector",
         "grant_types": ["authorization_code", "refresh_token"], "token_endpoint_auth_method": "none",
         "scope": "openid profile", "software_statement_unknown_field": 1}
        """#

    func register(_ idp: TestIdP, _ body: String, path: String = "/register", headers: HTTPFields = [:]) async throws -> TestResponse {
        try await idp.send(.post, path, body: body, contentType: "application/json", headers: headers)
    }

    @Test("a public client registers (RFC 7591 §3.2.1), then runs the code flow with PKCE and refreshes")
    func publicClient() async throws {
        try await withTestIdP { idp in
            let response = try await register(idp, Self.mcpClient)
            #expect(response.status == .created)
            #expect(response.headers[.cacheControl] == "no-store")
            let body = try json(response)
            let clientID = try #require(body["client_id"] as? String)
            #expect(body["client_secret"] == nil, "a none client gets no secret")
            #expect(body["client_name"] as? String == "MCP Inspector")
            #expect(body["redirect_uris"] as? [String] == ["http://localhost:6274/oauth/callback"])
            #expect(body["grant_types"] as? [String] == ["authorization_code", "refresh_token"])
            #expect(body["response_types"] as? [String] == ["code"])
            #expect(body["token_endpoint_auth_method"] as? String == "none")
            #expect(body["scope"] as? String == "openid profile")
            #expect(body["client_id_issued_at"] is Int)
            #expect(body["software_statement_unknown_field"] == nil, "RFC 7591 §2: metadata it does not understand is ignored")
            #expect(body["registration_client_uri"] as? String == "\(testIssuer)/register/\(clientID)")
            #expect(body["registration_access_token"] is String)

            let paths = IssuerPaths(idp.issuer)
            let tokens = try await idp.codeFlow(
                at: paths, clientID: clientID, secret: nil, redirectURI: "http://localhost:6274/oauth/callback", scope: "openid profile"
            )
            let refresh = try #require(tokens["refresh_token"] as? String)
            let refreshed = try await idp.post("/token", form: [("grant_type", "refresh_token"), ("refresh_token", refresh), ("client_id", clientID)])
            #expect(refreshed.status == .ok)
        }
    }

    @Test("a confidential client gets a secret that never expires and the RFC 7591 §2 defaults")
    func confidentialClient() async throws {
        try await withTestIdP { idp in
            let body = try json(try await register(idp, #"{"redirect_uris": ["https://budgetify.example/cb"]}"#))
            let clientID = try #require(body["client_id"] as? String)
            let secret = try #require(body["client_secret"] as? String)
            #expect(body["client_secret_expires_at"] as? Int == 0)
            #expect(body["token_endpoint_auth_method"] as? String == "client_secret_basic")
            #expect(body["grant_types"] as? [String] == ["authorization_code"])
            #expect(body["response_types"] as? [String] == ["code"])
            let tokens = try await idp.codeFlow(at: IssuerPaths(idp.issuer), clientID: clientID, secret: secret, redirectURI: "https://budgetify.example/cb")
            #expect(tokens["access_token"] is String)

            let machine = try json(try await register(idp, #"{"grant_types": ["client_credentials"], "scope": "transactions:read"}"#))
            #expect(machine["response_types"] as? [String] == [])
            let issued = try await idp.post(
                "/token", form: [("grant_type", "client_credentials")],
                headers: [.authorization: basic(try #require(machine["client_id"] as? String), try #require(machine["client_secret"] as? String))]
            )
            #expect(issued.status == .ok)
        }
    }

    @Test(
        "invalid metadata is refused with RFC 7591 §3.2.2's errors, and nothing is registered",
        arguments: [
            (#"{"redirect_uris": ["not a uri"]}"#, "invalid_redirect_uri"),
            (#"{"redirect_uris": ["https://x.example/cb#frag"]}"#, "invalid_redirect_uri"),
            (#"{"redirect_uris": "https://x.example/cb"}"#, "invalid_redirect_uri"),
            (#"{"redirect_uris": []}"#, "invalid_redirect_uri"),
            (#"{"redirect_uris": ["https://x.example/cb"], "grant_types": ["implicit"]}"#, "invalid_client_metadata"),
            (#"{"redirect_uris": ["https://x.example/cb"], "response_types": ["token"]}"#, "invalid_client_metadata"),
            (#"{"redirect_uris": ["https://x.example/cb"], "response_types": []}"#, "invalid_client_metadata"),
            (#"{"redirect_uris": ["https://x.example/cb"], "token_endpoint_auth_method": "tls_client_auth"}"#, "invalid_client_metadata"),
            (#"{"redirect_uris": ["https://x.example/cb"], "scope": "payments"}"#, "invalid_client_metadata"),
            (#"{"redirect_uris": ["https://x.example/cb"], "client_name": 7}"#, "invalid_client_metadata"),
            (#"{"grant_types": ["client_credentials"], "token_endpoint_auth_method": "none"}"#, "invalid_client_metadata"),
            ("[1, 2]", "invalid_client_metadata"),
            ("{not json", "invalid_client_metadata"),
        ]
    )
    func invalidMetadata(body: String, error: String) async throws {
        try await withTestIdP { idp in
            let clients = idp.state.registry.fixtures.clients.count
            let response = try await register(idp, body)
            #expect(response.status == .badRequest)
            let refused = try oauthError(response)
            #expect(refused.error == error, "\(refused.description)")
            #expect(idp.state.registry.fixtures.clients.count == clients)
        }
    }

    @Test("a body that is not application/json is refused")
    func contentType() async throws {
        try await withTestIdP { idp in
            let response = try await idp.send(.post, "/register", body: "redirect_uris=https://x.example/cb")
            #expect(try oauthError(response).error == "invalid_client_metadata")
        }
    }

    @Test("RFC 7592: the registration access token reads, updates and deletes the client; another token is a 401")
    func management() async throws {
        try await withTestIdP { idp in
            let body = try json(try await register(idp, #"{"redirect_uris": ["https://a.example/cb"], "client_name": "A"}"#))
            let clientID = try #require(body["client_id"] as? String)
            let secret = try #require(body["client_secret"] as? String)
            let token = try #require(body["registration_access_token"] as? String)
            let uri = "/register/\(clientID)"
            let bearer: HTTPFields = [.authorization: "Bearer \(token)"]

            let read = try json(try await idp.get(uri, headers: bearer))
            #expect(read["client_name"] as? String == "A")
            #expect(read["client_secret"] as? String == secret)

            let wrong = try await idp.get(uri, headers: [.authorization: "Bearer nope"])
            #expect(wrong.status == .unauthorized)
            #expect(wrong.headers[.wwwAuthenticate]?.contains("invalid_token") == true)
            #expect(try await idp.get("/register/someone-else", headers: bearer).status == .unauthorized)
            #expect(try await idp.get(uri).status == .unauthorized)

            let update = #"{"client_id": "\#(clientID)", "client_secret": "\#(secret)", "redirect_uris": ["https://b.example/cb"], "client_name": "B"}"#
            let updated = try await idp.send(.put, uri, body: update, contentType: "application/json", headers: bearer)
            #expect(updated.status == .ok, "\(text(updated))")
            #expect(try json(updated)["client_name"] as? String == "B")
            #expect(idp.state.registry.client(clientID)?.redirectURIs == ["https://b.example/cb"])
            let otherID = #"{"client_id": "x", "redirect_uris": ["https://b.example/cb"]}"#
            #expect(try await idp.send(.put, uri, body: otherID, contentType: "application/json", headers: bearer).status == .badRequest)
            let otherSecret = #"{"client_id": "\#(clientID)", "client_secret": "guess", "redirect_uris": ["https://b.example/cb"]}"#
            #expect(try await idp.send(.put, uri, body: otherSecret, contentType: "application/json", headers: bearer).status == .badRequest)
            let badURI = #"{"client_id": "\#(clientID)", "redirect_uris": ["nope"]}"#
            let refused = try await idp.send(.put, uri, body: badURI, contentType: "application/json", headers: bearer)
            #expect(try oauthError(refused).error == "invalid_redirect_uri")
            #expect(idp.state.registry.client(clientID)?.redirectURIs == ["https://b.example/cb"], "a refused update changes nothing")

            #expect(try await idp.send(.delete, uri, body: nil, headers: bearer).status == .noContent)
            #expect(idp.state.registry.client(clientID) == nil)
            #expect(try await idp.get(uri, headers: bearer).status == .unauthorized)
        }
    }

    @Test("logout URIs are validated and echoed")
    func logoutURIs() async throws {
        try await withTestIdP { idp in
            let body = try json(try await register(idp, #"{"redirect_uris": ["https://a.example/cb"], "backchannel_logout_uri": "https://a.example/logout?rp=1", "frontchannel_logout_uri": "https://a.example/fc"}"#))
            #expect(body["backchannel_logout_uri"] as? String == "https://a.example/logout?rp=1")
            #expect(body["frontchannel_logout_uri"] as? String == "https://a.example/fc")
            for bad in [#""https://a.example/logout#x""#, #""/logout""#, "42"] {
                let response = try await register(idp, #"{"redirect_uris": ["https://a.example/cb"], "backchannel_logout_uri": \#(bad)}"#)
                #expect(try oauthError(response).error == "invalid_client_metadata", "\(bad)")
            }
        }
    }

    @Test("RFC 7592 §2.3: deleting a client invalidates its tokens, which stay listed as revoked")
    func deleteRevokesTokens() async throws {
        try await withTestIdP { idp in
            let body = try json(try await register(idp, Self.mcpClient))
            let clientID = try #require(body["client_id"] as? String)
            let token = try #require(body["registration_access_token"] as? String)
            let tokens = try await idp.codeFlow(
                at: IssuerPaths(idp.issuer), clientID: clientID, secret: nil, redirectURI: "http://localhost:6274/oauth/callback", scope: "openid profile"
            )
            let access = try #require(tokens["access_token"] as? String)
            #expect(try await idp.get("/userinfo", headers: [.authorization: "Bearer \(access)"]).status == .ok)

            #expect(try await idp.send(.delete, "/register/\(clientID)", body: nil, headers: [.authorization: "Bearer \(token)"]).status == .noContent)
            let userinfo = try await idp.get("/userinfo", headers: [.authorization: "Bearer \(access)"])
            #expect(userinfo.status == .unauthorized)
            #expect(userinfo.headers[.wwwAuthenticate]?.contains("revoked") == true, "\(userinfo.headers)")
            let listed = try #require(try json(try await idp.get("/debug"))["tokens"] as? [[String: Any]])
            #expect(!listed.isEmpty && listed.allSatisfy { $0["status"] as? String == "revoked" }, "\(listed)")
        }
    }

    @Test("a page of any origin may register (CORS on the registration endpoint)")
    func cors() async throws {
        try await withTestIdP { idp in
            let preflight = try await idp.send(.options, "/register", body: nil, headers: [
                .origin: "http://localhost:6274", .accessControlRequestMethod: "POST", .accessControlRequestHeaders: "content-type",
            ])
            #expect(preflight.status == .noContent)
            #expect(preflight.headers[.accessControlAllowOrigin] == "*")
            #expect(preflight.headers[.accessControlAllowMethods] == "POST")
            let response = try await register(idp, Self.mcpClient, headers: [.origin: "http://localhost:6274"])
            #expect(response.status == .created)
            #expect(response.headers[.accessControlAllowOrigin] == "*")
        }
    }

    @Test("with a registration token, registration needs it as a bearer token")
    func initialAccessToken() async throws {
        try await withTestIssuers(MockIdPConfiguration(issuer: testIssuer, registrationToken: "let-me-in")) { idp, _ in
            let body = #"{"redirect_uris": ["https://a.example/cb"]}"#
            let missing = try await register(idp, body)
            #expect(missing.status == .unauthorized)
            #expect(missing.headers[.wwwAuthenticate]?.hasPrefix("Bearer") == true)
            #expect(try await register(idp, body, headers: [.authorization: "Bearer wrong"]).status == .unauthorized)
            #expect(try await register(idp, body, headers: [.authorization: "Bearer let-me-in"]).status == .created)
        }
    }

    @Test("registered clients show in /debug and vanish with the runtime fixtures")
    func debug() async throws {
        try await withTestIdP { idp in
            let clientID = try #require(try json(try await register(idp, Self.mcpClient))["client_id"] as? String)
            let listed = try #require(try json(try await idp.get("/debug"))["runtime_clients"] as? [[String: Any]])
            #expect(listed.map { $0["client_id"] as? String } == [clientID])
            #expect(listed.first?["registered"] as? Bool == true)
            #expect((listed.first?["metadata"] as? [String: Any])?["client_name"] as? String == "MCP Inspector")
            #expect(text(try await idp.get("/debug", headers: [.accept: "text/html"])).contains("registered (RFC 7591)"))
            #expect(try await idp.send(.delete, "/debug/fixtures", body: nil).status == .ok)
            #expect(idp.state.registry.client(clientID) == nil)
            #expect(idp.state.registrations.registration(clientID: clientID) == nil)
        }
    }

    @Test("discovery advertises registration_endpoint where the layout's vendor has one")
    func discovery() async throws {
        let configuration = MockIdPConfiguration(
            issuer: testIssuer, issuers: [.init("alpha", layout: .keycloak), .init("contoso", layout: .entra), .init("shop", layout: .auth0)]
        )
        try await withTestIssuers(configuration) { idp, _ in
            #expect(try json(try await idp.get("/.well-known/openid-configuration"))["registration_endpoint"] as? String == "\(testIssuer)/register")
            let realm = try json(try await idp.get("/realms/alpha/.well-known/openid-configuration"))
            #expect(realm["registration_endpoint"] as? String == "\(testIssuer)/realms/alpha/clients-registrations/openid-connect")
            #expect(try json(try await idp.get("/contoso/v2.0/.well-known/openid-configuration"))["registration_endpoint"] == nil)
            #expect(try json(try await idp.get("/shop/.well-known/openid-configuration"))["registration_endpoint"] as? String == "\(testIssuer)/shop/oidc/register")
            let registered = try await register(idp, #"{"redirect_uris": ["https://a.example/cb"]}"#, path: "/realms/alpha/clients-registrations/openid-connect")
            #expect(registered.status == .created)
            #expect((try json(registered)["registration_client_uri"] as? String)?.hasPrefix("\(testIssuer)/realms/alpha/clients-registrations/openid-connect/") == true)
        }
    }
}
