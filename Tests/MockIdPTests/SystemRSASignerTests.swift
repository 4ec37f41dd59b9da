import Foundation
import JWTKit
import Testing

@testable import MockIdP
import MockIdPOpenSSL

/// RS256 through the system's OpenSSL (`SystemRSASigner`) must give exactly the tokens swift-crypto gives: RSASSA-PKCS1-v1_5
/// is deterministic, so the same claims signed by the same key are the same bytes whichever library signs.
@Suite struct SystemRSASignerTests {
    static let claims: [String: ClaimValue] = [
        "iss": "http://127.0.0.1:1/", "sub": "alice", "aud": "budgetify", "scope": "openid transactions:read",
        "iat": 1_700_000_000, "exp": 1_700_003_600, "note": "a/b \"quoted\" é",
    ]

    @Test("this machine has OpenSSL 3, so the backend the mock-idp binary injects signs through it")
    func openSSLIsUsedHere() async throws {
        #expect(SystemRSASigner(pem: BuiltInSigningKey.rsaPEM).isAvailable, "libcrypto.so.3 could not be loaded or read the built-in key")
    }

    @Test("OpenSSL and swift-crypto sign the same claims into the same token, header and signature included")
    func sameTokenEitherWay() async throws {
        let system = try await SigningKeys.make(.rs256, rs256Backend: SystemRSABackend())
        let portable = try await SigningKeys.make(.rs256)
        for type in ["JWT", "at+jwt"] {
            let viaOpenSSL = try await system.sign(Self.claims, type: type)
            let viaSwiftCrypto = try await portable.sign(Self.claims, type: type)
            #expect(viaOpenSSL == viaSwiftCrypto)
            let verified = try await portable.collection().verify(viaOpenSSL, as: JWTClaims.self)
            #expect(verified.claims == Self.claims)
        }
    }

    @Test("signatures made at the same time from many tasks, which share the prepared OpenSSL contexts, are all right")
    func concurrentSignatures() async throws {
        let system = try await SigningKeys.make(.rs256, rs256Backend: SystemRSABackend())
        let portable = try await SigningKeys.make(.rs256)
        let tokens = try await withThrowingTaskGroup(of: (Int, String).self) { group in
            for index in 0..<48 {
                group.addTask { (index, try await system.sign(Self.claims.merging(["n": .int(index)]) { $1 })) }
            }
            return try await group.reduce(into: [Int: String]()) { $0[$1.0] = $1.1 }
        }
        #expect(tokens.count == 48)
        for (index, token) in tokens {
            #expect(token == (try await portable.sign(Self.claims.merging(["n": .int(index)]) { $1 })), "token \(index)")
        }
    }

    @Test("a rotated RSA key signs through OpenSSL too, and its tokens verify against the published keys")
    func rotatedKey() async throws {
        let keys = try await SigningKeys.make(.rs256, rs256Backend: SystemRSABackend())
        let kid = try await keys.rotate()
        let token = try await keys.sign(Self.claims, type: "at+jwt")
        let headerJSON = try #require(String(token.split(separator: ".")[0]).base64URLDecoded)
        let header = try #require(try JSONSerialization.jsonObject(with: headerJSON) as? [String: String])
        #expect(header == ["alg": "RS256", "kid": kid, "typ": "at+jwt"])
        let verifier = try await JWTKeyCollection().add(jwksJSON: String(decoding: try await keys.jwksJSON(), as: UTF8.self))
        let verified = try await verifier.verify(token, as: JWTClaims.self)
        #expect(verified.claims["sub"] == "alice")
    }

    @Test("a PEM OpenSSL cannot read signs nothing, so signing falls back to swift-crypto")
    func unreadableKey() throws {
        for pem in ["-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n", ""] {
            let signer = SystemRSASigner(pem: pem)
            #expect(!signer.isAvailable)
            #expect(try signer.sign(Array("input".utf8)) == nil)
        }
    }
}
