import HTTPTypes
import Hummingbird

/// Cross-origin resource sharing (the Fetch standard's CORS protocol) for the endpoints a browser app calls with
/// `fetch`: answers preflights, and lets the page read a response when its origin is allowed.
///
/// Which origins: `CORSRoutes.Audience`. A request without an `Origin` header (curl, a backend, a same-origin GET)
/// costs one header lookup. A disallowed origin gets no CORS header at all; the request itself is answered as for
/// any other caller, and the browser keeps the response from the page.
struct CORSMiddleware: RouterMiddleware {
    typealias Context = IdPRequestContext
    let liveRegistry: LiveRegistry
    let routes: CORSRoutes

    /// Chromium caps preflight caching at 2 hours; 10 minutes keeps a fixture change visible soon.
    static let maxAge = "600"
    /// `Authorization` (bearer tokens, client_secret_basic), `Content-Type` (a form or JSON body is not CORS-safelisted
    /// as JSON), `DPoP` (RFC 9449), and the headers fetch libraries commonly add.
    static let allowedHeaders = "Authorization, Content-Type, DPoP, Accept, Accept-Language, Content-Language, X-Requested-With"
    /// Headers a page may read beyond the CORS-safelisted ones: the RFC 6750 §3 and RFC 6749 §5.2 challenges.
    static let exposedHeaders = "WWW-Authenticate"

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.origin], let route = routes.route(for: request.uri.path) else {
            return try await next(request, context)
        }
        // Two Origin fields arrive joined by a comma, which no origin contains.
        guard WebOrigin.isWellFormedHeader(header) else {
            let shown = header.count <= 200 ? header : String(header.prefix(200)) + "…"
            return try OAuthError(
                .invalidRequest,
                "malformed Origin header \"\(shown)\": an origin is scheme://host[:port] (RFC 6454 §7), or null"
            ).response(from: request, context: context)
        }
        let origin = WebOrigin.normalized(header: header)
        if request.method == .options, request.headers[.accessControlRequestMethod] != nil {
            return try preflight(request, context: context, origin: origin, route: route)
        }
        var response = try await next(request, context)
        switch route.audience {
        case .everyone:
            response.headers[.accessControlAllowOrigin] = "*"
            response.headers[.accessControlExposeHeaders] = Self.exposedHeaders
        case .client:
            let registry = liveRegistry.registry
            let policy = RequestNote.clientID.flatMap { registry.originPolicy(clientID: $0) } ?? registry.anyClientOrigins
            if policy.allows(origin) { Self.allow(origin, on: &response.headers) }
        case .developers:
            if liveRegistry.registry.anyClientOrigins.allows(origin) { Self.allow(origin, on: &response.headers) }
        }
        return response
    }

    /// A preflight names no client: it is answered for an origin that any client allows (or any origin, for public
    /// data). A disallowed origin gets 403 without CORS headers, which the browser reports as a CORS failure; the
    /// body says why, for whoever reads the network panel or /debug/requests.
    private func preflight(_ request: Request, context: Context, origin: String, route: CORSRoutes.Route) throws -> Response {
        var headers: HTTPFields = [:]
        switch route.audience {
        case .everyone:
            headers[.accessControlAllowOrigin] = "*"
        case .client, .developers:
            guard liveRegistry.registry.anyClientOrigins.allows(origin) else {
                return try OAuthError(
                    .invalidRequest,
                    "origin \(origin) is not allowed by any client: list it in a client's allowed_origins in clients.json, "
                        + "or register a redirect URI at that origin",
                    status: .forbidden
                ).response(from: request, context: context)
            }
            headers[.accessControlAllowOrigin] = origin
            headers[.vary] = "Origin"
        }
        headers[.accessControlAllowMethods] = route.methods
        headers[.accessControlAllowHeaders] = Self.allowedHeaders
        headers[.accessControlMaxAge] = Self.maxAge
        return Response(status: .noContent, headers: headers)
    }

    /// The headers that let the page at `origin` read this response.
    private static func allow(_ origin: String, on headers: inout HTTPFields) {
        headers[.accessControlAllowOrigin] = origin
        headers[.accessControlExposeHeaders] = exposedHeaders
        if let vary = headers[.vary] {
            headers[.vary] = vary + ", Origin"
        } else {
            headers[.vary] = "Origin"
        }
    }
}
