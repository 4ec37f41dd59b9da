import ArgumentParser
import Foundation

/// `load`: load without loss. Mixed traffic at full speed (every grant, userinfo, introspection, /debug reads) through
/// mixed.lua, which writes a sample of the access tokens it was issued; then every sampled token must still introspect
/// as active, and there must be no 5xx and no socket error.
struct LoadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "load",
        abstract: "Load without loss: mixed traffic, then zero 5xx, zero socket errors, every sampled token still active.",
        discussion: "Exits 1 when it finds a loss."
    )

    @Option(help: "The mock-idp binary.")
    var binary: String

    @Option(help: "Seconds of mixed traffic.")
    var duration = 60

    @Option(help: "The server's signing algorithm.")
    var signingAlg = SigningAlgorithm.rs256

    @OptionGroup var scripts: ScriptsOptions

    /// The client mixed.lua's tokens are introspected with.
    static let introspectingClient = (id: "reconciler", secret: "reconciler-secret")

    func validate() throws {
        guard duration >= 1 else { throw ValidationError("--duration must be at least 1") }
        _ = try executableFile(binary, option: "--binary")
    }

    func run() throws {
        let binary = try executableFile(binary, option: "--binary")
        let wrk = try Wrk(scripts: scripts.directory, needing: ["mixed.lua"])
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let sampleFile = directory.url.appendingPathComponent("tokens")

        let problems = try ServerProcess.with(binary, ["--signing-alg", signingAlg.rawValue]) { server in
            Report.progress("mixed traffic against \(binary.path) (\(signingAlg.rawValue)), \(duration) s")
            let started = ContinuousClock.now
            let output = try wrk.run(
                "mixed.lua", against: server.issuer, seconds: duration, latency: false, arguments: [sampleFile.path]
            )
            print(output.text.trimmingCharacters(in: .whitespacesAndNewlines))
            let wallTime = (ContinuousClock.now - started).seconds
            print("wall time: \(Report.decimal(wallTime)) s, server RSS after: \(Report.decimal(try server.residentMiB())) MiB")

            let tokens = try String(contentsOf: sampleFile, encoding: .utf8).split(separator: "\n").map(String.init)
            Report.progress("introspecting \(tokens.count) sampled tokens")
            let inactive = try tokens.filter { try !isActive($0, on: server) }.count
            print("sampled tokens introspected: \(tokens.count), not active: \(inactive)")

            var problems: [String] = []
            let serverErrors = Int(try output.figure("5xx responses"))
            if serverErrors > 0 { problems.append("\(serverErrors) 5xx responses") }
            if output.socketErrors > 0 { problems.append("\(output.socketErrors) socket errors") }
            if tokens.isEmpty { problems.append("no token was sampled") }
            if inactive > 0 { problems.append("\(inactive) sampled tokens no longer active") }
            return problems
        }
        print("load without loss: " + (problems.isEmpty ? "ok" : "FAILED (\(problems.joined(separator: ", ")))"))
        if !problems.isEmpty { throw ExitCode.failure }
    }

    private struct Introspection: Decodable {
        let active: Bool
    }

    private func isActive(_ token: String, on server: ServerProcess) throws -> Bool {
        let response = try server.probe.postForm("/introspect", ["token": token], client: Self.introspectingClient)
        guard response.status == 200 else {
            throw server.failure("answered \(response.status) to POST /introspect: \(response.text)")
        }
        return try JSONDecoder().decode(Introspection.self, from: Data(response.body)).active
    }
}
