import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@testable import MockIdP

/// Builds an in-process MockIdP (issuer `http://idp.test`) with settings `withTestIdP` leaves at their defaults,
/// and runs `body` against it.
func withConfiguredTestIdP<T: Sendable>(
    fixtures: MockIdPConfiguration.FixtureSource = .builtIn,
    loginPage: Bool = false,
    consentPage: Bool = false,
    requestLogCapacity: Int = 500,
    signingAlgorithm: SigningAlgorithm = .rs256,
    issuer: String = testIssuer,
    backchannelDynamic: Bool = false,
    trustForwardedHeaders: Bool = false,
    _ body: @Sendable (TestIdP) async throws -> T
) async throws -> T {
    let configuration = MockIdPConfiguration(
        issuer: issuer,
        fixtures: fixtures,
        loginPage: loginPage,
        consentPage: consentPage,
        requestLogCapacity: requestLogCapacity,
        signingAlgorithm: signingAlgorithm,
        backchannelDynamic: backchannelDynamic,
        trustForwardedHeaders: trustForwardedHeaders
    )
    let issuer = try await MountedIssuer.make(configuration: configuration)
    let app = buildApplication(configuration: configuration, issuer: issuer)
    return try await app.test(.router) { client in
        try await body(TestIdP(client: client, issuer: issuer))
    }
}

// MARK: - /debug requests

extension TestIdP {
    /// POSTs `body` (JSON text, sent as is) to a /debug route.
    func postJSON(_ path: String, _ body: String) async throws -> TestResponse {
        try await send(.post, path, body: body, contentType: "application/json")
    }

    /// DELETE on a /debug route.
    func sendDelete(_ path: String) async throws -> TestResponse {
        try await client.execute(uri: path, method: .delete, headers: [:], body: nil)
    }

    /// `GET /debug` with `filters`, requiring a 200, as JSON.
    func issued(_ filters: [(String, String)] = []) async throws -> [String: Any] {
        let response = try await get("/debug", filters)
        try #require(response.status == .ok, "GET /debug failed: \(bodyText(response))")
        return try json(response)
    }

    /// The `tokens` of `GET /debug` with `filters`.
    func issuedTokens(_ filters: [(String, String)] = []) async throws -> [[String: Any]] {
        try #require(try await issued(filters)["tokens"] as? [[String: Any]])
    }

    /// The `codes` of `GET /debug` with `filters`.
    func issuedCodes(_ filters: [(String, String)] = []) async throws -> [[String: Any]] {
        try #require(try await issued(filters)["codes"] as? [[String: Any]])
    }

    /// The entry of `GET /debug` for the token `value`.
    func issuedToken(_ value: String) async throws -> [String: Any] {
        try #require(try await issuedTokens().first { $0["token"] as? String == value }, "token not listed in /debug")
    }

    /// `GET /debug/requests` as a JSON array, requiring a 200.
    func loggedRequests() async throws -> [[String: Any]] {
        let response = try await get("/debug/requests")
        try #require(response.status == .ok, "GET /debug/requests failed: \(bodyText(response))")
        return try jsonArray(response)
    }

    /// `POST /debug/clock` by `seconds`, requiring a 200.
    func advanceClock(by seconds: Int) async throws {
        let response = try await postJSON("/debug/clock", #"{"advance_seconds": \#(seconds)}"#)
        try #require(response.status == .ok, "POST /debug/clock failed: \(bodyText(response))")
    }

    /// `POST /debug/tokens` with `body`, requiring a 200, as JSON.
    func mint(_ body: String) async throws -> [String: Any] {
        let response = try await postJSON("/debug/tokens", body)
        try #require(response.status == .ok, "POST /debug/tokens failed: \(bodyText(response))")
        return try json(response)
    }

    /// The number of scripted responses `GET /debug/next` reports as pending.
    func pendingScripts() async throws -> Int? {
        try json(try await get("/debug/next"))["pending"] as? Int
    }

    /// The served JWKS as text.
    func jwksText() async throws -> String {
        text(try await get("/jwks"))
    }

    /// The `kid`s of the served JWKS, in order.
    func jwksKIDs() async throws -> [String] {
        let keys = try #require(try json(try await get("/jwks"))["keys"] as? [[String: Any]])
        return keys.compactMap { $0["kid"] as? String }
    }
}

/// The JSON array of a response body.
func jsonArray(_ response: TestResponse) throws -> [[String: Any]] {
    let object = try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView))
    return try #require(object as? [[String: Any]])
}

/// Whether `object` has `key` with the JSON value `null`.
func isNull(_ object: [String: Any], _ key: String) -> Bool {
    object.keys.contains(key) && object[key] is NSNull
}

/// Asserts that `response` is a /debug 400: JSON with `error` invalid_request and a non-empty `error_description`,
/// and returns the description.
@discardableResult
func expectDebugError(
    _ response: TestResponse, _ error: String = "invalid_request", sourceLocation: SourceLocation = #_sourceLocation
) throws -> String {
    #expect(response.status == .badRequest, "\(bodyText(response))", sourceLocation: sourceLocation)
    #expect(response.headers[.contentType]?.hasPrefix("application/json") == true, sourceLocation: sourceLocation)
    let body = try json(response)
    #expect(body["error"] as? String == error, "\(body)", sourceLocation: sourceLocation)
    let description = try #require(body["error_description"] as? String, sourceLocation: sourceLocation)
    #expect(!description.isEmpty, sourceLocation: sourceLocation)
    return description
}
