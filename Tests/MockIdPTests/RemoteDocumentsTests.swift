import Hummingbird
import HummingbirdTesting
import Synchronization
import Testing

@testable import MockIdP

/// Fetching documents from elsewhere (client metadata documents, jwks_uri): bounded, cached, never hanging.
@Suite struct RemoteDocumentsTests {
    /// A document server on a loopback port, with one route per behaviour under test.
    private static func withDocumentServer(_ body: @Sendable (Int) async throws -> Void) async throws {
        let router = Router()
        let served = Counter()
        router.get("doc") { _, _ -> Response in
            served.increment()
            return Response(status: .ok, headers: [.contentType: "application/json", .cacheControl: "public, max-age=60"], body: .init(byteBuffer: ByteBuffer(string: #"{"n":\#(served.value)}"#)))
        }
        router.get("uncached") { _, _ -> Response in
            served.increment()
            return Response(status: .ok, headers: [.cacheControl: "no-store"], body: .init(byteBuffer: ByteBuffer(string: #"{"n":\#(served.value)}"#)))
        }
        router.get("moved") { _, _ -> Response in
            Response(status: .found, headers: [.location: "https://elsewhere.example/doc"])
        }
        router.get("missing") { _, _ -> Response in Response(status: .notFound) }
        router.get("big") { _, _ -> Response in
            Response(status: .ok, body: .init(byteBuffer: ByteBuffer(repeating: UInt8(ascii: "a"), count: 200_000)))
        }
        router.get("slow") { _, _ -> Response in
            try await Task.sleep(for: .seconds(2))
            return Response(status: .ok)
        }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await app.test(.live) { client in try await body(client.port!) }
    }

    @Test("a document is fetched once and then served from the cache while its max-age lasts, by the server clock")
    func cachedByMaxAge() async throws {
        try await Self.withDocumentServer { port in
            let clock = ServerClock()
            let remote = RemoteDocuments(clock: clock)
            let url = "http://127.0.0.1:\(port)/doc"
            let first = try await remote.fetch(url)
            #expect(String(decoding: first.body, as: UTF8.self) == #"{"n":1}"#)
            #expect(first.freshUntil - first.fetchedAt == 60)
            #expect(try await remote.fetch(url).body == first.body, "fresh: not fetched again")
            clock.advance(by: 61)
            #expect(String(decoding: try await remote.fetch(url).body, as: UTF8.self) == #"{"n":2}"#, "stale: fetched again")
            remote.forget()
            #expect(remote.documents.isEmpty)
            #expect(String(decoding: try await remote.fetch(url).body, as: UTF8.self) == #"{"n":3}"#)
        }
    }

    @Test("Cache-Control: no-store is never kept")
    func noStore() async throws {
        try await Self.withDocumentServer { port in
            let remote = RemoteDocuments(clock: ServerClock())
            let url = "http://localhost:\(port)/uncached"
            let first = try await remote.fetch(url)
            let second = try await remote.fetch(url)
            #expect(first.body != second.body)
            #expect(remote.documents.isEmpty)
        }
    }

    @Test("a redirect, a status other than 200, a body past the limit and a slow server are errors naming what happened")
    func failures() async throws {
        try await Self.withDocumentServer { port in
            let remote = RemoteDocuments(clock: ServerClock(), limits: .init(maximumBytes: 64 * 1024, timeoutMilliseconds: 300, defaultFreshness: 300))
            let base = "http://127.0.0.1:\(port)"
            await #expect { _ = try await remote.fetch(base + "/moved") } throws: { error in
                (error as? RemoteDocumentError)?.reason == "answered 302, a redirect to https://elsewhere.example/doc; redirects are not followed"
            }
            await #expect { _ = try await remote.fetch(base + "/missing") } throws: { error in
                (error as? RemoteDocumentError)?.reason == "answered HTTP 404, not 200"
            }
            await #expect { _ = try await remote.fetch(base + "/big") } throws: { error in
                (error as? RemoteDocumentError)?.reason.contains("more than the 65536 bytes accepted") == true
            }
            let started = ContinuousClock.now
            await #expect { _ = try await remote.fetch(base + "/slow") } throws: { error in
                (error as? RemoteDocumentError)?.reason == "no complete response within 300 ms"
            }
            #expect(ContinuousClock.now - started < .milliseconds(1500), "the deadline ends the wait, not the server")
        }
    }

    @Test("nothing is fetched over plain http except from a loopback host, and a closed port fails fast", arguments: [
        ("http://example.com/doc", "plain http is accepted for localhost and loopback addresses only; use https"),
        ("ftp://example.com/doc", "only https URLs (or http to localhost / a loopback address) can be fetched"),
        ("https://user@example.com/doc", "the URL must not carry user information"),
        ("https://example.com/doc#part", "the URL must not have a fragment"),
        ("https://example.com:99999/doc", "the port is not a number from 1 to 65535"),
        ("https:///doc", "the host is missing or malformed"),
    ])
    func refusedURLs(url: String, reason: String) async throws {
        let remote = RemoteDocuments(clock: ServerClock())
        await #expect { _ = try await remote.fetch(url) } throws: { error in
            (error as? RemoteDocumentError)?.reason == reason
        }
    }

    @Test("loopback hosts are recognised")
    func loopback() throws {
        #expect(try RemoteURL("http://127.0.0.1:8080/x").port == 8080)
        #expect(try RemoteURL("http://[::1]:9000/x?y=1").host == "::1")
        #expect(try RemoteURL("http://LOCALHOST/").target == "/")
        #expect(try RemoteURL("https://client.example").target == "/")
        #expect(try RemoteURL("https://client.example?x").target == "/?x")
        #expect(!RemoteURL.isLoopback("127.0.0.1.example.com"))
        #expect(!RemoteURL.isLoopback("10.0.0.1"))
    }

    @Test("freshness follows Cache-Control, then Expires minus Date, capped at a day")
    func freshness() {
        #expect(CacheFreshness.seconds(cacheControl: ["max-age=120"], expires: nil, date: nil, defaultSeconds: 300) == 120)
        #expect(CacheFreshness.seconds(cacheControl: ["public", "max-age=\"30\""], expires: nil, date: nil, defaultSeconds: 300) == 30)
        #expect(CacheFreshness.seconds(cacheControl: ["max-age=31536000"], expires: nil, date: nil, defaultSeconds: 300) == 86_400)
        #expect(CacheFreshness.seconds(cacheControl: ["no-cache"], expires: nil, date: nil, defaultSeconds: 300) == 0)
        #expect(CacheFreshness.seconds(cacheControl: ["max-age=soon"], expires: nil, date: nil, defaultSeconds: 300) == 0)
        #expect(
            CacheFreshness.seconds(cacheControl: [], expires: "Thu, 03 Dec 2026 18:10:00 GMT", date: "Thu, 03 Dec 2026 18:00:00 GMT", defaultSeconds: 300) == 600
        )
        #expect(CacheFreshness.seconds(cacheControl: [], expires: "0", date: nil, defaultSeconds: 300) == 0)
        #expect(CacheFreshness.seconds(cacheControl: [], expires: nil, date: nil, defaultSeconds: 300) == 300)
        #expect(HTTPDate.epochSeconds("Sun, 06 Nov 1994 08:49:37 GMT") == 784_111_777)
    }
}

/// A count shared with route handlers.
private final class Counter: Sendable {
    private let count = Mutex(0)
    func increment() { count.withLock { $0 += 1 } }
    var value: Int { count.withLock { $0 } }
}
