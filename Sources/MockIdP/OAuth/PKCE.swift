import Crypto

/// Proof Key for Code Exchange (RFC 7636).
package enum PKCE {
    package enum Method: String, Sendable, CaseIterable {
        case s256 = "S256"
        case plain
    }

    /// RFC 7636 §4.1: `code-verifier = 43*128unreserved`; §4.2 gives the challenge the same shape.
    package static func isWellFormed(_ value: String) -> Bool {
        (43...128).contains(value.utf8.count) && value.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                true
            default:
                false
            }
        }
    }

    /// RFC 7636 §4.6: `BASE64URL-ENCODE(SHA256(ASCII(code_verifier))) == code_challenge` for S256, equality for plain.
    package static func verify(verifier: String, challenge: String, method: Method) -> Bool {
        switch method {
        case .s256: constantTimeEquals(SHA256.hash(data: Array(verifier.utf8)).base64URLEncoded, challenge)
        case .plain: constantTimeEquals(verifier, challenge)
        }
    }
}
