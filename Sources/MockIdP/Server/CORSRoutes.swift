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

    /// The CORS paths of an issuer's layout, below its mount path.
    static func exactPaths(_ paths: EndpointPaths) -> [(String, Route)] {
        var routes: [(String, Route)] = [
            (paths.openIDConfiguration, Route(audience: .everyone, methods: "GET")),
            (paths.jwks, Route(audience: .everyone, methods: "GET")),
            (paths.token, Route(audience: .client, methods: "POST")),
            (paths.userinfo, Route(audience: .client, methods: "GET, POST")),
            (paths.deviceAuthorization, Route(audience: .client, methods: "POST")),
            (paths.endSession, Route(audience: .client, methods: "GET, POST")),
        ]
        if let path = paths.authorizationServerMetadata { routes.append((path, Route(audience: .everyone, methods: "GET"))) }
        if let path = paths.introspection { routes.append((path, Route(audience: .client, methods: "POST"))) }
        if let path = paths.revocation { routes.append((path, Route(audience: .client, methods: "POST"))) }
        // A client registering itself from a browser (an MCP inspector's page) is no client yet: any origin, as open
        // registration takes anyone; the initial access token, when required, still guards it.
        if let path = paths.registration { routes.append((path, Route(audience: .everyone, methods: "POST"))) }
        return routes
    }
    static let debug = Route(audience: .developers, methods: "GET, POST, DELETE")

    private let routes: [String: Route]
    /// The issuer's /debug, under its mount path.
    private let debugPath: String
    private let debugSubpaths: String

    /// - Parameters:
    ///   - paths: the issuer's endpoint paths.
    ///   - mountPath: the issuer's mount path, `""` at the root.
    ///   - rootMetadataPath: RFC 8414 §3.1's root path for the issuer's metadata, when it has a path.
    init(paths: EndpointPaths, mountPath: String, rootMetadataPath: String? = nil) {
        var routes = Self.exactPaths(paths).map { (mountPath + $0.0, $0.1) }
        if let rootMetadataPath { routes.append((rootMetadataPath, Route(audience: .everyone, methods: "GET"))) }
        self.routes = Dictionary(routes, uniquingKeysWith: { first, _ in first })
        self.debugPath = mountPath + EndpointPaths.debug
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
    static func addRoutes(to router: some RouterMethods<IdPRequestContext>, paths: EndpointPaths) {
        for (path, route) in exactPaths(paths) {
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
        "/debug/fixtures", "/debug/keys/rotate", "/debug/issuers",
    ]

    private static func allow(_ route: Route) -> Response {
        Response(status: .noContent, headers: [.allow: "OPTIONS, " + route.methods])
    }
}
