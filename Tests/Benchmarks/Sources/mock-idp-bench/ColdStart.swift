import ArgumentParser
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// `coldstart`: the cold-start figure of one binary.
struct ColdStartCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "coldstart",
        abstract: "Cold start: launch to the discovery document answering 200, median and p90 over --runs runs."
    )

    @Option(help: "The mock-idp binary.")
    var binary: String

    @Option(help: "Measured runs, after one warm-up run.")
    var runs = 20

    func validate() throws {
        guard runs >= 1 else { throw ValidationError("--runs must be at least 1") }
        _ = try executableFile(binary, option: "--binary")
    }

    func run() throws {
        let binary = try executableFile(binary, option: "--binary")
        print("mock-idp cold start, launch to discovery answering 200: \(binary.path)")
        let figures = try ColdStart.measure(binary, runs: runs)
        print("runs: \(figures.runs) (after \(ColdStart.warmUpRuns) warm-up)")
        for (name, value) in [("median", figures.medianMs), ("p90", figures.p90Ms), ("min", figures.minMs), ("max", figures.maxMs)] {
            print("\(name + ":")".padding(toLength: 8, withPad: " ", startingAt: 0) + Report.decimal(value, width: 8) + " ms")
        }
    }
}

struct ColdStartFigures: Codable {
    let binary: String
    let runs: Int
    let samplesMs: [Double]
    let medianMs: Double
    let p90Ms: Double
    let minMs: Double
    let maxMs: Double
}

/// Cold start: from just before the launch to the first 200 from /.well-known/openid-configuration. Each run starts the
/// binary the way `ServerProcess` does (empty working directory: the built-in fixtures), waits for its `issuer:` line,
/// polls discovery every millisecond, then stops it (not timed).
enum ColdStart {
    /// Runs before measuring, not counted: they load the binary into the page cache.
    static let warmUpRuns = 1

    static func measure(_ binary: URL, runs: Int) throws -> ColdStartFigures {
        for _ in 0..<warmUpRuns { _ = try measureOnce(binary) }
        let samples = try (0..<runs).map { _ in try measureOnce(binary) }
        return summarize(binary, samples)
    }

    /// Median, p90, min and max of `samples` (milliseconds).
    static func summarize(_ binary: URL, _ samples: [Double]) -> ColdStartFigures {
        let sorted = samples.sorted()
        let runs = samples.count
        return ColdStartFigures(
            binary: binary.path, runs: runs, samplesMs: samples, medianMs: median(sorted),
            p90Ms: percentile(sorted, 0.9), minMs: sorted[0], maxMs: sorted[sorted.count - 1]
        )
    }

    /// Milliseconds from launch (with `arguments`) to the first 200 from discovery.
    static func measureOnce(_ binary: URL, arguments: [String] = []) throws -> Double {
        let deadline = Deadline(after: ServerProcess.startLimit)
        let server = try ServerProcess(binary: binary, arguments: arguments, deadline: deadline)
        defer { server.stop() }
        while true {
            // Connection failures and other statuses only mean "not yet".
            if let response = try? server.probe.get("/.well-known/openid-configuration", timeout: deadline.remaining),
                response.status == 200
            {
                return (ContinuousClock.now - server.launched).milliseconds
            }
            guard !deadline.hasPassed else {
                throw server.failure("did not answer 200 from discovery \(deadline.within) of its launch")
            }
            usleep(1000)
        }
    }

    /// The middle value of `sorted`, or the mean of the two middle values.
    private static func median(_ sorted: [Double]) -> Double {
        let middle = sorted.count / 2
        return sorted.count.isMultiple(of: 2) ? (sorted[middle - 1] + sorted[middle]) / 2 : sorted[middle]
    }

    /// Nearest-rank percentile of `sorted`.
    private static func percentile(_ sorted: [Double], _ fraction: Double) -> Double {
        sorted[max(0, Int((fraction * Double(sorted.count)).rounded(.up)) - 1)]
    }
}
