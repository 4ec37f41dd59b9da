/// Checks on registered redirect URIs (RFC 6749 §3.1.2).
package enum RedirectURI {
    /// Why `uri` cannot be registered, or `nil` if it can.
    ///
    /// RFC 6749 §3.1.2: "The redirection endpoint URI MUST be an absolute URI as defined by [RFC3986] Section 4.3.
    /// ... The endpoint URI MUST NOT include a fragment component."
    package static func problem(with uri: String) -> String? {
        if uri.contains("#") { return "redirect URI \"\(uri)\" carries a fragment (RFC 6749 §3.1.2)" }
        if uri.unicodeScalars.contains(where: { $0.properties.isWhitespace || $0.value < 0x20 }) {
            return "redirect URI \"\(uri)\" contains whitespace"
        }
        guard let colon = uri.firstIndex(of: ":") else {
            return "redirect URI \"\(uri)\" is not an absolute URI (no scheme)"
        }
        let scheme = uri[..<colon]
        // RFC 3986 §3.1: scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )
        func isLetter(_ c: Unicode.Scalar) -> Bool { ("a"..."z").contains(c) || ("A"..."Z").contains(c) }
        func isSchemeCharacter(_ c: Unicode.Scalar) -> Bool { isLetter(c) || ("0"..."9").contains(c) || "+-.".unicodeScalars.contains(c) }
        guard let first = scheme.unicodeScalars.first, isLetter(first), scheme.unicodeScalars.allSatisfy(isSchemeCharacter) else {
            return "redirect URI \"\(uri)\" is not an absolute URI (bad scheme)"
        }
        let rest = uri[uri.index(after: colon)...]
        if rest.isEmpty { return "redirect URI \"\(uri)\" is not an absolute URI (nothing after the scheme)" }
        let lowered = scheme.lowercased()
        if lowered == "http" || lowered == "https" {
            guard rest.hasPrefix("//"), rest.dropFirst(2).first.map({ $0 != "/" && $0 != "?" }) ?? false else {
                return "redirect URI \"\(uri)\" has no host"
            }
        }
        return nil
    }

    /// Whether `requested` names one of the `registered` redirect URIs.
    ///
    /// RFC 9700 §2.1: "the authorization server MUST ensure that the two URIs are equal" (exact string matching), with
    /// one exception it names: RFC 8252 §7.3, "The authorization server MUST allow any port to be specified at the time
    /// of the request for loopback IP redirect URIs, to accommodate clients that obtain an available ephemeral port from
    /// the operating system at the time of the request." With `anyLoopbackPort` (a public client: a native or command-line
    /// app), a registered URI on `127.0.0.1`, `[::1]` or `localhost` (RFC 8252 §8.3 discourages the name, but clients use
    /// it) matches a requested one that differs only in its port; scheme and host (case-insensitively, RFC 3986 §6.2.2.1),
    /// path and query must still be equal. Nothing else is ever relaxed: no prefixes, no patterns.
    package static func isRegistered(_ requested: String, in registered: [String], anyLoopbackPort: Bool) -> Bool {
        if registered.contains(requested) { return true }
        guard anyLoopbackPort, let request = LoopbackURI(requested) else { return false }
        return registered.contains { LoopbackURI($0)?.matches(request) ?? false }
    }

    /// An `http` or `https` URI on a loopback host, split around its port.
    private struct LoopbackURI {
        let scheme: String
        let host: String
        /// Path and query, exactly as written.
        let rest: Substring

        static let loopbackHosts: Set = ["127.0.0.1", "[::1]", "localhost"]

        init?(_ uri: String) {
            guard let separator = uri.firstRange(of: "://") else { return nil }
            let scheme = uri[..<separator.lowerBound].lowercased()
            guard scheme == "http" || scheme == "https" else { return nil }
            let afterScheme = uri[separator.upperBound...]
            let authorityEnd = afterScheme.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) ?? afterScheme.endIndex
            let authority = afterScheme[..<authorityEnd]
            // Userinfo ("http://127.0.0.1@attacker.example/") is never a loopback URI.
            guard !authority.contains("@") else { return nil }
            let host: Substring
            let port: Substring
            if authority.hasPrefix("[") {
                guard let close = authority.firstIndex(of: "]") else { return nil }
                host = authority[...close]
                port = authority[authority.index(after: close)...]
            } else if let colon = authority.firstIndex(of: ":") {
                host = authority[..<colon]
                port = authority[colon...]
            } else {
                host = authority
                port = ""
            }
            // The port: none, or ":" and up to five digits naming at most 65535 (RFC 3986 §3.2.3 allows an empty one).
            if !port.isEmpty {
                let digits = port.dropFirst()
                guard port.first == ":", digits.count <= 5, digits.allSatisfy({ $0.isASCII && $0.isNumber }), Int(digits).map({ $0 <= 65535 }) ?? digits.isEmpty
                else { return nil }
            }
            let lowered = host.lowercased()
            guard Self.loopbackHosts.contains(lowered) else { return nil }
            self.scheme = scheme
            self.host = lowered
            self.rest = afterScheme[authorityEnd...]
        }

        func matches(_ other: LoopbackURI) -> Bool {
            scheme == other.scheme && host == other.host && rest == other.rest
        }
    }
}
