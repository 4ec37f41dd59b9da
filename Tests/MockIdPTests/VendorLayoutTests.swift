import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@testable import MockIdP

/// Keycloak, Entra ID and Auth0 layouts: each vendor's paths, issuer string, discovery fields and token claims.
@Suite struct VendorLayoutTests {
    /// Users with roles for the Keycloak and Auth0 layouts, and an Entra object id.
    static let users = """
        [
          {
            "sub": "alice", "password": "alice-password",
            "claims": {"name": "Alice Archer", "email": "alice@alpha-bank.example", "oid": "00000000-0000-0000-0000-00000000a11c"},
            "realm_roles": ["customer"],
            "client_roles": {"budgetify": ["transactions-viewer"], "https://api.budgetify.example": ["read:transactions", "read:accounts"]},
            "access_token_claims": {"https://budgetify.example/tier": "premium"}
          }
        ]
        """
    static let entraScopes = """
        [
          {"name": "openid", "description": "Sign you in"},
          {"name": "profile", "description": "Your name", "claims": ["name"]},
          {"name": "offline_access", "description": "Stay signed in"},
          {"name": "api://budgetify/transactions.read", "description": "Read transactions"},
          {"name": "api://budgetify/.default", "description": "The app's permissions"}
        ]
        """
    static let entraClients = """
        [
          {"client_id": "budgetify", "client_secret": "budgetify-secret", "redirect_uris": ["http://localhost:3000/callback"],
           "grant_types": ["authorization_code", "refresh_token"], "scopes": ["openid", "profile", "offline_access", "api://budgetify/transactions.read"]},
          {"client_id": "reconciler", "client_secret": "reconciler-secret", "grant_types": ["client_credentials"],
           "scopes": ["api://budgetify/.default"], "access_token_claims": {"roles": ["Transactions.Read.All"]}}
        ]
        """

    /// The four layouts side by side, each with the fixtures above.
    func withLayouts(_ body: @Sendable (TestIdP, IssuerTable) async throws -> Void) async throws {
        try await withFixturesDirectory([
            "alpha-bank/users.json": Self.users, "alpha-bank/issuer.json": #"{"layout": "keycloak"}"#,
            "contoso/users.json": Self.users, "contoso/scopes.json": Self.entraScopes, "contoso/clients.json": Self.entraClients,
            "contoso/issuer.json": #"{"layout": "entra"}"#,
            "shop/users.json": Self.users, "shop/issuer.json": #"{"layout": "auth0"}"#,
        ]) { directory in
            try await withTestIssuers(MockIdPConfiguration(issuer: testIssuer, fixtures: .directory(directory)), body)
        }
    }

    // MARK: Keycloak

    @Test("Keycloak: /realms/NAME/protocol/openid-connect/…, realm_access and resource_access roles, typ Bearer, azp, sid")
    func keycloak() async throws {
        try await withLayouts { idp, issuers in
            let realm = IssuerPaths(try issuers.require("alpha-bank"))
            let base = "\(testIssuer)/realms/alpha-bank"
            let document = try json(try await idp.get(realm.discovery))
            #expect(document["issuer"] as? String == base)
            let endpoints: [String: String] = [
                "authorization_endpoint": "/protocol/openid-connect/auth", "token_endpoint": "/protocol/openid-connect/token",
                "jwks_uri": "/protocol/openid-connect/certs", "userinfo_endpoint": "/protocol/openid-connect/userinfo",
                "end_session_endpoint": "/protocol/openid-connect/logout", "introspection_endpoint": "/protocol/openid-connect/token/introspect",
                "revocation_endpoint": "/protocol/openid-connect/revoke", "device_authorization_endpoint": "/protocol/openid-connect/auth/device",
            ]
            for (field, path) in endpoints { #expect(document[field] as? String == base + path, "\(field)") }

            let tokens = try await idp.codeFlow(at: realm, scope: "openid profile")
            let access = try jwtPayload(try #require(tokens["access_token"] as? String))
            #expect(access["iss"] as? String == base)
            #expect(access["typ"] as? String == "Bearer")
            #expect(access["azp"] as? String == "budgetify")
            #expect(access["preferred_username"] as? String == "alice")
            #expect(access["sid"] is String)
            #expect((access["realm_access"] as? [String: Any])?["roles"] as? [String] == ["customer"])
            let resources = try #require(access["resource_access"] as? [String: [String: [String]]])
            #expect(resources["budgetify"]?["roles"] == ["transactions-viewer"])
            let id = try jwtPayload(try #require(tokens["id_token"] as? String))
            #expect(id["typ"] as? String == "ID")
            #expect(id["preferred_username"] as? String == "alice")

            let serviceAccount = try jwtPayload(try #require(try await idp.clientCredentials(at: realm)["access_token"] as? String))
            #expect(serviceAccount["preferred_username"] as? String == "service-account-reconciler")
            #expect(serviceAccount["realm_access"] == nil)

            let refresh = try #require(tokens["refresh_token"] as? String)
            let refreshed = try await idp.post(realm.token, form: [("grant_type", "refresh_token"), ("refresh_token", refresh)], headers: [.authorization: basic("budgetify", "budgetify-secret")])
            #expect(refreshed.status == .ok)
            let revoked = try await idp.post(try #require(realm.revocation), form: [("token", try #require(try json(refreshed)["refresh_token"] as? String))], headers: [.authorization: basic("budgetify", "budgetify-secret")])
            #expect(revoked.status == .ok)
        }
    }

    // MARK: Entra

    @Test("Entra: /NAME/oauth2/v2.0/…, issuer …/NAME/v2.0, tid, oid, ver, scp for delegated scopes, no revocation or introspection")
    func entraDelegated() async throws {
        try await withLayouts { idp, issuers in
            let tenant = IssuerPaths(try issuers.require("contoso"))
            let document = try json(try await idp.get("/contoso/v2.0/.well-known/openid-configuration"))
            #expect(document["issuer"] as? String == "\(testIssuer)/contoso/v2.0")
            #expect(document["authorization_endpoint"] as? String == "\(testIssuer)/contoso/oauth2/v2.0/authorize")
            #expect(document["token_endpoint"] as? String == "\(testIssuer)/contoso/oauth2/v2.0/token")
            #expect(document["end_session_endpoint"] as? String == "\(testIssuer)/contoso/oauth2/v2.0/logout")
            #expect(document["device_authorization_endpoint"] as? String == "\(testIssuer)/contoso/oauth2/v2.0/devicecode")
            #expect(document["jwks_uri"] as? String == "\(testIssuer)/contoso/discovery/v2.0/keys")
            for absent in ["revocation_endpoint", "introspection_endpoint", "grant_types_supported", "code_challenge_methods_supported"] {
                #expect(document[absent] == nil, "\(absent): Entra's document has none")
            }
            #expect(document["cloud_instance_name"] as? String == "microsoftonline.com")
            #expect(try await idp.post("/contoso/oauth2/v2.0/revoke", form: [("token", "x")]).status == .notFound)
            #expect(try await idp.post("/contoso/introspect", form: [("token", "x")]).status == .notFound)

            let tokens = try await idp.codeFlow(at: tenant, scope: "openid profile offline_access api://budgetify/transactions.read")
            let access = try jwtPayload(try #require(tokens["access_token"] as? String))
            #expect(access["iss"] as? String == "\(testIssuer)/contoso/v2.0")
            #expect(access["aud"] as? String == "api://budgetify")
            #expect(access["scp"] as? String == "transactions.read")
            #expect(access["tid"] as? String == "contoso")
            #expect(access["oid"] as? String == "00000000-0000-0000-0000-00000000a11c")
            #expect(access["ver"] as? String == "2.0")
            #expect(access["name"] as? String == "Alice Archer")
            #expect(access["preferred_username"] as? String == "alice@alpha-bank.example")
            let id = try jwtPayload(try #require(tokens["id_token"] as? String))
            #expect(id["tid"] as? String == "contoso")
            #expect(id["oid"] as? String == "00000000-0000-0000-0000-00000000a11c")
            #expect(id["ver"] as? String == "2.0")
        }
    }

    @Test("Entra: client credentials with a .default scope give the API as aud and the app's roles, no scp")
    func entraAppOnly() async throws {
        try await withLayouts { idp, issuers in
            let tenant = IssuerPaths(try issuers.require("contoso"))
            let tokens = try await idp.clientCredentials(at: tenant, extra: [("scope", "api://budgetify/.default")])
            let access = try jwtPayload(try #require(tokens["access_token"] as? String))
            #expect(access["aud"] as? String == "api://budgetify")
            #expect(access["roles"] as? [String] == ["Transactions.Read.All"])
            #expect(access["scp"] == nil)
            #expect(access["tid"] as? String == "contoso")
            #expect(access["idtyp"] as? String == "app")
            #expect((access["oid"] as? String)?.count == 36, "a GUID derived from the client")
        }
    }

    // MARK: Auth0

    @Test("Auth0: issuer with its trailing slash, /oauth/token, audience in aud with the userinfo URL, permissions, namespaced claims")
    func auth0() async throws {
        try await withLayouts { idp, issuers in
            let shop = IssuerPaths(try issuers.require("shop"))
            let document = try json(try await idp.get("/shop/.well-known/openid-configuration"))
            #expect(document["issuer"] as? String == "\(testIssuer)/shop/")
            #expect(document["token_endpoint"] as? String == "\(testIssuer)/shop/oauth/token")
            #expect(document["jwks_uri"] as? String == "\(testIssuer)/shop/.well-known/jwks.json")
            #expect(document["revocation_endpoint"] as? String == "\(testIssuer)/shop/oauth/revoke")
            #expect(document["end_session_endpoint"] as? String == "\(testIssuer)/shop/oidc/logout")
            #expect(document["device_authorization_endpoint"] as? String == "\(testIssuer)/shop/oauth/device/code")
            #expect(document["introspection_endpoint"] == nil)

            let api = "https://api.budgetify.example"
            let tokens = try await idp.codeFlow(at: shop, scope: "openid profile", extra: [("audience", api)])
            let access = try jwtPayload(try #require(tokens["access_token"] as? String))
            #expect(access["iss"] as? String == "\(testIssuer)/shop/")
            #expect(access["aud"] as? [String] == [api, "\(testIssuer)/shop/userinfo"])
            #expect(access["azp"] as? String == "budgetify")
            #expect(access["permissions"] as? [String] == ["read:transactions", "read:accounts"])
            #expect(access["https://budgetify.example/tier"] as? String == "premium")
            #expect(try jwtPayload(try #require(tokens["id_token"] as? String))["iss"] as? String == "\(testIssuer)/shop/")

            let machine = try jwtPayload(try #require(try await idp.clientCredentials(at: shop, extra: [("audience", api)])["access_token"] as? String))
            #expect(machine["sub"] as? String == "reconciler@clients")
            #expect(machine["gty"] as? String == "client-credentials")
            #expect(machine["aud"] as? String == api)

            // A client with no default audience (no `audience` in its fixture), asking for none: a token for the
            // UserInfo endpoint alone, no permissions; and no machine-to-machine token.
            let client = #"{"client_id": "plain", "client_secret": "plain-secret", "redirect_uris": ["http://localhost:3000/callback"], "grant_types": ["authorization_code", "client_credentials"]}"#
            #expect(try await idp.postJSON("/shop/debug/clients", client).status == .created)
            let issued = try await idp.codeFlow(at: shop, clientID: "plain", secret: "plain-secret", scope: "openid")
            let plain = try jwtPayload(try #require(issued["access_token"] as? String))
            #expect(plain["aud"] as? String == "\(testIssuer)/shop/userinfo")
            #expect(plain["permissions"] == nil)
            let refused = try await idp.post(shop.token, form: [("grant_type", "client_credentials")], headers: [.authorization: basic("plain", "plain-secret")])
            #expect(refused.status == .forbidden)
            #expect(try oauthError(refused).error == "access_denied")
        }
    }

    @Test("Auth0: /v2/logout redirects to a registered returnTo only")
    func auth0LegacyLogout() async throws {
        try await withLayouts { idp, _ in
            let registered = try await idp.get("/shop/v2/logout", [("client_id", "budgetify"), ("returnTo", "http://localhost:3000/")])
            #expect(registered.status == .found)
            #expect(registered.headers[.location] == "http://localhost:3000/")
            let unregistered = try await idp.get("/shop/v2/logout", [("client_id", "budgetify"), ("returnTo", "https://evil.example/")])
            #expect(unregistered.status == .ok)
            #expect(unregistered.headers[.location] == nil)
            #expect(text(unregistered).contains("is not registered"))
        }
    }

    @Test("--layout auth0 at the root: issuer with a trailing slash, Auth0's paths, nothing at the standard ones")
    func auth0Root() async throws {
        try await withTestIssuers(MockIdPConfiguration(issuer: testIssuer, layout: .auth0)) { idp, _ in
            let document = try json(try await idp.get("/.well-known/openid-configuration"))
            #expect(document["issuer"] as? String == testIssuer + "/")
            #expect(document["token_endpoint"] as? String == testIssuer + "/oauth/token")
            let issued = try await idp.post("/oauth/token", form: [("grant_type", "client_credentials")], headers: [.authorization: basic("reconciler", "reconciler-secret")])
            #expect(try jwtPayload(try #require(try json(issued)["access_token"] as? String))["iss"] as? String == testIssuer + "/")
            #expect(try await idp.post("/token", form: [("grant_type", "client_credentials")]).status == .notFound)
            #expect(try await idp.post("/introspect", form: [("token", "x")]).status == .notFound)
        }
    }

    @Test("every layout keeps PKCE and single-use codes", arguments: ["alpha-bank", "contoso", "shop"])
    func standardBehaviour(name: String) async throws {
        try await withLayouts { idp, issuers in
            let paths = IssuerPaths(try issuers.require(name))
            let authorization = try await idp.get(paths.authorize, [
                ("response_type", "code"), ("client_id", "budgetify"), ("redirect_uri", "http://localhost:3000/callback"), ("scope", "openid"),
                ("code_challenge", pkcePair().challenge), ("code_challenge_method", "S256"),
            ])
            let location = try #require(authorization.headers[.location])
            let code = try #require(try redirectParameters(location)["code"])
            let form = [("grant_type", "authorization_code"), ("code", code), ("redirect_uri", "http://localhost:3000/callback"), ("code_verifier", pkcePair().verifier)]
            let wrongVerifier = try await idp.post(paths.token, form: form, headers: [.authorization: basic("budgetify", "budgetify-secret")])
            #expect(try oauthError(wrongVerifier).error == "invalid_grant")
        }
    }
}
