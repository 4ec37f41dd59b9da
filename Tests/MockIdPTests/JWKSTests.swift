import Crypto
import Foundation
import JWTKit
import HTTPTypes
import HummingbirdTesting
import Testing

@testable import MockIdP

@Suite struct JWKSTests {
    @Test("the JWKS is a JWK Set whose every key has kid, kty RSA, alg RS256, use sig, n and e")
    func keys() async throws {
        try await withTestIdP { idp in
            let response = try await idp.get("/jwks")
            #expect(response.status == .ok)
            // RFC 7517 §8.5.1 registers this media type for a JWK Set.
            #expect(response.headers[.contentType] == "application/jwk-set+json")
            let keys = try #require(try json(response)["keys"] as? [[String: Any]])
            #expect(!keys.isEmpty)
            for key in keys {
                #expect((key["kid"] as? String)?.isEmpty == false)
                #expect(key["kty"] as? String == "RSA")
                #expect(key["alg"] as? String == "RS256")
                #expect(key["use"] as? String == "sig")
                let modulus = try #require((key["n"] as? String)?.base64URLDecoded)
                let exponent = try #require((key["e"] as? String)?.base64URLDecoded)
                // RFC 7518 §6.3.1.1: minimal big-endian octets, no leading zero; at least 2048 bits (RFC 7518 §3.3).
                #expect(modulus.first != 0)
                #expect(modulus.count * 8 >= 2048)
                #expect(!exponent.isEmpty && exponent.first != 0)
                // No private parts leak.
                for privateMember in ["d", "p", "q", "dp", "dq", "qi"] {
                    #expect(key[privateMember] == nil, "the JWKS publishes the private member \(privateMember)")
                }
            }
        }
    }

    @Test("the kid is the RFC 7638 thumbprint of the key")
    func kidIsThumbprint() async throws {
        try await withTestIdP { idp in
            let keys = try #require(try json(try await idp.get("/jwks"))["keys"] as? [[String: Any]])
            for key in keys {
                let n = try #require(key["n"] as? String)
                let e = try #require(key["e"] as? String)
                let canonical = #"{"e":"\#(e)","kty":"RSA","n":"\#(n)"}"#
                #expect(key["kid"] as? String == SHA256.hash(data: Array(canonical.utf8)).base64URLEncoded)
            }
        }
    }

    @Test("access and ID tokens from a code flow verify against the served JWKS, and their kid is the JWKS kid")
    func tokensVerify() async throws {
        try await withTestIdP { idp in
            let tokens = try await idp.tokens(scope: "openid profile", extra: [("nonce", "n-1")])
            let jwks = try await idp.get("/jwks")
            let verifier = try await JWTKeyCollection().add(jwksJSON: text(jwks))
            let kids = try #require(try json(jwks)["keys"] as? [[String: Any]]).compactMap { $0["kid"] as? String }

            let accessToken = try #require(tokens["access_token"] as? String)
            let access = try await verifier.verify(accessToken, as: JWTClaims.self)
            #expect(access.claims["iss"] == .string(testIssuer))
            #expect(access.claims["client_id"] == .string("budgetify"))
            #expect(kids.contains(try #require(jwtHeader(accessToken)["kid"] as? String)))

            let idToken = try #require(tokens["id_token"] as? String)
            let id = try await verifier.verify(idToken, as: JWTClaims.self)
            #expect(id.claims["nonce"] == .string("n-1"))
            #expect(id.claims["aud"] == .string("budgetify"))
            #expect(kids.contains(try #require(jwtHeader(idToken)["kid"] as? String)))
            #expect(try jwtHeader(idToken)["alg"] as? String == "RS256")
        }
    }

    @Test("a token whose payload was altered fails verification against the JWKS")
    func tamperedTokenFails() async throws {
        try await withTestIdP { idp in
            let accessToken = try await idp.accessToken()
            let verifier = try await JWTKeyCollection().add(jwksJSON: text(try await idp.get("/jwks")))
            var claims = try jwtPayload(accessToken)
            claims["sub"] = "mallory"
            let forgedPayload = try JSONSerialization.data(withJSONObject: claims).base64URLEncoded
            let parts = accessToken.split(separator: ".")
            let forged = "\(parts[0]).\(forgedPayload).\(parts[2])"
            await #expect(throws: (any Error).self) { try await verifier.verify(forged, as: JWTClaims.self) }
        }
    }
}
