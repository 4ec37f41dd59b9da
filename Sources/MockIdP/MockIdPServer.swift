import Hummingbird
import Logging
import NIOCore
public import ServiceLifecycle

/// A MockIdP server: an in-memory OAuth 2.0 / OpenID Connect authorization server with auto-consent.
///
/// It is a `Service`: run it in your own `ServiceGroup`, or call `run()` directly.
///
/// ```swift
/// let server = try await MockIdPServer(configuration: .init(port: 0)) { issuer in
///     print("issuer: \(issuer)")
/// }
/// try await ServiceGroup(services: [server], logger: logger).run()
/// ```
public struct MockIdPServer: Service {
    let issuers: IssuerTable
    var mounted: MountedIssuer { issuers.root }
    private let application: Application<IssuerDispatcher>

    /// Loads fixtures and signing keys; nothing listens until `run()`.
    ///
    /// - Parameters:
    ///   - configuration: where to listen, which issuer and fixtures to use.
    ///   - onReady: called once with the issuer when the server is bound, before it accepts its first connection.
    /// - Throws: `MockIdPFixtureError` naming every problem in the fixtures; `MockIdPTLSError` naming a certificate or
    ///   key file that cannot be used (under `tls`).
    public init(configuration: MockIdPConfiguration, onReady: @escaping @Sendable (_ issuer: String) async -> Void = { _ in }) async throws {
        let issuers = try await IssuerTable.make(configuration: configuration)
        let mounted = issuers.root
        let state = mounted.state
        self.issuers = issuers
        if let file = mounted.controls.tls?.caCertificateFile {
            configuration.logger.info("MockIdP's local CA certificate, to trust for HTTPS", metadata: ["file": "\(file)"])
        }
        if !configuration.bindsLoopbackOnly {
            configuration.logger.warning(
                "MockIdP is bound to \(configuration.host), beyond loopback: anyone who can reach it can read every issued token at /debug. Bind 127.0.0.1 unless you mean it."
            )
        }
        self.application = buildApplication(configuration: configuration, issuers: issuers) { channel in
            if let port = channel.localAddress?.port {
                state.issuer.bind(port: port, base: configuration.issuer(boundPort: port))
            }
            configuration.logger.info("MockIdP listening", metadata: ["issuer": "\(state.issuer.issuer)"])
            await onReady(state.issuer.issuer)
        }
    }

    /// The issuer identifier: final once `onReady` has been called.
    public var issuer: String { mounted.state.issuer.issuer }

    /// The bound port, once listening; `nil` before.
    public var port: Int? { mounted.state.issuer.port }

    /// The running server's controls (mint tokens, script responses, move the clock, read what was issued).
    /// Its endpoint URLs are final once `onReady` has been called.
    public var controls: RunningMockIdP { RunningMockIdP(controls: mounted.controls, issuers: issuers) }

    /// Serves until the task is cancelled or a graceful shutdown is triggered.
    /// A CA certificate file MockIdP placed under the temporary directory itself is removed when it returns.
    public func run() async throws {
        defer { mounted.controls.tls?.removeOwnCAFile() }
        try await application.run()
    }
}
