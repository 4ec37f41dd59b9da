/// A URL MockIdP may fetch a document from: `https`, or plain `http` to a loopback host (`localhost`, `127.0.0.0/8`,
/// `[::1]`) only, so that a developer's local client can serve its own document. No user information, no fragment.
///
/// The client ID metadata document draft (§3) requires HTTPS; a local mock also has to accept the loopback URLs a
/// developer's laptop serves documents from, and nothing else over plain HTTP.
package struct RemoteURL: Sendable, Hashable {
    /// `true` for `https`.
    package let isHTTPS: Bool
    /// The host as written, without IPv6 brackets.
    package let host: String
    /// The port, explicit or the scheme's default.
    package let port: Int
    /// The path and query, at least `/`.
    package let target: String
    /// The `Host` header value: the authority as written.
    package let authority: String

    /// - Throws: `RemoteDocumentError` saying what makes `string` unfit to fetch.
    package init(_ string: String) throws(RemoteDocumentError) {
        func fail(_ reason: String) -> RemoteDocumentError { RemoteDocumentError(url: string, reason: reason) }
        guard string.utf8.count <= 2048 else { throw fail("the URL is longer than 2048 bytes") }
        guard string.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F }) else {
            throw fail("the URL must be ASCII without spaces or control characters")
        }
        let lowered = string.lowercased()
        let rest: Substring
        if lowered.hasPrefix("https://") {
            isHTTPS = true
            rest = string.dropFirst(8)
        } else if lowered.hasPrefix("http://") {
            isHTTPS = false
            rest = string.dropFirst(7)
        } else {
            throw fail("only https URLs (or http to localhost / a loopback address) can be fetched")
        }
        guard !string.contains("#") else { throw fail("the URL must not have a fragment") }
        let authority = rest.prefix { $0 != "/" && $0 != "?" }
        var target = String(rest[authority.endIndex...])
        if target.isEmpty { target = "/" } else if target.hasPrefix("?") { target = "/" + target }
        guard !authority.contains("@") else { throw fail("the URL must not carry user information") }
        var host = Substring(authority)
        var port = isHTTPS ? 443 : 80
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { throw fail("an IPv6 host lacks its closing bracket") }
            host = authority[authority.index(after: authority.startIndex)..<close]
            let tail = authority[authority.index(after: close)...]
            if !tail.isEmpty {
                guard tail.hasPrefix(":"), let parsed = Self.port(tail.dropFirst()) else { throw fail("the port is not a number from 1 to 65535") }
                port = parsed
            }
            guard !host.isEmpty, host.allSatisfy({ $0.isHexDigit || $0 == ":" || $0 == "." }) else { throw fail("the IPv6 host is malformed") }
        } else if let colon = authority.lastIndex(of: ":") {
            host = authority[..<colon]
            guard let parsed = Self.port(authority[authority.index(after: colon)...]) else { throw fail("the port is not a number from 1 to 65535") }
            port = parsed
        }
        guard !host.isEmpty, host.unicodeScalars.allSatisfy({ Self.hostCharacters.contains($0) }) || authority.hasPrefix("[") else {
            throw fail("the host is missing or malformed")
        }
        self.host = String(host).lowercased()
        self.port = port
        self.target = target
        self.authority = String(authority)
        if !isHTTPS, !Self.isLoopback(self.host) {
            throw fail("plain http is accepted for localhost and loopback addresses only; use https")
        }
    }

    /// `localhost`, a name under `.localhost`, `127.0.0.0/8` or `::1`.
    package static func isLoopback(_ host: String) -> Bool {
        if host == "localhost" || host.hasSuffix(".localhost") || host == "::1" || host == "0:0:0:0:0:0:0:1" { return true }
        let octets = host.split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets[0] == "127" && octets.allSatisfy { UInt8($0) != nil }
    }

    /// Whether the host is an IP literal (TLS sends no server name for one).
    var hostIsAddress: Bool {
        host.contains(":") || host.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { UInt8($0) != nil }
    }

    private static let hostCharacters = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~".unicodeScalars)

    private static func port(_ digits: Substring) -> Int? {
        guard (1...5).contains(digits.count), digits.allSatisfy(\.isASCII), let port = Int(digits), (1...65535).contains(port) else { return nil }
        return port
    }
}
