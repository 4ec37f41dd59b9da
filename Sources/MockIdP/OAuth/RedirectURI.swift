/// Checks on registered redirect URIs (RFC 6749 §3.1.2).
enum RedirectURI {
    /// Why `uri` cannot be registered, or `nil` if it can.
    ///
    /// RFC 6749 §3.1.2: "The redirection endpoint URI MUST be an absolute URI as defined by [RFC3986] Section 4.3.
    /// ... The endpoint URI MUST NOT include a fragment component."
    static func problem(with uri: String) -> String? {
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
}
