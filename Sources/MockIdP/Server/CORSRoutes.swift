import Hummingbird

/// The paths that answer cross-origin requests (CORS), whose origins each may serve, and the methods a preflight names.
///
/// The authorization endpoint, the device verification page and the other HTML pages are browser navigations, not
/// `fetch` calls: they need no CORS and get none.
struct CORSRoutes: Sendable {
    /// Whose origins a path answers.
    enum Audience: Sendable {
        /// Public data (discovery, the JWKS): every origin, as `Access-Control-Allow-Origin: *`.
        case everyone
        /// A client's endpoint: the origins of the client the request turned out to be for, else those any client
        /// allows (a preflight names no client; an unknown client_id, so that the page can read `invalid_client`).
        case client
        /// /debug's JSON: the origins any client allows, never an arbitrary page the developer happens to visit.
        case developers
    }

    struct Route: Sendable {
        let audience: Audience
        /// `Access-Control-Allow-Methods` of a preflight; also the `Allow` of a plain OPTIONS request.
        let methods: String
    }

    static let exactPaths: [(String, Route)] = [
        (EndpointPath.openIDConfiguration, Route(audience: .everyone, methods: "GET")),
        (EndpointPath.authorizationServerMetadata, Route(audience: .everyone, methods: "GET")),
        (EndpointPath.jwks, Route(audience: .everyone, methods: "GET")),
        (EndpointPath.token, Route(audience: .client, methods: "POST")),
        (EndpointPath.userinfo, Route(audience: .client, methods: "GET, POST")),
        (EndpointPath.introspection, Route(audience: .client, methods: "POST")),
        (EndpointPath.revocation, Route(audience: .client, methods: "POST")),
        (EndpointPath.deviceAuthorization, Route(audience: .client, methods: "POST")),
        (EndpointPath.endSession, Route(audience: .client, methods: "GET, POST")),
    ]
    static let debug = Route(audience: .developers, methods: "GET, POST, DELETE")

    private let routes: [String: Route]
    /// The issuer's /debug, under its path prefix.
    private let debugPath: String
    private let debugSubpaths: String

    /// - Parameter pathPrefix: the issuer's path prefix, `""` at the root.
    init(pathPrefix: String) {
        self.routes = Dictionary(Self.exactPaths.map { (pathPrefix + $0.0, $0.1) }, uniquingKeysWith: { first, _ in first })
        self.debugPath = pathPrefix + "/debug"
        self.debugSubpaths = debugPath + "/"
    }

    /// The route of a request path, `nil` for the paths that answer no cross-origin request.
    func route(for path: String) -> Route? {
        if let route = routes[path] { return route }
        return path == debugPath || path.hasPrefix(debugSubpaths) ? Self.debug : nil
    }

    /// Registers OPTIONS on every CORS path: the middleware answers preflights before they reach these handlers
    /// (an issuer under a path prefix is a router group, whose middleware runs only for the routes it has), and a
    /// plain OPTIONS request, without `Origin` and `Access-Control-Request-Method`, gets 204 with `Allow`
    /// (RFC 9110 §9.3.7).
    static func addRoutes(to router: some RouterMethods<IdPRequestContext>) {
        for (path, route) in exactPaths {
            router.on(RouterPath(path), method: .options) { _, _ in allow(route) }
        }
        // Each path by name: the router matches a path before its method, so a wildcard would not reach these.
        for path in debugPaths {
            router.on(RouterPath(path), method: .options) { _, _ in allow(debug) }
        }
    }

    /// DebugRoutes' paths (CORSTests checks each under a path prefix).
    static let debugPaths = [
        "/debug", "/debug/requests", "/debug/clock", "/debug/tokens", "/debug/next", "/debug/users", "/debug/clients",
        "/debug/fixtures", "/debug/keys/rotate",
    ]

    private static func allow(_ route: Route) -> Response {
        Response(status: .noContent, headers: [.allow: "OPTIONS, " + route.methods])
    }
}
