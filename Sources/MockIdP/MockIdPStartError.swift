/// MockIdP could not start: the server stopped before it was listening.
///
/// Invalid fixtures throw `MockIdPFixtureError` and a bind failure (address in use) throws the bind error itself;
/// this error covers the rest.
public struct MockIdPStartError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, as a value a caller can switch on.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case stoppedBeforeReady = "stopped_before_ready"
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The server's task ended before it reported that it was listening, without an error of its own.
        public static let stoppedBeforeReady = Code(.stoppedBeforeReady)

        /// The code's name, e.g. `stopped_before_ready`.
        public var description: String { base.rawValue }
    }

    /// What went wrong.
    public var code: Code
    /// Why, in words.
    public var reason: String

    init(_ code: Code, _ reason: String) {
        self.code = code
        self.reason = reason
    }

    /// `MockIdP did not start: …`.
    public var description: String { "MockIdP did not start: \(reason)" }
}
