import Hummingbird
import HummingbirdCore
import Logging
import NIOCore

/// One issuer as the router mounts it: its state, for the endpoints, and its controls, for /debug.
struct MountedIssuer: Sendable {
    let controls: DebugControls
    var state: IdPState { controls.state }

    /// Loads an issuer's fixtures and keys, with a request log of the configured capacity, and its TLS certificate.
    ///
    /// - Throws: `MockIdPFixtureError` for invalid fixtures, `MockIdPTLSError` for a certificate or key that cannot be used.
    static func make(configuration: MockIdPConfiguration) async throws -> MountedIssuer {
        let state = try await IdPState.make(configuration: configuration)
        var controls = DebugControls(state: state, requestLog: RequestLog(capacity: configuration.requestLogCapacity))
        if let tls = configuration.tls {
            controls.tls = try ServerTLS.make(tls, hosts: configuration.tlsCertificateHosts)
        }
        return MountedIssuer(controls: controls)
    }
}

/// The composition root: every endpoint of one issuer on one router, behind the request log, CORS and the error middleware.
func buildRouter(issuer: MountedIssuer) -> Router<IdPRequestContext> {
    // RFC 9110 §9.3.2: HEAD is GET without the content, on every GET route (the response keeps GET's headers).
    let router = Router(context: IdPRequestContext.self, options: .autoGenerateHeadEndpoints)
    // The root issuer's middleware sits on the router itself, so that unmatched paths are logged and shaped too.
    addRoutes(of: issuer, to: router, pathPrefix: "")
    return router
}

/// Mounts one issuer's endpoints and /debug on `routes`: the router itself for an issuer at the root, or a group for
/// an issuer under a path prefix (`routes` is then `router.group(RouterPath(pathPrefix))`).
func addRoutes(of issuer: MountedIssuer, to routes: some RouterMethods<IdPRequestContext>, pathPrefix: String) {
    let state = issuer.state
    _ = routes.add(middleware: RequestLogMiddleware(log: issuer.controls.requestLog, clock: state.clock, pathPrefix: pathPrefix))
    // Inside the request log, whose RequestNote names the client a response is for, and outside the error
    // middleware, so that error responses carry CORS headers too.
    _ = routes.add(middleware: CORSMiddleware(liveRegistry: state.liveRegistry, routes: CORSRoutes(pathPrefix: pathPrefix)))
    _ = routes.add(middleware: ErrorMiddleware())
    CORSRoutes.addRoutes(to: routes)
    DiscoveryEndpoint(state: state).addRoutes(to: routes)
    JWKSEndpoint(state: state).addRoutes(to: routes)
    AuthorizeEndpoint(state: state).addRoutes(to: routes)
    TokenEndpoint(state: state).addRoutes(to: routes)
    UserInfoEndpoint(state: state).addRoutes(to: routes)
    IntrospectionEndpoint(state: state).addRoutes(to: routes)
    RevocationEndpoint(state: state).addRoutes(to: routes)
    DeviceAuthorizationEndpoint(state: state).addRoutes(to: routes)
    EndSessionEndpoint(state: state).addRoutes(to: routes)
    HealthEndpoint().addRoutes(to: routes)
    DebugRoutes(controls: issuer.controls).addRoutes(to: routes)
}

/// The Hummingbird application for a server; `onServerRunning` fires once bound, before the first connection is accepted.
func buildApplication(
    configuration: MockIdPConfiguration,
    issuer: MountedIssuer,
    onServerRunning: @escaping @Sendable (any Channel) async -> Void = { _ in }
) -> Application<RouterResponder<IdPRequestContext>> {
    // A connection that sends nothing for 60 s is closed, so idle or stalled clients cannot pile up.
    let http1 = HTTP1Channel.Configuration(idleTimeout: .seconds(60))
    return Application(
        router: buildRouter(issuer: issuer),
        server: issuer.controls.tls.map { .https(http1, tls: $0, issuer: issuer.state.issuer) } ?? .http1(configuration: http1),
        configuration: ApplicationConfiguration(address: .hostname(configuration.host, port: configuration.port), serverName: nil),
        onServerRunning: onServerRunning,
        logger: configuration.logger
    )
}
