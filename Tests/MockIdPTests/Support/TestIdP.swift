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
    fixtures: Configuration.FixtureSource = .builtIn,
    _ body: @Sendable (TestIdP) async throws -> T
) async throws -> T {
    let configuration = Configuration(issuer: testIssuer, fixtures: fixtures)
    let server = try await AuthorizationServer.make(configuration: configuration)
    let app = buildApplication(configuration: configuration, server: server)
    return try await app.test(.router) { client in
        try await body(TestIdP(client: client, server: server))
    }
}

/// A test client plus the server's state, with helpers for the steps of a flow.
struct TestIdP: Sendable {
    let client: any TestClientProtocol
    let server: AuthorizationServer

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
    let object = try JSONSerialization.jsonObject(with: Data(buffer: response.body))
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
