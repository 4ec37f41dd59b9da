import ArgumentParser
import Foundation

/// `all` (the default): every figure for this machine, then the summary against the targets.
struct AllCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "all",
        abstract: "Every figure: cold start of both binaries; per signing algorithm the openssl ceiling, client_credentials "
            + "issuance, complete flows and memory; HTTPS (--tls) beside HTTP; then a summary against the targets.",
        discussion: "The loads run against the static binary; the plain one is measured for cold start only."
    )

    @Option(name: .customLong("static"), help: "The --static-swift-stdlib release binary.")
    var staticBinary: String

    @Option(name: .customLong("plain"), help: "The plain release binary.")
    var plainBinary: String

    @Option(help: "Seconds of each wrk run.")
    var duration = 15

    @Option(help: "Tokens issued for the memory figure.")
    var tokens = 100_000

    @Option(help: "Signing algorithms to measure, comma-separated: RS256, ES256, EdDSA.")
    var algorithms = SigningAlgorithms([.rs256, .es256])

    @Option(help: "Cold-start runs per binary, after one warm-up run.")
    var runs = 20

    @Option(help: "Also write every figure to this file, as JSON.")
    var json: String?

    @Flag(help: "Leave out the HTTPS figures (--tls beside HTTP: cold start, idle RSS, client_credentials).")
    var skipTLS = false

    @OptionGroup var scripts: ScriptsOptions

    func validate() throws {
        guard duration >= 1 else { throw ValidationError("--duration must be at least 1") }
        guard tokens >= 1 else { throw ValidationError("--tokens must be at least 1") }
        guard runs >= 1 else { throw ValidationError("--runs must be at least 1") }
        _ = try executableFile(staticBinary, option: "--static")
        _ = try executableFile(plainBinary, option: "--plain")
        if let json {
            let directory = URL(fileURLWithPath: json).deletingLastPathComponent().path
            guard FileManager.default.fileExists(atPath: directory) else {
                throw ValidationError("--json: no directory \(directory)")
            }
        }
    }

    func run() throws {
        let staticBinary = try executableFile(staticBinary, option: "--static")
        let plainBinary = try executableFile(plainBinary, option: "--plain")
        let machine = Machine.current()
        let benchmark = SigningBenchmark(
            binary: staticBinary, wrk: try Wrk(scripts: scripts.directory, needing: SigningBenchmark.scripts),
            openssl: try OpenSSLSpeed(), duration: duration, tokens: tokens, cores: machine.cores
        )
        Report.header(machine, staticBinary: staticBinary, plainBinary: plainBinary)

        Report.progress("cold start of the static binary, \(runs + ColdStart.warmUpRuns) launches")
        let coldStartStatic = try ColdStart.measure(staticBinary, runs: runs)
        Report.progress("cold start of the plain binary, \(runs + ColdStart.warmUpRuns) launches")
        let coldStartPlain = try ColdStart.measure(plainBinary, runs: runs)
        let coldStarts = [
            ("static", coldStartStatic, Report.coldStartRow("static", coldStartStatic, targetMs: Targets.coldStartStaticMs)),
            ("plain", coldStartPlain, Report.coldStartRow("plain", coldStartPlain, targetMs: Targets.coldStartPlainMs)),
        ]
        Report.coldStartSection(coldStarts)

        var summary = coldStarts.map(\.2)
        var signing: [AlgorithmFigures] = []
        for algorithm in algorithms.list {
            let figures = try benchmark.measure(algorithm)
            let rows = Report.rows(figures)
            Report.algorithmSection(figures, rows: rows)
            signing.append(figures)
            summary += rows.all
        }
        let tls: TLSFigures?
        if skipTLS {
            tls = nil
        } else {
            let figures = try TLSBenchmark(binary: staticBinary, wrk: benchmark.wrk, duration: duration, runs: runs).measure(algorithms.list)
            Report.tlsSection(figures)
            summary += Report.tlsRows(figures)
            tls = figures
        }
        Report.summaryTable(summary)

        if let json {
            let results = BenchmarkResults(
                machine: machine, coldStartStatic: coldStartStatic, coldStartPlain: coldStartPlain, signing: signing, tls: tls, summary: summary
            )
            try Report.writeJSON(results, to: json)
            print("\nfigures written to \(json)")
        }
    }
}
