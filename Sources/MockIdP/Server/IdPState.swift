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
    /// Documents fetched from elsewhere: client metadata documents, `jwks_uri`s, trusted issuers' keys.
    let remote: RemoteDocuments
    /// Clients that registered themselves (RFC 7591), with their registration access tokens.
    let registrations: ClientRegistrations
    /// The initial access token `POST /register` requires (RFC 7591 §3); `nil` for open registration.
    let registrationToken: String?
    /// The issuer's name (its path segment, realm or tenant); `nil` for the root issuer.
    let name: String?
    /// Whose paths, issuer string and claim shapes the issuer copies.
    let layout: MockIdPConfiguration.Layout
    /// The layout's endpoint paths, below the issuer's mount path.
    let paths: EndpointPaths
    /// Show the user chooser on every authorization request, not only on prompt=login / select_account.
    let alwaysShowLoginPage: Bool
    /// Show the consent page on every authorization request, not only on prompt=consent or for a client that asks.
    let alwaysShowConsentPage: Bool
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
        TokenService(keys: keys, store: store, clock: clock, issuer: issuer, registry: registry, shape: TokenShape(layout: layout, name: name, userinfoPath: paths.userinfo))
    }
}

extension IdPState {
    /// The root issuer's fixtures, from the configured source.
    ///
    /// - Throws: `MockIdPFixtureError` naming every problem in the fixtures.
    static func rootFixtures(configuration: MockIdPConfiguration) throws(MockIdPFixtureError) -> MockIdPFixtures {
        try fixtures(from: configuration.fixtures, fallback: nil, logger: configuration.logger)
    }

    /// Fixtures from `source`; a file a directory lacks comes from `fallback` (the top-level directory), then the built-in one.
    static func fixtures(from source: MockIdPConfiguration.FixtureSource, fallback: String?, logger: Logger) throws(MockIdPFixtureError) -> MockIdPFixtures {
        switch source {
        case .builtIn: try FixtureLoader.builtIn()
        case .directory(let path): try FixtureLoader.load(directories: [path] + (fallback.map { [$0] } ?? []))
        case .standard: try FixtureLoader.standard(logger: logger)
        case .values(let values): values
        }
    }

    /// Loads fixtures and keys into a ready-to-serve state; the issuer is provisional until the port is bound.
    ///
    /// - Parameters:
    ///   - fixtures: the issuer's fixtures, validated.
    ///   - server: the base URL every issuer of the server shares.
    ///   - name: the issuer's name, `nil` for the root issuer.
    ///   - layout: the issuer's layout.
    /// - Throws: `MockIdPFixtureError` naming every problem in the fixtures.
    static func make(
        configuration: MockIdPConfiguration, fixtures: MockIdPFixtures, server: ServerBase, name: String?, layout: MockIdPConfiguration.Layout
    ) async throws -> IdPState {
        let clock = ServerClock()
        return IdPState(
            liveRegistry: LiveRegistry(try Registry(fixtures)),
            keys: try await SigningKeys.make(
                configuration.signingAlgorithm,
                alsoPublishing: Set(fixtures.clients.compactMap(\.idTokenSignedResponseAlg)),
                rs256Backend: configuration.rs256Backend,
                // Only the root signs with the shipped RSA key; another issuer's own is generated when first needed.
                builtInRSAKey: name == nil
            ),
            store: InMemoryStore(retention: configuration.expiredRetention, afterLargePurge: configuration.afterLargePurge),
            clock: clock,
            issuer: IssuerState(server: server, mountPath: layout.mountPath(name: name), issuerSuffix: layout.issuerSuffix),
            scripts: ScriptedResponses(),
            remote: RemoteDocuments(clock: clock, trusting: try FetchTrust.certificates(configuration.fetchCAFiles)),
            registrations: ClientRegistrations(),
            registrationToken: configuration.registrationToken,
            name: name,
            layout: layout,
            paths: layout.paths,
            alwaysShowLoginPage: configuration.loginPage,
            alwaysShowConsentPage: configuration.consentPage,
            backchannelDynamic: configuration.backchannelDynamic,
            trustForwardedHeaders: configuration.trustForwardedHeaders,
            logger: configuration.logger
        )
    }
}
