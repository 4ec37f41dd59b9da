/// A public key as a JWK (RFC 7517 §4), with the `use` member that jwt-kit's own `JWK` lacks.
struct PublicJWK: Sendable, Encodable, Hashable {
    var kty: String
    var use = "sig"
    var alg: String
    var kid: String
    var n: String?
    var e: String?
    var crv: String?
    var x: String?
    var y: String?
}

/// A JWK Set document (RFC 7517 §5).
struct JWKSet: Sendable, Encodable {
    var keys: [PublicJWK]
}
