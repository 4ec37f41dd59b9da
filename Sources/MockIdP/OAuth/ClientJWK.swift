#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Crypto
import _CryptoExtras

/// A public key a client registered (`jwks` or `jwks_uri`, RFC 7591 §2) to sign its JWT assertions with (RFC 7523),
/// read from its JWK (RFC 7517 §4; RFC 7518 §6.2, §6.3; RFC 8037 §2).
///
/// Only signature keys of the algorithms MockIdP verifies are read: RSA (RS256, at least 2048 bits), EC P-256 (ES256)
/// and OKP Ed25519 (EdDSA). A key with private members is refused: a client publishes public keys only.
package struct ClientJWK: Sendable {
    enum Key: Sendable {
        case rsa(_RSA.Signing.PublicKey)
        case p256(P256.Signing.PublicKey)
        case ed25519(Curve25519.Signing.PublicKey)
    }

    /// The key's `kid`, when it has one.
    package let kid: String?
    let key: Key

    /// The one algorithm this key verifies.
    package var algorithm: MockIdPFixtures.AssertionSigningAlgorithm {
        switch key {
        case .rsa: .rs256
        case .p256: .es256
        case .ed25519: .eddsa
        }
    }

    /// A problem with a JWK Set, naming the member (`keys[0].n`) it is about.
    package struct Problem: Error, Sendable, Equatable {
        /// The member, relative to the JWK Set (`keys`, `keys[1].crv`).
        package let field: String
        /// What is wrong, in words.
        package let reason: String
    }

    /// Private members of RSA, EC and OKP keys (RFC 7518 §6.2.2, §6.3.2; RFC 8037 §2).
    private static let privateMembers = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"]

    /// The keys of a JWK Set document (RFC 7517 §5): an object whose `keys` is an array of JWKs.
    ///
    /// - Throws: `Problem` for the first member that is not a usable public signature key.
    package static func keys(ofSet set: [String: ClaimValue]) throws(Problem) -> [ClientJWK] {
        guard let value = set["keys"] else { throw Problem(field: "keys", reason: "a JWK Set needs a \"keys\" array (RFC 7517 §5)") }
        guard case .array(let entries) = value else { throw Problem(field: "keys", reason: "expected an array of JWKs, found \(value.typeName)") }
        guard !entries.isEmpty else { throw Problem(field: "keys", reason: "the JWK Set has no keys") }
        var keys: [ClientJWK] = []
        var kids: Set<String> = []
        for (index, entry) in entries.enumerated() {
            guard let object = entry.objectValue else {
                throw Problem(field: "keys[\(index)]", reason: "expected a JWK object, found \(entry.typeName)")
            }
            let key = try ClientJWK(object, field: "keys[\(index)]")
            if let kid = key.kid, !kids.insert(kid).inserted {
                throw Problem(field: "keys[\(index)].kid", reason: "kid \"\(kid)\" is used by two keys")
            }
            keys.append(key)
        }
        return keys
    }

    /// The keys of a JWK Set document given as JSON bytes (a `jwks_uri` response).
    package static func keys(ofDocument bytes: [UInt8]) throws(Problem) -> [ClientJWK] {
        guard let value = try? JSONDecoder().decode(ClaimValue.self, from: Data(bytes)), let object = value.objectValue else {
            throw Problem(field: "", reason: "the document is not a JSON object")
        }
        return try keys(ofSet: object)
    }

    /// Reads one JWK.
    ///
    /// - Parameter field: where the JWK sits in its set, for problems.
    init(_ jwk: [String: ClaimValue], field: String) throws(Problem) {
        func problem(_ member: String, _ reason: String) -> Problem { Problem(field: "\(field).\(member)", reason: reason) }
        func string(_ member: String) throws(Problem) -> String {
            guard let value = jwk[member] else { throw problem(member, "required member is missing") }
            guard let string = value.stringValue else { throw problem(member, "expected a string, found \(value.typeName)") }
            return string
        }
        func bytes(_ member: String) throws(Problem) -> Data {
            guard let data = try string(member).base64URLDecoded, !data.isEmpty else { throw problem(member, "not base64url (RFC 7515 §2)") }
            return data
        }
        for member in Self.privateMembers where jwk[member] != nil {
            throw problem(member, "a private key member: register the public key only")
        }
        if let use = jwk["use"], use.stringValue != "sig" {
            throw problem("use", "must be \"sig\" for a key that signs assertions, found \(use.jsonText)")
        }
        if let ops = jwk["key_ops"], !(ops.arrayValue?.contains(.string("verify")) ?? false) {
            throw problem("key_ops", "must include \"verify\" for a key that signs assertions")
        }
        if let kid = jwk["kid"], kid.stringValue == nil {
            throw problem("kid", "expected a string, found \(kid.typeName)")
        }
        self.kid = jwk["kid"]?.stringValue
        let kty = try string("kty")
        switch kty {
        case "RSA":
            do {
                key = .rsa(try _RSA.Signing.PublicKey(n: try bytes("n"), e: try bytes("e")))
            } catch let error as Problem {
                throw error
            } catch {
                throw problem("n", "not an RSA public key of at least 2048 bits")
            }
        case "EC":
            let crv = try string("crv")
            guard crv == "P-256" else { throw problem("crv", "curve \"\(crv)\" is not supported (P-256 for ES256)") }
            let x = try bytes("x")
            let y = try bytes("y")
            guard x.count == 32, y.count == 32, let key = try? P256.Signing.PublicKey(rawRepresentation: x + y) else {
                throw problem("x", "not a point on P-256")
            }
            self.key = .p256(key)
        case "OKP":
            let crv = try string("crv")
            guard crv == "Ed25519" else { throw problem("crv", "curve \"\(crv)\" is not supported (Ed25519 for EdDSA)") }
            let x = try bytes("x")
            guard x.count == 32, let key = try? Curve25519.Signing.PublicKey(rawRepresentation: x) else {
                throw problem("x", "not an Ed25519 public key")
            }
            self.key = .ed25519(key)
        default:
            throw problem("kty", "key type \"\(kty)\" is not supported (RSA, EC or OKP)")
        }
        if let alg = jwk["alg"] {
            guard alg.stringValue == algorithm.rawValue else {
                throw problem("alg", "a \(kty) key here verifies \(algorithm.rawValue), found \(alg.jsonText)")
            }
        }
    }

    /// Whether `signature` is this key's signature of `input` under its algorithm (RFC 7518 §3.3, §3.4; RFC 8037 §3.1).
    func isValidSignature(_ signature: [UInt8], for input: [UInt8]) -> Bool {
        switch key {
        case .rsa(let key):
            return key.isValidSignature(_RSA.Signing.RSASignature(rawRepresentation: signature), for: input, padding: .insecurePKCS1v1_5)
        case .p256(let key):
            // RFC 7518 §3.4: the JWS signature is R and S, 32 bytes each, not DER.
            guard signature.count == 64, let ecdsa = try? P256.Signing.ECDSASignature(rawRepresentation: signature) else { return false }
            return key.isValidSignature(ecdsa, for: input)
        case .ed25519(let key):
            return key.isValidSignature(signature, for: input)
        }
    }
}
