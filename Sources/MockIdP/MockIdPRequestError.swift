import HTTPTypes

/// A request to a running MockIdP's controls was refused, with the OAuth error the HTTP API would give.
public struct MockIdPRequestError: Error, Sendable, CustomStringConvertible {
    /// An OAuth error code (RFC 6749 §5.2 and its extensions), as a value a caller can switch on.
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        /// The code as the HTTP API names it, e.g. `invalid_request`.
        public let rawValue: String
        /// A code named `rawValue`.
        public init(rawValue: String) { self.rawValue = rawValue }

        /// The request was malformed or out of range: an unknown client or user, a bad status, a clock move too far.
        public static let invalidRequest = Code(rawValue: "invalid_request")
        /// A scope the client may not have.
        public static let invalidScope = Code(rawValue: "invalid_scope")
        /// MockIdP could not do what was asked (a signing failure).
        public static let serverError = Code(rawValue: "server_error")

        /// The raw value.
        public var description: String { rawValue }
    }

    /// The OAuth error code.
    public var code: Code
    /// The HTTP status the same request gets over HTTP.
    public var status: Int
    /// What is wrong, in words (the `error_description`).
    public var description: String

    init(_ error: OAuthError) {
        code = Code(rawValue: error.code.rawValue)
        status = error.status.code
        description = error.description
    }

    /// Runs `body`, turning an `OAuthError` into this error.
    static func translating<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as OAuthError {
            throw MockIdPRequestError(error)
        }
    }

    /// Runs `body`, turning an `OAuthError` into this error.
    static func translating<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as OAuthError {
            throw MockIdPRequestError(error)
        }
    }
}
