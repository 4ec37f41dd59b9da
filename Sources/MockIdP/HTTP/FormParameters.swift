/// Parameters of an `application/x-www-form-urlencoded` body or a query string (RFC 6749 Appendix B).
///
/// RFC 6749 §3.1: "Parameters sent without a value MUST be treated as if they were omitted from the request. ...
/// Request and response parameters MUST NOT be included more than once." Duplicates are kept aside, so that
/// each endpoint decides how to report them (`rejectDuplicates`, in OAuth/).
package struct FormParameters: Sendable {
    /// Bytes that are not a form: bad percent-encoding, invalid UTF-8, too many parameters.
    package struct Malformed: Error, Sendable {
        package let reason: String
    }

    package private(set) var values: [String: String] = [:]
    package private(set) var duplicated: [String] = []
    /// Every value of a parameter that may repeat (RFC 8707 `resource`, RFC 8693 `audience`).
    private(set) var repeatable: [String: [String]] = [:]

    /// Parameters a request may carry more than once: RFC 8707 §2 `resource`, RFC 8693 §2.1 `audience` ("Multiple
    /// audience parameters may be used"), and the consent page's checked scopes (one `mockidp_consent_scope` per checked
    /// box, as browsers post a checkbox list). A single-valued reading (`form["audience"]`) sees the last one.
    package static let repeatableNames: Set<String> = ["resource", "audience", "mockidp_consent_scope"]

    package static let maxParameters = 256

    init(_ values: [String: String] = [:]) {
        self.values = values
    }

    /// Parses `bytes`; throws `Malformed` for bad percent-encoding, invalid UTF-8 or too many parameters.
    package init(parsing bytes: some Collection<UInt8>) throws(Malformed) {
        var count = 0
        for pair in bytes.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            count += 1
            if count > Self.maxParameters {
                throw Malformed(reason: "too many parameters (at most \(Self.maxParameters))")
            }
            let parts = pair.split(separator: UInt8(ascii: "="), maxSplits: 1, omittingEmptySubsequences: false)
            let name = try Self.decode(parts[0])
            let value = parts.count > 1 ? try Self.decode(parts[1]) : ""
            if Self.repeatableNames.contains(name) {
                if !value.isEmpty { repeatable[name, default: []].append(value) }
            } else if values[name] != nil, !duplicated.contains(name) {
                duplicated.append(name)
            }
            values[name] = value
        }
    }

    package init(query: String?) throws(Malformed) {
        try self.init(parsing: Array((query ?? "").utf8))
    }

    /// A parameter's value; an empty value counts as omitted.
    package subscript(name: String) -> String? {
        guard let value = values[name], !value.isEmpty else { return nil }
        return value
    }

    /// Every non-empty value of a repeatable parameter.
    package func all(_ name: String) -> [String] {
        repeatable[name] ?? []
    }

    /// Form-urldecoding: `+` is a space, `%XX` a byte, and the result must be UTF-8.
    package static func decode(_ bytes: some Collection<UInt8>) throws(Malformed) -> String {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var iterator = bytes.makeIterator()
        while let byte = iterator.next() {
            switch byte {
            case UInt8(ascii: "+"):
                output.append(UInt8(ascii: " "))
            case UInt8(ascii: "%"):
                guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else {
                    throw Malformed(reason: "malformed percent-encoding")
                }
                output.append(high << 4 | low)
            default:
                output.append(byte)
            }
        }
        guard let string = String(validating: output, as: UTF8.self) else {
            throw Malformed(reason: "parameters are not valid UTF-8")
        }
        return string
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// Percent-encodes everything but RFC 3986 unreserved characters, for building redirect URIs.
    package static func encode(_ string: String) -> String {
        var output = ""
        for byte in string.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                output.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = Array("0123456789ABCDEF".unicodeScalars)
                output.unicodeScalars.append("%")
                output.unicodeScalars.append(hex[Int(byte >> 4)])
                output.unicodeScalars.append(hex[Int(byte & 0x0F)])
            }
        }
        return output
    }

    package static func encode(_ pairs: [(String, String)]) -> String {
        pairs.map { "\(encode($0.0))=\(encode($0.1))" }.joined(separator: "&")
    }
}
