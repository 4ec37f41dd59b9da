import Hummingbird
import HTTPTypes
import Synchronization

/// Records every request (method, path, client, parameters redacted, status, OAuth error) for /debug/requests.
struct RequestLogMiddleware: RouterMiddleware {
    typealias Context = IdPRequestContext
    let log: RequestLog
    let clock: ServerClock
    /// The issuer's store, asked which flow a refused request's code or token belongs to.
    let store: InMemoryStore
    /// The issuer's endpoint paths, to name the rule behind a refusal.
    let paths: EndpointPaths
    /// The issuer's /debug and /healthz, under its path prefix: not logged.
    private let debugPath: String
    private let healthPath: String
    private let pathPrefix: String

    /// - Parameter pathPrefix: the issuer's path prefix, `""` at the root.
    init(log: RequestLog, clock: ServerClock, store: InMemoryStore, paths: EndpointPaths, pathPrefix: String) {
        self.log = log
        self.clock = clock
        self.store = store
        self.paths = paths
        self.pathPrefix = pathPrefix
        self.debugPath = pathPrefix + "/debug"
        self.healthPath = pathPrefix + EndpointPaths.healthz
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        // The log's own reads would only fill it with themselves.
        if request.uri.path.hasPrefix(debugPath) || request.uri.path == healthPath {
            return try await next(request, context)
        }
        let note = RequestNote()
        let cause = RequestCause(id: log.nextID())
        let response = try await RequestNote.$current.withValue(note) {
            try await RequestCause.$current.withValue(cause) {
                try await next(request, context)
            }
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
        var touched = cause.read
        if touched.grants.isEmpty, response.status.code >= 400 {
            // Refused before the store was asked (a wrong secret, say): the flow its code or token belongs to.
            var presented = Self.presented.compactMap { form[$0] }
            if let header = request.headers[.authorization], let token = try? BearerToken.token(fromAuthorization: header) {
                presented.append(token)
            }
            if !presented.isEmpty {
                await RequestCause.$current.withValue(cause) { await store.touch(anyOf: presented) }
                touched = cause.read
            }
        }
        log.append(
            LoggedRequest(
                id: cause.id,
                time: clock.now,
                method: request.method.rawValue,
                path: request.uri.path,
                clientID: clientID,
                grantType: form["grant_type"],
                status: response.status.code,
                error: fields.error,
                errorDescription: fields.errorDescription,
                parameters: parameters,
                flows: touched.grants,
                sub: touched.sub,
                rule: fields.error.flatMap {
                    ErrorRule.rule(
                        for: $0, description: fields.errorDescription ?? "",
                        kind: RequestKind(path: String(request.uri.path.dropFirst(pathPrefix.count)), paths: paths)
                    )
                }
            )
        )
        return response
    }

    /// The parameters that carry a code or token of this issuer.
    private static let presented = ["code", "refresh_token", "token", "device_code", "subject_token", "actor_token", "id_token_hint"]
}
