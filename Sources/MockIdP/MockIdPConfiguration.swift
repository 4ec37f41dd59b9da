public import Logging

/// How a MockIdP is set up: where it listens, which issuer it names, which fixtures it serves.
///
/// ```swift
/// let configuration = MockIdPConfiguration(port: 0, fixtures: .directory("Tests/fixtures"))
/// ```
public struct MockIdPConfiguration: Sendable {
    /// Where the users, clients and scopes come from.
    public enum FixtureSource: Sendable {
        /// `./fixtures` if that directory exists, else the built-in fixtures (what the `mock-idp` binary does).
        case standard
        /// The built-in fixtures, identical to the shipped `fixtures/` directory.
        case builtIn
        /// A directory with `users.json`, `clients.json` and `scopes.json`; a missing file falls back to the built-in one.
        case directory(String)
        /// Fixtures given as Swift values.
        case values(MockIdPFixtures)

        /// The directory the fixtures come from, whose issuer subdirectories the server also mounts; `nil` for
        /// built-in fixtures and values.
        var directory: String? {
            switch self {
            case .directory(let path): path
            case .standard: FixtureLoader.standardDirectory
            case .builtIn, .values: nil
            }
        }
    }

    /// An issuer beside the root one, under its own path on the same port (`http://127.0.0.1:8080/alpha-bank`), with
    /// its own signing key, fixtures, issued state, sessions, clock, scripts and `/debug`.
    public struct Issuer: Sendable {
        /// Its path segment (the Keycloak realm, the Entra tenant): letters, digits, `-`, `_`, `~`.
        public var name: String
        /// Whose URL layout and token shapes it copies.
        public var layout: Layout
        /// Its fixtures; `nil` serves the root issuer's. A directory's missing files come from the root's directory,
        /// then the built-in ones.
        public var fixtures: FixtureSource?

        /// An issuer called `name`, in `layout`, serving `fixtures` (default: the root issuer's).
        public init(_ name: String, layout: Layout = .standard, fixtures: FixtureSource? = nil) {
            self.name = name
            self.layout = layout
            self.fixtures = fixtures
        }
    }

    /// The address to bind; loopback by default, since /debug shows every token issued.
    public var host: String
    /// The port to bind; 0 picks a free one (read it back from the server once it is running).
    public var port: Int
    /// The issuer identifier, when it must differ from `http://HOST:PORT` (behind Docker or a proxy).
    public var issuer: String?
    /// The users, clients and scopes to serve.
    public var fixtures: FixtureSource
    /// How long (seconds of server clock) expired codes and tokens stay listed before they are purged.
    public var expiredRetention: Int
    /// Show the user chooser on every authorization request (otherwise only on `prompt=login` or `prompt=select_account`).
    public var loginPage: Bool
    /// Show the consent page on every authorization request, after the user is known: each requested scope as a
    /// checkbox, Allow granting the checked ones only, Deny answering `access_denied` (otherwise only on
    /// `prompt=consent` or for a client with `requiresConsent`). `prompt=none` then gets `consent_required`.
    public var consentPage: Bool
    /// How many recent requests `/debug/requests` keeps.
    public var requestLogCapacity: Int
    /// The token signing algorithm; RS256 unless you ask.
    public var signingAlgorithm: SigningAlgorithm
    /// Keycloak's `hostname-backchannel-dynamic`: discovery fetched through another host than the issuer's (a container
    /// reaching MockIdP as `mock-idp:8080` while the browser uses `localhost:8080`) advertises the back-channel
    /// endpoints (token, JWKS, userinfo, introspection, revocation, device authorization, registration) under the host the request
    /// came in on. `issuer`, the authorization and end-session endpoints, and every token's `iss` keep the issuer.
    public var backchannelDynamic: Bool
    /// Read the host a request came in on from RFC 7239 `Forwarded` or `X-Forwarded-Proto` / `X-Forwarded-Host` (set
    /// by a proxy in front of MockIdP), for `backchannelDynamic`; off by default, so that no client can spoof them.
    public var trustForwardedHeaders: Bool
    /// HTTPS instead of HTTP: a certificate generated at start (`.generated()`) or one you bring (`.files(…)`);
    /// `nil` (the default) serves plain HTTP. Under TLS the issuer is `https://HOST:PORT`.
    public var tls: TLS?
    /// The initial access token that Dynamic Client Registration requires as `Authorization: Bearer` (RFC 7591 §3);
    /// `nil` (the default) lets any client register, as befits a local mock.
    public var registrationToken: String?
    /// PEM files of CA certificates trusted, besides the system's, when MockIdP fetches a client's metadata document
    /// or keys over HTTPS (a development server's own CA, say). Read at start: a file that is missing or holds no
    /// certificate stops the start with `MockIdPTLSError`.
    public var fetchCAFiles: [String]
    /// The root issuer's layout: `standard` or `auth0` (Keycloak and Entra need a realm or tenant name: declare
    /// them in `issuers`).
    public var layout: Layout
    /// Issuers beside the root one; a fixtures directory's issuer subdirectories are added to these.
    public var issuers: [Issuer]
    /// navikt/mock-oauth2-server's behaviour: the first request under an unknown first path segment creates an issuer
    /// of that name from the root's fixtures (`/realms/NAME/…` creates a Keycloak realm).
    public var issuersOnDemand: Bool
    /// The logger MockIdP logs to. The default logs warnings only (the beyond-loopback warning among them), so that an
    /// embedded server keeps a test's output quiet; pass a `Logger` of your own to see its info logs.
    public var logger: Logger
    /// Signs RS256 instead of jwt-kit where it can; the `mock-idp` binary injects the system's OpenSSL here.
    package var rs256Backend: (any RS256Backend)?
    /// Where issuer subdirectories are read from when `fixtures` are values: the binary's fixtures directory, whose
    /// top-level files `MOCK_IDP_USERS` and the like replaced.
    package var issuerDirectory: String?
    /// Called after a purge that dropped many tokens; the `mock-idp` binary trims its heap there.
    package var afterLargePurge: (@Sendable () -> Void)?

    /// - Parameters:
    ///   - host: the address to bind (default `127.0.0.1`).
    ///   - port: the port to bind (default 0: a free port).
    ///   - issuer: the issuer identifier; default `http://HOST:BOUND_PORT`.
    ///   - fixtures: the fixtures to serve (default: the built-in ones).
    ///   - expiredRetention: seconds an expired entry stays listed before it is purged (default 600).
    ///   - loginPage: show the user chooser on every authorization request (default: only when the request asks).
    ///   - consentPage: show the consent page on every authorization request (default: consent is automatic, unless
    ///     the request says `prompt=consent` or the client `requiresConsent`).
    ///   - requestLogCapacity: how many recent requests `/debug/requests` keeps (default 500).
    ///   - signingAlgorithm: RS256 (default, a shipped development key), ES256 or EdDSA (keys generated at start).
    ///   - backchannelDynamic: advertise back-channel endpoints under the host a discovery request came in on.
    ///   - trustForwardedHeaders: honour `Forwarded` and `X-Forwarded-*` in that (default: ignore them).
    ///   - tls: serve HTTPS (default `nil`: plain HTTP); see `MockIdPConfiguration.TLS`.
    ///   - registrationToken: the initial access token registration requires (default `nil`: open registration).
    ///   - fetchCAFiles: PEM files of CA certificates trusted for HTTPS fetches besides the system's (default none).
    ///   - layout: the root issuer's layout (default `standard`).
    ///   - issuers: issuers beside the root one (default: none but a fixtures directory's subdirectories).
    ///   - issuersOnDemand: create an issuer on the first request under an unknown path segment (default: off).
    ///   - logger: where MockIdP logs (default: label `mock-idp`, warnings and above only).
    public init(
        host: String = "127.0.0.1",
        port: Int = 0,
        issuer: String? = nil,
        fixtures: FixtureSource = .builtIn,
        expiredRetention: Int = 600,
        loginPage: Bool = false,
        consentPage: Bool = false,
        requestLogCapacity: Int = 500,
        signingAlgorithm: SigningAlgorithm = .rs256,
        backchannelDynamic: Bool = false,
        trustForwardedHeaders: Bool = false,
        tls: TLS? = nil,
        registrationToken: String? = nil,
        fetchCAFiles: [String] = [],
        layout: Layout = .standard,
        issuers: [Issuer] = [],
        issuersOnDemand: Bool = false,
        logger: Logger = MockIdPConfiguration.quietLogger
    ) {
        self.host = host
        self.port = port
        self.issuer = issuer
        self.fixtures = fixtures
        self.expiredRetention = expiredRetention
        self.loginPage = loginPage
        self.consentPage = consentPage
        self.requestLogCapacity = requestLogCapacity
        self.signingAlgorithm = signingAlgorithm
        self.backchannelDynamic = backchannelDynamic
        self.trustForwardedHeaders = trustForwardedHeaders
        self.tls = tls
        self.registrationToken = registrationToken
        self.fetchCAFiles = fetchCAFiles
        self.layout = layout
        self.issuers = issuers
        self.issuersOnDemand = issuersOnDemand
        self.logger = logger
    }

    /// The default logger: label `mock-idp`, at level `warning`.
    public static var quietLogger: Logger {
        var logger = Logger(label: "mock-idp")
        logger.logLevel = .warning
        return logger
    }

    /// Whether `host` is a loopback address, reachable only from this machine.
    public var bindsLoopbackOnly: Bool {
        let host = host.lowercased().trimmingPrefix("[")
        return host == "localhost" || host.hasPrefix("127.") || host.hasPrefix("::1")
    }

    /// The issuer for a server bound to `port`: the configured one, else `http://HOST:PORT` (`https://` under TLS).
    /// A wildcard bind (`0.0.0.0`, `::`) names `localhost`, the address a local client can reach.
    func issuer(boundPort port: Int) -> String {
        if let issuer { return issuer }
        var host = host
        if host == "0.0.0.0" || host == "::" || host == "[::]" { host = "localhost" }
        if host.contains(":") && !host.hasPrefix("[") { host = "[\(host)]" }
        return "\(tls == nil ? "http" : "https")://\(host):\(port)"
    }
}
