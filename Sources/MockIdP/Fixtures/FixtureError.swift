/// Fixtures that could not be loaded or added: every problem found, not only the first.
public struct MockIdPFixtureError: Error, Sendable, CustomStringConvertible {
    /// One problem in a fixture file, located by file, entry and field.
    ///
    /// The location is kept as values (`index`, `id`, `field`); `description` formats them, e.g.
    /// `clients.json, index 2 (client_id "budgetify"), field "redirect_uris[0]": not an absolute URI`.
    public struct Problem: Error, Sendable, Hashable, CustomStringConvertible {
        /// The file, e.g. `clients.json` (with its directory when loaded from one).
        public var file: String
        /// The entry's position in the file's array (or in a runtime request's body); `nil` for a whole-file problem.
        public var index: Int?
        /// The entry's identifying field, e.g. `client_id`; `nil` when the entry has no usable id.
        public var idField: String?
        /// The entry's id, e.g. `budgetify`.
        public var id: String?
        /// The field, e.g. `redirect_uris[0]`; `nil` for a whole-entry problem.
        public var field: String?
        /// What kind of problem it is, as a value a caller can switch on.
        public var code: Code
        /// What is wrong, in words.
        public var reason: String

        /// A problem at `file`, entry `index` (named by `idField` = `id`), `field`.
        public init(
            file: String, index: Int? = nil, idField: String? = nil, id: String? = nil, field: String? = nil, code: Code = .invalidValue,
            reason: String
        ) {
            self.file = file
            self.index = index
            self.idField = id?.isEmpty == false ? idField : nil
            self.id = id?.isEmpty == false ? id : nil
            self.field = field
            self.code = code
            self.reason = reason
        }

        /// The entry as text, e.g. `index 2 (client_id "budgetify")`; `nil` for a whole-file problem.
        public var entry: String? {
            guard let index else { return nil }
            guard let idField, let id else { return "index \(index)" }
            return "index \(index) (\(idField) \"\(id)\")"
        }

        /// `file, entry, field "name": reason`.
        public var description: String {
            [file, entry, field.map { "field \"\($0)\"" }].compactMap { $0 }.joined(separator: ", ") + ": " + reason
        }
    }

    /// The kinds of fixture problem.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case unreadable, malformedJSON = "malformed_json", wrongType = "wrong_type", missingField = "missing_field"
            case unknownField = "unknown_field", duplicate, undefinedReference = "undefined_reference", invalidValue = "invalid_value"
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// A directory or file that is missing or cannot be read.
        public static let unreadable = Code(.unreadable)
        /// A file that is not valid JSON (RFC 8259), with the line and column.
        public static let malformedJSON = Code(.malformedJSON)
        /// A value of the wrong JSON type, e.g. a string where an array is expected.
        public static let wrongType = Code(.wrongType)
        /// A required field that is absent.
        public static let missingField = Code(.missingField)
        /// A field MockIdP does not know (a typo, most often).
        public static let unknownField = Code(.unknownField)
        /// An id (`sub`, `username`, `client_id`, scope `name`) used twice.
        public static let duplicate = Code(.duplicate)
        /// A reference to something not defined, e.g. a client's scope missing from scopes.json.
        public static let undefinedReference = Code(.undefinedReference)
        /// A value of the right type that breaks a rule (an empty string, a relative redirect URI, a lifetime out of range …).
        public static let invalidValue = Code(.invalidValue)

        /// The code's name, e.g. `unknown_field`.
        public var description: String { base.rawValue }
    }

    /// Every problem found.
    public var problems: [Problem]

    /// An error listing `problems`.
    public init(problems: [Problem]) {
        self.problems = problems
    }

    /// `invalid fixtures (N problems):` and one line for each.
    public var description: String {
        let count = problems.count == 1 ? "1 problem" : "\(problems.count) problems"
        return "invalid fixtures (\(count)):\n" + problems.map { "  - \($0)" }.joined(separator: "\n")
    }
}
