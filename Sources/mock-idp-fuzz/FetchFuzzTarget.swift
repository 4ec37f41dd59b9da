import MockIdP

extension FuzzTargets {
    /// What MockIdP would fetch, and how long it keeps it: `RemoteURL` and `ClientIDMetadataDocument.problem` on a
    /// client_id or jwks_uri, `CacheFreshness` and `HTTPDate` on response headers. The input is four lines: the URL,
    /// a Cache-Control value, an Expires value, a Date value.
    @Sendable static func fetch(_ bytes: [UInt8]) {
        let pieces = FuzzInput(bytes, modes: 1).pieces(4).map { String(decoding: $0, as: UTF8.self) }
        let (url, cacheControl, expires, date) = (pieces[0], pieces[1], pieces[2], pieces[3])
        if let target = try? RemoteURL(url) {
            fuzzCheck(target.isHTTPS || RemoteURL.isLoopback(target.host), "plain http beyond loopback accepted: \(bytes.fuzzHex)")
            fuzzCheck((1...65535).contains(target.port), "a port out of range: \(bytes.fuzzHex)")
            fuzzCheck(target.target.hasPrefix("/"), "a request target without its slash: \(bytes.fuzzHex)")
            fuzzCheck(!target.authority.contains("@") && !url.contains("#"), "user information or a fragment accepted: \(bytes.fuzzHex)")
            fuzzCheck(target.target.unicodeScalars.allSatisfy { $0.value > 0x20 && $0.value < 0x7F }, "a target that breaks the request line: \(bytes.fuzzHex)")
            if ClientIDMetadataDocument.problem(with: url) == nil {
                fuzzCheck(target.target.prefix { $0 != "?" } != "/", "a metadata document at the root: \(bytes.fuzzHex)")
            }
        } else {
            fuzzCheck(ClientIDMetadataDocument.problem(with: url) != nil, "a URL RemoteURL refuses passed as a client_id: \(bytes.fuzzHex)")
        }
        let seconds = CacheFreshness.seconds(cacheControl: [cacheControl], expires: expires.isEmpty ? nil : expires, date: date.isEmpty ? nil : date, defaultSeconds: 300)
        fuzzCheck((0...CacheFreshness.maximum).contains(seconds), "freshness \(seconds) out of bounds: \(bytes.fuzzHex)")
        _ = HTTPDate.epochSeconds(expires)
    }
}
