#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Crypto
import MockIdP

extension FuzzTargets {
    /// The client the assertion target verifies for: an HS256 secret and one Ed25519 key of a fixed seed.
    static let assertionClientID = "fuzz-client"
    static let assertionSecret = "fuzz-secret-0123456789abcdef0123"
    static let assertionAudience = "https://idp.fuzz"
    /// The server clock the target checks at.
    static let assertionNow = 1_800_000_000
    static let assertionKey: Curve25519.Signing.PrivateKey = {
        do {
            return try Curve25519.Signing.PrivateKey(rawRepresentation: [UInt8](repeating: 7, count: 32))
        } catch {
            fatalError("a fixed Ed25519 seed is refused: \(error)")
        }
    }()
    static let assertionKeys: [ClientJWK] = {
        let set: [String: ClaimValue] = [
            "keys": .array([.object(["kty": "OKP", "crv": "Ed25519", "kid": "k1", "x": .string(assertionKey.publicKey.rawRepresentation.base64URLEncoded)])])
        ]
        guard let keys = try? ClientJWK.keys(ofSet: set) else { fatalError("the fuzz target's JWK Set is refused") }
        return keys
    }()

    /// JWT assertions (RFC 7523 §3) and client JWK Sets. Mode `0`: the bytes are a compact JWS, parsed, checked and
    /// verified; mode `1`: the bytes are a claims set, signed here with the client's key, so that claim checking is
    /// reached with a valid signature (and a signature with one bit flipped must fail); mode `2`: the bytes are a JWK
    /// Set, read as `jwks` / `jwks_uri` would be.
    @Sendable static func clientAssertion(_ bytes: [UInt8]) {
        let input = FuzzInput(bytes, modes: 3)
        switch input.mode {
        case 0:
            checkAssertion(String(decoding: input.rest, as: UTF8.self), input: bytes)
        case 1:
            let header = #"{"alg":"EdDSA","kid":"k1"}"#.utf8.base64URLEncoded
            let signingInput = header + "." + input.rest.base64URLEncoded
            guard let signature = try? assertionKey.signature(for: Array(signingInput.utf8)) else { return }
            var bytes = Array(signature)
            let jwt = signingInput + "." + bytes.base64URLEncoded
            checkAssertion(jwt, input: bytes)
            bytes[Int(input.rest.count) % bytes.count] ^= 1
            if let forged = try? ClientAssertion(parsing: signingInput + "." + bytes.base64URLEncoded) {
                fuzzCheck((try? forged.verifySignature(secret: assertionSecret, keys: assertionKeys)) == nil, "a flipped signature bit verifies: \(input.rest.fuzzHex)")
            }
        default:
            guard let value = try? JSONDecoder().decode(ClaimValue.self, from: Data(input.rest)), case .object(let set) = value else { return }
            do {
                let keys = try ClientJWK.keys(ofSet: set)
                fuzzCheck(!keys.isEmpty, "an empty JWK Set was accepted: \(input.rest.fuzzHex)")
            } catch {
                fuzzCheck(error.field.hasPrefix("keys") && !error.reason.isEmpty, "a JWK Set problem names no member: \(input.rest.fuzzHex)")
            }
        }
    }

    /// An accepted assertion says what RFC 7523 §3 requires; a refused one is a `Failure` with a reason.
    private static func checkAssertion(_ jwt: String, input: [UInt8]) {
        let assertion: ClientAssertion
        do {
            assertion = try ClientAssertion(parsing: jwt)
        } catch {
            fuzzCheck(!error.reason.isEmpty, "a refusal without a reason: \(input.fuzzHex)")
            return
        }
        fuzzCheck(assertion.header["alg"] != .string("none"), "alg none parsed: \(input.fuzzHex)")
        let use: ClientAssertion.Use
        do {
            use = try assertion.check(
                .init(issuer: assertionClientID, subject: assertionClientID, audiences: [assertionAudience], now: assertionNow)
            )
            try assertion.checkAlgorithm(allowed: [.hs256, .eddsa])
            try assertion.verifySignature(secret: assertionSecret, keys: assertionKeys)
        } catch {
            fuzzCheck(!error.reason.isEmpty, "a refusal without a reason: \(input.fuzzHex)")
            return
        }
        let claims = assertion.claims
        fuzzCheck(claims["iss"] == .string(assertionClientID) && claims["sub"] == .string(assertionClientID), "accepted another client: \(input.fuzzHex)")
        var audiences: [ClaimValue] = []
        switch claims["aud"] {
        case .array(let values)?: audiences = values
        case let value?: audiences = [value]
        case nil: break
        }
        fuzzCheck(audiences.contains(.string(assertionAudience)), "accepted another audience: \(input.fuzzHex)")
        fuzzCheck(!use.jti.isEmpty && claims["jti"] == .string(use.jti), "accepted without its jti: \(input.fuzzHex)")
        fuzzCheck(
            use.expiresAt + ClientAssertion.leeway > assertionNow && use.expiresAt <= assertionNow + ClientAssertion.maximumLifetime + ClientAssertion.leeway,
            "accepted exp \(use.expiresAt) outside the window: \(input.fuzzHex)"
        )
        fuzzCheck([.hs256, .eddsa].contains(assertion.algorithm), "accepted alg \(assertion.algorithm): \(input.fuzzHex)")
    }
}
