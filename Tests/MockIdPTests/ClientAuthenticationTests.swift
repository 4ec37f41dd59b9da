import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@testable import MockIdP

@Suite struct ClientAuthenticationTests {
    static let redirectURI = "http://localhost:3000/callback"

    /// A token request for a fresh budgetify code, authenticated by `form` additions and `headers`.
    static func redeem(_ idp: TestIdP, form: [(String, String)], headers: HTTPFields = [:]) async throws -> TestResponse {
        let code = try await idp.code()
        return try await idp.post(
            "/token", form: [("grant_type", "authorization_code"), ("code", code), ("redirect_uri", redirectURI)] + form, headers: headers
        )
    }

    /// Asserts RFC 6749 §5.2 `invalid_client`: 401 with a `WWW-Authenticate` challenge.
    static func expectInvalidClient(_ response: TestResponse, sourceLocation: SourceLocation = #_sourceLocation) throws {
        #expect(response.status == .unauthorized, sourceLocation: sourceLocation)
        #expect(response.headers[.wwwAuthenticate]?.hasPrefix("Basic ") == true, sourceLocation: sourceLocation)
        #expect(try oauthError(response).error == "invalid_client", sourceLocation: sourceLocation)
    }

    /// Asserts a 400 `invalid_request`.
    static func expectInvalidRequest(_ response: TestResponse, sourceLocation: SourceLocation = #_sourceLocation) throws {
        #expect(response.status == .badRequest, sourceLocation: sourceLocation)
        #expect(try oauthError(response).error == "invalid_request", sourceLocation: sourceLocation)
    }

    // MARK: Methods that succeed

    @Test("client_secret_basic authenticates a confidential client")
    func basicAuthentication() async throws {
        try await withTestIdP { idp in
            let response = try await Self.redeem(idp, form: [], headers: [.authorization: basic("budgetify", "budgetify-secret")])
            #expect(response.status == .ok)
        }
    }

    @Test("client_secret_basic credentials are form-urlencoded before Base64 (RFC 6749 §2.3.1)")
    func basicIsFormURLEncoded() async throws {
        let id = "svc:one é"
        let secret = "p@ss word+/:é="
        let client = Client(clientID: id, clientSecret: secret, redirectURIs: [Self.redirectURI])
        try await withTestIdP(fixtures: try builtInFixtures(adding: [client])) { idp in
            let code = try await idp.code(clientID: id, scope: "openid")
            let form = [("grant_type", "authorization_code"), ("code", code), ("redirect_uri", Self.redirectURI)]
            let response = try await idp.post("/token", form: form, headers: [.authorization: basic(id, secret)])
            #expect(response.status == .ok, "\(text(response))")

            // The same credentials without form-urlencoding: '+' decodes to a space, so the secret no longer matches.
            let raw = "Basic " + Data("svc%3Aone%20%C3%A9:\(secret)".utf8).base64EncodedString()
            let code2 = try await idp.code(clientID: id, scope: "openid")
            let rawResponse = try await idp.post(
                "/token", form: [("grant_type", "authorization_code"), ("code", code2), ("redirect_uri", Self.redirectURI)],
                headers: [.authorization: raw]
            )
            try Self.expectInvalidClient(rawResponse)
            #expect(try oauthError(rawResponse).description.contains("wrong client_secret"))
        }
    }

    @Test("client_secret_post authenticates a confidential client")
    func postAuthentication() async throws {
        try await withTestIdP { idp in
            let response = try await Self.redeem(idp, form: [("client_id", "budgetify"), ("client_secret", "budgetify-secret")])
            #expect(response.status == .ok)
        }
    }

    @Test("the Basic scheme name is case-insensitive")
    func basicSchemeCase() async throws {
        try await withTestIdP { idp in
            let header = basic("budgetify", "budgetify-secret").replacing("Basic ", with: "bAsIc ")
            let response = try await Self.redeem(idp, form: [], headers: [.authorization: header])
            #expect(response.status == .ok)
        }
    }

    @Test("a client_id in the body that matches the Basic header is accepted")
    func matchingBodyClientID() async throws {
        try await withTestIdP { idp in
            let response = try await Self.redeem(idp, form: [("client_id", "budgetify")], headers: [.authorization: basic("budgetify", "budgetify-secret")])
            #expect(response.status == .ok)
        }
    }

    @Test("a public client authenticates with none: client_id only")
    func noneAuthentication() async throws {
        try await withTestIdP { idp in
            let response = try await idp.publicClientTokens()
            #expect(response.status == .ok)
        }
    }

    // MARK: Registered method

    @Test("a client registered for client_secret_post may not use client_secret_basic")
    func postOnlyClient() async throws {
        try await withTestIdP { idp in
            let parameters = try await idp.authorize([("response_type", "code"), ("client_id", "planner"), ("scope", "openid")])
            let code = try #require(parameters["code"])
            let response = try await idp.post(
                "/token", form: [("grant_type", "authorization_code"), ("code", code)], headers: [.authorization: basic("planner", "planner-secret")]
            )
            try Self.expectInvalidClient(response)
            let post = try await idp.post(
                "/token", form: [("grant_type", "authorization_code"), ("code", code), ("client_id", "planner"), ("client_secret", "planner-secret")]
            )
            #expect(post.status == .ok, "the refused attempt must not have consumed the code")
        }
    }

    @Test("a public client that sends a secret is refused", arguments: [true, false])
    func publicClientWithSecret(inHeader: Bool) async throws {
        try await withTestIdP { idp in
            let pkce = pkcePair()
            let code = try await idp.code(
                clientID: "budgetify-spa", redirectURI: "http://localhost:5173/callback", scope: "openid",
                extra: [("code_challenge", pkce.challenge), ("code_challenge_method", "S256")]
            )
            var form = [
                ("grant_type", "authorization_code"), ("code", code), ("redirect_uri", "http://localhost:5173/callback"), ("code_verifier", pkce.verifier),
            ]
            var headers: HTTPFields = [:]
            if inHeader {
                headers[.authorization] = basic("budgetify-spa", "guess")
            } else {
                form += [("client_id", "budgetify-spa"), ("client_secret", "guess")]
            }
            try Self.expectInvalidClient(try await idp.post("/token", form: form, headers: headers))
        }
    }

    @Test("a confidential client that sends no secret is refused")
    func confidentialWithoutSecret() async throws {
        try await withTestIdP { idp in
            try Self.expectInvalidClient(try await Self.redeem(idp, form: [("client_id", "budgetify")]))
        }
    }

    // MARK: Failures

    @Test("a wrong secret is invalid_client", arguments: [true, false])
    func wrongSecret(inHeader: Bool) async throws {
        try await withTestIdP { idp in
            let response =
                inHeader
                ? try await Self.redeem(idp, form: [], headers: [.authorization: basic("budgetify", "wrong")])
                : try await Self.redeem(idp, form: [("client_id", "budgetify"), ("client_secret", "wrong")])
            try Self.expectInvalidClient(response)
        }
    }

    @Test("an unknown client is invalid_client", arguments: [true, false])
    func unknownClient(inHeader: Bool) async throws {
        try await withTestIdP { idp in
            let response =
                inHeader
                ? try await Self.redeem(idp, form: [], headers: [.authorization: basic("nobody", "secret")])
                : try await Self.redeem(idp, form: [("client_id", "nobody"), ("client_secret", "secret")])
            try Self.expectInvalidClient(response)
        }
    }

    @Test("no client credentials at all is invalid_client")
    func noCredentials() async throws {
        try await withTestIdP { idp in
            try Self.expectInvalidClient(try await Self.redeem(idp, form: []))
        }
    }

    @Test("a secret in both the Basic header and the body is invalid_request (RFC 6749 §2.3)")
    func twoMethods() async throws {
        try await withTestIdP { idp in
            let response = try await Self.redeem(
                idp, form: [("client_secret", "budgetify-secret")], headers: [.authorization: basic("budgetify", "budgetify-secret")]
            )
            try Self.expectInvalidRequest(response)
        }
    }

    @Test("a body client_id that differs from the Basic header is invalid_request")
    func mismatchedClientID() async throws {
        try await withTestIdP { idp in
            let response = try await Self.redeem(idp, form: [("client_id", "planner")], headers: [.authorization: basic("budgetify", "budgetify-secret")])
            try Self.expectInvalidRequest(response)
        }
    }

    @Test("client_id or client_secret sent twice is invalid_request", arguments: ["client_id", "client_secret"])
    func duplicatedCredentials(name: String) async throws {
        try await withTestIdP { idp in
            let form = [("client_id", "budgetify"), ("client_secret", "budgetify-secret")]
            let response = try await Self.redeem(idp, form: form + form.filter { $0.0 == name })
            try Self.expectInvalidRequest(response)
        }
    }

    @Test(
        "a malformed Authorization header is invalid_client",
        arguments: [
            "Basic !!!not-base64!!!",
            "Basic " + Data("budgetify-without-colon".utf8).base64EncodedString(),
            "Basic " + Data([0xFF, 0xFE, 0x3A, 0x41]).base64EncodedString(),
            "Basic " + Data("budgetify:%zz".utf8).base64EncodedString(),
            "Basic",
            "Bearer budgetify-secret",
            "budgetify:budgetify-secret",
        ]
    )
    func malformedBasic(header: String) async throws {
        try await withTestIdP { idp in
            try Self.expectInvalidClient(try await Self.redeem(idp, form: [], headers: [.authorization: header]))
        }
    }
}
