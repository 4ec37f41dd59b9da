import MockIdP

extension FuzzTargets {
    /// Redirect URIs and hosts from outside: `RedirectURI.problem` on a registered URI, `RedirectURI.isRegistered`
    /// (exact, and any loopback port for a public client, RFC 8252 §7.3) on a requested one, `RequestOrigin.isHost` on
    /// a Host or X-Forwarded-Host value. The input is three lines: registered, requested, host.
    @Sendable static func urls(_ bytes: [UInt8]) {
        let pieces = FuzzInput(bytes, modes: 1).pieces(3).map { String(decoding: $0, as: UTF8.self) }
        let (registered, requested, host) = (pieces[0], pieces[1], pieces[2])
        _ = RedirectURI.problem(with: registered)
        let exact = RedirectURI.isRegistered(requested, in: [registered], anyLoopbackPort: false)
        fuzzCheck(exact == (requested == registered), "exact matching is not string equality: \(bytes.fuzzHex)")
        if RedirectURI.isRegistered(requested, in: [registered], anyLoopbackPort: true), requested != registered {
            // Only the port may differ, only on a loopback host, and never with userinfo in the authority.
            let (requestedAuthority, requestedRest) = split(requested)
            let (registeredAuthority, registeredRest) = split(registered)
            fuzzCheck(requestedRest == registeredRest, "a loopback match with another path or query: \(bytes.fuzzHex)")
            fuzzCheck(!requestedAuthority.contains("@"), "a loopback match with userinfo: \(bytes.fuzzHex)")
            let hosts = [requestedAuthority, registeredAuthority].map(hostWithoutPort)
            fuzzCheck(hosts[0] == hosts[1] && ["127.0.0.1", "[::1]", "localhost"].contains(hosts[0]), "a loopback match on another host: \(bytes.fuzzHex)")
        }
        if RequestOrigin.isHost(host) {
            fuzzCheck(host.unicodeScalars.allSatisfy { $0.isASCII && !"/?#@ \t\"<>\\".unicodeScalars.contains($0) }, "a host that could break a URL: \(bytes.fuzzHex)")
        }
    }

    /// `scheme://authority` lowercased, and the rest; `("", uri)` when there is no `://`.
    private static func split(_ uri: String) -> (authority: String, rest: Substring) {
        guard let separator = uri.firstRange(of: "://") else { return ("", Substring(uri)) }
        let after = uri[separator.upperBound...]
        let end = after.firstIndex(where: { "/?#".contains($0) }) ?? after.endIndex
        return (String(uri[..<end]).lowercased(), after[end...])
    }

    /// The host of `scheme://host[:port]`, lowercased.
    private static func hostWithoutPort(_ authority: String) -> String {
        var host = Substring(authority)
        if let separator = host.firstRange(of: "://") { host = host[separator.upperBound...] }
        if host.hasPrefix("[") { return String(host[...(host.firstIndex(of: "]") ?? host.index(before: host.endIndex))]) }
        return String(host.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).first ?? "")
    }
}
