#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Crypto
import JWTKit
import MockIdP

extension FuzzTargets {
    /// Tokens as clients present them. Userinfo, introspection and revocation look a token up by its string, so what
    /// parses one is `/debug` and `end_session` (`JWTParts`, JWTKit's parser for `id_token_hint`), base64url, the
    /// `at_hash` of a token and PKCE's verifier check. The input is `<mode><rest>`: mode `0` presents the rest as is,
    /// mode `1` cuts it at newlines into header JSON, payload JSON and signature bytes, and presents them in base64url
    /// joined by dots, so that most inputs are shaped like a JWT and the JSON inside them gets fuzzed.
    @Sendable static func presentedToken(_ bytes: [UInt8]) {
        let input = FuzzInput(bytes, modes: 2)
        let token: String
        switch input.mode {
        case 1:
            let pieces = input.pieces(3)
            for piece in pieces { checkBase64URL(piece) }
            token = pieces.map(\.base64URLEncoded).joined(separator: ".")
            // /debug shows the header and claims exactly when both halves are JSON objects.
            let objects = pieces.prefix(2).allSatisfy { (try? JSONDecoder().decode([String: ClaimValue].self, from: Data($0))) != nil }
            fuzzCheck((JWTParts(token) != nil) == objects, "JWTParts disagrees with the JSON decoder on \(token)")
        default:
            token = String(decoding: input.rest, as: UTF8.self)
            for part in token.split(separator: ".", omittingEmptySubsequences: false) {
                guard let decoded = String(part).base64URLDecoded else { continue }
                fuzzCheck(decoded.count <= part.utf8.count * 3 / 4, "\(part) decodes to \(decoded.count) bytes")
                checkBase64URL(Array(decoded))
            }
        }
        checkToken(token)
    }

    /// Base64url (RFC 7515 §2) of any bytes has no padding and only the URL-safe alphabet, and decodes back to them.
    private static func checkBase64URL(_ bytes: some Collection<UInt8>) {
        let encoded = bytes.base64URLEncoded
        fuzzCheck(
            encoded.utf8.count == (bytes.count * 4 + 2) / 3, "base64url of \(bytes.count) bytes has \(encoded.utf8.count) characters"
        )
        fuzzCheck(encoded.utf8.allSatisfy(isBase64URLCharacter), "base64url \(encoded) outside the alphabet")
        fuzzCheck(encoded.base64URLDecoded == Data(bytes), "base64url does not round-trip \(bytes.fuzzHex)")
    }

    private static func isBase64URLCharacter(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
            UInt8(ascii: "-"), UInt8(ascii: "_"):
            true
        default:
            false
        }
    }

    private static func checkToken(_ token: String) {
        let parts = JWTParts(token)
        let dots = token.utf8.count(where: { $0 == UInt8(ascii: ".") })
        fuzzCheck(parts == nil || dots == 2, "JWTParts decoded a token that is not three parts: \(token)")
        // end_session parses an id_token_hint with JWTKit before checking its signature; /debug shows it with JWTParts.
        // Where both read the claims, they must read the same ones.
        if let parsed = try? DefaultJWTParser().parse(Array(token.utf8), as: JWTClaims.self), let parts {
            fuzzCheck(parsed.payload.claims == parts.claims, "JWTKit and JWTParts read different claims from \(token)")
        }

        // OIDC Core §3.1.3.6: at_hash is the left half of the ID token's hash: SHA-256 for RS256 and ES256 (16 bytes,
        // 22 base64url characters), SHA-512 for EdDSA with Ed25519 (32 bytes, 43 characters).
        for (algorithm, bytes, characters) in [(MockIdPConfiguration.SigningAlgorithm.rs256, 16, 22), (.es256, 16, 22), (.eddsa, 32, 43)] {
            let hash = TokenService.tokenHash(token, algorithm: algorithm)
            fuzzCheck(hash.utf8.count == characters && hash.base64URLDecoded?.count == bytes, "\(algorithm) at_hash \(hash) of \(token)")
        }

        // RFC 7636 §4.6: a well-formed verifier matches its own S256 challenge and nothing else.
        if PKCE.isWellFormed(token) {
            let challenge = SHA256.hash(data: Array(token.utf8)).base64URLEncoded
            fuzzCheck(PKCE.verify(verifier: token, challenge: challenge, method: .s256), "S256 refuses its own challenge: \(token)")
            fuzzCheck(PKCE.verify(verifier: token, challenge: token, method: .plain), "plain refuses its own challenge: \(token)")
            fuzzCheck(!PKCE.verify(verifier: token, challenge: token + "A", method: .plain), "plain accepts another challenge: \(token)")
        }
    }
}
