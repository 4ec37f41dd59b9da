#if canImport(FoundationEssentials)
package import FoundationEssentials
#else
package import Foundation
#endif

/// Base64url without padding (RFC 7515 §2), as JWS, JWK and PKCE use it.
///
/// Every token is three of these, so encoding works on bytes directly: going through base64 and then replacing
/// characters in a `String` took a tenth of the server's time under load.
private let base64URLAlphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

extension Sequence<UInt8> {
    package var base64URLEncoded: String {
        let bytes = self as? [UInt8] ?? Array(self)
        return bytes.withUnsafeBufferPointer { input in
            let count = input.count / 3 * 4 + [0, 2, 3][input.count % 3]
            return base64URLAlphabet.withUnsafeBufferPointer { alphabet in
                String(unsafeUninitializedCapacity: count) { output in
                    func character(_ group: UInt32, _ shift: UInt32) -> UInt8 { alphabet[Int(group >> shift & 0x3F)] }
                    var written = 0
                    var index = 0
                    while index + 3 <= input.count {
                        let group = UInt32(input[index]) << 16 | UInt32(input[index + 1]) << 8 | UInt32(input[index + 2])
                        output[written] = character(group, 18)
                        output[written + 1] = character(group, 12)
                        output[written + 2] = character(group, 6)
                        output[written + 3] = character(group, 0)
                        written += 4
                        index += 3
                    }
                    let remaining = input.count - index
                    if remaining > 0 {
                        let group = UInt32(input[index]) << 16 | (remaining == 2 ? UInt32(input[index + 1]) << 8 : 0)
                        output[written] = character(group, 18)
                        output[written + 1] = character(group, 12)
                        if remaining == 2 { output[written + 2] = character(group, 6) }
                        written += remaining + 1
                    }
                    return written
                }
            }
        }
    }
}

extension String {
    /// Decodes base64url with or without padding; `nil` if it is not base64url.
    package var base64URLDecoded: Data? {
        var base64: [UInt8] = []
        base64.reserveCapacity(utf8.count + 2)
        for byte in utf8 {
            switch byte {
            case UInt8(ascii: "+"), UInt8(ascii: "/"): return nil
            case UInt8(ascii: "="): continue
            case UInt8(ascii: "-"): base64.append(UInt8(ascii: "+"))
            case UInt8(ascii: "_"): base64.append(UInt8(ascii: "/"))
            default: base64.append(byte)
            }
        }
        switch base64.count % 4 {
        case 2: base64 += Array("==".utf8)
        case 3: base64.append(UInt8(ascii: "="))
        case 1: return nil
        default: break
        }
        return Data(base64Encoded: Data(base64))
    }
}
