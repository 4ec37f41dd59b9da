import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@testable import MockIdP

/// A fixtures directory under the temporary directory, built from `files` (paths relative to it, e.g.
/// `alpha/users.json`), removed after `body`.
func withFixturesDirectory<T>(_ files: [String: String], _ body: (String) async throws -> T) async throws -> T {
    let url = FileManager.default.temporaryDirectory.appending(path: "mock-idp-issuers-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: url) }
    for (name, contents) in files {
        let file = url.appending(path: name)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(contents.utf8).write(to: file)
    }
    return try await body(url.path)
}

/// An issuer's endpoints as a test client reaches them: its mount path plus the layout's paths.
struct IssuerPaths: Sendable {
    let mount: String
    let paths: EndpointPaths

    init(_ issuer: MountedIssuer) {
        self.mount = issuer.state.issuer.mountPath
        self.paths = issuer.state.paths
    }

    var discovery: String { mount + paths.openIDConfiguration }
    var authorize: String { mount + paths.authorize }
    var token: String { mount + paths.token }
    var userinfo: String { mount + paths.userinfo }
    var jwks: String { mount + paths.jwks }
    var introspection: String? { paths.introspection.map { mount + $0 } }
    var revocation: String? { paths.revocation.map { mount + $0 } }
}

extension TestIdP {
    /// The code flow at an issuer's own paths: authorize (asserting the redirect), then redeem with
    /// client_secret_basic (or `client_id` alone for a public client, with PKCE); returns the token response's JSON.
    func codeFlow(
        at issuer: IssuerPaths,
        clientID: String = "budgetify",
        secret: String? = "budgetify-secret",
        redirectURI: String = "http://localhost:3000/callback",
        scope: String = "openid profile email",
        extra: [(String, String)] = []
    ) async throws -> [String: Any] {
        let pkce = pkcePair()
        let query = [
            ("response_type", "code"), ("client_id", clientID), ("redirect_uri", redirectURI), ("scope", scope), ("state", "s1"),
            ("code_challenge", pkce.challenge), ("code_challenge_method", "S256"),
        ] + extra
        let authorization = try await get(issuer.authorize, query)
        #expect(authorization.status == .found, "authorization failed: \(text(authorization))")
        let location = try #require(authorization.headers[.location])
        let code = try #require(try redirectParameters(location)["code"])
        var form = [("grant_type", "authorization_code"), ("code", code), ("redirect_uri", redirectURI), ("code_verifier", pkce.verifier)]
        var headers: HTTPFields = [:]
        if let secret {
            headers[.authorization] = basic(clientID, secret)
        } else {
            form.append(("client_id", clientID))
        }
        let response = try await post(issuer.token, form: form, headers: headers)
        #expect(response.status == .ok, "token request failed: \(text(response))")
        return try json(response)
    }

    /// client_credentials at an issuer's token endpoint; returns the token response's JSON.
    func clientCredentials(
        at issuer: IssuerPaths, clientID: String = "reconciler", secret: String = "reconciler-secret", extra: [(String, String)] = []
    ) async throws -> [String: Any] {
        let response = try await post(issuer.token, form: [("grant_type", "client_credentials")] + extra, headers: [.authorization: basic(clientID, secret)])
        #expect(response.status == .ok, "token request failed: \(text(response))")
        return try json(response)
    }
}

extension IssuerTable {
    /// The named issuer, which the test expects to exist.
    func require(_ name: String) throws -> MountedIssuer {
        try #require(entry(named: name), "no issuer named \(name)").issuer
    }
}
