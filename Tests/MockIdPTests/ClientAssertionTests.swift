import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Synchronization
import Testing

@testable import MockIdP

/// How often a test server answered.
final class FetchCount: Sendable {
    let value = Mutex(0)
}

/// RFC 7523: JWT client authentication (`client_secret_jwt`, `private_key_jwt`, §2.2) and the JWT bearer grant (§2.1).
@Suite struct ClientAssertionTests {
    static let tokenURL = testIssuer + "/token"

    /// A client credentials request authenticated by `jwt`.
    static func clientCredentials(_ idp: TestIdP, _ jwt: String, extra: [(String, String)] = [], headers: HTTPFields = [:]) async throws -> TestResponse {
        try await idp.post("/token", form: [("grant_type", "client_credentials")] + clientAssertionForm(jwt) + extra, headers: headers)
    }

    /// A signed client assertion for `clientID` as of the server clock.
    static func assertion(
        _ idp: TestIdP, _ key: TestSigningKey, clientID: String = "jwt-keys", kid: String? = nil, changes: [String: ClaimValue] = [:],
        header: [String: ClaimValue] = [:]
    ) -> String {
        var header = header
        if let kid { header["kid"] = .string(kid) }
        return key.sign(assertionClaims(clientID: clientID, now: idp.state.clock.now, changes: changes), header: header)
    }

    /// Asserts `invalid_client` (401) whose description contains `reason`.
    static func expectInvalidClient(_ response: TestResponse, _ reason: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        try ClientAuthenticationTests.expectInvalidClient(response, sourceLocation: sourceLocation)
        let description = try oauthError(response).description
        #expect(description.contains(reason), "\(description)", sourceLocation: sourceLocation)
    }

    // MARK: Methods and algorithms that succeed

    @Test("client_secret_jwt: an HS256 assertion keyed by the client's secret authenticates it")
    func clientSecretJWT() async throws {
        try await withAssertionTestIdP { idp in
            let jwt = Self.assertion(idp, .hs256(AssertionClients.secret), clientID: "jwt-secret")
            let response = try await Self.clientCredentials(idp, jwt)
            #expect(response.status == .ok, "\(text(response))")
            #expect(try jwtPayload(try #require(json(response)["access_token"] as? String))["client_id"] as? String == "jwt-secret")
        }
    }

    @Test("private_key_jwt verifies each algorithm with the client's registered key", arguments: [("rsa-1", "RS256"), ("ec-1", "ES256"), ("ed-1", "EdDSA")])
    func privateKeyJWT(kid: String, alg: String) async throws {
        let key: TestSigningKey = [TestSigningKey.rsa, .ec, .ed].first { $0.alg == alg }!
        try await withAssertionTestIdP { idp in
            let withKID = try await Self.clientCredentials(idp, Self.assertion(idp, key, kid: kid))
            #expect(withKID.status == .ok, "\(text(withKID))")
            // Without a kid, every key of the algorithm is tried.
            let withoutKID = try await Self.clientCredentials(idp, Self.assertion(idp, key))
            #expect(withoutKID.status == .ok, "\(text(withoutKID))")
        }
    }

    @Test("aud may be the issuer identifier, the token endpoint, or a list containing one (RFC 7523 §3)")
    func audiences() async throws {
        try await withAssertionTestIdP { idp in
            for aud: ClaimValue in [.string(testIssuer), .string(Self.tokenURL), .array(["https://elsewhere.example", .string(testIssuer)])] {
                let response = try await Self.clientCredentials(idp, Self.assertion(idp, .ed, changes: ["aud": aud]))
                #expect(response.status == .ok, "aud \(aud.jsonText): \(text(response))")
            }
        }
    }

    @Test("an assertion 30 seconds past exp is accepted within the 60 s leeway; 61 seconds past it is not")
    func leeway() async throws {
        try await withAssertionTestIdP { idp in
            let now = idp.state.clock.now
            let late = try await Self.clientCredentials(idp, Self.assertion(idp, .ed, changes: ["exp": .int(now - 30)]))
            #expect(late.status == .ok, "\(text(late))")
            let expired = try await Self.clientCredentials(idp, Self.assertion(idp, .ed, changes: ["exp": .int(now - 61)]))
            try Self.expectInvalidClient(expired, "expired")
        }
    }

    @Test("introspection and revocation take private_key_jwt, with aud their own URL or the token endpoint's")
    func otherEndpoints() async throws {
        try await withAssertionTestIdP { idp in
            let token = try #require(
                json(try await Self.clientCredentials(idp, Self.assertion(idp, .ec)))["access_token"] as? String
            )
            let introspectionJWT = Self.assertion(idp, .ec, changes: ["aud": .string(testIssuer + "/introspect")])
            let introspection = try await idp.post("/introspect", form: [("token", token)] + clientAssertionForm(introspectionJWT))
            #expect(introspection.status == .ok, "\(text(introspection))")
            #expect(try json(introspection)["active"] as? Bool == true)
            // An assertion for the introspection endpoint is not one for revocation, but the token endpoint's is.
            let wrong = try await idp.post("/revoke", form: [("token", token)] + clientAssertionForm(Self.assertion(idp, .ec, changes: ["aud": .string(testIssuer + "/introspect")])))
            try Self.expectInvalidClient(wrong, "aud")
            let revocation = try await idp.post("/revoke", form: [("token", token)] + clientAssertionForm(Self.assertion(idp, .ec)))
            #expect(revocation.status == .ok, "\(text(revocation))")
        }
    }

    // MARK: Rejections

    @Test("each broken assertion is invalid_client (401) saying what is wrong")
    func rejections() async throws {
        try await withAssertionTestIdP { idp in
            let now = idp.state.clock.now
            let cases: [(String, String, String)] = [
                ("wrong aud", Self.assertion(idp, .ed, changes: ["aud": "https://other.example/token"]), "does not name this server"),
                ("no aud", Self.assertion(idp, .ed, changes: ["aud": .null]), "aud claim is missing"),
                ("expired", Self.assertion(idp, .ed, changes: ["exp": .int(now - 3600)]), "expired"),
                ("no exp", Self.assertion(idp, .ed, changes: ["exp": .null]), "exp claim is missing"),
                ("exp a string", Self.assertion(idp, .ed, changes: ["exp": .string("soon")]), "exp must be a number"),
                ("exp Int.max", Self.assertion(idp, .ed, changes: ["exp": .int(Int.max)]), "exp must be a number"),
                ("nbf Int.min", Self.assertion(idp, .ed, changes: ["nbf": .int(Int.min)]), "nbf must be a number"),
                ("iat 1e300", Self.assertion(idp, .ed, changes: ["iat": .double(1e300)]), "iat must be a number"),
                ("exp far ahead", Self.assertion(idp, .ed, changes: ["exp": .int(now + 7 * 86400)]), "short-lived"),
                ("nbf ahead", Self.assertion(idp, .ed, changes: ["nbf": .int(now + 600)]), "not valid before"),
                ("iat ahead", Self.assertion(idp, .ed, changes: ["iat": .int(now + 600)]), "in the future"),
                ("no jti", Self.assertion(idp, .ed, changes: ["jti": .null]), "jti claim is missing"),
                ("iss not sub", Self.assertion(idp, .ed, changes: ["iss": "jwt-es256-only"]), "sub is \"jwt-keys\""),
                ("sub not iss", Self.assertion(idp, .ed, changes: ["sub": "alice"]), "sub is \"alice\""),
                ("unknown client", Self.assertion(idp, .ed, clientID: "nobody"), "unknown client \"nobody\""),
                ("wrong key", TestSigningKey.eddsa(.init()).sign(assertionClaims(clientID: "jwt-keys", now: now)), "does not verify"),
                ("wrong key, known kid", Self.assertion(idp, .eddsa(.init()), kid: "ed-1"), "does not verify"),
                ("unknown kid", Self.assertion(idp, .ed, kid: "ed-404"), "no EdDSA key with kid \"ed-404\""),
                ("alg none", Self.unsigned(assertionClaims(clientID: "jwt-keys", now: now)), "alg \"none\""),
                ("alg HS512", Self.assertion(idp, .ed, header: ["alg": "HS512"]), "alg \"HS512\" is not supported"),
                ("crit", Self.assertion(idp, .ed, header: ["crit": ["exp"]]), "critical"),
                ("not a JWT", "not-a-jwt", "malformed client_assertion"),
                ("five parts", "a.b.c.d.e", "JWE"),
                ("bad base64", "!!.e30.AA", "not base64url"),
                ("claims not JSON", "eyJhbGciOiJFZERTQSJ9.bm90IGpzb24.AAAA", "claims set is not a JSON object"),
                ("HS256 for private_key_jwt", Self.assertion(idp, .hs256("guess")), "not client_secret_jwt"),
                ("wrong secret", Self.assertion(idp, .hs256("wrong-secret"), clientID: "jwt-secret"), "does not verify with the client's secret"),
                ("key for client_secret_jwt", Self.assertion(idp, .ed, clientID: "jwt-secret"), "not private_key_jwt"),
                ("alg not registered", Self.assertion(idp, .ed, clientID: "jwt-es256-only"), "EdDSA is not one this client may use"),
                ("secret client", Self.assertion(idp, .hs256("budgetify-secret"), clientID: "budgetify"), "not client_secret_jwt"),
            ]
            for (name, jwt, reason) in cases {
                let response = try await Self.clientCredentials(idp, jwt)
                #expect(response.status == .unauthorized, "\(name): \(text(response))")
                let error = try oauthError(response)
                #expect(error.error == "invalid_client", "\(name)")
                #expect(error.description.contains(reason), "\(name): \(error.description)")
            }
        }
    }

    static func unsigned(_ claims: [String: ClaimValue]) -> String {
        JSONWriter.encode(["alg": "none"] as [String: ClaimValue]).base64URLEncoded + "." + JSONWriter.encode(claims).base64URLEncoded + "."
    }

    @Test("a jti is single-use until its assertion expires: a replay is invalid_client; DELETE /debug forgets it")
    func replay() async throws {
        try await withAssertionTestIdP { idp in
            let exp = idp.state.clock.now + 300
            let jwt = Self.assertion(idp, .rsa, kid: "rsa-1", changes: ["jti": "once", "exp": .int(exp)])
            let first = try await Self.clientCredentials(idp, jwt)
            #expect(first.status == .ok, "\(text(first))")
            try Self.expectInvalidClient(try await Self.clientCredentials(idp, jwt), "jti \"once\" was used already")
            // The same jti signed again is still a replay.
            try Self.expectInvalidClient(try await Self.clientCredentials(idp, Self.assertion(idp, .ec, changes: ["jti": "once"])), "used already")

            // /debug/requests names the client of the refused replay, and redacts the assertion.
            let logged = try #require(try await idp.loggedRequests().first)
            #expect(logged["client_id"] as? String == "jwt-keys")
            #expect(logged["error"] as? String == "invalid_client")
            #expect((logged["parameters"] as? [String: String])?["client_assertion"] == "[redacted]")

            let used = try #require(try await idp.issued()["used_assertions"] as? [[String: Any]])
            #expect(used.count == 1)
            #expect(used.first?["jti"] as? String == "once")
            #expect(used.first?["client_id"] as? String == "jwt-keys")
            #expect(used.first?["expires_at"] as? Int == exp)

            let page = try await idp.get("/debug", headers: [.accept: "text/html"])
            #expect(text(page).contains(#"<tr class="used-assertion"><td>once</td><td>jwt-keys</td>"#), "the inspector lists the used jti")

            #expect(try await idp.sendDelete("/debug").status == .ok)
            #expect((try await idp.issued()["used_assertions"] as? [[String: Any]])?.isEmpty == true)
            let again = try await Self.clientCredentials(idp, jwt)
            #expect(again.status == .ok, "after DELETE /debug the jti is forgotten: \(text(again))")
        }
    }

    @Test("a forged assertion does not use up the jti of a genuine one")
    func forgeryKeepsJTI() async throws {
        try await withAssertionTestIdP { idp in
            let forged = Self.assertion(idp, .eddsa(.init()), changes: ["jti": "genuine"])
            try Self.expectInvalidClient(try await Self.clientCredentials(idp, forged), "does not verify")
            let genuine = try await Self.clientCredentials(idp, Self.assertion(idp, .ed, changes: ["jti": "genuine"]))
            #expect(genuine.status == .ok, "\(text(genuine))")
        }
    }

    @Test("mixing methods is invalid_request; a client_id that disagrees with the assertion is refused")
    func mixedMethods() async throws {
        try await withAssertionTestIdP { idp in
            let jwt = Self.assertion(idp, .hs256(AssertionClients.secret), clientID: "jwt-secret")
            let basic = try await Self.clientCredentials(idp, jwt, headers: [.authorization: basic("jwt-secret", AssertionClients.secret)])
            try ClientAuthenticationTests.expectInvalidRequest(basic)
            let secret = try await Self.clientCredentials(idp, jwt, extra: [("client_secret", AssertionClients.secret)])
            try ClientAuthenticationTests.expectInvalidRequest(secret)
            let noType = try await idp.post("/token", form: [("grant_type", "client_credentials"), ("client_assertion", jwt)])
            try ClientAuthenticationTests.expectInvalidRequest(noType)
            let otherType = try await idp.post(
                "/token", form: [("grant_type", "client_credentials"), ("client_assertion_type", "urn:example:saml"), ("client_assertion", jwt)]
            )
            try Self.expectInvalidClient(otherType, "is not supported")
            let otherID = try await Self.clientCredentials(idp, Self.assertion(idp, .ed), extra: [("client_id", "jwt-es256-only")])
            try Self.expectInvalidClient(otherID, "iss is \"jwt-keys\"")
            let sameID = try await Self.clientCredentials(idp, Self.assertion(idp, .ed), extra: [("client_id", "jwt-keys")])
            #expect(sameID.status == .ok, "\(text(sameID))")
            // A JWT client cannot fall back to sending only its client_id.
            let bare = try await idp.post("/token", form: [("grant_type", "client_credentials"), ("client_id", "jwt-keys")])
            try Self.expectInvalidClient(bare, "private_key_jwt, not none")
        }
    }

    @Test("a jwks_uri that cannot be fetched is invalid_client naming the URL")
    func jwksURIFailure() async throws {
        let client = Client(
            clientID: "jwt-remote", grantTypes: [.clientCredentials], tokenEndpointAuthMethod: .privateKeyJWT, jwksURI: "https://keys.example/jwks.json"
        )
        try await withTestIdP(fixtures: try builtInFixtures(adding: [client])) { idp in
            let response = try await Self.clientCredentials(idp, Self.assertion(idp, .ed, clientID: "jwt-remote"))
            try Self.expectInvalidClient(response, "https://keys.example/jwks.json")
        }
    }

    /// Serves on a loopback port `/jwks.json` (the EC and Ed25519 test keys, max-age 60) and `/client.json`, a Client ID
    /// Metadata Document of a `private_key_jwt` client whose `jwks_uri` is `/jwks.json`; counts the JWK Set's fetches.
    static func withKeyServer(_ body: @Sendable (_ base: String, _ fetches: FetchCount) async throws -> Void) async throws {
        let fetches = FetchCount()
        let port = Mutex(0)
        let router = Router()
        router.get("/jwks.json") { _, _ -> Response in
            // From the third fetch on, the client has rotated in an RSA key.
            let count = fetches.value.withLock { $0 += 1; return $0 }
            var keys: [ClaimValue] = [.object(TestSigningKey.ec.jwk(kid: "ec-1")), .object(TestSigningKey.ed.jwk(kid: "ed-1"))]
            if count >= 3 { keys.append(.object(TestSigningKey.rsa.jwk(kid: "rsa-1"))) }
            let set: [String: ClaimValue] = ["keys": .array(keys)]
            return Response(
                status: .ok, headers: [.contentType: "application/json", .cacheControl: "max-age=60"], body: .init(byteBuffer: ByteBuffer(bytes: JSONWriter.encode(set)))
            )
        }
        router.get("/client.json") { _, _ -> Response in
            let base = "http://127.0.0.1:\(port.withLock { $0 })"
            let document: [String: ClaimValue] = [
                "client_id": .string(base + "/client.json"), "grant_types": ["client_credentials", "urn:ietf:params:oauth:grant-type:jwt-bearer"], "token_endpoint_auth_method": "private_key_jwt",
                "jwks_uri": .string(base + "/jwks.json"),
            ]
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: JSONWriter.encode(document))))
        }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await app.test(.live) { client in
            port.withLock { $0 = client.port! }
            try await body("http://127.0.0.1:\(client.port!)", fetches)
        }
    }

    @Test("private_key_jwt with a jwks_uri: the JWK Set is fetched once while fresh; a kid it lacks is refused")
    func jwksURI() async throws {
        try await Self.withKeyServer { base, fetches in
            let client = Client(clientID: "jwt-remote", grantTypes: [.clientCredentials], tokenEndpointAuthMethod: .privateKeyJWT, jwksURI: base + "/jwks.json")
            try await withTestIdP(fixtures: try builtInFixtures(adding: [client])) { idp in
                for key in [TestSigningKey.ec, .ed] {
                    let response = try await Self.clientCredentials(idp, Self.assertion(idp, key, clientID: "jwt-remote"))
                    #expect(response.status == .ok, "\(text(response))")
                }
                #expect(fetches.value.withLock { $0 } == 1)
                let rsa = try await Self.clientCredentials(idp, Self.assertion(idp, .rsa, clientID: "jwt-remote", kid: "rsa-1"))
                try Self.expectInvalidClient(rsa, "no RS256 key with kid \"rsa-1\"")
            }
        }
    }

    @Test("a kid the cached JWK Set lacks fetches it again once (the client rotated its keys)")
    func rotatedClientKeys() async throws {
        try await Self.withKeyServer { base, fetches in
            let client = Client(clientID: "jwt-remote", grantTypes: [.clientCredentials], tokenEndpointAuthMethod: .privateKeyJWT, jwksURI: base + "/jwks.json")
            try await withTestIdP(fixtures: try builtInFixtures(adding: [client])) { idp in
                #expect(try await Self.clientCredentials(idp, Self.assertion(idp, .ec, clientID: "jwt-remote")).status == .ok)
                idp.state.clock.advance(by: 1)
                // Fetched again for the unknown kid: still without it (the second set), so refused.
                let refused = try await Self.clientCredentials(idp, Self.assertion(idp, .rsa, clientID: "jwt-remote", kid: "rsa-1"))
                try Self.expectInvalidClient(refused, "no RS256 key with kid \"rsa-1\"")
                #expect(fetches.value.withLock { $0 } == 2)
                idp.state.clock.advance(by: 1)
                let accepted = try await Self.clientCredentials(idp, Self.assertion(idp, .rsa, clientID: "jwt-remote", kid: "rsa-1"))
                #expect(accepted.status == .ok, "\(text(accepted))")
                #expect(fetches.value.withLock { $0 } == 3)
            }
        }
    }

    @Test("a Client ID Metadata Document's client authenticates with private_key_jwt and the keys at its jwks_uri")
    func metadataDocumentClient() async throws {
        try await Self.withKeyServer { base, _ in
            try await withTestIdP { idp in
                let clientID = base + "/client.json"
                let response = try await Self.clientCredentials(idp, Self.assertion(idp, .ed, clientID: clientID))
                #expect(response.status == .ok, "\(text(response))")
                #expect(try jwtPayload(try #require(json(response)["access_token"] as? String))["client_id"] as? String == clientID)
                // The JWT bearer grant with no client credentials: the assertion's iss is the document's URL.
                let grant = try await Self.grant(idp, Self.grantAssertion(idp, .ec, clientID: clientID, sub: "bob"))
                #expect(grant.status == .ok, "\(text(grant))")
                let claims = try jwtPayload(try #require(json(grant)["access_token"] as? String))
                #expect(claims["sub"] as? String == "bob" && claims["client_id"] as? String == clientID)
            }
        }
    }

    // MARK: The JWT bearer grant (RFC 7523 §2.1)

    /// A JWT bearer grant request for `assertion`, plus `extra` (client authentication, scope).
    static func grant(_ idp: TestIdP, _ assertion: String, extra: [(String, String)] = [], headers: HTTPFields = [:]) async throws -> TestResponse {
        try await idp.post(
            "/token", form: [("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"), ("assertion", assertion)] + extra, headers: headers
        )
    }

    /// A grant assertion: iss the client, sub the user.
    static func grantAssertion(_ idp: TestIdP, _ key: TestSigningKey, clientID: String = "jwt-keys", sub: String = "alice", changes: [String: ClaimValue] = [:]) -> String {
        var changes = changes
        if changes["sub"] == nil { changes["sub"] = .string(sub) }
        return key.sign(assertionClaims(clientID: clientID, now: idp.state.clock.now, changes: changes))
    }

    @Test("the JWT bearer grant gives the named user an access token, no refresh or ID token, with the client authenticated")
    func bearerGrant() async throws {
        try await withAssertionTestIdP { idp in
            let response = try await Self.grant(
                idp, Self.grantAssertion(idp, .ec, sub: "carol"),
                extra: [("scope", "openid profile")] + clientAssertionForm(Self.assertion(idp, .ed))
            )
            #expect(response.status == .ok, "\(text(response))")
            let body = try json(response)
            let claims = try jwtPayload(try #require(body["access_token"] as? String))
            #expect(claims["sub"] as? String == "7d0b2f9e-carol", "sub may be a username")
            #expect(claims["client_id"] as? String == "jwt-keys")
            #expect(body["scope"] as? String == "openid profile")
            #expect(body["refresh_token"] == nil)
            #expect(body["id_token"] == nil)
            // Both assertions' jtis are used now.
            #expect((try await idp.issued()["used_assertions"] as? [[String: Any]])?.count == 2)
        }
    }

    @Test("the JWT bearer grant without client credentials: the assertion names and authenticates the client")
    func bearerGrantWithoutClientAuthentication() async throws {
        try await withAssertionTestIdP { idp in
            for (client, key) in [("jwt-grant-public", TestSigningKey.rsa), ("jwt-keys", .ed), ("jwt-secret", .hs256(AssertionClients.secret))] {
                let response = try await Self.grant(idp, Self.grantAssertion(idp, key, clientID: client))
                #expect(response.status == .ok, "\(client): \(text(response))")
                #expect(try jwtPayload(try #require(json(response)["access_token"] as? String))["sub"] as? String == "alice")
            }
            // A public client identifies itself by client_id.
            let identified = try await Self.grant(idp, Self.grantAssertion(idp, .ed, clientID: "jwt-grant-public"), extra: [("client_id", "jwt-grant-public")])
            #expect(identified.status == .ok, "\(text(identified))")
        }
    }

    @Test("a bad grant assertion is invalid_grant saying what is wrong")
    func bearerGrantRejections() async throws {
        try await withAssertionTestIdP { idp in
            let replayed = Self.grantAssertion(idp, .ed)
            #expect(try await Self.grant(idp, replayed).status == .ok)
            let now = idp.state.clock.now
            let cases: [(String, String, String)] = [
                ("replayed", replayed, "used already"),
                ("unknown user", Self.grantAssertion(idp, .ed, sub: "mallory"), "no user's sub or username"),
                ("wrong key", Self.grantAssertion(idp, .eddsa(.init())), "does not verify"),
                ("expired", Self.grantAssertion(idp, .ed, changes: ["exp": .int(now - 600)]), "expired"),
                ("wrong aud", Self.grantAssertion(idp, .ed, changes: ["aud": "https://other.example"]), "does not name this server"),
                ("unknown issuer", Self.grantAssertion(idp, .ed, clientID: "nobody"), "not a registered client"),
                ("alg none", Self.unsigned(assertionClaims(clientID: "jwt-keys", now: now, changes: ["sub": "alice"])), "alg \"none\""),
                ("malformed", "garbage", "malformed assertion"),
                ("HS256 without a secret", Self.grantAssertion(idp, .hs256("x")), "HS256 is not one this client may use"),
            ]
            for (name, jwt, reason) in cases {
                let response = try await Self.grant(idp, jwt)
                #expect(response.status == .badRequest, "\(name): \(text(response))")
                let error = try oauthError(response)
                #expect(error.error == "invalid_grant", "\(name): \(text(response))")
                #expect(error.description.contains(reason), "\(name): \(error.description)")
            }
            // The authenticated client must be the assertion's issuer.
            let otherIssuer = try await Self.grant(
                idp, Self.grantAssertion(idp, .ed, clientID: "jwt-es256-only"), extra: clientAssertionForm(Self.assertion(idp, .ed))
            )
            #expect(try oauthError(otherIssuer).error == "invalid_grant")
            #expect(try oauthError(otherIssuer).description.contains("not the client_id \"jwt-keys\""))
            let missing = try await idp.post("/token", form: [("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"), ("client_id", "jwt-grant-public")])
            try ClientAuthenticationTests.expectInvalidRequest(missing)
            // A client that does not list the grant may not use it.
            let unlisted = try await Self.grant(idp, Self.grantAssertion(idp, .ed, clientID: "budgetify"), headers: [.authorization: basic("budgetify", "budgetify-secret")])
            #expect(try oauthError(unlisted).error == "unauthorized_client")
        }
    }

    // MARK: Fixtures, registration, discovery

    @Test("invalid JWT client fixtures name the file, entry and field")
    func fixtureValidation() async throws {
        func problem(_ client: String) throws -> MockIdPFixtureError.Problem {
            try FixtureLoaderTests.onlyProblem(clients: "[\(client)]")
        }
        let cases: [(String, String, String)] = [
            (#"{"client_id": "a", "token_endpoint_auth_method": "private_key_jwt", "grant_types": ["client_credentials"]}"#, "token_endpoint_auth_method", "jwks or jwks_uri"),
            (#"{"client_id": "a", "token_endpoint_auth_method": "client_secret_jwt", "grant_types": []}"#, "token_endpoint_auth_method", "needs a client_secret"),
            (#"{"client_id": "a", "token_endpoint_auth_method": "private_key_jwt", "grant_types": ["client_credentials"], "jwks": {"keys": []}}"#, "jwks.keys", "no keys"),
            (#"{"client_id": "a", "token_endpoint_auth_method": "private_key_jwt", "grant_types": ["client_credentials"], "jwks": {"keys": [{"kty": "OKP", "crv": "Ed25519", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo", "d": "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A"}]}}"#, "jwks.keys[0].d", "private key member"),
            (#"{"client_id": "a", "token_endpoint_auth_method": "private_key_jwt", "grant_types": ["client_credentials"], "jwks": {"keys": [{"kty": "EC", "crv": "P-384", "x": "AA", "y": "AA"}]}}"#, "jwks.keys[0].crv", "P-384"),
            (#"{"client_id": "a", "token_endpoint_auth_method": "private_key_jwt", "grant_types": ["client_credentials"], "jwks_uri": "http://keys.example/jwks"}"#, "jwks_uri", "loopback host only"),
            (#"{"client_id": "a", "client_secret": "s", "token_endpoint_auth_method": "client_secret_jwt", "token_endpoint_auth_signing_alg": "RS256", "grant_types": ["client_credentials"]}"#, "token_endpoint_auth_signing_alg", "HS256"),
            (#"{"client_id": "a", "token_endpoint_auth_method": "private_key_jwt", "token_endpoint_auth_signing_alg": "PS256", "jwks_uri": "https://a.example/jwks", "grant_types": ["client_credentials"]}"#, "token_endpoint_auth_signing_alg", "unknown algorithm"),
            (#"{"client_id": "a", "grant_types": ["urn:ietf:params:oauth:grant-type:jwt-bearer"]}"#, "grant_types", "jwt-bearer grant needs a key"),
            (#"{"client_id": "a", "client_secret": "s", "grant_types": ["client_credentials"], "jwks": ["not", "an", "object"]}"#, "jwks", "expected an object"),
        ]
        for (client, field, reason) in cases {
            let found = try problem(client)
            #expect(found.file == "clients.json")
            #expect(found.index == 0)
            #expect(found.field == field, "\(client): \(found.description)")
            #expect(found.reason.contains(reason), "\(client): \(found.description)")
        }
        // jwks and jwks_uri together, both fine on their own.
        let both = try FixtureLoaderTests.problems(
            clients: #"[{"client_id": "a", "token_endpoint_auth_method": "private_key_jwt", "grant_types": ["client_credentials"], "jwks": {"keys": [{"kty": "OKP", "crv": "Ed25519", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]}, "jwks_uri": "https://a.example/jwks"}]"#
        )
        #expect(both.map(\.field) == ["jwks_uri"])
        #expect(both.first?.reason.contains("RFC 7591 §2") == true)
    }

    @Test("registration accepts and echoes jwks for private_key_jwt (no client_secret), and the client authenticates with it")
    func registration() async throws {
        try await withAssertionTestIdP { idp in
            let jwks = String(decoding: JSONWriter.encode(["keys": .array([.object(TestSigningKey.ec.jwk(kid: "reg-1"))])]), as: UTF8.self)
            let body = #"{"grant_types": ["client_credentials"], "token_endpoint_auth_method": "private_key_jwt", "token_endpoint_auth_signing_alg": "ES256", "jwks": \#(jwks)}"#
            let response = try await idp.send(.post, "/register", body: body, contentType: "application/json")
            #expect(response.status == .created, "\(text(response))")
            let registered = try json(response)
            let clientID = try #require(registered["client_id"] as? String)
            #expect(registered["client_secret"] == nil)
            #expect(registered["token_endpoint_auth_method"] as? String == "private_key_jwt")
            #expect(registered["token_endpoint_auth_signing_alg"] as? String == "ES256")
            let keys = try #require((registered["jwks"] as? [String: Any])?["keys"] as? [[String: Any]])
            #expect(keys.first?["kid"] as? String == "reg-1")

            let token = try await Self.clientCredentials(idp, Self.assertion(idp, .ec, clientID: clientID))
            #expect(token.status == .ok, "\(text(token))")
            let rsa = try await Self.clientCredentials(idp, Self.assertion(idp, .rsa, clientID: clientID))
            try Self.expectInvalidClient(rsa, "RS256 is not one this client may use")

            // client_secret_jwt gets a secret, the key of its HS256 assertions.
            let hs = try await idp.send(
                .post, "/register", body: #"{"grant_types": ["client_credentials"], "token_endpoint_auth_method": "client_secret_jwt"}"#,
                contentType: "application/json"
            )
            #expect(hs.status == .created, "\(text(hs))")
            let hsClient = try json(hs)
            let hsID = try #require(hsClient["client_id"] as? String)
            let secret = try #require(hsClient["client_secret"] as? String)
            let hsToken = try await Self.clientCredentials(idp, Self.assertion(idp, .hs256(secret), clientID: hsID))
            #expect(hsToken.status == .ok, "\(text(hsToken))")
        }
    }

    @Test("registration refuses jwks with jwks_uri, private_key_jwt without keys, and a jwks that is no JWK Set")
    func registrationRefusals() async throws {
        try await withTestIdP { idp in
            let bodies: [(String, String)] = [
                (#"{"grant_types": ["client_credentials"], "token_endpoint_auth_method": "private_key_jwt", "jwks": {"keys": []}, "jwks_uri": "https://a.example/jwks"}"#, "must not both be present"),
                (#"{"grant_types": ["client_credentials"], "token_endpoint_auth_method": "private_key_jwt"}"#, "jwks or jwks_uri"),
                (#"{"grant_types": ["client_credentials"], "token_endpoint_auth_method": "private_key_jwt", "jwks": "keys"}"#, "must be a JSON object"),
                (#"{"grant_types": ["client_credentials"], "token_endpoint_auth_method": "private_key_jwt", "jwks": {"keys": [{"kty": "oct", "k": "c2VjcmV0"}]}}"#, "private key member"),
            ]
            for (body, reason) in bodies {
                let response = try await idp.send(.post, "/register", body: body, contentType: "application/json")
                #expect(response.status == .badRequest, "\(body): \(text(response))")
                let error = try oauthError(response)
                #expect(error.error == "invalid_client_metadata")
                #expect(error.description.contains(reason), "\(error.description)")
            }
        }
    }

    @Test("discovery advertises the JWT methods, their algorithms and the JWT bearer grant")
    func discovery() async throws {
        try await withTestIdP { idp in
            let document = try json(try await idp.get("/.well-known/openid-configuration"))
            let algorithms = ["HS256", "RS256", "ES256", "EdDSA"]
            for prefix in ["token_endpoint", "introspection_endpoint", "revocation_endpoint"] {
                let methods = try #require(document["\(prefix)_auth_methods_supported"] as? [String], "\(prefix)")
                #expect(methods.contains("client_secret_jwt") && methods.contains("private_key_jwt"), "\(prefix): \(methods)")
                #expect(document["\(prefix)_auth_signing_alg_values_supported"] as? [String] == algorithms, "\(prefix)")
            }
            #expect((document["grant_types_supported"] as? [String])?.contains("urn:ietf:params:oauth:grant-type:jwt-bearer") == true)
        }
    }
}
