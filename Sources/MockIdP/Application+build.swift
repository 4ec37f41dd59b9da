import Hummingbird
import HummingbirdCore
import Logging
import NIOCore

/// One issuer as the server mounts it: its state, for the endpoints, its controls, for /debug, and its own router.
struct MountedIssuer: Sendable {
    let controls: DebugControls
    var state: IdPState { controls.state }

    /// The root issuer: the configured fixtures and layout, a request log of the configured capacity, and the server's
    /// TLS certificate.
    ///
    /// - Throws: `MockIdPFixtureError` for invalid fixtures, `MockIdPTLSError` for a certificate or key that cannot be used.
    static func make(configuration: MockIdPConfiguration) async throws -> MountedIssuer {
        try await make(
            configuration: configuration, fixtures: IdPState.rootFixtures(configuration: configuration),
            server: ServerBase(configuration.issuer(boundPort: configuration.port)), name: nil, layout: configuration.layout
        )
    }

    /// An issuer of the server whose base URL is `server`: `name` `nil` for the root issuer.
    ///
    /// - Throws: `MockIdPFixtureError` for invalid fixtures, `MockIdPTLSError` for a certificate or key that cannot be used.
    static func make(
        configuration: MockIdPConfiguration, fixtures: MockIdPFixtures, server: ServerBase, name: String?, layout: MockIdPConfiguration.Layout
    ) async throws -> MountedIssuer {
        let state = try await IdPState.make(configuration: configuration, fixtures: fixtures, server: server, name: name, layout: layout)
        var controls = DebugControls(state: state, requestLog: RequestLog(capacity: configuration.requestLogCapacity))
        if name == nil, let tls = configuration.tls {
            controls.tls = try ServerTLS.make(tls, hosts: configuration.tlsCertificateHosts)
        }
        return MountedIssuer(controls: controls)
    }

    /// The issuer's own router: its middleware on the whole router (so that unmatched paths under its mount are logged
    /// and shaped too), its endpoints and /debug under its mount path.
    func buildRouter(issuers: IssuerTable? = nil) -> Router<IdPRequestContext> {
        // RFC 9110 §9.3.2: HEAD is GET without the content, on every GET route (the response keeps GET's headers).
        let router = Router(context: IdPRequestContext.self, options: .autoGenerateHeadEndpoints)
        let mountPath = state.issuer.mountPath
        router.add(middleware: RequestLogMiddleware(log: controls.requestLog, clock: state.clock, store: state.store, paths: state.paths, pathPrefix: mountPath))
        // Inside the request log, whose RequestNote names the client a response is for, and outside the error
        // middleware, so that error responses carry CORS headers too.
        let rootMetadataPath = DiscoveryEndpoint.rootMetadataPath(state.issuer)
        router.add(
            middleware: CORSMiddleware(
                liveRegistry: state.liveRegistry, routes: CORSRoutes(paths: state.paths, mountPath: mountPath, rootMetadataPath: rootMetadataPath)
            )
        )
        router.add(middleware: ErrorMiddleware())
        let routes = mountPath.isEmpty ? router.group() : router.group(RouterPath(mountPath))
        CORSRoutes.addRoutes(to: routes, paths: state.paths)
        DiscoveryEndpoint(state: state).addRoutes(to: routes, root: mountPath.isEmpty ? nil : router)
        JWKSEndpoint(state: state).addRoutes(to: routes)
        AuthorizeEndpoint(state: state).addRoutes(to: routes)
        TokenEndpoint(state: state).addRoutes(to: routes)
        UserInfoEndpoint(state: state).addRoutes(to: routes)
        IntrospectionEndpoint(state: state).addRoutes(to: routes)
        RevocationEndpoint(state: state).addRoutes(to: routes)
        DeviceAuthorizationEndpoint(state: state).addRoutes(to: routes)
        EndSessionEndpoint(state: state).addRoutes(to: routes)
        RegistrationEndpoint(state: state).addRoutes(to: routes)
        HealthEndpoint().addRoutes(to: routes)
        DebugRoutes(controls: controls, issuers: issuers).addRoutes(to: routes)
        if let issuers { IssuerDebugRoutes(issuers: issuers).addRoutes(to: routes) }
        return router
    }
}

/// The Hummingbird application for a server; `onServerRunning` fires once bound, before the first connection is accepted.
func buildApplication(
    configuration: MockIdPConfiguration,
    issuers: IssuerTable,
    onServerRunning: @escaping @Sendable (any Channel) async -> Void = { _ in }
) -> Application<IssuerDispatcher> {
    // A connection that sends nothing for 60 s is closed, so idle or stalled clients cannot pile up.
    let http1 = HTTP1Channel.Configuration(idleTimeout: .seconds(60))
    let root = issuers.root
    return Application(
        responder: IssuerDispatcher(root: root.buildRouter(issuers: issuers).buildResponder(), issuers: issuers),
        server: root.controls.tls.map { .https(http1, tls: $0, issuer: root.state.issuer) } ?? .http1(configuration: http1),
        configuration: ApplicationConfiguration(address: .hostname(configuration.host, port: configuration.port), serverName: nil),
        onServerRunning: onServerRunning,
        logger: configuration.logger
    )
}

/// The application for a server of one issuer (tests build it around an issuer they hold).
func buildApplication(
    configuration: MockIdPConfiguration,
    issuer: MountedIssuer,
    onServerRunning: @escaping @Sendable (any Channel) async -> Void = { _ in }
) -> Application<IssuerDispatcher> {
    buildApplication(configuration: configuration, issuers: IssuerTable(root: issuer, configuration: configuration), onServerRunning: onServerRunning)
}
