#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension Sequence<UInt8> {
    /// Base64url without padding (RFC 7515 §2), as JWS, JWK and PKCE use it.
    var base64URLEncoded: String {
        Data(self).base64EncodedString()
            .replacing("+", with: "-")
            .replacing("/", with: "_")
            .replacing("=", with: "")
    }
}

extension String {
    /// Decodes base64url with or without padding; `nil` if it is not base64url.
    var base64URLDecoded: Data? {
        if contains(where: { $0 == "+" || $0 == "/" }) { return nil }
        var base64 = self.replacing("=", with: "").replacing("-", with: "+").replacing("_", with: "/")
        switch base64.utf8.count % 4 {
        case 2: base64 += "=="
        case 3: base64 += "="
        case 1: return nil
        default: break
        }
        return Data(base64Encoded: base64)
    }
}
