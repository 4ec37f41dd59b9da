import ArgumentParser
import Foundation

/// `tls`: the HTTPS figures of one binary alone (`all` measures them too).
struct TLSCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tls",
        abstract: "HTTPS (--tls) beside HTTP: cold start, idle RSS, and client_credentials with keep-alive as a ratio."
    )

    @Option(help: "The mock-idp binary.")
    var binary: String

    @Option(help: "Seconds of each wrk run.")
    var duration = 15

    @Option(help: "Cold-start launches of each kind, after one warm-up launch.")
    var runs = 20

    @Option(help: "Signing algorithms to measure client_credentials with, comma-separated: RS256, ES256, EdDSA.")
    var algorithms = SigningAlgorithms([.rs256, .es256])

    @OptionGroup var scripts: ScriptsOptions

    func validate() throws {
        guard duration >= 1 else { throw ValidationError("--duration must be at least 1") }
        guard runs >= 1 else { throw ValidationError("--runs must be at least 1") }
        _ = try executableFile(binary, option: "--binary")
    }

    func run() throws {
        let binary = try executableFile(binary, option: "--binary")
        let wrk = try Wrk(scripts: scripts.directory, needing: ["client_credentials.lua"])
        print("machine: \(Machine.current().summary)")
        print("binary: \(binary.path)")
        let figures = try TLSBenchmark(binary: binary, wrk: wrk, duration: duration, runs: runs).measure(algorithms.list)
        Report.tlsSection(figures, binary: binary.lastPathComponent)
        Report.summaryTable(Report.tlsRows(figures))
    }
}
