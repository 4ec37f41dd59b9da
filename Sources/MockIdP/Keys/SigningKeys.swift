import Crypto
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import JWTKit

/// The keys MockIdP signs tokens with, and their public JWK Set, encoded once.
struct SigningKeys: Sendable {
    let collection: JWTKeyCollection
    let activeKID: String
    let algorithm: String
    /// The JWKS document, encoded at start-up and served as is.
    let jwksJSON: Data

    /// Loads the shipped development RSA key (RS256).
    static func builtIn() async throws -> SigningKeys {
        try await rsa(pem: BuiltInSigningKey.rsaPEM)
    }

    static func rsa(pem: String) async throws -> SigningKeys {
        let key = try JWTKit.Insecure.RSA.PrivateKey(pem: pem)
        let primitives = try key.publicKey.getKeyPrimitives()
        var jwk = PublicJWK(kty: "RSA", alg: "RS256", kid: "", n: primitives.modulus.base64URLEncoded, e: primitives.publicExponent.base64URLEncoded)
        jwk.kid = thumbprint(of: jwk)
        let collection = JWTKeyCollection()
        await collection.add(rsa: key, digestAlgorithm: .sha256, kid: JWKIdentifier(string: jwk.kid), serializer: claimsSerializer)
        return SigningKeys(collection: collection, activeKID: jwk.kid, algorithm: jwk.alg, jwksJSON: try JSONEncoder().encode(JWKSet(keys: [jwk])))
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
        return try await collection.sign(JWTClaims(claims: claims), kid: JWKIdentifier(string: activeKID), header: header)
    }
}

/// A JWT payload of any shape. MockIdP checks validity against its own records, so `verify` checks nothing.
struct JWTClaims: JWTPayload, Equatable {
    var claims: [String: JSONValue]

    init(claims: [String: JSONValue]) {
        self.claims = claims
    }

    init(from decoder: any Decoder) throws {
        self.claims = try decoder.singleValueContainer().decode([String: JSONValue].self)
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(claims)
    }

    func verify(using algorithm: some JWTAlgorithm) async throws {}
}
