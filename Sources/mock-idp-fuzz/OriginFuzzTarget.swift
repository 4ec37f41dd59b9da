import MockIdP

extension FuzzTargets {
    /// Origins (RFC 6454) as CORS reads them: the input, as UTF-8, is checked as an `Origin` header, as an
    /// `allowed_origins` entry and as a redirect URI whose origin is taken.
    @Sendable static func origin(_ bytes: [UInt8]) {
        let text = String(decoding: bytes, as: UTF8.self)
        // A well-formed header stays well formed once folded to lowercase, which is what is compared.
        if WebOrigin.isWellFormedHeader(text) {
            let folded = WebOrigin.normalized(header: text)
            fuzzCheck(WebOrigin.isWellFormedHeader(folded), "folding breaks a well-formed Origin: \(text.debugDescription)")
            fuzzCheck(WebOrigin.normalized(header: folded) == folded, "folding is not idempotent: \(text.debugDescription)")
        }
        // An entry the fixtures accept is an Origin header a browser could send, and is already folded; an http(s)
        // one is its own origin.
        if WebOrigin.problem(with: text) == nil {
            fuzzCheck(WebOrigin.isWellFormedHeader(text), "an accepted allowed_origins entry is no Origin header: \(text.debugDescription)")
            fuzzCheck(WebOrigin.normalized(header: text) == text, "an accepted entry is not lowercase: \(text.debugDescription)")
            if text.hasPrefix("http://") || text.hasPrefix("https://") {
                fuzzCheck(WebOrigin.of(uri: text) == text, "an accepted entry is not its own origin: \(text.debugDescription)")
            }
        }
        // The origin of a redirect URI is one that allowed_origins would accept, so that a default can be matched.
        if let origin = WebOrigin.of(uri: text) {
            fuzzCheck(
                WebOrigin.problem(with: origin) == nil,
                "the origin \(origin.debugDescription) of \(text.debugDescription) is not a valid entry: \(WebOrigin.problem(with: origin) ?? "")"
            )
        }
    }
}
