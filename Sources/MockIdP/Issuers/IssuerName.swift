/// The rules for an issuer's name: the path segment it is mounted under (`/alpha-bank`), the Keycloak realm or the
/// Entra tenant.
enum IssuerName {
    /// First path segments the root issuer (in any layout) or the server itself uses; no issuer may take one.
    static let reserved: Set<String> = [
        ".well-known", "authorize", "token", "userinfo", "jwks", "introspect", "revoke", "device_authorization", "device",
        "end_session", "healthz", "debug", "oauth", "oidc", "v2", "activate", "realms", "favicon.ico", "robots.txt",
    ]

    /// Why `name` cannot name an issuer, or `nil` when it can: 1 to 64 characters of letters, digits, `-`, `_` and
    /// `~` (an RFC 3986 path segment without dots, so it never needs encoding and is never `.` or `..`), and not one
    /// of the root's own paths.
    static func problem(with name: String) -> String? {
        if name.isEmpty { return "an issuer name must not be empty" }
        if name.utf8.count > 64 { return "issuer name \"\(name.prefix(64))…\" is longer than 64 characters" }
        let allowed = name.utf8.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "~")
        }
        if !allowed { return "issuer name \"\(name)\" may hold only letters, digits, \"-\", \"_\" and \"~\" (one URL path segment)" }
        if reserved.contains(name.lowercased()) { return "issuer name \"\(name)\" collides with the root's /\(name) path" }
        return nil
    }
}
