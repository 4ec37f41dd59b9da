import HTTPTypes
import HummingbirdTesting
import Testing

@testable import MockIdP

/// RFC 8252 §7.3: a native or command-line app listens on an ephemeral loopback port, so a public client's loopback
/// redirect URI matches any port; everything else stays an exact match (RFC 9700 §2.1).
@Suite struct LoopbackRedirectTests {
    static let cli = Client(
        clientID: "native-cli",
        redirectURIs: ["http://127.0.0.1/callback", "http://[::1]/callback", "http://localhost:8400/cb?app=cli", "com.budgetify.app:/oauth2redirect"],
        postLogoutRedirectURIs: ["http://127.0.0.1/signed-out"]
    )
    /// A confidential web client registering a loopback URI keeps exact matching.
    static let web = Client(clientID: "budgetify-local-web", clientSecret: "s", redirectURIs: ["http://127.0.0.1:3000/callback"])

    @Test(
        "a public client's loopback redirect URI matches any port, and that port is redirected to",
        arguments: [
            "http://127.0.0.1:54321/callback", "http://127.0.0.1/callback", "http://[::1]:61000/callback",
            "http://localhost:1/cb?app=cli", "http://LOCALHOST:65535/cb?app=cli", "HTTP://127.0.0.1:8080/callback",
        ]
    )
    func anyPort(redirectURI: String) async throws {
        try await withTestIdP(fixtures: try builtInFixtures(adding: [Self.cli])) { idp in
            let pkce = pkcePair()
            let response = try await idp.get(
                "/authorize",
                [("response_type", "code"), ("client_id", "native-cli"), ("redirect_uri", redirectURI), ("scope", "openid"),
                 ("code_challenge", pkce.challenge), ("code_challenge_method", "S256")]
            )
            #expect(response.status == .found, "\(bodyText(response))")
            let location = try #require(response.headers[.location])
            #expect(location.hasPrefix(redirectURI + (redirectURI.contains("?") ? "&" : "?")))
            let code = try #require(try redirectParameters(location)["code"])
            // The token request names the same URI, port included (RFC 6749 §4.1.3).
            let token = try await idp.redeem(
                code, clientID: "native-cli", secret: nil, redirectURI: redirectURI, extra: [("code_verifier", pkce.verifier)]
            )
            #expect(token.status == .ok, "\(bodyText(token))")
        }
    }

    @Test(
        "scheme, host, path and query still match exactly; userinfo, other hosts and bad ports are refused without a redirect",
        arguments: [
            "http://127.0.0.1:54321/callback/", "http://127.0.0.1:54321/Callback", "http://127.0.0.1:54321/callback?x=1",
            "https://127.0.0.1:54321/callback", "http://127.0.0.2:54321/callback", "http://localhost:54321/callback",
            "http://[::1]:54321/callback?", "http://localhost:8400/cb?app=cli&x=1", "http://127.0.0.1@attacker.example/callback",
            "http://127.0.0.1:54321@attacker.example/callback", "http://127.0.0.1:99999/callback", "http://127.0.0.1:12a/callback",
            "http://127.0.0.1.attacker.example/callback", "com.budgetify.app:/oauth2redirect/x", "com.budgetify.app://oauth2redirect",
        ]
    )
    func stillExact(redirectURI: String) async throws {
        try await withTestIdP(fixtures: try builtInFixtures(adding: [Self.cli])) { idp in
            let response = try await idp.get(
                "/authorize",
                [("response_type", "code"), ("client_id", "native-cli"), ("redirect_uri", redirectURI), ("scope", "openid"),
                 ("code_challenge", pkcePair().challenge), ("code_challenge_method", "S256")]
            )
            #expect(response.status == .badRequest)
            #expect(response.headers[.location] == nil)
            #expect(bodyText(response).contains("is not registered"))
        }
    }

    @Test("a confidential client's loopback redirect URI stays an exact match, port included")
    func confidentialExact() async throws {
        try await withTestIdP(fixtures: try builtInFixtures(adding: [Self.web])) { idp in
            func authorize(_ uri: String) async throws -> TestResponse {
                try await idp.get("/authorize", [("response_type", "code"), ("client_id", "budgetify-local-web"), ("redirect_uri", uri), ("scope", "openid")])
            }
            #expect(try await authorize("http://127.0.0.1:3000/callback").status == .found)
            let other = try await authorize("http://127.0.0.1:3001/callback")
            #expect(other.status == .badRequest)
            #expect(other.headers[.location] == nil)
        }
    }

    @Test("a private-use URI scheme (RFC 8252 §7.1) is registered and matched exactly")
    func privateUseScheme() async throws {
        try await withTestIdP(fixtures: try builtInFixtures(adding: [Self.cli])) { idp in
            let response = try await idp.get(
                "/authorize",
                [("response_type", "code"), ("client_id", "native-cli"), ("redirect_uri", "com.budgetify.app:/oauth2redirect"),
                 ("scope", "openid"), ("state", "st"), ("code_challenge", pkcePair().challenge), ("code_challenge_method", "S256")]
            )
            #expect(response.status == .found)
            #expect(response.headers[.location]?.hasPrefix("com.budgetify.app:/oauth2redirect?code=") == true)
        }
    }

    @Test("post_logout_redirect_uri: any loopback port for a public client, exact for the rest")
    func postLogout() async throws {
        try await withTestIdP(fixtures: try builtInFixtures(adding: [Self.cli])) { idp in
            let accepted = try await idp.endSession([("client_id", "native-cli"), ("post_logout_redirect_uri", "http://127.0.0.1:50123/signed-out"), ("state", "z")])
            #expect(accepted.status == .found)
            #expect(accepted.headers[.location] == "http://127.0.0.1:50123/signed-out?state=z")
            let refused = try await idp.endSession([("client_id", "native-cli"), ("post_logout_redirect_uri", "http://127.0.0.1:50123/elsewhere")])
            #expect(refused.status == .ok)
            #expect(refused.headers[.location] == nil)
        }
    }

    @Test("the token endpoint still requires the identical redirect_uri: another port is invalid_grant")
    func tokenEndpointExact() async throws {
        try await withTestIdP(fixtures: try builtInFixtures(adding: [Self.cli])) { idp in
            let pkce = pkcePair()
            let code = try await idp.code(
                clientID: "native-cli", redirectURI: "http://127.0.0.1:50000/callback", scope: "openid",
                extra: [("code_challenge", pkce.challenge), ("code_challenge_method", "S256")]
            )
            let response = try await idp.redeem(
                code, clientID: "native-cli", secret: nil, redirectURI: "http://127.0.0.1:50001/callback", extra: [("code_verifier", pkce.verifier)]
            )
            #expect(response.status == .badRequest)
            #expect(try errorCode(response) == "invalid_grant")
        }
    }
}
