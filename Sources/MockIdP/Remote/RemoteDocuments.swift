import NIOSSL
import Synchronization

/// Documents an issuer fetches from elsewhere: a client's metadata document (its `client_id` is a URL), a client's
/// `jwks_uri`, a trusted issuer's JWKS. Fetching is bounded: HTTPS, or plain HTTP to a loopback host only; no redirect
/// followed; a size limit and a deadline. A document is kept while its `Cache-Control: max-age` (or `Expires`) says it
/// is fresh, by the server clock; `forget()` (part of `DELETE /debug`) drops every one.
package final class RemoteDocuments: Sendable {
    /// Bounds on one fetch.
    package struct Limits: Sendable {
        /// The largest body accepted, in bytes.
        package var maximumBytes: Int
        /// The deadline for connecting, sending and reading the whole response, in milliseconds.
        package var timeoutMilliseconds: Int
        /// How long a document without caching headers stays fresh, in seconds (0: fetched again every time).
        package var defaultFreshness: Int

        /// 64 KiB, 5 s, 5 minutes.
        package static let standard = Limits(maximumBytes: 64 * 1024, timeoutMilliseconds: 5_000, defaultFreshness: 300)
    }

    /// The most documents held at once.
    static let maximumDocuments = 1_000

    private let clock: ServerClock
    private let limits: Limits
    private let trust: FetchTrust
    private let cache = Mutex<[String: RemoteDocument]>([:])

    /// - Parameters:
    ///   - clock: the issuer's server clock, which decides freshness.
    ///   - limits: bounds on each fetch.
    ///   - trusting: CA certificates trusted for HTTPS besides the system's.
    init(clock: ServerClock, limits: Limits = .standard, trusting certificates: [NIOSSLCertificate] = []) {
        self.clock = clock
        self.limits = limits
        self.trust = FetchTrust(certificates: certificates)
    }

    /// The document at `url`: from the cache while fresh, else fetched with `GET` (`Accept: application/json`).
    ///
    /// - Parameter refresh: fetch it even when the cached copy is fresh (a key set lacking the `kid` asked for).
    /// - Throws: `RemoteDocumentError` naming the URL and what went wrong (not HTTPS, unreachable, a status other than
    ///   200, a redirect, too large, too slow).
    package func fetch(_ url: String, refresh: Bool = false) async throws(RemoteDocumentError) -> RemoteDocument {
        if !refresh, let cached = cache.withLock({ $0[url] }), cached.isFresh(now: clock.now) { return cached }
        let target = try RemoteURL(url)
        let response = try await HTTPFetch.get(target, raw: url, limits: limits, trust: trust)
        let now = clock.now
        let seconds = CacheFreshness.seconds(
            cacheControl: response.cacheControl,
            expires: response.expires,
            date: response.date,
            defaultSeconds: limits.defaultFreshness
        )
        let document = RemoteDocument(url: url, body: response.body, fetchedAt: now, freshUntil: now + seconds)
        cache.withLock { documents in
            if seconds > 0 {
                // Bounded: a flood of distinct URLs drops what is held rather than growing without end.
                if documents.count >= Self.maximumDocuments { documents.removeAll() }
                documents[url] = document
            } else {
                documents[url] = nil
            }
        }
        return document
    }

    /// The server clock now, which freshness is judged by.
    package var now: Int { clock.now }

    /// The documents held now, by URL.
    package var documents: [RemoteDocument] {
        cache.withLock { Array($0.values) }.sorted { $0.url < $1.url }
    }

    /// Forgets every fetched document.
    package func forget() {
        cache.withLock { $0.removeAll() }
    }
}

/// A fetched document.
package struct RemoteDocument: Sendable {
    /// Where it came from.
    package let url: String
    /// The response body.
    package let body: [UInt8]
    /// When it was fetched, server-clock epoch seconds.
    package let fetchedAt: Int
    /// Until when it is fresh, server-clock epoch seconds.
    package let freshUntil: Int

    func isFresh(now: Int) -> Bool { now < freshUntil }
}

/// A document that could not be fetched.
package struct RemoteDocumentError: Error, Sendable {
    /// The URL asked for.
    package let url: String
    /// What went wrong, for an error description.
    package let reason: String
}
