import Crypto
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import JWTKit
import Synchronization
import _CryptoExtras

/// The algorithms MockIdP signs with (`--signing-alg`).
public enum SigningAlgorithm: String, Sendable, CaseIterable {
    /// RSA-2048 with SHA-256: the default, what every client supports.
    case rs256 = "RS256"
    /// ECDSA P-256 with SHA-256: about 15 times cheaper to sign.
    case es256 = "ES256"
    /// Ed25519.
    case eddsa = "EdDSA"
}

/// The keys MockIdP signs tokens with, and their public JWK Set, encoded once per change.
///
/// `rotate()` makes a new key active and keeps the previous one published (and verifiable) until the next rotation,
/// so clients' JWKS refresh can be tested.
final class SigningKeys: Sendable {
    /// A private signing key of one of the supported algorithms.
    enum PrivateKey: Sendable {
        case rsa(JWTKit.Insecure.RSA.PrivateKey)
        case ecdsa(ES256PrivateKey)
        case eddsa(EdDSA.PrivateKey)
    }

    struct State: Sendable {
        /// Published keys, the active one first; at most two.
        var keys: [(key: PrivateKey, jwk: PublicJWK)]
        var collection: JWTKeyCollection
        var jwksJSON: Data
    }

    private let state: Mutex<State>
    let algorithm: SigningAlgorithm

    private init(algorithm: SigningAlgorithm, state: State) {
        self.algorithm = algorithm
        self.state = Mutex(state)
    }

    /// The first key: for RS256 the shipped development key (RSA generation takes 0.1 to 0.3 s); ES256 and EdDSA
    /// keys are generated, which takes microseconds.
    static func make(_ algorithm: SigningAlgorithm) async throws -> SigningKeys {
        let key: PrivateKey =
            switch algorithm {
            case .rs256: .rsa(try JWTKit.Insecure.RSA.PrivateKey(pem: BuiltInSigningKey.rsaPEM))
            default: try generate(algorithm)
            }
        return SigningKeys(algorithm: algorithm, state: try await makeState([publish(key)]))
    }

    private static func generate(_ algorithm: SigningAlgorithm) throws -> PrivateKey {
        switch algorithm {
        case .rs256: .rsa(try JWTKit.Insecure.RSA.PrivateKey(backing: _RSA.Signing.PrivateKey(keySize: .bits2048)))
        case .es256: .ecdsa(ES256PrivateKey())
        case .eddsa: .eddsa(try EdDSA.PrivateKey(curve: .ed25519))
        }
    }

    private static func publish(_ key: PrivateKey) throws -> (key: PrivateKey, jwk: PublicJWK) {
        var jwk: PublicJWK
        switch key {
        case .rsa(let rsa):
            let primitives = try rsa.publicKey.getKeyPrimitives()
            jwk = PublicJWK(kty: "RSA", alg: "RS256", kid: "", n: primitives.modulus.base64URLEncoded, e: primitives.publicExponent.base64URLEncoded)
        case .ecdsa(let ecdsa):
            let parameters = ecdsa.parameters
            jwk = PublicJWK(kty: "EC", alg: "ES256", kid: "", crv: "P-256", x: parameters?.x, y: parameters?.y)
        case .eddsa(let eddsa):
            jwk = PublicJWK(kty: "OKP", alg: "EdDSA", kid: "", crv: "Ed25519", x: eddsa.publicKey.rawRepresentation.base64URLEncoded)
        }
        jwk.kid = thumbprint(of: jwk)
        return (key, jwk)
    }

    private static func makeState(_ keys: [(key: PrivateKey, jwk: PublicJWK)]) async throws -> State {
        let collection = JWTKeyCollection()
        for (key, jwk) in keys {
            let kid = JWKIdentifier(string: jwk.kid)
            switch key {
            case .rsa(let rsa): await collection.add(rsa: rsa, digestAlgorithm: .sha256, kid: kid, serializer: claimsSerializer)
            case .ecdsa(let ecdsa): await collection.add(ecdsa: ecdsa, kid: kid, serializer: claimsSerializer)
            case .eddsa(let eddsa): await collection.add(eddsa: eddsa, kid: kid, serializer: claimsSerializer)
            }
        }
        return State(keys: keys, collection: collection, jwksJSON: try JSONEncoder().encode(JWKSet(keys: keys.map(\.jwk))))
    }

    /// Verifies signatures: every published key.
    var collection: JWTKeyCollection { state.withLock { $0.collection } }
    var activeKID: String { state.withLock { $0.keys[0].jwk.kid } }
    var jwksJSON: Data { state.withLock { $0.jwksJSON } }
    /// The published key ids, active first.
    var publishedKIDs: [String] { state.withLock { $0.keys.map(\.jwk.kid) } }

    /// Generates a new key and makes it active. The previously active key stays published (and verifying)
    /// until the next rotation; the one before it is dropped.
    @discardableResult
    func rotate() async throws -> String {
        let fresh = try Self.publish(Self.generate(algorithm))
        let current = state.withLock { $0.keys[0] }
        let next = try await Self.makeState([fresh, current])
        state.withLock { $0 = next }
        return fresh.jwk.kid
    }

    /// RFC 7638 JWK thumbprint: SHA-256 over the required members in lexicographic order, base64url.
    static func thumbprint(of jwk: PublicJWK) -> String {
        let canonical: String
        if jwk.kty == "RSA" {
            canonical = #"{"e":"\#(jwk.e ?? "")","kty":"RSA","n":"\#(jwk.n ?? "")"}"#
        } else if jwk.kty == "OKP" {
            canonical = #"{"crv":"\#(jwk.crv ?? "")","kty":"OKP","x":"\#(jwk.x ?? "")"}"#
        } else {
            canonical = #"{"crv":"\#(jwk.crv ?? "")","kty":"\#(jwk.kty)","x":"\#(jwk.x ?? "")","y":"\#(jwk.y ?? "")"}"#
        }
        return SHA256.hash(data: Data(canonical.utf8)).base64URLEncoded
    }

    /// Claims are encoded with sorted keys, so a token's payload reads the same in /debug every time.
    static var claimsSerializer: DefaultJWTSerializer {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return DefaultJWTSerializer(jsonEncoder: encoder)
    }

    /// Signs `claims` with the active key. `type` is the JOSE `typ` header: `at+jwt` for access tokens (RFC 9068 §2.1).
    func sign(_ claims: [String: JSONValue], type: String = "JWT") async throws -> String {
        var header = JWTHeader()
        header.typ = type
        let (collection, kid) = state.withLock { ($0.collection, $0.keys[0].jwk.kid) }
        return try await collection.sign(JWTClaims(claims: claims), kid: JWKIdentifier(string: kid), header: header)
    }
}
