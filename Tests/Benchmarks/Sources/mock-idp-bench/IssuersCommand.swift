import ArgumentParser
import Foundation

/// `issuers`: what many issuers in one process cost: cold start and idle RSS with 1, 10 and 100 issuers, and
/// client_credentials spread over 10 issuers beside the same load on one.
struct IssuersCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "issuers",
        abstract: "Many issuers: cold start and idle RSS with 1, 10 and 100 issuers; client_credentials over 10 issuers beside one."
    )

    @Option(help: "The mock-idp binary.")
    var binary: String

    @Option(help: "Seconds of each wrk run.")
    var duration = 15

    @Option(help: "Cold-start launches of each size, after one warm-up launch.")
    var runs = 20

    @Option(help: "Measured wrk runs of each kind (one issuer, ten issuers), interleaved.")
    var loadRuns = 3

    @OptionGroup var scripts: ScriptsOptions

    func validate() throws {
        guard duration >= 1 else { throw ValidationError("--duration must be at least 1") }
        guard runs >= 1, loadRuns >= 1 else { throw ValidationError("--runs and --load-runs must be at least 1") }
        _ = try executableFile(binary, option: "--binary")
    }

    func run() throws {
        let binary = try executableFile(binary, option: "--binary")
        let wrk = try Wrk(scripts: scripts.directory, needing: ["issuers_client_credentials.lua"])
        print("machine: \(Machine.current().summary)")
        print("binary: \(binary.path)")
        let benchmark = IssuersBenchmark(binary: binary, wrk: wrk, duration: duration, runs: runs, loadRuns: loadRuns)
        let sizes = try [1, 10, 100].map { try benchmark.size($0) }
        print("\n## Many issuers\n")
        print("| issuers | cold start median (ms) | p90 (ms) | idle RSS (MiB) |")
        print("|---:|---:|---:|---:|")
        for size in sizes {
            print("| \(size.issuers) | \(format(size.coldStart.medianMs)) | \(format(size.coldStart.p90Ms)) | \(format(size.idleMiB)) |")
        }
        let load = try benchmark.spread()
        print("\nclient_credentials (RS256, keep-alive), \(loadRuns) runs each, interleaved, on a server of 10 issuers:")
        print("- one issuer (the root): \(load.single.map { format($0) }.joined(separator: ", ")) req/s")
        print("- spread over the 10 issuers: \(load.spread.map { format($0) }.joined(separator: ", ")) req/s")
        let verdict = load.withinSpread ? "within" : "outside"
        print("- median \(format(load.spreadMedian)) vs \(format(load.singleMedian)) req/s: \(format(100 * (load.spreadMedian / load.singleMedian - 1)))%, \(verdict) the one-issuer runs' spread of \(format(load.singleRange)) req/s")
    }

    private func format(_ value: Double) -> String { String(format: "%.1f", value) }
}
