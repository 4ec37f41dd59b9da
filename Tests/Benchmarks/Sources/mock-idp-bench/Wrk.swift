import Foundation

/// wrk, the load generator: `wrk -t2 -c32 -dSECONDSs [--latency] -s SCRIPT ISSUER [-- ARGUMENTS]`, the Lua script
/// taken from the scripts directory. Two threads and 32 connections, on the same cores as the server.
struct Wrk {
    static let threads = 2
    static let connections = 32
    /// How long wrk may run past its duration (the scripts' `done` and the process exit) before it counts as hung.
    static let overrun: Duration = .seconds(60)

    let executable: URL
    let scripts: URL

    /// Finds wrk and checks that `scripts` holds each of `needed`, so a missing piece fails before any measurement.
    init(scripts: URL, needing needed: [String]) throws {
        guard let executable = ChildProcess.find("wrk") else {
            throw BenchError("wrk is not installed or not on PATH (Debian: apt-get install wrk)")
        }
        for script in needed where !FileManager.default.fileExists(atPath: scripts.appendingPathComponent(script).path) {
            throw BenchError(
                "no \(script) in \(scripts.path): run from the repository root, or pass --scripts DIR "
                    + "(the directory with the wrk Lua scripts)"
            )
        }
        self.executable = executable
        self.scripts = scripts
    }

    func run(_ script: String, against url: String, seconds: Int, latency: Bool = true, arguments: [String] = []) throws -> WrkOutput {
        var command = ["-t\(Self.threads)", "-c\(Self.connections)", "-d\(seconds)s"]
        if latency { command.append("--latency") }
        command += ["-s", scripts.appendingPathComponent(script).path, url]
        if !arguments.isEmpty { command += ["--"] + arguments }
        let limit = Duration.seconds(seconds) + Self.overrun
        return WrkOutput(text: try ChildProcess.output(of: executable, command, limit: limit), script: script)
    }
}

/// What wrk printed: its own summary, and the "label: value" lines the scripts' `done` adds ("tokens issued: 4951").
struct WrkOutput {
    let text: String
    let script: String

    private var lines: [Substring] { text.split(separator: "\n").map { $0.drop(while: { $0 == " " }) } }

    /// The number on the line that starts with `label:` ("Requests/sec", or a script's "non-200 responses").
    func figure(_ label: String) throws -> Double {
        guard let line = lines.first(where: { $0.hasPrefix(label + ":") }),
            let value = Double(line.dropFirst(label.count + 1).trimmingCharacters(in: .whitespaces))
        else {
            throw BenchError("wrk with \(script) printed no \(label.debugDescription) figure:\n\(text)")
        }
        return value
    }

    var requestsPerSecond: Double {
        get throws { try figure("Requests/sec") }
    }

    /// The 99th-percentile latency in milliseconds, from the `--latency` distribution ("99%   22.66ms").
    var p99Milliseconds: Double? {
        guard let line = lines.first(where: { $0.hasPrefix("99%") }),
            let value = line.split(separator: " ").dropFirst().first
        else { return nil }
        let units: [(suffix: String, milliseconds: Double)] = [("us", 0.001), ("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000)]
        for unit in units where value.hasSuffix(unit.suffix) {
            return Double(value.dropLast(unit.suffix.count)).map { $0 * unit.milliseconds }
        }
        return nil
    }

    /// The sum of wrk's socket errors (connect, read, write, timeout), which it reports only when there are any:
    /// "Socket errors: connect 0, read 12, write 0, timeout 3".
    var socketErrors: Int {
        guard let line = lines.first(where: { $0.hasPrefix("Socket errors:") }) else { return 0 }
        return line.dropFirst("Socket errors:".count).split(separator: ",")
            .compactMap { $0.split(separator: " ").last.flatMap { Int($0) } }
            .reduce(0, +)
    }
}
