import Synchronization

/// What the handling of one request learned for its log entry (the OAuth error it answered, the client),
/// carried in a task-local so that endpoints need not thread it through.
final class RequestNote: Sendable {
    struct Fields: Sendable {
        var error: String?
        var errorDescription: String?
        /// The request's parameters, once the endpoint has parsed them.
        var form: FormParameters?
        /// The client id of the request's Basic credentials, once client authentication has decoded them.
        var basicClientID: String?
        /// The registered client the request turned out to be for (client authentication, an access token's client,
        /// logout's client): whose `allowed_origins` CORS checks the response against.
        var clientID: String?
    }

    @TaskLocal static var current: RequestNote?

    let fields = Mutex(Fields())

    /// Notes the parameters the endpoint parsed, if a request is being logged.
    static func form(_ form: FormParameters) {
        current?.fields.withLock { $0.form = form }
    }

    /// Notes the client id of the Basic credentials, decoded, if a request is being logged: the log need not decode
    /// them a second time.
    static func basicClientID(_ clientID: String) {
        current?.fields.withLock { $0.basicClientID = clientID }
    }

    /// Notes the registered client the request is for, if a request is being logged.
    static func client(_ clientID: String) {
        current?.fields.withLock { $0.clientID = clientID }
    }

    /// The client noted for the current request, if any.
    static var clientID: String? {
        current?.fields.withLock { $0.clientID }
    }

    /// Notes the OAuth error this request answers with, if a request is being logged.
    static func error(_ code: String, _ description: String) {
        current?.fields.withLock {
            $0.error = code
            $0.errorDescription = description
        }
    }
}
