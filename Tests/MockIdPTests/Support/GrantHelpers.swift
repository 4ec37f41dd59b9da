import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

@testable import MockIdP

/// Credentials a test presents for a client: a secret (sent as client_secret_basic, or in the body for a
/// client_secret_post client), or `nil` for a public client that sends only its client_id.
struct ClientCredentials: Sendable {
    let clientID: String
    let secret: String?
    /// Sends the secret in the body (client_secret_post) instead of the Authorization header.
    var inBody = false

    static let budgetify = ClientCredentials(clientID: "budgetify", secret: "budgetify-secret")
    static let budgetifySPA = ClientCredentials(clientID: "budgetify-spa", secret: nil)
    static let budgetifyTV = ClientCredentials(clientID: "budgetify-tv", secret: nil)
    static let reconciler = ClientCredentials(clientID: "reconciler", secret: "reconciler-secret")
    static let planner = ClientCredentials(clientID: "planner", secret: "planner-secret", inBody: true)

    /// The form fields and headers that authenticate this client.
    func apply(to form: [(String, String)]) -> (form: [(String, String)], headers: HTTPFields) {
        guard let secret else { return (form + [("client_id", clientID)], [:]) }
        if inBody { return (form + [("client_id", clientID), ("client_secret", secret)], [:]) }
        return (form, [.authorization: basic(clientID, secret)])
    }
}

extension TestIdP {
    /// POSTs `form` to `path`, authenticated as `client` (or not at all when `client` is `nil`).
    func post(_ path: String, form: [(String, String)], as client: ClientCredentials?) async throws -> TestResponse {
        guard let client else { return try await post(path, form: form) }
        let authenticated = client.apply(to: form)
        return try await post(path, form: authenticated.form, headers: authenticated.headers)
    }

    /// A token request with `grant_type` and `parameters`, authenticated as `client`.
    func tokenRequest(
        _ grantType: String,
        _ parameters: [(String, String)] = [],
        as client: ClientCredentials = .budgetify
    ) async throws -> TestResponse {
        try await post("/token", form: [("grant_type", grantType)] + parameters, as: client)
    }

    /// Runs the code flow for budgetify and returns the token response's JSON, requiring a 200.
    func codeFlowTokens(clientID: String = "budgetify", scope: String = "openid profile email", extra: [(String, String)] = []) async throws -> [String: Any] {
        let response = try await redeem(try await code(clientID: clientID, scope: scope, extra: extra), clientID: clientID)
        try #require(response.status == .ok, "code redemption failed: \(String(buffer: response.body))")
        return try json(response)
    }

    /// Runs the code flow for the public client budgetify-spa (S256 PKCE) and returns the token response's JSON.
    func spaTokens(scope: String = "openid profile") async throws -> [String: Any] {
        let pkce = pkcePair()
        let redirectURI = "http://localhost:5173/callback"
        let code = try await code(
            clientID: "budgetify-spa",
            redirectURI: redirectURI,
            scope: scope,
            extra: [("code_challenge", pkce.challenge), ("code_challenge_method", "S256")]
        )
        let response = try await redeem(
            code, clientID: "budgetify-spa", secret: nil, redirectURI: redirectURI, extra: [("code_verifier", pkce.verifier)]
        )
        try #require(response.status == .ok, "code redemption failed: \(String(buffer: response.body))")
        return try json(response)
    }

    /// A refresh token request (RFC 6749 §6).
    func refresh(_ refreshToken: String, scope: String? = nil, as client: ClientCredentials = .budgetify) async throws -> TestResponse {
        var parameters = [("refresh_token", refreshToken)]
        if let scope { parameters.append(("scope", scope)) }
        return try await tokenRequest("refresh_token", parameters, as: client)
    }

    /// A password grant request (RFC 6749 §4.3.2).
    func passwordGrant(
        username: String?,
        password: String?,
        scope: String? = nil,
        as client: ClientCredentials = .budgetify
    ) async throws -> TestResponse {
        var parameters: [(String, String)] = []
        if let username { parameters.append(("username", username)) }
        if let password { parameters.append(("password", password)) }
        if let scope { parameters.append(("scope", scope)) }
        return try await tokenRequest("password", parameters, as: client)
    }

    /// POST /introspect for `token` (RFC 7662 §2.1), authenticated as `client`.
    func introspect(_ token: String, as client: ClientCredentials? = .budgetify) async throws -> TestResponse {
        try await post("/introspect", form: [("token", token)], as: client)
    }

    /// POST /revoke for `token` (RFC 7009 §2.1), authenticated as `client`.
    func revoke(_ token: String, as client: ClientCredentials? = .budgetify) async throws -> TestResponse {
        try await post("/revoke", form: [("token", token)], as: client)
    }

    /// The HTTP status /userinfo answers for a bearer `token`.
    func userInfoStatus(_ token: String) async throws -> HTTPResponse.Status {
        try await get("/userinfo", headers: [.authorization: "Bearer \(token)"]).status
    }

    /// Starts a device authorization (RFC 8628 §3.1) and returns its JSON, requiring a 200.
    func startDeviceAuthorization(
        scope: String = "openid profile",
        extra: [(String, String)] = [],
        as client: ClientCredentials = .budgetifyTV
    ) async throws -> [String: Any] {
        var form = extra
        form.append(("scope", scope))
        let response = try await post("/device_authorization", form: form, as: client)
        try #require(response.status == .ok, "device authorization failed: \(String(buffer: response.body))")
        return try json(response)
    }

    /// One device-code poll of the token endpoint (RFC 8628 §3.4).
    func pollDevice(_ deviceCode: String, as client: ClientCredentials = .budgetifyTV) async throws -> TestResponse {
        try await tokenRequest("urn:ietf:params:oauth:grant-type:device_code", [("device_code", deviceCode)], as: client)
    }

    /// Opens the device verification page for `userCode`, as a user's browser would.
    func openVerificationPage(userCode: String, extra: [(String, String)] = []) async throws -> TestResponse {
        try await get("/device", [("user_code", userCode)] + extra)
    }

    /// GET /end_session with `query` (OIDC RP-Initiated Logout §2).
    func endSession(_ query: [(String, String)]) async throws -> TestResponse {
        try await get("/end_session", query)
    }
}

/// The RFC 6749 §5.2 `error` code of a JSON error response, `nil` if there is none.
func errorCode(_ response: TestResponse) throws -> String? {
    try json(response)["error"] as? String
}

/// The body of a response as UTF-8 text.
func bodyText(_ response: TestResponse) -> String {
    String(buffer: response.body)
}

/// Checks that `response` is an RFC 7662 §2.2 inactive answer: 200 and exactly `{"active": false}`.
func expectInactive(_ response: TestResponse, sourceLocation: SourceLocation = #_sourceLocation) throws {
    #expect(response.status == .ok, sourceLocation: sourceLocation)
    let body = try json(response)
    #expect(Array(body.keys) == ["active"], "an inactive token must reveal nothing else: \(body)", sourceLocation: sourceLocation)
    #expect(body["active"] as? Bool == false, sourceLocation: sourceLocation)
}
