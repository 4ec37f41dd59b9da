/// RFC 8628 §6.1 user codes: eight characters from 20 consonants (no vowels, so no words; no look-alikes).
enum UserCode {
    static let alphabet = Array("BCDFGHJKLMNPQRSTVWXZ")

    static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        return String((0..<8).map { _ in alphabet.randomElement(using: &generator) ?? "B" })
    }

    /// `WDJBMJHT` → `WDJB-MJHT`.
    static func display(_ code: String) -> String {
        "\(code.prefix(4))-\(code.dropFirst(4))"
    }

    /// What the user typed, case-insensitive and without separators (RFC 8628 §6.1).
    static func normalize(_ input: String) -> String {
        String(input.uppercased().filter { $0.isLetter || $0.isNumber })
    }
}
