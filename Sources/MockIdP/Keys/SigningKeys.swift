import Crypto
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import JWTKit
import Synchronization
import _CryptoExtras

/// The keys MockIdP signs tokens with, and their public JWK Set, encoded once per change.
///
/// `rotate()` makes a new key active and keeps the previous one published (and verifiable) until the next rotation,
/// so clients' JWKS refresh can be tested.
final class SigningKeys: Sendable {
    typealias RSAKey = JWTKit.Insecure.RSA.PrivateKey

    struct State: Sendable {
        /// Published keys, the active one first; at most two.
        var keys: [(key: RSAKey, jwk: PublicJWK)]
        var collection: JWTKeyCollection
        var jwksJSON: Data
    }

    private let state: Mutex<State>
    let algorithm = "RS256"

    private init(state: State) {
        self.state = Mutex(state)
    }

    /// Loads the shipped development RSA key (RS256).
    static func builtIn() async throws -> SigningKeys {
        SigningKeys(state: try await makeState([publish(RSAKey(pem: BuiltInSigningKey.rsaPEM))]))
    }

    private static func publish(_ key: RSAKey) throws -> (key: RSAKey, jwk: PublicJWK) {
        let primitives = try key.publicKey.getKeyPrimitives()
        var jwk = PublicJWK(kty: "RSA", alg: "RS256", kid: "", n: primitives.modulus.base64URLEncoded, e: primitives.publicExponent.base64URLEncoded)
        jwk.kid = thumbprint(of: jwk)
        return (key, jwk)
    }

    private static func makeState(_ keys: [(key: RSAKey, jwk: PublicJWK)]) async throws -> State {
        let collection = JWTKeyCollection()
        for (key, jwk) in keys {
            await collection.add(rsa: key, digestAlgorithm: .sha256, kid: JWKIdentifier(string: jwk.kid), serializer: claimsSerializer)
        }
        return State(keys: keys, collection: collection, jwksJSON: try JSONEncoder().encode(JWKSet(keys: keys.map(\.jwk))))
    }

    /// Verifies signatures: every published key.
    var collection: JWTKeyCollection { state.withLock { $0.collection } }
    var activeKID: String { state.withLock { $0.keys[0].jwk.kid } }
    var jwksJSON: Data { state.withLock { $0.jwksJSON } }
    /// The published key ids, active first.
    var publishedKIDs: [String] { state.withLock { $0.keys.map(\.jwk.kid) } }

    /// Generates a new RSA-2048 key and makes it active. The previously active key stays published (and verifying)
    /// until the next rotation; the one before it is dropped.
    @discardableResult
    func rotate() async throws -> String {
        let fresh = try Self.publish(RSAKey(backing: _RSA.Signing.PrivateKey(keySize: .bits2048)))
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
