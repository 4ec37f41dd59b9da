import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

@testable import MockIdP

/// What common client libraries send by default: Basic credentials with an empty password from a public client,
/// and HEAD requests.
@Suite struct ClientLibraryDefaultsTests {
    @Test("a public client's id in Basic with an empty password is auth method none (requests-oauthlib, x/oauth2)")
    func basicEmptyPassword() async throws {
        try await withTestIdP { idp in
            let pkce = pkcePair()
            let redirectURI = "http://localhost:5173/callback"
            let code = try await idp.code(
                clientID: "budgetify-spa", redirectURI: redirectURI, scope: "openid",
                extra: [("code_challenge", pkce.challenge), ("code_challenge_method", "S256")]
            )
            let response = try await idp.post(
                "/token",
                form: [("grant_type", "authorization_code"), ("code", code), ("redirect_uri", redirectURI), ("code_verifier", pkce.verifier)],
                headers: [.authorization: basic("budgetify-spa", "")]
            )
            #expect(response.status == .ok, "\(bodyText(response))")
        }
    }

    @Test("an empty password is still a wrong secret for a confidential client, and a wrong secret for a public one is refused")
    func emptyPasswordConfidential() async throws {
        try await withTestIdP { idp in
            let confidential = try await idp.post("/token", form: [("grant_type", "client_credentials")], headers: [.authorization: basic("reconciler", "")])
            #expect(confidential.status == .unauthorized)
            #expect(try errorCode(confidential) == "invalid_client")
            let publicWithSecret = try await idp.post(
                "/token", form: [("grant_type", "refresh_token"), ("refresh_token", "x")], headers: [.authorization: basic("budgetify-spa", "guess")]
            )
            #expect(publicWithSecret.status == .unauthorized)
        }
    }

    @Test("HEAD answers on every GET route with GET's status and headers and no body (RFC 9110 §9.3.2)", arguments: [
        "/.well-known/openid-configuration", "/.well-known/oauth-authorization-server", "/jwks", "/healthz", "/debug", "/debug/requests",
    ])
    func head(path: String) async throws {
        try await withTestIdP { idp in
            let get = try await idp.client.execute(uri: path, method: .get, headers: [:], body: nil)
            let head = try await idp.client.execute(uri: path, method: .head, headers: [:], body: nil)
            #expect(head.status == get.status)
            #expect(head.status == .ok)
            #expect(head.headers[.contentType] == get.headers[.contentType])
            #expect(head.body.readableBytes == 0)
        }
    }

    @Test("HEAD on userinfo without a token is the same 401 as GET, with its WWW-Authenticate")
    func headUserInfo() async throws {
        try await withTestIdP { idp in
            let head = try await idp.client.execute(uri: "/userinfo", method: .head, headers: [:], body: nil)
            #expect(head.status == .unauthorized)
            #expect(head.headers[.wwwAuthenticate]?.hasPrefix("Bearer") == true)
        }
    }
}
