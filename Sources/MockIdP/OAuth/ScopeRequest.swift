/// Parsing and checking a requested `scope` (RFC 6749 §3.3).
enum ScopeRequest {
    /// Space-delimited scope tokens, duplicates dropped, order kept.
    static func parse(_ value: String?) -> [String] {
        var seen = Set<String>()
        return (value ?? "").split(separator: " ").map(String.init).filter { seen.insert($0).inserted }
    }

    /// The scope to grant: what was asked for, each defined and allowed to the client; the client's scopes when none was asked.
    static func resolve(_ value: String?, for client: Client, registry: Registry) throws(OAuthError) -> [String] {
        let requested = parse(value)
        let allowed = client.scopes ?? []
        if requested.isEmpty { return allowed }
        for scope in requested {
            guard registry.scopesByName[scope] != nil else {
                throw OAuthError(.invalidScope, "scope \"\(scope)\" is not defined in scopes.json")
            }
            guard allowed.contains(scope) else {
                throw OAuthError(.invalidScope, "client \"\(client.clientID)\" may not request scope \"\(scope)\"")
            }
        }
        return requested
    }
}
