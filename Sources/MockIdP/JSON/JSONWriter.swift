#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Writes `ClaimValue`s as compact JSON text (RFC 8259) straight into bytes: object members sorted by their names'
/// UTF-8 bytes, "/" left unescaped, non-ASCII characters written as UTF-8.
///
/// Token payloads, token responses, userinfo and introspection answers are written with it. JSONEncoder, going
/// through `Encodable`, cost about a tenth of the server's CPU per client_credentials token under load.
struct JSONWriter {
    private(set) var bytes: [UInt8] = []

    init(capacity: Int = 256) {
        bytes.reserveCapacity(capacity)
    }

    /// `object` as JSON text.
    static func encode(_ object: [String: ClaimValue]) -> [UInt8] {
        var writer = JSONWriter()
        writer.write(object)
        return writer.bytes
    }

    mutating func write(_ value: ClaimValue) {
        switch value {
        case .null: append("null")
        case .bool(let value): append(value ? "true" : "false")
        case .int(let value): append(String(value))
        case .double(let value): write(value)
        case .string(let value): write(value)
        case .array(let elements):
            bytes.append(UInt8(ascii: "["))
            for (index, element) in elements.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                write(element)
            }
            bytes.append(UInt8(ascii: "]"))
        case .object(let members): write(members)
        }
    }

    mutating func write(_ object: [String: ClaimValue]) {
        bytes.append(UInt8(ascii: "{"))
        for (index, member) in object.sorted(by: { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }).enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            write(member.key)
            bytes.append(UInt8(ascii: ":"))
            write(member.value)
        }
        bytes.append(UInt8(ascii: "}"))
    }

    /// The shortest text that reads back as the same Double, as JSONEncoder writes it ("1" for 1.0). JSON has no
    /// infinities or NaN; none can come from parsed JSON, and one put together in code is written as null.
    private mutating func write(_ number: Double) {
        guard number.isFinite else { return append("null") }
        let text = number.description
        append(text.hasSuffix(".0") ? String(text.dropLast(2)) : text)
    }

    /// RFC 8259 §7: the quotation mark, the reverse solidus and the control characters (U+0000 to U+001F) are escaped.
    private mutating func write(_ string: String) {
        bytes.append(UInt8(ascii: "\""))
        // Tokens, URLs and most claims need no escape: copied whole. The UTF-8 is scanned as a buffer (a closure over
        // `String.UTF8View` cost about 30 instructions a byte); `withUTF8` copies only a string that is not already
        // contiguous UTF-8, which no native string is.
        var contiguous = string
        if contiguous.withUTF8(Self.needsNoEscape) {
            bytes.append(contentsOf: string.utf8)
            return bytes.append(UInt8(ascii: "\""))
        }
        for byte in string.utf8 {
            switch byte {
            case UInt8(ascii: "\""): append(#"\""#)
            case UInt8(ascii: "\\"): append(#"\\"#)
            case 0x0A: append(#"\n"#)
            case 0x0D: append(#"\r"#)
            case 0x09: append(#"\t"#)
            case 0x08: append(#"\b"#)
            case 0x0C: append(#"\f"#)
            case 0x00..<0x20:
                append(#"\u00"#)
                bytes.append(Self.hexDigits[Int(byte >> 4)])
                bytes.append(Self.hexDigits[Int(byte & 0x0F)])
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    private static func needsNoEscape(_ utf8: UnsafeBufferPointer<UInt8>) -> Bool {
        for byte in utf8 where byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
            return false
        }
        return true
    }

    private mutating func append(_ text: String) {
        bytes.append(contentsOf: text.utf8)
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)
}

extension ClaimValue {
    /// The value as JSON text (`JSONWriter`).
    var jsonBytes: [UInt8] {
        var writer = JSONWriter()
        writer.write(self)
        return writer.bytes
    }
}
