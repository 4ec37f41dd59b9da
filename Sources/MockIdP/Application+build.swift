import Hummingbird
import Logging
import NIOCore

/// The composition root: every endpoint on one router, behind the error middleware.
func buildRouter(server: AuthorizationServer) -> Router<IdPRequestContext> {
    let router = Router(context: IdPRequestContext.self)
    router.add(middleware: RequestLogMiddleware(log: server.requestLog, clock: server.clock))
    router.add(middleware: ErrorMiddleware())
    DiscoveryEndpoint(server: server).addRoutes(to: router)
    JWKSEndpoint(server: server).addRoutes(to: router)
    AuthorizeEndpoint(server: server).addRoutes(to: router)
    TokenEndpoint(server: server).addRoutes(to: router)
    UserInfoEndpoint(server: server).addRoutes(to: router)
    IntrospectionEndpoint(server: server).addRoutes(to: router)
    RevocationEndpoint(server: server).addRoutes(to: router)
    DeviceAuthorizationEndpoint(server: server).addRoutes(to: router)
    EndSessionEndpoint(server: server).addRoutes(to: router)
    HealthEndpoint().addRoutes(to: router)
    DebugRoutes(server: server).addRoutes(to: router)
    return router
}

extension AuthorizationServer {
    /// Loads fixtures and keys into a ready-to-serve state; the issuer is provisional until the port is bound.
    static func make(configuration: Configuration) async throws -> AuthorizationServer {
        let fixtures: Fixtures
        switch configuration.fixtures {
        case .builtIn:
            fixtures = try FixtureLoader.builtIn()
        case .directory(let path):
            fixtures = try FixtureLoader.load(directory: path)
        case .standard:
            fixtures = try FixtureLoader.standard(logger: configuration.logger)
        case .values(let values):
            fixtures = values
        }
        return AuthorizationServer(
            directory: Directory(try Registry(fixtures)),
            keys: try await SigningKeys.make(configuration.signingAlgorithm),
            store: InMemoryStore(retention: configuration.expiredRetention),
            clock: ServerClock(),
            issuer: IssuerState(configuration.issuer(boundPort: configuration.port)),
            scripts: ScriptedResponses(),
            requestLog: RequestLog(capacity: configuration.requestLogCapacity),
            alwaysShowLoginPage: configuration.loginPage,
            logger: configuration.logger
        )
    }
}

/// The Hummingbird application for a server; `onServerRunning` fires once bound, before the first connection is accepted.
func buildApplication(
    configuration: Configuration,
    server: AuthorizationServer,
    onServerRunning: @escaping @Sendable (any Channel) async -> Void = { _ in }
) -> Application<RouterResponder<IdPRequestContext>> {
    Application(
        router: buildRouter(server: server),
        // A connection that sends nothing for 60 s is closed, so idle or stalled clients cannot pile up.
        server: .http1(configuration: .init(idleTimeout: .seconds(60))),
        configuration: ApplicationConfiguration(address: .hostname(configuration.host, port: configuration.port), serverName: nil),
        onServerRunning: onServerRunning,
        logger: configuration.logger
    )
}
