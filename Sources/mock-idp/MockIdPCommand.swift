import ArgumentParser
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Logging
import MockIdP
import MockIdPOpenSSL
import ServiceLifecycle
import Synchronization
import UnixSignals

/// `mock-idp`: a thin command line over the MockIdP library.
@main
struct MockIdPCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mock-idp",
        abstract: "A local mock OAuth 2.0 / OpenID Connect identity provider with auto-consent.",
        discussion: """
            Once it accepts connections it prints one line, 'issuer: URL', to standard output (with --tls, a second \
            line follows: 'tls-ca: PATH', the CA certificate file). Logs go to standard error.

            Every flag has an environment variable, named beside it; a flag on the command line wins. MOCK_IDP_USERS, \
            MOCK_IDP_CLIENTS and MOCK_IDP_SCOPES hold a fixture file's JSON inline, in place of that file.
            """
    )

    @Option(help: "The address to bind. Anything but loopback exposes every issued token at /debug. (env: MOCK_IDP_HOST)")
    var host = "127.0.0.1"

    @Option(help: "The port to bind; 0 picks a free port. (env: MOCK_IDP_PORT)")
    var port = 8080

    @Option(help: "A directory with users.json, clients.json and scopes.json (default: ./fixtures if present, else built-in fixtures). (env: MOCK_IDP_FIXTURES)")
    var fixtures: String?

    @Option(help: "The issuer identifier, when clients reach MockIdP by another name (default: http://HOST:BOUND_PORT). (env: MOCK_IDP_ISSUER)")
    var issuer: String?

    @Flag(help: "Exit (gracefully, status 0) when standard input closes: a test runner that spawns mock-idp with a pipe as its stdin never leaves it orphaned. (env: MOCK_IDP_EXIT_ON_STDIN_CLOSE)")
    var exitOnStdinClose = false

    @Flag(help: "Show the user chooser on every authorization request (by default only on prompt=login or prompt=select_account). (env: MOCK_IDP_LOGIN_PAGE)")
    var loginPage = false

    @Flag(help: "Show the consent page on every authorization request: the requested scopes as checkboxes, Allow grants the checked ones (by default only on prompt=consent or for a client with \"consent\": true). (env: MOCK_IDP_CONSENT_PAGE)")
    var consentPage = false

    @Option(help: "Token signing algorithm: RS256 (default), ES256 or EdDSA. An RS256 key is published beside any other. (env: MOCK_IDP_SIGNING_ALG)")
    var signingAlg: MockIdPConfiguration.SigningAlgorithm = .rs256

    @Flag(help: "Serve HTTPS with a certificate generated at start for localhost, 127.0.0.1, ::1 and the issuer's host, signed by a local CA it also generates; the issuer becomes https://. (env: MOCK_IDP_TLS)")
    var tls = false

    @Option(help: ArgumentHelp("Serve HTTPS with this PEM certificate (chain) instead of a generated one; needs --tls-key. (env: MOCK_IDP_TLS_CERT)", valueName: "file"))
    var tlsCert: String?

    @Option(help: ArgumentHelp("The PEM private key of --tls-cert. (env: MOCK_IDP_TLS_KEY)", valueName: "file"))
    var tlsKey: String?

    @Option(help: ArgumentHelp("Where to write the generated CA certificate (PEM); default: a new file under the system temporary directory, removed at exit. (env: MOCK_IDP_TLS_CA_OUT)", valueName: "file"))
    var tlsCaOut: String?

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical. (env: MOCK_IDP_LOG_LEVEL)")
    var logLevel: Logger.Level = .info

    @Flag(help: "Discovery fetched through another host than the issuer's (a container's 'mock-idp:8080') names the back-channel endpoints (token, JWKS, userinfo, introspection, revocation, device authorization, registration) under that host; the issuer, authorization and end-session endpoints keep the issuer's. (env: MOCK_IDP_BACKCHANNEL_DYNAMIC)")
    var backchannelDynamic = false

    @Flag(help: "Learn the host a request came in on from Forwarded / X-Forwarded-Proto / X-Forwarded-Host (a proxy's), for --backchannel-dynamic. (env: MOCK_IDP_TRUST_FORWARDED_HEADERS)")
    var trustForwardedHeaders = false

    @Option(help: "The root issuer's URL layout and token shapes: standard or auth0 (Keycloak realms and Entra tenants live in fixture subdirectories with an issuer.json). (env: MOCK_IDP_LAYOUT)")
    var layout: MockIdPConfiguration.Layout = .standard

    @Flag(help: "The first request under an unknown first path segment (/NAME/…, or /realms/NAME/… for a Keycloak realm) creates an issuer of that name from the top-level fixtures. (env: MOCK_IDP_ISSUERS_ON_DEMAND)")
    var issuersOnDemand = false

    @Option(help: ArgumentHelp("Dynamic Client Registration (POST /register) requires this initial access token as Authorization: Bearer (default: open registration). (env: MOCK_IDP_REGISTRATION_TOKEN)", valueName: "token"))
    var registrationToken: String?

    @Option(help: ArgumentHelp("A PEM file of CA certificates trusted, besides the system's, when fetching a client's metadata document or keys over HTTPS (a local development CA). (env: MOCK_IDP_FETCH_CA_FILE)", valueName: "path"))
    var fetchCAFile: String?

    /// The environment's variables become arguments first (`EnvironmentOptions`), so that ArgumentParser parses and
    /// validates them like flags; an error that a variable caused names it.
    static func main() async {
        let commandLine = Array(CommandLine.arguments.dropFirst())
        let arguments: [String]
        let sources: [String: String]
        do {
            (arguments, sources) = try EnvironmentOptions.arguments(commandLine: commandLine, environment: EnvironmentOptions.processEnvironment)
        } catch {
            writeLine("mock-idp: \(error)", to: STDERR_FILENO)
            Self.exit(withError: ExitCode(2))
        }
        do {
            var command = try parseAsRoot(arguments)
            if let command = command as? MockIdPCommand {
                try await command.run()
            } else {
                try command.run()
            }
        } catch {
            let message = Self.message(for: error)
            // The longest flag the message names, so that an error about --tls-cert is not put down to --tls.
            let named = sources.filter { message.contains($0.key) }.max { $0.key.count < $1.key.count }
            if let source = named?.value {
                writeLine("mock-idp: \(message) (from the environment: \(source))", to: STDERR_FILENO)
                Self.exit(withError: ExitCode(Self.exitCode(for: error).rawValue))
            }
            Self.exit(withError: error)
        }
    }

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be between 0 and 65535") }
        if let issuer, !(issuer.hasPrefix("http://") || issuer.hasPrefix("https://")) {
            throw ValidationError("--issuer must be an http:// or https:// URL")
        }
        if (tlsCert == nil) != (tlsKey == nil) {
            throw ValidationError("--tls-cert and --tls-key go together: give both, or neither")
        }
        if tlsCert != nil, tlsCaOut != nil {
            throw ValidationError("--tls-ca-out is for the generated certificate's CA; with --tls-cert there is none to write")
        }
        if !layout.servesAtRoot {
            throw ValidationError("--layout \(layout.rawValue) needs a \(layout == .keycloak ? "realm" : "tenant") name: put its fixtures in a subdirectory of --fixtures named after it, with an issuer.json {\"layout\": \"\(layout.rawValue)\"}")
        }
        if let issuer, tlsConfiguration != nil, !issuer.hasPrefix("https://") {
            throw ValidationError("--issuer must be an https:// URL when MockIdP serves HTTPS")
        }
    }

    /// `--tls`, `--tls-ca-out` or `--tls-cert`/`--tls-key` onto the library's TLS choice; `nil` for plain HTTP.
    var tlsConfiguration: MockIdPConfiguration.TLS? {
        if let tlsCert, let tlsKey { return .files(certificate: tlsCert, privateKey: tlsKey) }
        if tls || tlsCaOut != nil { return .generated(caCertificateFile: tlsCaOut) }
        return nil
    }

    func run() async throws {
        MallocTuning.apply()
        let level = logLevel
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "mock-idp")
        var configuration = MockIdPConfiguration(
            host: host,
            port: port,
            issuer: issuer,
            fixtures: try fixtureSource(),
            loginPage: loginPage,
            consentPage: consentPage,
            signingAlgorithm: signingAlg,
            backchannelDynamic: backchannelDynamic,
            trustForwardedHeaders: trustForwardedHeaders,
            tls: tlsConfiguration,
            registrationToken: registrationToken,
            fetchCAFiles: fetchCAFile.map { [$0] } ?? [],
            layout: layout,
            issuersOnDemand: issuersOnDemand,
            logger: logger
        )
        // The binary's process-level tuning, which the library leaves to its embedder: RS256 through the system's
        // OpenSSL where it is there (MOCK_IDP_SYSTEM_CRYPTO=0 turns it off, to compare), and the heap handed back to the
        // system after a large purge.
        if getenv("MOCK_IDP_SYSTEM_CRYPTO").map({ String(cString: $0) }) != "0" {
            configuration.rs256Backend = SystemRSABackend()
        }
        configuration.afterLargePurge = MallocTuning.trim
        // With a fixture file given inline the root's fixtures are values; issuer subdirectories are still read.
        configuration.issuerDirectory = fixtures ?? FixtureLoader.standardDirectory
        let server: MockIdPServer
        let caFile = LateValue<String>()
        do {
            server = try await MockIdPServer(configuration: configuration) { issuer in
                // One write, so that a reader of the first line finds the second one already there.
                writeLine("issuer: \(issuer)" + (caFile.value.map { "\ntls-ca: \($0)" } ?? ""), to: STDOUT_FILENO)
            }
        } catch let error as MockIdPFixtureError {
            printError("mock-idp: \(error)")
            throw ExitCode(2)
        } catch let error as MockIdPTLSError {
            printError("mock-idp: \(error)")
            throw ExitCode(2)
        }
        caFile.value = server.caCertificateFile
        var services = [ServiceGroupConfiguration.ServiceConfiguration(service: server)]
        if exitOnStdinClose {
            services.append(.init(service: StandardInputWatcher(), successTerminationBehavior: .gracefullyShutdownGroup))
        }
        let group = ServiceGroup(
            configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        )
        do {
            try await group.run()
        } catch {
            let text = String(describing: error)
            if text.contains("Address already in use") {
                printError("mock-idp: cannot listen on \(host):\(port): the address is already in use. Pick another --port, or --port 0 for a free one.")
            } else {
                printError("mock-idp: \(text)")
            }
            throw ExitCode(1)
        }
    }

    /// `--fixtures DIR` (else `./fixtures` if present, else built-in), with any file that `MOCK_IDP_USERS`,
    /// `MOCK_IDP_CLIENTS` or `MOCK_IDP_SCOPES` gives inline in its place: validated like the files, exit status 2 naming
    /// the variable, entry and field.
    private func fixtureSource() throws -> MockIdPConfiguration.FixtureSource {
        let inline = EnvironmentOptions.inlineFixtureFiles(environment: EnvironmentOptions.processEnvironment)
        guard !inline.isEmpty else { return fixtures.map { .directory($0) } ?? .standard }
        do {
            return .values(try FixtureLoader.load(directory: fixtures ?? FixtureLoader.standardDirectory, inline: inline))
        } catch {
            printError("mock-idp: \(error)")
            throw ExitCode(2)
        }
    }

    private func printError(_ message: String) {
        writeLine(message, to: STDERR_FILENO)
    }
}

/// Writes one line straight to a file descriptor: unbuffered, so a parent process reads it at once.
func writeLine(_ line: String, to descriptor: Int32) {
    var bytes = Array((line + "\n").utf8)
    var offset = 0
    while offset < bytes.count {
        let written = bytes.withUnsafeMutableBytes { write(descriptor, $0.baseAddress! + offset, $0.count - offset) }
        if written <= 0 { return }
        offset += written
    }
}

/// A value set once after a closure that reads it was made (the CA file, known once the server is built).
final class LateValue<Value: Sendable>: Sendable {
    private let storage = Mutex<Value?>(nil)

    var value: Value? {
        get { storage.withLock { $0 } }
        set { storage.withLock { $0 = newValue } }
    }
}
