import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Synchronization
import Testing

@testable import MockIdP

/// Client ID Metadata Documents: a client_id that is a URL is resolved by fetching that document.
@Suite struct ClientMetadataDocumentTests {
    static let redirectURI = "http://localhost:6274/oauth/callback"

    /// Serves client metadata documents on a loopback port: `/client.json` a valid one (max-age 60), others each
    /// broken in one way; counts what it served.
    private static func withDocuments(_ body: @Sendable (_ base: String, _ served: DocumentCount) async throws -> Void) async throws {
        let served = DocumentCount()
        let router = Router()
        let port = Mutex(0)
        func document(_ path: String, _ edit: @escaping @Sendable (inout [String: Any], String) -> Void, cacheControl: String = "max-age=60") {
            router.get(RouterPath(path)) { _, _ -> Response in
                served.add(path)
                let url = "http://127.0.0.1:\(port.withLock { $0 })\(path)"
                var object: [String: Any] = [
                    "client_id": url, "client_name": "Budgetify for MCP", "redirect_uris": [redirectURI],
                    "grant_types": ["authorization_code", "refresh_token"], "response_types": ["code"], "token_endpoint_auth_method": "none",
                ]
                edit(&object, url)
                let data = try JSONSerialization.data(withJSONObject: object)
                return Response(status: .ok, headers: [.contentType: "application/json", .cacheControl: cacheControl], body: .init(byteBuffer: ByteBuffer(bytes: data)))
            }
        }
        document("/client.json") { _, _ in }
        document("/other-id.json") { object, _ in object["client_id"] = "https://elsewhere.example/client.json" }
        document("/secret.json") { object, _ in object["client_secret"] = "s3cret" }
        document("/basic.json") { object, _ in object["token_endpoint_auth_method"] = "client_secret_basic" }
        document("/bad-redirect.json") { object, _ in object["redirect_uris"] = ["not a uri"] }
        router.get("/not-json.json") { _, _ in "hello" }
        router.get("/moved.json") { _, _ in Response(status: .movedPermanently, headers: [.location: "https://elsewhere.example/"]) }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await app.test(.live) { client in
            port.withLock { $0 = client.port! }
            try await body("http://127.0.0.1:\(client.port!)", served)
        }
    }

    @Test("a metadata document's client runs the code flow with PKCE and resource, refreshes, and its document is fetched once while fresh")
    func wholeFlow() async throws {
        try await Self.withDocuments { base, served in
            try await withTestIdP { idp in
                let clientID = base + "/client.json"
                let tokens = try await idp.codeFlow(
                    at: IssuerPaths(idp.issuer), clientID: clientID, secret: nil, redirectURI: Self.redirectURI, scope: "openid offline_access",
                    extra: [("resource", "https://mcp.alpha-bank.example/mcp")]
                )
                let claims = try jwtPayload(try #require(tokens["access_token"] as? String))
                #expect(claims["client_id"] as? String == clientID)
                #expect(claims["aud"] as? String == "https://mcp.alpha-bank.example/mcp")
                let refresh = try #require(tokens["refresh_token"] as? String)
                let refreshed = try await idp.post("/token", form: [("grant_type", "refresh_token"), ("refresh_token", refresh), ("client_id", clientID)])
                #expect(refreshed.status == .ok, "\(text(refreshed))")
                #expect(served.count("/client.json") == 1, "authorize, token and refresh share one fetch within max-age")

                let debug = try json(try await idp.get("/debug", headers: [.accept: "application/json"]))
                let documents = try #require(debug["fetched_documents"] as? [[String: Any]])
                #expect(documents.map { $0["url"] as? String } == [clientID])
                #expect((documents.first?["document"] as? [String: Any])?["client_name"] as? String == "Budgetify for MCP")
                #expect(try await idp.sendDelete("/debug").status == .ok)
                let after = try json(try await idp.get("/debug", headers: [.accept: "application/json"]))
                #expect((after["fetched_documents"] as? [Any])?.isEmpty == true, "DELETE /debug forgets fetched documents")
            }
        }
    }

    @Test("a document that is no valid client is shown as an error page (400, no redirect), never a 5xx", arguments: [
        ("/other-id.json", "is not the document's URL"),
        ("/secret.json", "must not contain client_secret"),
        ("/basic.json", "needs a shared secret"),
        ("/bad-redirect.json", "invalid_redirect_uri"),
        ("/not-json.json", "the document is not a JSON object"),
        ("/moved.json", "redirects are not followed"),
        ("/missing.json", "answered HTTP 404, not 200"),
    ])
    func brokenDocuments(path: String, reason: String) async throws {
        try await Self.withDocuments { base, _ in
            try await withTestIdP { idp in
                let response = try await idp.get("/authorize", [
                    ("response_type", "code"), ("client_id", base + path), ("redirect_uri", Self.redirectURI),
                    ("code_challenge", pkcePair().challenge), ("code_challenge_method", "S256"),
                ])
                #expect(response.status == .badRequest)
                #expect(response.headers[.location] == nil)
                #expect(text(response).contains("invalid_client"), "\(text(response))")
                #expect(text(response).contains(HTML.escape(reason)), "\(text(response))")
            }
        }
    }

    @Test("at the token endpoint a broken document is invalid_client (401)")
    func tokenEndpoint() async throws {
        try await Self.withDocuments { base, _ in
            try await withTestIdP { idp in
                let response = try await idp.post("/token", form: [
                    ("grant_type", "authorization_code"), ("code", "x"), ("client_id", base + "/other-id.json"), ("redirect_uri", Self.redirectURI),
                ])
                #expect(response.status == .unauthorized)
                #expect(try json(response)["error"] as? String == "invalid_client")
            }
        }
    }

    @Test("a redirect_uri the document does not list is refused on the page")
    func unlistedRedirect() async throws {
        try await Self.withDocuments { base, _ in
            try await withTestIdP { idp in
                let response = try await idp.get("/authorize", [
                    ("response_type", "code"), ("client_id", base + "/client.json"), ("redirect_uri", "https://attacker.example/cb"),
                ])
                #expect(response.status == .badRequest)
                #expect(response.headers[.location] == nil)
                #expect(text(response).contains("is not registered"))
            }
        }
    }

    @Test("URLs the draft forbids, and plain http beyond loopback, are refused without a fetch", arguments: [
        ("http://budgetify.example/client.json", "plain http is accepted for localhost and loopback addresses only"),
        ("https://budgetify.example/", "the URL must have a path below its host"),
        ("https://budgetify.example/a/../client.json", "the URL must not contain . or .. path segments"),
        ("https://user@budgetify.example/client.json", "the URL must not carry user information"),
    ])
    func forbiddenURLs(url: String, reason: String) async throws {
        try await withTestIdP { idp in
            let response = try await idp.get("/authorize", [("response_type", "code"), ("client_id", url), ("redirect_uri", Self.redirectURI)])
            #expect(response.status == .badRequest)
            #expect(text(response).contains(HTML.escape(reason)), "\(text(response))")
        }
    }

    @Test("discovery advertises client_id_metadata_document_supported")
    func discovery() async throws {
        try await withTestIdP { idp in
            let document = try json(try await idp.get("/.well-known/openid-configuration"))
            #expect(document["client_id_metadata_document_supported"] as? Bool == true)
            let metadata = try json(try await idp.get("/.well-known/oauth-authorization-server"))
            #expect(metadata["client_id_metadata_document_supported"] as? Bool == true)
        }
    }
}

/// How often each path was served.
final class DocumentCount: Sendable {
    private let counts = Mutex<[String: Int]>([:])
    func add(_ path: String) { counts.withLock { $0[path, default: 0] += 1 } }
    func count(_ path: String) -> Int { counts.withLock { $0[path] ?? 0 } }
}
