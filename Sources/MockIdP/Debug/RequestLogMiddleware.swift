import Hummingbird
import HTTPTypes
import Synchronization

/// Records every request (method, path, client, parameters redacted, status, OAuth error) for /debug/requests.
struct RequestLogMiddleware: RouterMiddleware {
    typealias Context = IdPRequestContext
    let log: RequestLog
    let clock: ServerClock
    /// The issuer's /debug and /healthz, under its path prefix: not logged.
    private let debugPath: String
    private let healthPath: String

    /// - Parameter pathPrefix: the issuer's path prefix, `""` at the root.
    init(log: RequestLog, clock: ServerClock, pathPrefix: String) {
        self.log = log
        self.clock = clock
        self.debugPath = pathPrefix + "/debug"
        self.healthPath = pathPrefix + EndpointPaths.healthz
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        // The log's own reads would only fill it with themselves.
        if request.uri.path.hasPrefix(debugPath) || request.uri.path == healthPath {
            return try await next(request, context)
        }
        let note = RequestNote()
        let response = try await RequestNote.$current.withValue(note) {
            try await next(request, context)
        }
        let fields = note.fields.withLock { $0 }
        // The parameters as the endpoint read them: the body is read once, by the endpoint, which also refuses
        // one that is too large in its own format (an error page for the browser's pages, JSON for the rest).
        let form = fields.form ?? FormParameters()
        var parameters: [String: String] = [:]
        for (name, value) in form.values {
            parameters[name] =
                LoggedRequest.redacted.contains(name) ? "[redacted]" : value.utf8.count <= 512 ? value : String(value.prefix(512))
        }
        var clientID = form["client_id"] ?? fields.basicClientID
        // A JWT assertion (RFC 7523) names its client in its iss, which the handling noted.
        if clientID == nil, form["client_assertion"] != nil || form["assertion"] != nil { clientID = fields.clientID }
        if clientID == nil, let authorization = request.headers[.authorization], authorization.lowercased().hasPrefix("basic ") {
            clientID = try? ClientAuthentication.basicCredentials(authorization).0
        }
        log.append(
            LoggedRequest(
                time: clock.now,
                method: request.method.rawValue,
                path: request.uri.path,
                clientID: clientID,
                grantType: form["grant_type"],
                status: response.status.code,
                error: fields.error,
                errorDescription: fields.errorDescription,
                parameters: parameters
            )
        )
        return response
    }
}
