import Logging

/// One issuer's state, shared by its endpoints: fixtures, keys, issued state, the clock, the issuer identifier and the
/// scripted responses. A value: a process can hold several (one per issuer), each mounted under its own path prefix.
struct IdPState: Sendable {
    let liveRegistry: LiveRegistry
    let keys: SigningKeys
    let store: InMemoryStore
    let clock: ServerClock
    let issuer: IssuerState
    let scripts: ScriptedResponses
    /// Show the user chooser on every authorization request, not only on prompt=login / select_account.
    let alwaysShowLoginPage: Bool
    /// Discovery names the back-channel endpoints under the host it was fetched through (`--backchannel-dynamic`).
    let backchannelDynamic: Bool
    /// `Forwarded` / `X-Forwarded-*` name that host (`--trust-forwarded-headers`).
    let trustForwardedHeaders: Bool
    let logger: Logger

    /// RFC 6749 §4.1.2: "A maximum authorization code lifetime of 10 minutes is RECOMMENDED"; MockIdP is stricter.
    static let codeLifetime = 60

    /// The fixtures as they stand now (runtime additions included).
    var registry: Registry { liveRegistry.registry }

    var tokens: TokenService {
        TokenService(keys: keys, store: store, clock: clock, issuer: issuer, registry: registry)
    }
}

extension IdPState {
    /// Loads fixtures and keys into a ready-to-serve state; the issuer is provisional until the port is bound.
    ///
    /// - Throws: `MockIdPFixtureError` naming every problem in the fixtures.
    static func make(configuration: MockIdPConfiguration) async throws -> IdPState {
        let fixtures: MockIdPFixtures
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
        return IdPState(
            liveRegistry: LiveRegistry(try Registry(fixtures)),
            keys: try await SigningKeys.make(
                configuration.signingAlgorithm,
                alsoPublishing: Set(fixtures.clients.compactMap(\.idTokenSignedResponseAlg)),
                rs256Backend: configuration.rs256Backend
            ),
            store: InMemoryStore(retention: configuration.expiredRetention, afterLargePurge: configuration.afterLargePurge),
            clock: ServerClock(),
            issuer: IssuerState(configuration.issuer(boundPort: configuration.port)),
            scripts: ScriptedResponses(),
            alwaysShowLoginPage: configuration.loginPage,
            backchannelDynamic: configuration.backchannelDynamic,
            trustForwardedHeaders: configuration.trustForwardedHeaders,
            logger: configuration.logger
        )
    }
}
