import Foundation
import Testing

@testable import MockIdP

@Suite struct Base64URLTests {
    /// What RFC 7515 §2 defines: base64 with the URL-safe alphabet and no padding.
    static func reference(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    @Test("encoding agrees with base64 in the URL-safe alphabet, unpadded, at every length, and decodes back")
    func roundTrip() {
        var generator = SystemRandomNumberGenerator()
        for length in 0...130 {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let encoded = bytes.base64URLEncoded
            #expect(encoded == Self.reference(bytes), "length \(length)")
            #expect(encoded.base64URLDecoded == Data(bytes), "length \(length)")
        }
        #expect(Array("\u{FB}\u{FF}".utf8).base64URLEncoded == "w7vDvw")
        #expect([0xFB, 0xFF, 0xBF].base64URLEncoded == "-_-_")
    }

    @Test("decoding takes padded input and refuses the standard alphabet and impossible lengths")
    func decoding() {
        #expect("-_-_".base64URLDecoded == Data([0xFB, 0xFF, 0xBF]))
        #expect("YQ==".base64URLDecoded == Data("a".utf8))
        #expect("YQ".base64URLDecoded == Data("a".utf8))
        #expect("+/+/".base64URLDecoded == nil)
        #expect("abcde".base64URLDecoded == nil)
        #expect("ab!d".base64URLDecoded == nil)
    }
}
