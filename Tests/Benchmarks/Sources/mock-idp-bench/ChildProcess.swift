import Dispatch
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A spawned program whose exit can be awaited with a time limit.
///
/// Foundation's `Process` reaps the child itself and offers only an unbounded `waitUntilExit()`, so the termination
/// handler signals a semaphore instead, which `waitForExit(within:)` waits on with a timeout.
final class ChildProcess {
    /// Taken just before the launch: the start of the cold-start clock.
    let launched: ContinuousClock.Instant
    private let process = Process()
    private let exitSignal = DispatchSemaphore(value: 0)
    private var hasExited = false

    /// Launches `executable`; its standard output and error go to a `Pipe` or a `FileHandle`.
    init(
        _ executable: URL, _ arguments: [String], directory: URL? = nil,
        standardOutput: Any = FileHandle.nullDevice, standardError: Any = FileHandle.nullDevice
    ) throws {
        process.executableURL = executable
        process.arguments = arguments
        process.currentDirectoryURL = directory
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = standardOutput
        process.standardError = standardError
        process.terminationHandler = { [exitSignal] _ in exitSignal.signal() }
        launched = .now
        do {
            try process.run()
        } catch {
            throw BenchError("cannot start \(executable.path): \(error.localizedDescription)")
        }
    }

    var processIdentifier: Int32 { process.processIdentifier }

    /// How the process ended, for messages; only meaningful once it has exited.
    var exitDescription: String {
        switch process.terminationReason {
        case .exit: "exited with status \(process.terminationStatus)"
        case .uncaughtSignal: "was killed by signal \(process.terminationStatus)"
        @unknown default: "ended (status \(process.terminationStatus))"
        }
    }

    var exitedSuccessfully: Bool { process.terminationReason == .exit && process.terminationStatus == 0 }

    /// Waits until the process exits or `limit` passes; true when it has exited.
    func waitForExit(within limit: Duration) -> Bool {
        if !hasExited {
            hasExited = exitSignal.wait(timeout: .now() + limit.seconds) == .success
        }
        return hasExited
    }

    /// SIGTERM, then SIGKILL if it is still running after `grace`; true once it is gone.
    @discardableResult
    func stop(grace: Duration = .seconds(10)) -> Bool {
        if waitForExit(within: .zero) { return true }
        kill(process.processIdentifier, SIGTERM)
        if waitForExit(within: grace) { return true }
        kill(process.processIdentifier, SIGKILL)
        return waitForExit(within: .seconds(5))
    }

    /// The program called `name` on PATH, or nil.
    static func find(_ name: String) -> URL? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        return path.split(separator: ":")
            .map { URL(fileURLWithPath: String($0)).appendingPathComponent(name) }
            .first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }

    /// Runs a tool to completion and returns its standard output. The output goes to temporary files rather than pipes,
    /// which could fill up and stall the tool while nothing reads them. A tool still running after `limit` is killed;
    /// that and a non-zero exit are errors carrying the tail of its standard error.
    static func output(of executable: URL, _ arguments: [String], limit: Duration) throws -> String {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let (outputFile, output) = try directory.createFile("stdout")
        let (errorFile, errors) = try directory.createFile("stderr")
        defer {
            try? output.close()
            try? errors.close()
        }
        let child = try ChildProcess(executable, arguments, standardOutput: output, standardError: errors)
        let command = ([executable.lastPathComponent] + arguments).joined(separator: " ")
        guard child.waitForExit(within: limit) else {
            child.stop(grace: .seconds(2))
            throw BenchError("`\(command)` did not finish within \(Int(limit.seconds)) s; killed it")
        }
        guard child.exitedSuccessfully else {
            let log = (try? String(contentsOf: errorFile, encoding: .utf8)) ?? ""
            let tail = log.split(separator: "\n").suffix(10).joined(separator: "\n")
            throw BenchError("`\(command)` \(child.exitDescription)" + (tail.isEmpty ? "" : ":\n\(tail)"))
        }
        return try String(contentsOf: outputFile, encoding: .utf8)
    }
}
