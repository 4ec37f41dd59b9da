/// Web origins as browsers serialise them (RFC 6454 §6.2, Fetch "serialization of an origin"): `scheme://host[:port]`,
/// lowercase, with no path, query, fragment or trailing slash, and no port when it is the scheme's default.
package enum WebOrigin {
    /// Why `origin`, an entry of `allowed_origins`, is not an origin as a browser sends it; `nil` when it is one.
    package static func problem(with origin: String) -> String? {
        guard let parts = split(origin) else {
            return "\"\(origin)\" is not an origin: scheme://host[:port], with no path, query or fragment (RFC 6454 §6.2)"
        }
        if !parts.rest.isEmpty {
            return parts.rest.hasPrefix("/") && parts.rest.count == 1
                ? "\"\(origin)\" ends with a slash: an origin has no path (write \(origin.dropLast()))"
                : "\"\(origin)\" is not an origin: it has a path, query or fragment (\"\(parts.rest)\"); an origin is scheme://host[:port]"
        }
        let lowered = origin.lowercased()
        if lowered != origin {
            return "\"\(origin)\" must be lowercase, as browsers send it in the Origin header (write \(lowered))"
        }
        if let port = parts.port, port == defaultPort(of: parts.scheme) {
            return "\"\(origin)\" names the default port of \(parts.scheme): browsers leave it out (write \(parts.scheme)://\(parts.host))"
        }
        if let port = parts.port, !origin.hasSuffix(":\(port)") {
            return "\"\(origin)\" writes its port with leading zeros, which browsers do not (write \(parts.scheme)://\(parts.host):\(port))"
        }
        return nil
    }

    /// Whether an `Origin` request header is well formed: an origin (RFC 6454 §7.1) or `null`. Lenient about case,
    /// which `normalized` then folds, so that a hand-written header still matches.
    package static func isWellFormedHeader(_ value: String) -> Bool {
        value == "null" || split(value).map { $0.rest.isEmpty } == true
    }

    /// The header's origin folded to lowercase, as `allowed_origins` entries are written.
    package static func normalized(header value: String) -> String {
        value.utf8.contains(where: { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") }) ? value.lowercased() : value
    }

    /// The origin of an absolute http(s) URI, e.g. a redirect URI: its scheme and authority, lowercase, without
    /// user information or the scheme's default port; `nil` for other schemes (a native app's `com.example:/cb`).
    package static func of(uri: String) -> String? {
        let lowered = uri.lowercased()
        guard lowered.hasPrefix("http://") || lowered.hasPrefix("https://"),
            let separator = lowered.firstRange(of: "://")
        else { return nil }
        let scheme = String(lowered[..<separator.lowerBound])
        var authority = lowered[separator.upperBound...].prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
        guard let parts = split(scheme + "://" + String(authority)), parts.rest.isEmpty else { return nil }
        if let port = parts.port, port != defaultPort(of: scheme) { return "\(scheme)://\(parts.host):\(port)" }
        return "\(scheme)://\(parts.host)"
    }

    private static func defaultPort(of scheme: String) -> Int? {
        switch scheme {
        case "http", "ws": 80
        case "https", "wss": 443
        default: nil
        }
    }

    /// `scheme://host[:port]` and whatever follows the authority; `nil` when the start is not of that shape.
    private static func split(_ value: String) -> (scheme: String, host: String, port: Int?, rest: Substring)? {
        guard let separator = value.firstRange(of: "://") else { return nil }
        let scheme = value[..<separator.lowerBound]
        // RFC 3986 §3.1: scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )
        guard let first = scheme.unicodeScalars.first, isASCIILetter(first),
            scheme.unicodeScalars.allSatisfy({ isASCIILetter($0) || ("0"..."9").contains($0) || "+-.".unicodeScalars.contains($0) })
        else { return nil }
        let afterScheme = value[separator.upperBound...]
        let authority = afterScheme.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        let rest = afterScheme[authority.endIndex...]
        var host = authority
        var port: Int?
        if authority.hasPrefix("[") {
            // An IPv6 literal (RFC 3986 §3.2.2), e.g. [::1]:8080.
            guard let close = authority.firstIndex(of: "]") else { return nil }
            host = authority[...close]
            let tail = authority[authority.index(after: close)...]
            if !tail.isEmpty {
                guard tail.hasPrefix(":"), let parsed = parsePort(tail.dropFirst()) else { return nil }
                port = parsed
            }
            let address = host.dropFirst().dropLast()
            guard address.contains(":"), address.allSatisfy({ $0.isASCII && ($0.isHexDigit || $0 == ":" || $0 == ".") }) else { return nil }
        } else if let colon = authority.lastIndex(of: ":") {
            host = authority[..<colon]
            guard let parsed = parsePort(authority[authority.index(after: colon)...]) else { return nil }
            port = parsed
        }
        // RFC 3986 §3.2.2 reg-name, without percent-encoding (browsers serialise hosts in ASCII, IDNs as punycode).
        let isRegName = host.unicodeScalars.allSatisfy { isASCIILetter($0) || ("0"..."9").contains($0) || "-._~".unicodeScalars.contains($0) }
        guard !host.isEmpty, host.hasPrefix("[") || isRegName else { return nil }
        return (String(scheme), String(host), port, rest)
    }

    private static func parsePort(_ digits: Substring) -> Int? {
        guard (1...5).contains(digits.count), digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber),
            let port = Int(digits), port <= 65535
        else { return nil }
        return port
    }

    private static func isASCIILetter(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar)
    }
}
