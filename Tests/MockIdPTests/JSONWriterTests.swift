import Foundation
import Testing

@testable import MockIdP

@Suite struct JSONWriterTests {
    static func text(_ value: ClaimValue) -> String { String(decoding: value.jsonBytes, as: UTF8.self) }

    static func encoderText(_ value: ClaimValue) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    @Test("claims are written as JSONEncoder writes them: compact, sorted, slashes unescaped, control characters escaped")
    func sameAsJSONEncoder() throws {
        let claims: ClaimValue = [
            "iss": "http://127.0.0.1:8080/realms/alpha",
            "sub": "alice",
            "aud": ["budgetify", "https://api.alpha-bank.example/"],
            "exp": 1_790_000_000,
            "iat": -5,
            "auth_time": 0,
            "email_verified": true,
            "phone_number_verified": false,
            "middle_name": .null,
            "ratio": .double(0.25),
            "big": .double(1e300),
            "tiny": .double(-2.5e-8),
            "whole": .double(3),
            "name": "Alice \"Al\" O'Brien \\ Ünïcödé 🦊 / tab\tnew\nline\r\u{8}\u{C}\u{1}\u{1F}\u{7F}",
            "address": ["street_address": "1 Main St\nFlat 2", "country": "NZ", "Postal_Code": "6011"],
            "A": 1, "_": 2, "a": 3, "Z": 4, "a_b": 5, "aB": 6, "ab": 7,
            "groups": [[], [:], [1, "two", [.double(3.5)]]],
        ]
        #expect(Self.text(claims) == (try Self.encoderText(claims)))
    }

    @Test("seeded random values read back as themselves, with every object's keys in UTF-8 order")
    func roundTrip() throws {
        var random = HostileInputTests.SeededGenerator(state: 7)
        for _ in 0..<500 {
            let value = Self.randomValue(&random, depth: 0)
            let bytes = value.jsonBytes
            let decoded = try JSONDecoder().decode(ClaimValue.self, from: Data(bytes))
            #expect(decoded == value, "\(Self.text(value))")
            #expect(Self.text(value) == (try Self.encoderText(value)) || Self.hasNonASCIIKey(value), "\(Self.text(value))")
        }
    }

    @Test("a non-finite number, which JSON cannot hold, is written as null")
    func nonFinite() {
        #expect(Self.text(["a": .double(.infinity), "b": .double(.nan)]) == #"{"a":null,"b":null}"#)
    }

    /// Where JSONEncoder's key order may differ from UTF-8 order.
    static func hasNonASCIIKey(_ value: ClaimValue) -> Bool {
        switch value {
        case .object(let members): members.keys.contains { !$0.utf8.allSatisfy { $0 < 0x80 } } || members.values.contains(where: hasNonASCIIKey)
        case .array(let elements): elements.contains(where: hasNonASCIIKey)
        default: false
        }
    }

    static func randomString(_ random: inout HostileInputTests.SeededGenerator) -> String {
        let pieces = ["a", "Z", "_", "0", " ", "\"", "\\", "/", "\n", "\u{0}", "\u{1B}", "\u{7F}", "é", "€", "𝄞", "sub", "email"]
        return (0..<Int.random(in: 0...8, using: &random)).map { _ in pieces.randomElement(using: &random)! }.joined()
    }

    static func randomValue(_ random: inout HostileInputTests.SeededGenerator, depth: Int) -> ClaimValue {
        switch Int.random(in: 0...(depth < 3 ? 6 : 4), using: &random) {
        case 0: return .null
        case 1: return .bool(Bool.random(using: &random))
        case 2: return .int(Int.random(in: Int.min...Int.max, using: &random))
        // Doubles with a fraction: a whole double is written as an integer and reads back as .int.
        case 3: return .double(Double(Int.random(in: -1_000_000...1_000_000, using: &random)) + 0.5)
        case 4: return .string(randomString(&random))
        case 5: return .array((0..<Int.random(in: 0...4, using: &random)).map { _ in randomValue(&random, depth: depth + 1) })
        default:
            var members: [String: ClaimValue] = [:]
            for _ in 0..<Int.random(in: 0...5, using: &random) { members[randomString(&random)] = randomValue(&random, depth: depth + 1) }
            return .object(members)
        }
    }
}
