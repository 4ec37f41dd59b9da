extension MockIdPConfiguration {
    /// How MockIdP serves HTTPS: with a certificate it generates at start (signed by a local CA it also generates), or
    /// with a certificate and key you bring.
    ///
    /// Under TLS the issuer is `https://HOST:PORT`, and a plain-HTTP request to the port gets a `400` naming the
    /// https URL instead of a hang.
    ///
    /// ```swift
    /// try await withMockIdP(MockIdPConfiguration(tls: .generated())) { idp in
    ///     // idp.issuer is https://127.0.0.1:PORT; trust idp.caCertificatePEM (or the file at idp.caCertificateFile)
    /// }
    /// ```
    public enum TLS: Sendable, Equatable {
        /// A P-256 server certificate for `localhost`, `127.0.0.1`, `::1`, the bound host and the issuer's host,
        /// signed by a P-256 CA generated at start (both valid for 30 days from start).
        ///
        /// The CA certificate (PEM) is written to `caCertificateFile`, or when `nil` to a file of its own under the
        /// system temporary directory (`$TMPDIR`, else `/tmp`) that is removed when the server stops (when `run()`
        /// returns); a relative `caCertificateFile` is taken from the current directory. It is also
        /// served at `GET /debug/ca.pem` and offered as `RunningMockIdP.caCertificatePEM`.
        case generated(caCertificateFile: String? = nil)
        /// A certificate (chain) and its private key, both PEM files. MockIdP has no CA to offer then.
        case files(certificate: String, privateKey: String)
    }
}

extension MockIdPConfiguration {
    /// The names a generated certificate covers besides `localhost`, `127.0.0.1` and `::1`: the bound host (unless a
    /// wildcard) and the host of a configured issuer.
    var tlsCertificateHosts: [String] {
        var hosts: [String] = []
        if !["0.0.0.0", "::", "[::]", ""].contains(host) { hosts.append(host) }
        if let issuer, let issuerHost = Self.host(ofURL: issuer) { hosts.append(issuerHost) }
        return hosts
    }

    /// The host of an absolute URL (`https://[::1]:8443/path` → `::1`), `nil` when it has none.
    static func host(ofURL url: String) -> String? {
        guard let schemeEnd = url.firstRange(of: "://") else { return nil }
        var authority = url[schemeEnd.upperBound...].prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { return nil }
            return String(authority[authority.index(after: authority.startIndex)..<close])
        }
        let host = authority.prefix { $0 != ":" }
        return host.isEmpty ? nil : String(host)
    }
}
