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
        /// The PEM is kept for OpenSSL (`SystemRSASigner`).
        case rsa(JWTKit.Insecure.RSA.PrivateKey, pem: String)
        case ecdsa(ES256PrivateKey)
        case eddsa(EdDSA.PrivateKey)
    }

    struct State: Sendable {
        /// Published keys, the active one first; at most two.
        var keys: [(key: PrivateKey, jwk: PublicJWK)]
        var collection: JWTKeyCollection
        var jwksJSON: Data
        /// Signs for the active key when it is RSA, if the system's OpenSSL is there.
        var systemSigner: SystemRSASigner?
    }

    private let state: Mutex<State>
    let algorithm: SigningAlgorithm
    /// Whether RS256 signatures go through the system's OpenSSL when it is there (`SystemRSASigner`).
    let systemCrypto: Bool

    private init(algorithm: SigningAlgorithm, systemCrypto: Bool, state: State) {
        self.algorithm = algorithm
        self.systemCrypto = systemCrypto
        self.state = Mutex(state)
    }

    /// The first key: for RS256 the shipped development key (RSA generation takes 0.1 to 0.3 s); ES256 and EdDSA
    /// keys are generated, which takes microseconds.
    /// `systemCrypto: false` signs RS256 with swift-crypto even where OpenSSL is there.
    static func make(_ algorithm: SigningAlgorithm, systemCrypto: Bool = true) async throws -> SigningKeys {
        let key: PrivateKey =
            switch algorithm {
            case .rs256: .rsa(try JWTKit.Insecure.RSA.PrivateKey(pem: BuiltInSigningKey.rsaPEM), pem: BuiltInSigningKey.rsaPEM)
            default: try generate(algorithm)
            }
        let state = try await makeState([publish(key)], systemCrypto: systemCrypto)
        return SigningKeys(algorithm: algorithm, systemCrypto: systemCrypto, state: state)
    }

    private static func generate(_ algorithm: SigningAlgorithm) throws -> PrivateKey {
        switch algorithm {
        case .rs256:
            try {
                let key = try _RSA.Signing.PrivateKey(keySize: .bits2048)
                return .rsa(try JWTKit.Insecure.RSA.PrivateKey(backing: key), pem: key.pemRepresentation)
            }()
        case .es256: .ecdsa(ES256PrivateKey())
        case .eddsa: .eddsa(try EdDSA.PrivateKey(curve: .ed25519))
        }
    }

    private static func publish(_ key: PrivateKey) throws -> (key: PrivateKey, jwk: PublicJWK) {
        var jwk: PublicJWK
        switch key {
        case .rsa(let rsa, _):
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

    private static func makeState(_ keys: [(key: PrivateKey, jwk: PublicJWK)], systemCrypto: Bool) async throws -> State {
        let collection = JWTKeyCollection()
        for (key, jwk) in keys {
            let kid = JWKIdentifier(string: jwk.kid)
            switch key {
            case .rsa(let rsa, _): await collection.add(rsa: rsa, digestAlgorithm: .sha256, kid: kid, serializer: claimsSerializer)
            case .ecdsa(let ecdsa): await collection.add(ecdsa: ecdsa, kid: kid, serializer: claimsSerializer)
            case .eddsa(let eddsa): await collection.add(eddsa: eddsa, kid: kid, serializer: claimsSerializer)
            }
        }
        var systemSigner: SystemRSASigner?
        if systemCrypto, case .rsa(_, let pem) = keys[0].key {
            systemSigner = SystemRSASigner(pem: pem)
        }
        let jwksJSON = try JSONEncoder().encode(JWKSet(keys: keys.map(\.jwk)))
        return State(keys: keys, collection: collection, jwksJSON: jwksJSON, systemSigner: systemSigner)
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
        let next = try await Self.makeState([fresh, current], systemCrypto: systemCrypto)
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

    /// Claims are written by `JSONWriter`, with sorted keys, so a token's payload reads the same in /debug every time.
    static var claimsSerializer: DefaultJWTSerializer { DefaultJWTSerializer(jsonEncoder: ClaimsJSONEncoder()) }

    /// jwt-kit's encoder for headers and payloads: `JWTClaims` through `JSONWriter`, anything else (the header)
    /// through one JSONEncoder with sorted keys, made once rather than per token.
    private struct ClaimsJSONEncoder: JWTJSONEncoder {
        private static let headerEncoder: JSONEncoder = {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            return encoder
        }()

        func encode<T: Encodable>(_ value: T) throws -> Data {
            if let claims = value as? JWTClaims { return Data(JSONWriter.encode(claims.claims)) }
            return try Self.headerEncoder.encode(value)
        }
    }

    /// Signs `claims` with the active key. `type` is the JOSE `typ` header: `at+jwt` for access tokens (RFC 9068 §2.1).
    func sign(_ claims: [String: JSONValue], type: String = "JWT") async throws -> String {
        var header = JWTHeader()
        header.typ = type
        let (collection, kid, systemSigner) = state.withLock { ($0.collection, $0.keys[0].jwk.kid, $0.systemSigner) }
        if let systemSigner {
            let header = #"{"alg":"RS256","kid":"\#(kid)","typ":"\#(type)"}"#
            if let token = try Self.compactJWS(claims, header: header, signer: systemSigner) { return token }
        }
        return try await collection.sign(JWTClaims(claims: claims), kid: JWKIdentifier(string: kid), header: header)
    }

    /// JWS compact serialization (RFC 7515 §7.1), as jwt-kit writes it: the header (its members sorted, as jwt-kit
    /// sorts them) and the sorted claims, base64url, then the signature over both. The header's values are a key
    /// thumbprint and a fixed `typ`, so they need no escaping.
    /// `nil` when OpenSSL turns out not to be there.
    private static func compactJWS(_ claims: [String: JSONValue], header: String, signer: SystemRSASigner) throws -> String? {
        let payload = JSONWriter.encode(claims)
        let signingInput = header.utf8.base64URLEncoded + "." + payload.base64URLEncoded
        guard let signature = try signer.sign(Array(signingInput.utf8)) else { return nil }
        return signingInput + "." + signature.base64URLEncoded
    }
}
