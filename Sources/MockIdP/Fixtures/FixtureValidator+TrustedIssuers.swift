#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import JWTKit

extension FixtureValidator {
    /// The problems of a client's `token_exchange_trusted_issuers`, as (field, reason) pairs.
    ///
    /// Each entry names a non-empty issuer, listed once, and exactly one source of keys: a `jwks_uri` that MockIdP may
    /// fetch (HTTPS, or plain HTTP to a loopback host, as `RemoteDocuments` fetches), or an inline `jwks` whose keys
    /// are JWKs (RFC 7517 §4) with a `kid` each, since a JWT names the key that signed it by `kid`.
    static func trustedIssuerProblems(_ issuers: [TrustedIssuer]) -> [(field: String, reason: String)] {
        var problems: [(field: String, reason: String)] = []
        var seen: [String: Int] = [:]
        for (index, trusted) in issuers.enumerated() {
            let field = "token_exchange_trusted_issuers[\(index)]"
            if trusted.issuer.isEmpty {
                problems.append(("\(field).issuer", "must not be empty"))
            } else if let first = seen[trusted.issuer] {
                problems.append(("\(field).issuer", "duplicate issuer \"\(trusted.issuer)\" (first at index \(first))"))
            } else {
                seen[trusted.issuer] = index
            }
            switch (trusted.jwksURI, trusted.jwks) {
            case (nil, nil):
                problems.append((field, "needs jwks_uri (where the issuer publishes its keys) or jwks (the keys inline)"))
            case (_?, _?):
                problems.append((field, "has both jwks_uri and jwks: give one"))
            case (let uri?, nil):
                if let reason = jwksURIProblem(uri) { problems.append(("\(field).jwks_uri", reason)) }
            case (nil, let jwks?):
                problems += jwksProblems(jwks).map { ("\(field).jwks\($0.path)", $0.reason) }
            }
        }
        return problems
    }

    /// The problems of an inline JWKS, each with the path below `jwks` (`.keys[0]`).
    private static func jwksProblems(_ jwks: [String: ClaimValue]) -> [(path: String, reason: String)] {
        guard case .array(let keys)? = jwks["keys"] else {
            return [("", #"expected a JWKS object with a "keys" array (RFC 7517 §5)"#)]
        }
        if keys.isEmpty { return [(".keys", "names no key")] }
        var problems: [(path: String, reason: String)] = []
        for (index, key) in keys.enumerated() {
            guard let object = key.objectValue else {
                problems.append((".keys[\(index)]", "expected a JWK object, found \(key.typeName)"))
                continue
            }
            // RFC 7518 §6.2.1 (EC: crv, x, y), §6.3.1 (RSA: n, e); RFC 8037 §2 (OKP: crv, x).
            let members: [String: [String]] = ["RSA": ["n", "e"], "EC": ["crv", "x", "y"], "OKP": ["crv", "x"]]
            guard (try? JSONDecoder().decode(JWK.self, from: Data(JSONWriter.encode(object)))) != nil,
                let required = object["kty"]?.stringValue.flatMap({ members[$0] }),
                required.allSatisfy({ object[$0]?.stringValue?.isEmpty == false })
            else {
                problems.append((".keys[\(index)]", "not a public JWK that MockIdP can verify with (RSA: n, e; EC: crv, x, y; OKP: crv, x; RFC 7517 §4)"))
                continue
            }
            if object["kid"]?.stringValue?.isEmpty ?? true {
                problems.append((".keys[\(index)].kid", "required: a JWT names the key that signed it by kid"))
            }
        }
        return problems
    }
}
