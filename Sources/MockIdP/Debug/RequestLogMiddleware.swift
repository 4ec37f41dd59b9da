import Hummingbird
import HTTPTypes
import Synchronization

/// Records every request (method, path, client, parameters redacted, status, OAuth error) for /debug/requests.
struct RequestLogMiddleware: RouterMiddleware {
    typealias Context = IdPRequestContext
    let log: RequestLog
    let clock: ServerClock

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        // The log's own reads would only fill it with themselves.
        if request.uri.path.hasPrefix("/debug") || request.uri.path == EndpointPath.healthz {
            return try await next(request, context)
        }
        var request = request
        var form = (try? FormParameters(query: request.uri.query)) ?? FormParameters()
        var tooLarge: OAuthError?
        if request.method == .post, request.headers[.contentType]?.lowercased().hasPrefix("application/x-www-form-urlencoded") == true {
            // Collecting keeps the body readable by the endpoint. A body that cannot be collected cannot be read again
            // either, so an oversized one is refused here.
            do {
                let buffer = try await request.collectBody(upTo: context.maxUploadSize)
                form = (try? FormParameters(parsing: buffer.readableBytesView)) ?? form
            } catch {
                tooLarge = OAuthError(.invalidRequest, "request body is larger than \(context.maxUploadSize) bytes", status: .contentTooLarge)
            }
        }
        let note = RequestNote()
        let response = try await RequestNote.$current.withValue(note) {
            if let tooLarge {
                // The pages a browser opens get the error page (RFC 6749 §4.1.2.1), programs get JSON.
                let pages = [EndpointPath.authorize, EndpointPath.deviceVerification, EndpointPath.endSession]
                if pages.contains(request.uri.path) { return try AuthorizationPageError(error: tooLarge).response(from: request, context: context) }
                return try tooLarge.response(from: request, context: context)
            }
            return try await next(request, context)
        }
        var parameters: [String: String] = [:]
        for (name, value) in form.values {
            parameters[name] = LoggedRequest.redacted.contains(name) ? "[redacted]" : String(value.prefix(512))
        }
        var clientID = form["client_id"]
        if clientID == nil, let authorization = request.headers[.authorization], authorization.lowercased().hasPrefix("basic ") {
            clientID = try? ClientAuthentication.basicCredentials(authorization).0
        }
        let fields = note.fields.withLock { $0 }
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
