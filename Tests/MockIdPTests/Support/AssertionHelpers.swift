import Crypto
import Foundation
import _CryptoExtras

@testable import MockIdP

/// A key a test client signs JWT assertions with (RFC 7523), and its public JWK.
enum TestSigningKey: Sendable {
    case hs256(String)
    case rs256(_RSA.Signing.PrivateKey)
    case es256(P256.Signing.PrivateKey)
    case eddsa(Curve25519.Signing.PrivateKey)

    /// One RSA key for the whole run: generating one takes a noticeable fraction of a second.
    static let rsa = TestSigningKey.rs256(try! _RSA.Signing.PrivateKey(keySize: .bits2048))
    static let ec = TestSigningKey.es256(P256.Signing.PrivateKey())
    static let ed = TestSigningKey.eddsa(Curve25519.Signing.PrivateKey())

    var alg: String {
        switch self {
        case .hs256: "HS256"
        case .rs256: "RS256"
        case .es256: "ES256"
        case .eddsa: "EdDSA"
        }
    }

    /// The public JWK, with `kid`.
    func jwk(kid: String) -> [String: ClaimValue] {
        switch self {
        case .hs256:
            return [:]
        case .rs256(let key):
            let primitives = try! key.publicKey.getKeyPrimitives()
            return [
                "kty": "RSA", "kid": .string(kid), "use": "sig", "alg": "RS256",
                "n": .string(primitives.modulus.base64URLEncoded), "e": .string(primitives.publicExponent.base64URLEncoded),
            ]
        case .es256(let key):
            let raw = Array(key.publicKey.rawRepresentation)
            return [
                "kty": "EC", "kid": .string(kid), "crv": "P-256",
                "x": .string(raw[0..<32].base64URLEncoded), "y": .string(raw[32...].base64URLEncoded),
            ]
        case .eddsa(let key):
            return ["kty": "OKP", "kid": .string(kid), "crv": "Ed25519", "x": .string(key.publicKey.rawRepresentation.base64URLEncoded)]
        }
    }

    /// A compact JWS of `claims` under `header` (whose `alg` this key sets unless the header has one).
    func sign(_ claims: [String: ClaimValue], header: [String: ClaimValue] = [:]) -> String {
        var header = header
        if header["alg"] == nil { header["alg"] = .string(alg) }
        let input = JSONWriter.encode(header).base64URLEncoded + "." + JSONWriter.encode(claims).base64URLEncoded
        let data = Array(input.utf8)
        let signature: [UInt8]
        switch self {
        case .hs256(let secret):
            signature = Array(HMAC<SHA256>.authenticationCode(for: data, using: SymmetricKey(data: Array(secret.utf8))))
        case .rs256(let key):
            signature = Array(try! key.signature(for: data, padding: .insecurePKCS1v1_5).rawRepresentation)
        case .es256(let key):
            signature = Array(try! key.signature(for: data).rawRepresentation)
        case .eddsa(let key):
            signature = Array(try! key.signature(for: data))
        }
        return input + "." + signature.base64URLEncoded
    }
}

/// Claims of a client assertion (RFC 7523 §3) as of `now`: iss = sub = `clientID`, `aud` the token endpoint, a fresh jti,
/// expiring in five minutes; `changes` overrides or (with `.null`) removes claims.
func assertionClaims(clientID: String, now: Int, aud: ClaimValue = .string(testIssuer + "/token"), changes: [String: ClaimValue] = [:]) -> [String: ClaimValue] {
    var claims: [String: ClaimValue] = [
        "iss": .string(clientID), "sub": .string(clientID), "aud": aud, "exp": .int(now + 300), "iat": .int(now),
        "jti": .string(randomToken(bytes: 12)),
    ]
    for (name, value) in changes {
        claims[name] = value == .null ? nil : value
    }
    return claims
}

/// The form fields of a client assertion.
func clientAssertionForm(_ jwt: String) -> [(String, String)] {
    [("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"), ("client_assertion", jwt)]
}

/// The test clients of JWT assertions: `jwt-secret` (client_secret_jwt), `jwt-keys` (private_key_jwt with an RSA, an
/// EC and an Ed25519 key), `jwt-es256-only` (private_key_jwt restricted to ES256), `jwt-grant-public` (a public client
/// with keys for the JWT bearer grant); each may use client credentials and the JWT bearer grant.
enum AssertionClients {
    static let secret = "jwt-secret-0123456789abcdef0123456789"
    static let jwks: [String: ClaimValue] = [
        "keys": .array([.object(TestSigningKey.rsa.jwk(kid: "rsa-1")), .object(TestSigningKey.ec.jwk(kid: "ec-1")), .object(TestSigningKey.ed.jwk(kid: "ed-1"))])
    ]
    static let grants: [GrantType] = [.clientCredentials, .jwtBearer]

    static let clients: [Client] = [
        Client(clientID: "jwt-secret", clientSecret: secret, grantTypes: grants, tokenEndpointAuthMethod: .clientSecretJWT),
        Client(clientID: "jwt-keys", grantTypes: grants, tokenEndpointAuthMethod: .privateKeyJWT, jwks: jwks),
        Client(
            clientID: "jwt-es256-only", grantTypes: grants, tokenEndpointAuthMethod: .privateKeyJWT, jwks: jwks, tokenEndpointAuthSigningAlg: .es256
        ),
        Client(clientID: "jwt-grant-public", grantTypes: [.jwtBearer], tokenEndpointAuthMethod: MockIdPFixtures.TokenEndpointAuthMethod.none, jwks: jwks),
    ]
}

/// Runs `body` against a test server whose fixtures add `AssertionClients.clients`.
func withAssertionTestIdP<T: Sendable>(_ body: @Sendable (TestIdP) async throws -> T) async throws -> T {
    try await withTestIdP(fixtures: try builtInFixtures(adding: AssertionClients.clients), body)
}
