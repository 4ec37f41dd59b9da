import HTTPTypes
import HummingbirdTesting
import Testing

@testable import MockIdP

@Suite struct DiscoveryTests {
    static let paths = ["/.well-known/openid-configuration", "/.well-known/oauth-authorization-server"]

    @Test("both well-known paths serve the same JSON document", arguments: paths)
    func served(path: String) async throws {
        try await withTestIdP { idp in
            let response = try await idp.get(path)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType]?.hasPrefix("application/json") == true)
            let other = try await idp.get(Self.paths.first { $0 != path }!)
            #expect(response.body == other.body)
        }
    }

    @Test("the issuer and every endpoint URL derive from the configured issuer")
    func endpointURLs() async throws {
        try await withTestIdP { idp in
            let document = try json(try await idp.get("/.well-known/openid-configuration"))
            #expect(document["issuer"] as? String == testIssuer)
            #expect(document["authorization_endpoint"] as? String == testIssuer + "/authorize")
            #expect(document["token_endpoint"] as? String == testIssuer + "/token")
            #expect(document["userinfo_endpoint"] as? String == testIssuer + "/userinfo")
            #expect(document["jwks_uri"] as? String == testIssuer + "/jwks")
        }
    }

    @Test("every advertised endpoint is served")
    func endpointsAreServed() async throws {
        try await withTestIdP { idp in
            let document = try json(try await idp.get("/.well-known/openid-configuration"))
            for key in document.keys.filter({ $0.hasSuffix("_endpoint") || $0 == "jwks_uri" }).sorted() {
                let url = try #require(document[key] as? String)
                #expect(url.hasPrefix(testIssuer + "/"), "\(key) is not under the issuer: \(url)")
                let path = String(url.dropFirst(testIssuer.count))
                let get = try await idp.get(path)
                let post = try await idp.post(path, form: [])
                #expect(get.status != .notFound || post.status != .notFound, "\(key) \(url) is not served")
            }
        }
    }

    @Test("grant_types_supported lists exactly the grants the token endpoint implements")
    func grantTypes() async throws {
        try await withTestIdP { idp in
            let document = try json(try await idp.get("/.well-known/openid-configuration"))
            let advertised = try #require(document["grant_types_supported"] as? [String])
            #expect(advertised == TokenEndpoint.implemented.map(\.rawValue))
            #expect(advertised.contains("authorization_code"))
        }
    }

    @Test("an advertised grant type is never refused as unsupported; any other is")
    func grantTypesAreTruthful() async throws {
        try await withTestIdP { idp in
            let document = try json(try await idp.get("/.well-known/openid-configuration"))
            let advertised = try #require(document["grant_types_supported"] as? [String])
            // budgetify is registered for every grant type MockIdP knows.
            let candidates = Set(GrantType.allCases.map(\.rawValue) + advertised + ["implicit", "urn:example:unknown"])
            for grantType in candidates.sorted() {
                let response = try await idp.post("/token", form: [("grant_type", grantType)], headers: [.authorization: basic("budgetify", "budgetify-secret")])
                if response.status == .ok {
                    // client_credentials needs no more parameters.
                    #expect(advertised.contains(grantType), "\(grantType) is not advertised but was granted")
                    continue
                }
                #expect(response.status.code >= 400 && response.status.code < 500, "\(grantType) answered \(response.status)")
                let error = try oauthError(response).error
                if advertised.contains(grantType) {
                    #expect(error != "unsupported_grant_type", "\(grantType) is advertised but refused as unsupported")
                } else {
                    #expect(error == "unsupported_grant_type", "\(grantType) is not advertised but answered with \(error)")
                }
            }
        }
    }

    @Test("response types, response modes and PKCE methods are advertised and each one works")
    func authorizationCapabilities() async throws {
        try await withTestIdP { idp in
            let document = try json(try await idp.get("/.well-known/openid-configuration"))
            let responseTypes = try #require(document["response_types_supported"] as? [String])
            let modes = try #require(document["response_modes_supported"] as? [String])
            let methods = try #require(document["code_challenge_methods_supported"] as? [String])
            #expect(responseTypes == ["code"])
            #expect(Set(modes) == ["query", "fragment", "form_post"])
            #expect(Set(methods) == ["S256", "plain"])

            let base = [("client_id", "budgetify"), ("redirect_uri", "http://localhost:3000/callback"), ("state", "st")]
            for responseType in responseTypes {
                for mode in modes {
                    let response = try await idp.authorizeResponse(base + [("response_type", responseType), ("response_mode", mode)])
                    #expect(response.status == (mode == "form_post" ? .ok : .found), "response_mode \(mode)")
                    let parameters = try mode == "form_post" ? hiddenInputs(text(response)) : redirectParameters(#require(response.headers[.location]))
                    #expect(parameters["code"] != nil, "response_mode \(mode) delivered no code")
                }
            }
            for method in methods {
                let pkce = pkcePair()
                let challenge = method == "S256" ? pkce.challenge : pkce.verifier
                let parameters = try await idp.authorize(
                    base + [("response_type", "code"), ("code_challenge", challenge), ("code_challenge_method", method)]
                )
                let code = try #require(parameters["code"], "code_challenge_method \(method) was refused: \(parameters)")
                let response = try await idp.redeem(code, extra: [("code_verifier", pkce.verifier)])
                #expect(response.status == .ok, "code_challenge_method \(method) could not be redeemed")
            }
        }
    }

    @Test("token endpoint auth methods, signing algorithms and subject types match the server")
    func tokenCapabilities() async throws {
        try await withTestIdP { idp in
            let document = try json(try await idp.get("/.well-known/openid-configuration"))
            let methods = try #require(document["token_endpoint_auth_methods_supported"] as? [String])
            #expect(Set(methods) == Set(TokenEndpointAuthMethod.allCases.map(\.rawValue)))
            #expect(Set(methods) == ["client_secret_basic", "client_secret_post", "client_secret_jwt", "private_key_jwt", "none"])
            let jwks = try json(try await idp.get("/jwks"))
            let keyAlgorithms = try #require(jwks["keys"] as? [[String: Any]]).compactMap { $0["alg"] as? String }
            let signingAlgorithms = try #require(document["id_token_signing_alg_values_supported"] as? [String])
            #expect(Set(signingAlgorithms) == Set(keyAlgorithms))
            #expect(document["subject_types_supported"] as? [String] == ["public"])
        }
    }

    @Test("scopes_supported lists the fixtures' scopes")
    func scopes() async throws {
        try await withTestIdP { idp in
            let document = try json(try await idp.get("/.well-known/openid-configuration"))
            #expect(document["scopes_supported"] as? [String] == idp.state.registry.fixtures.scopes.map(\.name))
        }
    }

    @Test("scopes_supported follows custom fixtures")
    func customScopes() async throws {
        var fixtures = try FixtureLoader.builtIn()
        fixtures.scopes.append(Scope(name: "ledger:export", claims: ["ledger_id"]))
        try await withTestIdP(fixtures: .values(fixtures)) { idp in
            let document = try json(try await idp.get("/.well-known/openid-configuration"))
            let scopes = try #require(document["scopes_supported"] as? [String])
            #expect(scopes.last == "ledger:export")
            let claims = try #require(document["claims_supported"] as? [String])
            #expect(claims.contains("ledger_id"))
        }
    }

    @Test("claims_supported covers the ID token claims and every scope's claims, once each")
    func claims() async throws {
        try await withTestIdP { idp in
            let document = try json(try await idp.get("/.well-known/openid-configuration"))
            let claims = try #require(document["claims_supported"] as? [String])
            #expect(Set(claims).count == claims.count)
            for claim in ["sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "at_hash", "azp"] {
                #expect(claims.contains(claim))
            }
            for claim in idp.state.registry.fixtures.scopes.flatMap(\.claims) {
                #expect(claims.contains(claim))
            }
        }
    }

    @Test("the flags say iss is returned and request objects are not supported")
    func flags() async throws {
        try await withTestIdP { idp in
            let document = try json(try await idp.get("/.well-known/oauth-authorization-server"))
            #expect(document["authorization_response_iss_parameter_supported"] as? Bool == true)
            #expect(document["request_uri_parameter_supported"] as? Bool == false)
            #expect(document["request_parameter_supported"] as? Bool == false)
            #expect(document["claims_parameter_supported"] as? Bool == false)
        }
    }
}
