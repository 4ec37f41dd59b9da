/// One problem in a fixture file, located by file, entry and field.
public struct FixtureProblem: Error, Sendable, Hashable, CustomStringConvertible {
    /// The file, e.g. `clients.json`.
    public var file: String
    /// The entry, e.g. `entry 2 (client_id "budgetify")`; `nil` for a whole-file problem.
    public var entry: String?
    /// The field, e.g. `redirect_uris[0]`; `nil` for a whole-entry problem.
    public var field: String?
    public var reason: String

    public var description: String {
        [file, entry, field.map { "field \"\($0)\"" }].compactMap { $0 }.joined(separator: ", ") + ": " + reason
    }
}

/// Fixtures that could not be loaded: every problem found, not only the first.
public struct FixtureError: Error, Sendable, CustomStringConvertible {
    public var problems: [FixtureProblem]

    public var description: String {
        let count = problems.count == 1 ? "1 problem" : "\(problems.count) problems"
        return "invalid fixtures (\(count)):\n" + problems.map { "  - \($0)" }.joined(separator: "\n")
    }
}
