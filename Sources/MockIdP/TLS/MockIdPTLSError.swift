/// A certificate or key MockIdP was asked to serve cannot be used: the server does not start.
///
/// Its description is one line naming the file, e.g.
/// `TLS certificate /srv/cert.pem: the file does not exist`.
public struct MockIdPTLSError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, as a value a caller can switch on.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case missing
            case unreadable
            case notPEM = "not_pem"
            case keyMismatch = "key_mismatch"
            case unwritable
            case invalid
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The file does not exist.
        public static let missing = Code(.missing)
        /// The file exists but cannot be read (permissions, a directory).
        public static let unreadable = Code(.unreadable)
        /// The file holds no PEM certificate (for a certificate) or no PEM private key (for a key).
        public static let notPEM = Code(.notPEM)
        /// The private key is not the key of the certificate.
        public static let keyMismatch = Code(.keyMismatch)
        /// The CA certificate could not be written to the file asked for.
        public static let unwritable = Code(.unwritable)
        /// The TLS library refused the certificate or key for another reason.
        public static let invalid = Code(.invalid)

        /// The code's name, e.g. `not_pem`.
        public var description: String { base.rawValue }
    }

    /// What went wrong.
    public var code: Code
    /// The file concerned.
    public var file: String
    /// What the file was for: `TLS certificate`, `TLS private key` or `CA certificate output`.
    public var role: String
    /// Why, in words.
    public var reason: String

    init(_ code: Code, role: String, file: String, _ reason: String) {
        self.code = code
        self.role = role
        self.file = file
        self.reason = reason
    }

    /// One line: the file's role, the file and the reason.
    public var description: String { "\(role) \(file): \(reason)" }
}
