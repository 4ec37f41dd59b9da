import Crypto
import Foundation
import HTTPTypes
import HummingbirdTesting
import JWTKit
import Testing

@testable import MockIdP

@Suite struct KeyRotationTests {
    /// POST /debug/keys/rotate, requiring a 200; returns the new active kid and the published kids.
    static func rotate(_ idp: TestIdP) async throws -> (active: String, published: [String]) {
        let response = try await idp.client.execute(uri: "/debug/keys/rotate", method: .post, headers: [:], body: nil)
        try #require(response.status == .ok, "rotation failed: \(bodyText(response))")
        let body = try json(response)
        return (try #require(body["active_kid"] as? String), try #require(body["published_kids"] as? [String]))
    }

    /// A verifier holding exactly the keys the server's JWKS publishes now.
    static func verifier(_ idp: TestIdP) async throws -> JWTKeyCollection {
        try await JWTKeyCollection().add(jwksJSON: try await idp.jwksText())
    }

    @Test("rotation returns a new active kid, listed first in /jwks with the previous key second")
    func newKeyFirst() async throws {
        try await withTestIdP { idp in
            let original = try await idp.jwksKIDs()
            try #require(original.count == 1)

            let rotated = try await Self.rotate(idp)
            #expect(rotated.active != original[0])
            #expect(rotated.published == [rotated.active, original[0]])
            #expect(try await idp.jwksKIDs() == [rotated.active, original[0]])

            let keys = try #require(try json(try await idp.get("/jwks"))["keys"] as? [[String: Any]])
            #expect(keys.allSatisfy { $0["kty"] as? String == "RSA" && $0["alg"] as? String == "RS256" })
        }
    }

    @Test("tokens issued after rotation carry the new kid and verify against the served JWKS")
    func newTokensUseNewKey() async throws {
        try await withTestIdP { idp in
            let rotated = try await Self.rotate(idp)
            let issued = try await idp.codeFlowTokens(scope: "openid profile")
            let verifier = try await Self.verifier(idp)

            for kind in ["access_token", "id_token"] {
                let token = try #require(issued[kind] as? String)
                #expect(try jwtHeader(token)["kid"] as? String == rotated.active, "\(kind)")
                let verified = try await verifier.verify(token, as: JWTClaims.self)
                #expect(verified.claims["sub"] == .string("alice"))
            }
            let minted = try await idp.mint(#"{"client_id": "budgetify", "sub": "bob", "scope": "openid"}"#)
            let mintedToken = try #require(minted["access_token"] as? String)
            #expect(try jwtHeader(mintedToken)["kid"] as? String == rotated.active)
            _ = try await verifier.verify(mintedToken, as: JWTClaims.self)
        }
    }

    @Test("a token signed before rotation still verifies against the JWKS after it, and still works at userinfo")
    func oldTokenStillVerifies() async throws {
        try await withTestIdP { idp in
            let original = try await idp.jwksKIDs()
            let issued = try await idp.codeFlowTokens(scope: "openid profile")
            let accessToken = try #require(issued["access_token"] as? String)
            let idToken = try #require(issued["id_token"] as? String)

            _ = try await Self.rotate(idp)
            let verifier = try await Self.verifier(idp)
            #expect(try jwtHeader(accessToken)["kid"] as? String == original.first)
            _ = try await verifier.verify(accessToken, as: JWTClaims.self)
            _ = try await verifier.verify(idToken, as: JWTClaims.self)
            #expect(try await idp.userInfoStatus(accessToken) == .ok)
        }
    }

    @Test("after a second rotation the first key is gone from /jwks, and tokens it signed no longer verify")
    func secondRotationDropsFirstKey() async throws {
        try await withTestIdP { idp in
            let first = try #require(try await idp.jwksKIDs().first)
            let oldToken = try #require(try await idp.codeFlowTokens()["access_token"] as? String)
            let second = try await Self.rotate(idp)
            let middleToken = try #require(try await idp.codeFlowTokens()["access_token"] as? String)

            let third = try await Self.rotate(idp)
            #expect(third.published == [third.active, second.active])
            let kids = try await idp.jwksKIDs()
            #expect(kids == [third.active, second.active])
            #expect(!kids.contains(first))

            let verifier = try await Self.verifier(idp)
            _ = try await verifier.verify(middleToken, as: JWTClaims.self)
            await #expect(throws: (any Error).self) { try await verifier.verify(oldToken, as: JWTClaims.self) }
        }
    }

    @Test("the inspector names the active signing key")
    func inspectorShowsKey() async throws {
        try await withTestIdP { idp in
            let rotated = try await Self.rotate(idp)
            let page = text(try await idp.get("/debug", headers: [.accept: "text/html"]))
            #expect(page.contains(rotated.active))
        }
    }
}

@Suite struct SigningAlgorithmTests {
    /// What the JWKS and discovery should say for `algorithm`.
    static func expected(_ algorithm: SigningAlgorithm) -> (kty: String, crv: String?, alg: String) {
        switch algorithm {
        case .rs256: ("RSA", nil, "RS256")
        case .es256: ("EC", "P-256", "ES256")
        case .eddsa: ("OKP", "Ed25519", "EdDSA")
        }
    }

    @Test(
        "the JWKS publishes a key of the configured algorithm first, and the RS256 key beside it (OIDC Discovery §3)",
        arguments: [SigningAlgorithm.es256, .eddsa]
    )
    func jwks(algorithm: SigningAlgorithm) async throws {
        try await withConfiguredTestIdP(signingAlgorithm: algorithm) { idp in
            let expected = Self.expected(algorithm)
            let response = try await idp.get("/jwks")
            #expect(response.status == .ok)
            let keys = try #require(try json(response)["keys"] as? [[String: Any]])
            try #require(keys.count == 2)
            #expect(keys[1]["kty"] as? String == "RSA" && keys[1]["alg"] as? String == "RS256")
            #expect(keys[1]["d"] == nil && keys[1]["p"] == nil, "the JWKS publishes the private RSA key")
            let key = keys[0]
            #expect(key["kty"] as? String == expected.kty)
            #expect(key["crv"] as? String == expected.crv)
            #expect(key["alg"] as? String == expected.alg)
            #expect(key["use"] as? String == "sig")
            #expect((key["kid"] as? String)?.isEmpty == false)
            #expect((key["x"] as? String)?.isEmpty == false)
            if algorithm == .es256 { #expect((key["y"] as? String)?.isEmpty == false) }
            #expect(key["n"] == nil)
            #expect(key["d"] == nil, "the JWKS publishes the private key")
        }
    }

    @Test(
        "discovery's id_token_signing_alg_values_supported names the configured algorithm first and always RS256 (OIDC Discovery §3)",
        arguments: SigningAlgorithm.allCases
    )
    func discovery(algorithm: SigningAlgorithm) async throws {
        try await withConfiguredTestIdP(signingAlgorithm: algorithm) { idp in
            let document = try json(try await idp.get("/.well-known/openid-configuration"))
            let expected = algorithm == .rs256 ? ["RS256"] : [Self.expected(algorithm).alg, "RS256"]
            #expect(document["id_token_signing_alg_values_supported"] as? [String] == expected)
        }
    }

    @Test("at_hash is the left half of the ID token algorithm's hash: SHA-256 for RS256 and ES256, SHA-512 for EdDSA", arguments: SigningAlgorithm.allCases)
    func atHash(algorithm: SigningAlgorithm) async throws {
        try await withConfiguredTestIdP(signingAlgorithm: algorithm) { idp in
            let issued = try await idp.codeFlowTokens(scope: "openid profile")
            let accessToken = try #require(issued["access_token"] as? String)
            let claims = try jwtPayload(try #require(issued["id_token"] as? String))
            let bytes = Array(accessToken.utf8)
            let expected =
                switch algorithm {
                case .rs256, .es256: Array(SHA256.hash(data: bytes)).prefix(16).base64URLEncoded
                case .eddsa: Array(SHA512.hash(data: bytes)).prefix(32).base64URLEncoded
                }
            #expect(claims["at_hash"] as? String == expected)
            #expect((claims["at_hash"] as? String)?.count == (algorithm == .eddsa ? 43 : 22))
        }
    }

    @Test(
        "a client's id_token_signed_response_alg picks its ID tokens' algorithm; access tokens keep the configured one",
        arguments: [(SigningAlgorithm.es256, SigningAlgorithm.rs256), (.eddsa, .rs256), (.rs256, .es256), (.rs256, .eddsa)]
    )
    func clientChoosesIDTokenAlgorithm(configured: SigningAlgorithm, chosen: SigningAlgorithm) async throws {
        var client = try #require(try FixtureLoader.builtIn().clients.first { $0.clientID == "budgetify" })
        client.clientID = "budgetify-\(chosen.rawValue.lowercased())"
        client.idTokenSignedResponseAlg = chosen
        let budgetify = client
        try await withConfiguredTestIdP(fixtures: try builtInFixtures(adding: [budgetify]), signingAlgorithm: configured) { idp in
            let issued = try await idp.codeFlowTokens(clientID: budgetify.clientID, scope: "openid profile")
            let accessToken = try #require(issued["access_token"] as? String)
            let idToken = try #require(issued["id_token"] as? String)
            #expect(try jwtHeader(accessToken)["alg"] as? String == configured.rawValue)
            #expect(try jwtHeader(idToken)["alg"] as? String == chosen.rawValue)
            let verifier = try await JWTKeyCollection().add(jwksJSON: try await idp.jwksText())
            _ = try await verifier.verify(idToken, as: JWTClaims.self)
            _ = try await verifier.verify(accessToken, as: JWTClaims.self)
            let advertised = try json(try await idp.get("/.well-known/openid-configuration"))["id_token_signing_alg_values_supported"] as? [String]
            #expect(advertised?.first == configured.rawValue)
            #expect(Set(advertised ?? []) == Set([configured.rawValue, "RS256", chosen.rawValue]))
        }
    }

    @Test("access and ID tokens are signed with the configured algorithm and verify against the JWKS", arguments: [SigningAlgorithm.es256, .eddsa])
    func tokensVerify(algorithm: SigningAlgorithm) async throws {
        try await withConfiguredTestIdP(signingAlgorithm: algorithm) { idp in
            let issued = try await idp.codeFlowTokens(scope: "openid profile", extra: [("nonce", "n-1")])
            let jwks = try await idp.jwksText()
            let verifier = try await JWTKeyCollection().add(jwksJSON: jwks)
            let kid = try #require(try await idp.jwksKIDs().first)

            let accessToken = try #require(issued["access_token"] as? String)
            #expect(try jwtHeader(accessToken)["alg"] as? String == Self.expected(algorithm).alg)
            #expect(try jwtHeader(accessToken)["typ"] as? String == "at+jwt")
            #expect(try jwtHeader(accessToken)["kid"] as? String == kid)
            let access = try await verifier.verify(accessToken, as: JWTClaims.self)
            #expect(access.claims["client_id"] == .string("budgetify"))

            let idToken = try #require(issued["id_token"] as? String)
            #expect(try jwtHeader(idToken)["alg"] as? String == Self.expected(algorithm).alg)
            let id = try await verifier.verify(idToken, as: JWTClaims.self)
            #expect(id.claims["nonce"] == .string("n-1"))
            #expect(id.claims["sub"] == .string("alice"))

            #expect(try await idp.userInfoStatus(accessToken) == .ok)
        }
    }

    @Test("rotation keeps the configured algorithm, and tokens from the new key verify", arguments: [SigningAlgorithm.es256, .eddsa])
    func rotation(algorithm: SigningAlgorithm) async throws {
        try await withConfiguredTestIdP(signingAlgorithm: algorithm) { idp in
            let rotated = try await KeyRotationTests.rotate(idp)
            let keys = try #require(try json(try await idp.get("/jwks"))["keys"] as? [[String: Any]])
            // The new key and the previous one of the configured algorithm, then the RS256 key, which rotation leaves alone.
            #expect(keys.count == 3)
            #expect(keys.prefix(2).allSatisfy { $0["kty"] as? String == Self.expected(algorithm).kty && $0["alg"] as? String == Self.expected(algorithm).alg })
            #expect(keys.last?["alg"] as? String == "RS256")

            let accessToken = try await idp.accessToken()
            #expect(try jwtHeader(accessToken)["kid"] as? String == rotated.active)
            _ = try await JWTKeyCollection().add(jwksJSON: try await idp.jwksText()).verify(accessToken, as: JWTClaims.self)
        }
    }

    @Test("a client added at runtime with id_token_signed_response_alg gets its key published before its first ID token")
    func runtimeClientAlgorithm() async throws {
        try await withTestIdP { idp in
            let before = try await idp.jwksKIDs()
            let client = #"{"client_id": "cli", "client_secret": "cli-secret", "redirect_uris": ["http://localhost:9000/cb"], "id_token_signed_response_alg": "EdDSA"}"#
            #expect(try await idp.postJSON("/debug/clients", client).status == .created)
            let keys = try #require(try json(try await idp.get("/jwks"))["keys"] as? [[String: Any]])
            #expect(keys.map { $0["alg"] as? String } == ["RS256", "EdDSA"])
            #expect(try await idp.jwksKIDs().first == before.first, "the active key did not change")
            let document = try json(try await idp.get("/.well-known/openid-configuration"))
            #expect(document["id_token_signing_alg_values_supported"] as? [String] == ["RS256", "EdDSA"])

            let code = try await idp.code(clientID: "cli", redirectURI: "http://localhost:9000/cb", scope: "openid profile")
            let issued = try json(try await idp.redeem(code, clientID: "cli", secret: "cli-secret", redirectURI: "http://localhost:9000/cb"))
            let idToken = try #require(issued["id_token"] as? String)
            #expect(try jwtHeader(idToken)["alg"] as? String == "EdDSA")
            _ = try await JWTKeyCollection().add(jwksJSON: try await idp.jwksText()).verify(idToken, as: JWTClaims.self)
        }
    }

    @Test("an unknown id_token_signed_response_alg is a fixture problem that names the known ones")
    func unknownAlgorithm() async throws {
        try await withTestIdP { idp in
            let problems = try DebugFixturesTests.problems(
                try await idp.postJSON("/debug/clients", #"{"client_id": "cli", "client_secret": "s", "redirect_uris": ["http://localhost:9000/cb"], "id_token_signed_response_alg": "HS256"}"#)
            )
            #expect(
                problems == [
                    #"clients.json, index 0 (client_id "cli"), field "id_token_signed_response_alg": unknown algorithm "HS256" (known: RS256, ES256, EdDSA)"#
                ]
            )
        }
    }

    @Test("a refused batch publishes no key, even for an algorithm one of its clients names")
    func refusedBatchPublishesNoKey() async throws {
        try await withTestIdP { idp in
            let before = try await idp.jwksKIDs()
            let body = #"[{"client_id": "cli", "client_secret": "s", "redirect_uris": ["http://localhost:9000/cb"], "id_token_signed_response_alg": "ES256"}, {"client_id": "budgetify"}]"#
            _ = try DebugFixturesTests.problems(try await idp.postJSON("/debug/clients", body))
            #expect(try await idp.jwksKIDs() == before)
        }
    }

    @Test("the kid is the RFC 7638 thumbprint of the EC or OKP key", arguments: [SigningAlgorithm.es256, .eddsa])
    func kidIsThumbprint(algorithm: SigningAlgorithm) async throws {
        try await withConfiguredTestIdP(signingAlgorithm: algorithm) { idp in
            let key = try #require((try json(try await idp.get("/jwks"))["keys"] as? [[String: Any]])?.first)
            let crv = try #require(key["crv"] as? String)
            let x = try #require(key["x"] as? String)
            let canonical: String
            if algorithm == .es256 {
                canonical = #"{"crv":"\#(crv)","kty":"EC","x":"\#(x)","y":"\#(try #require(key["y"] as? String))"}"#
            } else {
                canonical = #"{"crv":"\#(crv)","kty":"OKP","x":"\#(x)"}"#
            }
            #expect(key["kid"] as? String == SHA256.hash(data: Array(canonical.utf8)).base64URLEncoded)
        }
    }
}
