#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Crypto

/// A JWT a client presents (RFC 7523 §3): as `client_assertion` to authenticate (§2.2), or as the `assertion` of the
/// JWT bearer grant (§2.1). Parsed here, checked by `check(_:)` and `verifySignature(...)`; nothing of it is trusted
/// before both pass.
package struct ClientAssertion: Sendable {
    /// The JOSE header.
    package let header: [String: ClaimValue]
    /// The claims set.
    package let claims: [String: ClaimValue]
    /// The header's `alg`, one MockIdP verifies.
    package let algorithm: MockIdPFixtures.AssertionSigningAlgorithm
    let signingInput: [UInt8]
    let signature: [UInt8]

    /// Why an assertion is refused, in words; the caller turns it into `invalid_client` or `invalid_grant`.
    package struct Failure: Error, Sendable {
        /// What is wrong, for `error_description`.
        package let reason: String
        /// - Parameter reason: what is wrong.
        package init(_ reason: String) { self.reason = reason }
    }

    /// How far the clocks of MockIdP and a client may disagree: `exp`, `nbf` and `iat` are checked this many seconds
    /// leniently (RFC 7519 §4.1.4: "Implementers MAY provide for some small leeway").
    package static let leeway = 60
    /// The longest an assertion may live: RFC 7523 §3 lets a server "reject JWTs with an "exp" claim value that is
    /// unreasonably far in the future", and each `jti` is remembered until its assertion expires.
    package static let maximumLifetime = 86400

    /// Reads a JWS in compact serialization (RFC 7515 §7.1).
    ///
    /// - Throws: `Failure` when it is not three base64url parts, the header or claims are not JSON objects, or the
    ///   header names `none` (an unsecured JWT, RFC 7518 §3.6), another algorithm, or critical extensions.
    package init(parsing jwt: String) throws(Failure) {
        let parts = jwt.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3 else {
            throw Failure(parts.count == 5 ? "an encrypted JWT (JWE) is not supported: sign the assertion" : "not a JWT: expected three base64url parts separated by dots")
        }
        func object(_ part: Substring, _ name: String) throws(Failure) -> [String: ClaimValue] {
            guard let data = String(part).base64URLDecoded else { throw Failure("the \(name) is not base64url") }
            guard let value = try? JSONDecoder().decode(ClaimValue.self, from: data), let object = value.objectValue else {
                throw Failure("the \(name) is not a JSON object")
            }
            return object
        }
        header = try object(parts[0], "header")
        guard let alg = header["alg"]?.stringValue else { throw Failure("the header has no alg") }
        if alg == "none" {
            throw Failure("alg \"none\" (an unsecured JWT) is refused: sign the assertion")
        }
        guard let algorithm = MockIdPFixtures.AssertionSigningAlgorithm(rawValue: alg) else {
            let known = MockIdPFixtures.AssertionSigningAlgorithm.allCases.map(\.rawValue).joined(separator: ", ")
            throw Failure("alg \"\(alg)\" is not supported (\(known))")
        }
        self.algorithm = algorithm
        // RFC 7515 §4.1.11: a recipient that does not understand a critical extension must reject the JWS.
        if header["crit"] != nil { throw Failure("the header lists critical extensions (crit), which MockIdP does not understand") }
        claims = try object(parts[1], "claims set")
        guard let signature = String(parts[2]).base64URLDecoded, !signature.isEmpty else {
            throw Failure("the signature is missing or not base64url")
        }
        self.signature = Array(signature)
        signingInput = Array(jwt.utf8.prefix(parts[0].utf8.count + 1 + parts[1].utf8.count))
    }

    /// The header's `kid`, when it names one.
    package var kid: String? { header["kid"]?.stringValue }

    /// A claim as a string, when it is one.
    package func string(_ name: String) -> String? { claims[name]?.stringValue }

    /// What an assertion must say to be accepted.
    package struct Expectations: Sendable {
        /// The `iss` it must have: the client_id (RFC 7523 §3 item 1).
        package var issuer: String
        /// The `sub` it must have, for client authentication the client_id (§3 item 2.B); `nil` accepts any string.
        package var subject: String?
        /// Values of which `aud` must contain one (§3 item 3): the issuer identifier, the endpoint's URL.
        package var audiences: Set<String>
        /// The server clock, epoch seconds.
        package var now: Int

        /// - Parameters: as the properties.
        package init(issuer: String, subject: String?, audiences: Set<String>, now: Int) {
            self.issuer = issuer
            self.subject = subject
            self.audiences = audiences
            self.now = now
        }
    }

    /// The claims that make the assertion usable once: its `jti` and when it expires.
    package struct Use: Sendable, Hashable {
        /// The assertion's `jti`.
        package let jti: String
        /// Its `exp`, epoch seconds.
        package let expiresAt: Int
    }

    /// Checks the claims of RFC 7523 §3: `iss`, `sub`, `aud`, `exp` (required, not past), `nbf` and `iat` (not in the
    /// future), and `jti` (required here, as OpenID Connect Core §9 requires it for client authentication).
    ///
    /// - Returns: its `jti` and expiry, for the single use the caller records.
    /// - Throws: `Failure` naming the first claim that fails.
    package func check(_ expected: Expectations) throws(Failure) -> Use {
        guard let iss = claims["iss"] else { throw Failure("the iss claim is missing") }
        guard iss.stringValue == expected.issuer else {
            throw Failure("iss is \(iss.jsonText), not the client_id \"\(expected.issuer)\" (RFC 7523 §3)")
        }
        guard let sub = claims["sub"] else { throw Failure("the sub claim is missing") }
        guard let subject = sub.stringValue, !subject.isEmpty else { throw Failure("sub must be a non-empty string, found \(sub.jsonText)") }
        if let expectedSubject = expected.subject, subject != expectedSubject {
            throw Failure("sub is \"\(subject)\", not the client_id \"\(expectedSubject)\" (RFC 7523 §3: iss and sub are both the client_id)")
        }
        guard let aud = claims["aud"] else { throw Failure("the aud claim is missing") }
        let audiences: [String]
        switch aud {
        case .string(let value): audiences = [value]
        case .array(let values) where values.allSatisfy({ $0.stringValue != nil }): audiences = values.compactMap(\.stringValue)
        default: throw Failure("aud must be a string or an array of strings, found \(aud.typeName)")
        }
        guard audiences.contains(where: expected.audiences.contains) else {
            let accepted = expected.audiences.sorted().map { "\"\($0)\"" }.joined(separator: " or ")
            throw Failure("aud \(aud.jsonText) does not name this server: use \(accepted) (RFC 7523 §3)")
        }
        let now = expected.now
        guard let exp = try time("exp") else { throw Failure("the exp claim is missing (RFC 7523 §3 requires it)") }
        guard exp + Self.leeway > now else {
            throw Failure("the assertion expired at \(exp); the server clock reads \(now) (leeway \(Self.leeway) s)")
        }
        guard exp <= now + Self.maximumLifetime + Self.leeway else {
            throw Failure("exp \(exp) is more than \(Self.maximumLifetime) seconds after the server clock (\(now)): use a short-lived assertion")
        }
        if let nbf = try time("nbf"), nbf - Self.leeway > now {
            throw Failure("the assertion is not valid before \(nbf); the server clock reads \(now)")
        }
        if let iat = try time("iat"), iat - Self.leeway > now {
            throw Failure("the assertion was issued at \(iat), in the future; the server clock reads \(now)")
        }
        guard let jti = claims["jti"] else { throw Failure("the jti claim is missing: each assertion needs a unique jti") }
        guard let value = jti.stringValue, !value.isEmpty else { throw Failure("jti must be a non-empty string, found \(jti.jsonText)") }
        return Use(jti: value, expiresAt: exp)
    }

    /// The NumericDates accepted: within some 30 million years of 1970, so that adding the leeway or a lifetime to one
    /// can never overflow.
    private static let timeBound = 1_000_000_000_000_000

    /// A NumericDate claim (RFC 7519 §2), whole seconds; `nil` when absent.
    private func time(_ name: String) throws(Failure) -> Int? {
        let range = -Self.timeBound...Self.timeBound
        switch claims[name] {
        case nil: return nil
        case .int(let value)? where range.contains(value): return value
        case .double(let value)? where value.isFinite && abs(value) < Double(Self.timeBound): return Int(value.rounded(.down))
        case let value?: throw Failure("\(name) must be a number of seconds since 1970, found \(value.jsonText)")
        }
    }

    /// Checks the signature with the client's secret (HS256, `client_secret_jwt`) or one of its keys.
    ///
    /// - Parameters:
    ///   - allowed: the algorithms the client may use here; the header's `alg` must be one.
    ///   - secret: the client's secret, the HMAC key (RFC 7523 §2.2 via OpenID Connect Core §9).
    ///   - keys: the client's public keys, asked for only when the algorithm needs one.
    /// - Throws: `Failure` when the algorithm is not allowed, no key fits, or the signature does not verify.
    package func verifySignature(
        allowed: Set<MockIdPFixtures.AssertionSigningAlgorithm>, secret: String?, keys: () async throws(Failure) -> [ClientJWK]
    ) async throws(Failure) {
        try checkAlgorithm(allowed: allowed)
        try verifySignature(secret: secret, keys: algorithm.isSymmetric ? [] : try await keys())
    }

    /// Checks that the header's `alg` is one of `allowed`.
    package func checkAlgorithm(allowed: Set<MockIdPFixtures.AssertionSigningAlgorithm>) throws(Failure) {
        guard allowed.contains(algorithm) else {
            let names = MockIdPFixtures.AssertionSigningAlgorithm.allCases.filter(allowed.contains).map(\.rawValue)
            throw Failure(
                names.isEmpty
                    ? "the client has no key or secret to verify an assertion with"
                    : "alg \(algorithm.rawValue) is not one this client may use here (\(names.joined(separator: ", ")))"
            )
        }
    }

    /// Checks the signature under the header's `alg`: HMAC with `secret` for HS256, else the keys of that algorithm
    /// (the one with the header's `kid`, when it names one).
    package func verifySignature(secret: String?, keys: [ClientJWK]) throws(Failure) {
        if algorithm == .hs256 {
            guard let secret else { throw Failure("HS256 needs a client_secret, and this client has none") }
            guard HMAC<SHA256>.isValidAuthenticationCode(signature, authenticating: signingInput, using: SymmetricKey(data: Array(secret.utf8))) else {
                throw Failure("the HS256 signature does not verify with the client's secret")
            }
            return
        }
        let candidates = keys.filter { $0.algorithm == algorithm }
        let named = kid.map { kid in candidates.filter { $0.kid == kid } } ?? candidates
        guard !named.isEmpty else {
            if let kid { throw Failure("the client has no \(algorithm.rawValue) key with kid \"\(kid)\"") }
            throw Failure("the client has no \(algorithm.rawValue) key")
        }
        guard named.contains(where: { $0.isValidSignature(signature, for: signingInput) }) else {
            throw Failure("the \(algorithm.rawValue) signature does not verify with the client's key\(named.count == 1 ? "" : "s")")
        }
    }
}
