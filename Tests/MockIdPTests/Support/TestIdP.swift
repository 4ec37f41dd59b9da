import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@testable import MockIdP

/// The issuer every in-process test server uses (`.router` tests never bind a port).
let testIssuer = "http://idp.test"

/// Builds an in-process MockIdP on the built-in fixtures (or the given ones) and runs `body` against it.
func withTestIdP<T: Sendable>(
    fixtures: MockIdPConfiguration.FixtureSource = .builtIn,
    _ body: @Sendable (TestIdP) async throws -> T
) async throws -> T {
    let configuration = MockIdPConfiguration(issuer: testIssuer, fixtures: fixtures)
    let issuer = try await MountedIssuer.make(configuration: configuration)
    let app = buildApplication(configuration: configuration, issuer: issuer)
    return try await app.test(.router) { client in
        try await body(TestIdP(client: client, issuer: issuer))
    }
}

/// A test client plus the server's state, with helpers for the steps of a flow.
struct TestIdP: Sendable {
    let client: any TestClientProtocol
    let issuer: MountedIssuer
    /// The issuer's state, as its endpoints see it.
    var state: IdPState { issuer.state }
    /// The issuer's control plane, as /debug and `RunningMockIdP` use it.
    var controls: DebugControls { issuer.controls }

    /// GET with query parameters.
    func get(_ path: String, _ query: [(String, String)] = [], headers: HTTPFields = [:]) async throws -> TestResponse {
        let uri = query.isEmpty ? path : path + "?" + FormParameters.encode(query)
        return try await client.execute(uri: uri, method: .get, headers: headers, body: nil)
    }

    /// POST an `application/x-www-form-urlencoded` body.
    func post(_ path: String, form: [(String, String)], headers: HTTPFields = [:]) async throws -> TestResponse {
        var headers = headers
        headers[.contentType] = "application/x-www-form-urlencoded"
        return try await client.execute(uri: path, method: .post, headers: headers, body: ByteBuffer(string: FormParameters.encode(form)))
    }

    /// Runs the authorization request and returns the redirect's query parameters (asserting a 302).
    func authorize(_ query: [(String, String)]) async throws -> [String: String] {
        let response = try await get("/authorize", query)
        #expect(response.status == .found)
        let location = try #require(response.headers[.location])
        return try redirectParameters(location)
    }

    /// Authorizes `budgetify` (confidential) for `scope` and returns the code.
    func code(
        clientID: String = "budgetify",
        redirectURI: String = "http://localhost:3000/callback",
        scope: String = "openid profile email",
        extra: [(String, String)] = []
    ) async throws -> String {
        let parameters = try await authorize(
            [("response_type", "code"), ("client_id", clientID), ("redirect_uri", redirectURI), ("scope", scope), ("state", "s1")] + extra
        )
        return try #require(parameters["code"])
    }

    /// Redeems `code` for budgetify with client_secret_basic and returns the response.
    func redeem(
        _ code: String,
        clientID: String = "budgetify",
        secret: String? = "budgetify-secret",
        redirectURI: String = "http://localhost:3000/callback",
        extra: [(String, String)] = []
    ) async throws -> TestResponse {
        var form = [("grant_type", "authorization_code"), ("code", code), ("redirect_uri", redirectURI)] + extra
        var headers: HTTPFields = [:]
        if let secret {
            headers[.authorization] = basic(clientID, secret)
        } else {
            form.append(("client_id", clientID))
        }
        return try await post("/token", form: form, headers: headers)
    }
}

/// `Basic base64(urlencode(id):urlencode(secret))` (RFC 6749 §2.3.1).
func basic(_ id: String, _ secret: String) -> String {
    "Basic " + Data("\(FormParameters.encode(id)):\(FormParameters.encode(secret))".utf8).base64EncodedString()
}

/// The query (or fragment) parameters of a redirect `Location`.
func redirectParameters(_ location: String) throws -> [String: String] {
    let separator: Character = location.contains("#") ? "#" : "?"
    let query = try #require(location.split(separator: separator, maxSplits: 1).last.map(String.init))
    return try FormParameters(parsing: Array(query.utf8)).values
}

/// The JSON object of a response body.
func json(_ response: TestResponse) throws -> [String: Any] {
    let object = try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView))
    return try #require(object as? [String: Any])
}

/// The decoded payload of a JWT, without verifying it.
func jwtPayload(_ token: String) throws -> [String: Any] {
    let parts = token.split(separator: ".")
    try #require(parts.count == 3)
    let data = try #require(String(parts[1]).base64URLDecoded)
    return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
}

/// The decoded header of a JWT.
func jwtHeader(_ token: String) throws -> [String: Any] {
    let data = try #require(String(token.split(separator: ".")[0]).base64URLDecoded)
    return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
}

/// A PKCE verifier and its S256 challenge.
func pkcePair() -> (verifier: String, challenge: String) {
    let verifier = randomToken()
    return (verifier, SHA256.hash(data: Array(verifier.utf8)).base64URLEncoded)
}

// MARK: - Raw requests, flows and response readers

extension TestIdP {
    /// Sends `body` byte for byte, with `contentType` as the Content-Type (none when `nil`).
    func send(
        _ method: HTTPRequest.Method,
        _ path: String,
        body: [UInt8]?,
        contentType: String? = "application/x-www-form-urlencoded",
        headers: HTTPFields = [:]
    ) async throws -> TestResponse {
        var headers = headers
        if let contentType { headers[.contentType] = contentType }
        return try await client.execute(uri: path, method: method, headers: headers, body: body.map { ByteBuffer(bytes: $0) })
    }

    /// Sends `body` as is (UTF-8), with `contentType` as the Content-Type (none when `nil`).
    func send(
        _ method: HTTPRequest.Method,
        _ path: String,
        body: String,
        contentType: String? = "application/x-www-form-urlencoded",
        headers: HTTPFields = [:]
    ) async throws -> TestResponse {
        try await send(method, path, body: Array(body.utf8), contentType: contentType, headers: headers)
    }

    /// Runs the authorization request and returns the raw response, whatever it is.
    func authorizeResponse(_ query: [(String, String)]) async throws -> TestResponse {
        try await get("/authorize", query)
    }

    /// Runs the code flow for budgetify (or another confidential client) and returns the token response's JSON,
    /// asserting a 200.
    func tokens(
        clientID: String = "budgetify",
        secret: String = "budgetify-secret",
        redirectURI: String = "http://localhost:3000/callback",
        scope: String = "openid profile email",
        extra: [(String, String)] = []
    ) async throws -> [String: Any] {
        let code = try await code(clientID: clientID, redirectURI: redirectURI, scope: scope, extra: extra)
        let response = try await redeem(code, clientID: clientID, secret: secret, redirectURI: redirectURI)
        #expect(response.status == .ok, "token request failed: \(text(response))")
        return try json(response)
    }

    /// Runs the code flow for budgetify and returns the access token.
    func accessToken(scope: String = "openid profile email", extra: [(String, String)] = []) async throws -> String {
        try #require(try await tokens(scope: scope, extra: extra)["access_token"] as? String)
    }

    /// Runs the code flow for the public client budgetify-spa with S256 PKCE and returns the token response.
    func publicClientTokens(scope: String = "openid profile") async throws -> TestResponse {
        let pkce = pkcePair()
        let code = try await code(
            clientID: "budgetify-spa",
            redirectURI: "http://localhost:5173/callback",
            scope: scope,
            extra: [("code_challenge", pkce.challenge), ("code_challenge_method", "S256")]
        )
        return try await redeem(
            code, clientID: "budgetify-spa", secret: nil, redirectURI: "http://localhost:5173/callback", extra: [("code_verifier", pkce.verifier)]
        )
    }

    /// GET /userinfo with `Authorization: Bearer token`.
    func userinfo(_ token: String) async throws -> TestResponse {
        try await get("/userinfo", headers: [.authorization: "Bearer \(token)"])
    }
}

/// The body of a response as text.
func text(_ response: TestResponse) -> String {
    String(buffer: response.body)
}

/// The `error` and `error_description` of an RFC 6749 §5.2 JSON error response.
func oauthError(_ response: TestResponse) throws -> (error: String, description: String) {
    let body = try json(response)
    return (try #require(body["error"] as? String), try #require(body["error_description"] as? String))
}

/// The hidden inputs of a `form_post` page, by name, with HTML entities decoded.
func hiddenInputs(_ html: String) -> [String: String] {
    var fields: [String: String] = [:]
    for match in html.matches(of: #/<input type="hidden" name="([^"]*)" value="([^"]*)">/#) {
        fields[htmlUnescaped(String(match.1))] = htmlUnescaped(String(match.2))
    }
    return fields
}

/// Decodes the five entities MockIdP's HTML escaping produces.
func htmlUnescaped(_ text: String) -> String {
    text.replacing("&lt;", with: "<").replacing("&gt;", with: ">").replacing("&quot;", with: "\"")
        .replacing("&#39;", with: "'").replacing("&amp;", with: "&")
}

/// The built-in fixtures with `clients` added, for tests that need a client the shipped fixtures lack.
func builtInFixtures(adding clients: [Client]) throws -> MockIdPConfiguration.FixtureSource {
    var fixtures = try FixtureLoader.builtIn()
    fixtures.clients += clients
    return .values(fixtures)
}

/// Builds an in-process server of several issuers (the root plus `configuration.issuers` and a fixtures directory's
/// issuer subdirectories) and runs `body` against it; the `TestIdP` is the root issuer's.
func withTestIssuers<T: Sendable>(
    _ configuration: MockIdPConfiguration,
    _ body: @Sendable (TestIdP, IssuerTable) async throws -> T
) async throws -> T {
    let issuers = try await IssuerTable.make(configuration: configuration)
    let app = buildApplication(configuration: configuration, issuers: issuers)
    return try await app.test(.router) { client in
        try await body(TestIdP(client: client, issuer: issuers.root), issuers)
    }
}
