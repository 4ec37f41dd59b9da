// This file uses only MockIdP's public API (no @testable): it is the example of embedding MockIdP in a Swift test suite.
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import MockIdP
import Testing

@Suite struct EmbeddingExampleTests {
    @Test("a test starts MockIdP on a free port, runs a client-credentials flow over HTTP, and reads what was issued")
    func clientCredentialsOverHTTP() async throws {
        try await withMockIdP { idp in
            #expect(idp.issuer == "http://127.0.0.1:\(idp.port)")
            #expect(idp.port > 0)

            var request = URLRequest(url: try #require(URL(string: idp.tokenEndpoint)))
            request.httpMethod = "POST"
            request.setValue("application/x-www-form-urlencoded", forHTTPHeaderField: "Content-Type")
            request.httpBody = Data("grant_type=client_credentials&client_id=reconciler&client_secret=reconciler-secret".utf8)
            let (data, response) = try await URLSession.shared.data(for: request)
            #expect((response as? HTTPURLResponse)?.statusCode == 200)
            let body = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
            let accessToken = try #require(body["access_token"] as? String)

            let issued = await idp.issued(IssuedFilter(clientID: "reconciler"))
            #expect(issued.tokens.map(\.token) == [accessToken])
            #expect(issued.tokens.first?.claims?["sub"] == "reconciler")
            #expect(idp.requests.first?.path == "/token")
        }
    }

    @Test("minted tokens carry extra claims, and the clock moves their expiry without sleeping")
    func mintAndExpire() async throws {
        try await withMockIdP { idp in
            let tokens = try await idp.mintTokens(clientID: "budgetify", sub: "alice", scope: "openid email", claims: ["roles": ["admin"]], expiresIn: 60)
            #expect(tokens.idToken != nil)
            #expect(tokens.expiresIn == 60)
            let minted = await idp.issued(IssuedFilter(type: "access_token"))
            #expect(minted.tokens.first?.claims?["roles"] == ["admin"])
            #expect(minted.tokens.first?.status == .active)

            try await idp.advanceClock(by: 61)
            let later = await idp.issued(IssuedFilter(type: "access_token"))
            #expect(later.tokens.first?.status == .expired)

            await idp.reset()
            #expect(await idp.issued().tokens.isEmpty)
        }
    }

    @Test("a scripted error answers the next token request, then the server behaves normally again")
    func scriptedError() async throws {
        try await withMockIdP { idp in
            try idp.scriptNextTokenError("temporarily_unavailable", status: 503, clientID: "reconciler")
            let form = "grant_type=client_credentials&client_id=reconciler&client_secret=reconciler-secret"
            let scripted = try await post(idp.tokenEndpoint, form: form)
            #expect(scripted.status == 503)
            let normal = try await post(idp.tokenEndpoint, form: form)
            #expect(normal.status == 200)
        }
    }

    @Test("fixtures given as Swift values are served, and invalid ones are refused before listening")
    func fixturesAsValues() async throws {
        let fixtures = MockIdPFixtures(
            users: [MockIdPFixtures.User(sub: "u1", claims: ["name": "User One"])],
            clients: [MockIdPFixtures.Client(clientID: "svc", clientSecret: "s3cret", grantTypes: [.clientCredentials])],
            scopes: [MockIdPFixtures.Scope(name: "read")]
        )
        try await withMockIdP(MockIdPConfiguration(fixtures: .values(fixtures))) { idp in
            let tokens = try await idp.mintTokens(clientID: "svc")
            #expect(tokens.scope == "read")
        }
        var broken = fixtures
        broken.clients.append(MockIdPFixtures.Client(clientID: "svc"))
        await #expect(throws: MockIdPFixtureError.self) {
            try await withMockIdP(MockIdPConfiguration(fixtures: .values(broken))) { _ in }
        }
    }

    @Test("a port in use surfaces the bind error instead of hanging")
    func portInUse() async throws {
        try await withMockIdP { first in
            let taken = first.port
            await #expect(throws: (any Error).self) {
                try await withMockIdP(MockIdPConfiguration(port: taken)) { _ in }
            }
        }
    }

    private func post(_ url: String, form: String) async throws -> (status: Int, body: Data) {
        var request = URLRequest(url: try #require(URL(string: url)))
        request.httpMethod = "POST"
        request.setValue("application/x-www-form-urlencoded", forHTTPHeaderField: "Content-Type")
        request.httpBody = Data(form.utf8)
        let (data, response) = try await URLSession.shared.data(for: request)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, data)
    }
}
