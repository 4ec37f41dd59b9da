/// Finds where JSON text goes wrong, for error messages: the decoder says only that it is invalid.
///
/// A small RFC 8259 recognizer; it runs only after decoding failed, so it costs nothing on the happy path.
package struct JSONSyntaxError: Error, CustomStringConvertible {
    package let line: Int
    package let column: Int
    package let reason: String

    package var description: String { "\(reason) at line \(line), column \(column)" }

    /// The first syntax error in `bytes`, or `nil` if they are valid JSON.
    package static func locate(in bytes: [UInt8]) -> JSONSyntaxError? {
        var scanner = Scanner(bytes: bytes)
        // RFC 8259 §8.1: JSON text is UTF-8.
        var iterator = bytes.makeIterator()
        var parser = Unicode.UTF8.ForwardParser()
        var offset = 0
        scan: while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let scalar):
                offset += scalar.count
            case .error:
                scanner.index = offset
                return scanner.error("invalid UTF-8")
            case .emptyInput:
                break scan
            }
        }
        do throws(JSONSyntaxError) {
            scanner.skipWhitespace()
            try scanner.value(depth: 0)
            scanner.skipWhitespace()
            if scanner.index < bytes.count { throw scanner.error("unexpected text after the JSON value") }
            return nil
        } catch {
            return error
        }
    }

    private struct Scanner {
        let bytes: [UInt8]
        var index = 0

        func error(_ reason: String) -> JSONSyntaxError {
            var line = 1
            var column = 1
            for byte in bytes[..<min(index, bytes.count)] {
                if byte == UInt8(ascii: "\n") {
                    line += 1
                    column = 1
                } else if byte & 0xC0 != 0x80 {
                    column += 1
                }
            }
            return JSONSyntaxError(line: line, column: column, reason: reason)
        }

        var current: UInt8? { index < bytes.count ? bytes[index] : nil }

        mutating func skipWhitespace() {
            while let byte = current, byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 { index += 1 }
        }

        mutating func expect(_ character: Character) throws(JSONSyntaxError) {
            guard current == character.asciiValue else {
                throw error(current == nil ? "unexpected end of file, expected '\(character)'" : "expected '\(character)'")
            }
            index += 1
        }

        mutating func value(depth: Int) throws(JSONSyntaxError) {
            guard depth < 512 else { throw error("nested too deeply") }
            guard let byte = current else { throw error("unexpected end of file, expected a value") }
            switch byte {
            case UInt8(ascii: "{"): try object(depth: depth)
            case UInt8(ascii: "["): try array(depth: depth)
            case UInt8(ascii: "\""): try string()
            case UInt8(ascii: "t"): try literal("true")
            case UInt8(ascii: "f"): try literal("false")
            case UInt8(ascii: "n"): try literal("null")
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): try number()
            default: throw error("unexpected character, expected a value")
            }
        }

        mutating func object(depth: Int) throws(JSONSyntaxError) {
            index += 1
            skipWhitespace()
            if current == UInt8(ascii: "}") {
                index += 1
                return
            }
            // RFC 8259 §4: "The names within an object SHOULD be unique"; a repeated one in a fixture is a mistake.
            var names = Set<ArraySlice<UInt8>>()
            while true {
                skipWhitespace()
                guard current == UInt8(ascii: "\"") else { throw error("expected a quoted member name") }
                let start = index
                try string()
                let name = bytes[start..<index]
                guard names.insert(name).inserted else {
                    index = start
                    throw error("duplicate member name \(String(decoding: name, as: UTF8.self))")
                }
                skipWhitespace()
                try expect(":")
                skipWhitespace()
                try value(depth: depth + 1)
                skipWhitespace()
                if current == UInt8(ascii: ",") {
                    index += 1
                    skipWhitespace()
                    if current == UInt8(ascii: "}") { throw error("trailing comma before '}'") }
                    continue
                }
                try expect("}")
                return
            }
        }

        mutating func array(depth: Int) throws(JSONSyntaxError) {
            index += 1
            skipWhitespace()
            if current == UInt8(ascii: "]") {
                index += 1
                return
            }
            while true {
                skipWhitespace()
                try value(depth: depth + 1)
                skipWhitespace()
                if current == UInt8(ascii: ",") {
                    index += 1
                    skipWhitespace()
                    if current == UInt8(ascii: "]") { throw error("trailing comma before ']'") }
                    continue
                }
                try expect("]")
                return
            }
        }

        mutating func string() throws(JSONSyntaxError) {
            index += 1
            while let byte = current {
                switch byte {
                case UInt8(ascii: "\""):
                    index += 1
                    return
                case UInt8(ascii: "\\"):
                    index += 1
                    guard let escaped = current, "\"\\/bfnrtu".utf8.contains(escaped) else { throw error("invalid escape in string") }
                    index += 1
                    if escaped == UInt8(ascii: "u") {
                        let start = index - 2
                        let unit = try codeUnit()
                        // RFC 8259 §7: a character outside the Basic Multilingual Plane is a surrogate pair; the
                        // decoder refuses either half alone.
                        if (0xDC00...0xDFFF).contains(unit) {
                            index = start
                            throw error("\\u escape is a lone low surrogate")
                        }
                        if (0xD800...0xDBFF).contains(unit) {
                            guard current == UInt8(ascii: "\\"), index + 1 < bytes.endIndex, bytes[index + 1] == UInt8(ascii: "u")
                            else {
                                index = start
                                throw error("\\u escape is a high surrogate without its low surrogate")
                            }
                            index += 2
                            guard (0xDC00...0xDFFF).contains(try codeUnit()) else {
                                index = start
                                throw error("\\u escape is a high surrogate without its low surrogate")
                            }
                        }
                    }
                case 0..<0x20:
                    throw error("control character in string (escape it)")
                default:
                    index += 1
                }
            }
            throw error("unterminated string")
        }

        mutating func literal(_ word: String) throws(JSONSyntaxError) {
            for expected in word.utf8 {
                guard current == expected else { throw error("unexpected character, expected '\(word)'") }
                index += 1
            }
        }

        /// The four hex digits after `\\u`, as a UTF-16 code unit.
        mutating func codeUnit() throws(JSONSyntaxError) -> UInt16 {
            var unit: UInt16 = 0
            for _ in 0..<4 {
                guard let hex = current, let value = hexValue(hex) else { throw error("\\u needs four hex digits") }
                unit = unit << 4 | UInt16(value)
                index += 1
            }
            return unit
        }

        /// RFC 8259 §6: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`, and, as the decoder requires, within
        /// the range of a `Double` (§6 lets a parser set that limit).
        mutating func number() throws(JSONSyntaxError) {
            let start = index
            if current == UInt8(ascii: "-") { index += 1 }
            if current == UInt8(ascii: "0") {
                index += 1
            } else if try digits() == 0 {
                throw error("invalid number")
            }
            if current == UInt8(ascii: ".") {
                index += 1
                if try digits() == 0 { throw error("invalid number: digits must follow the decimal point") }
            }
            if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
                index += 1
                if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { index += 1 }
                if try digits() == 0 { throw error("invalid number: digits must follow the exponent") }
            }
            guard let value = Double(String(decoding: bytes[start..<index], as: UTF8.self)), value.isFinite else {
                index = start
                throw error("number out of range")
            }
        }

        mutating func digits() throws(JSONSyntaxError) -> Int {
            var count = 0
            while let byte = current, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) {
                index += 1
                count += 1
            }
            return count
        }

        func hexValue(_ byte: UInt8) -> UInt8? {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
            default: nil
            }
        }
    }
}
