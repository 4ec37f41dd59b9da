import JWTKit

/// A JWT another issuer signed, checked against that issuer's published keys: what token exchange needs of a subject
/// or actor token from a trusted issuer (RFC 8693 §2.1: the server must "validate" the tokens it is given).
enum ExternalJWT {
    /// The claims of `token` when its signature verifies with one of the keys of `jwks` (a JWKS document's bytes,
    /// RFC 7517 §5), chosen by the token's `kid` and `alg`; otherwise why not, in words.
    ///
    /// Only the signature is checked here: the caller judges `exp`, `nbf` and `sub` against the server clock.
    static func verify(_ token: String, jwks: [UInt8]) async -> Result<[String: ClaimValue], Failure> {
        let keys = JWTKeyCollection()
        do {
            try await keys.add(jwksJSON: String(decoding: jwks, as: UTF8.self))
        } catch {
            return .failure(Failure(reason: "its JWKS is unusable (\(error))"))
        }
        do {
            return .success(try await keys.verify(token, as: JWTClaims.self).claims)
        } catch {
            return .failure(Failure(reason: "its signature does not verify with the issuer's keys (\(error))"))
        }
    }

    /// Why a JWT was not accepted.
    struct Failure: Error, Sendable {
        let reason: String
    }
}
