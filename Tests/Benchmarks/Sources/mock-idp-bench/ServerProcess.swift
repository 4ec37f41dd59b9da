import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A mock-idp server, started the same way for every measurement: `--port 0 --log-level error` plus `arguments`, in an
/// empty temporary working directory (so it serves its built-in fixtures), standard input from /dev/null, standard error
/// kept in a log file next to that directory for error messages.
final class ServerProcess {
    /// From launch to the `issuer:` line (and, for cold start, to discovery answering).
    static let startLimit: Duration = .seconds(30)

    let binary: URL
    /// The URL from the server's `issuer: URL` line.
    let issuer: String
    let probe: HTTPProbe
    /// When the `issuer:` line was read.
    private(set) var ready: ContinuousClock.Instant = .now
    private let child: ChildProcess
    private let directory: TemporaryDirectory
    private let errorLog: URL

    /// Launches `binary` and returns once it printed its `issuer: URL` line, which it does once it accepts connections.
    init(binary: URL, arguments: [String] = [], deadline: Deadline = Deadline(after: startLimit)) throws {
        self.binary = binary
        directory = try TemporaryDirectory(prefix: "mock-idp-server")
        let workingDirectory = directory.url.appendingPathComponent("work", isDirectory: true)
        let output = Pipe()
        let errors: FileHandle
        do {
            try FileManager.default.createDirectory(at: workingDirectory, withIntermediateDirectories: false)
            (errorLog, errors) = try directory.createFile("stderr.log")
        } catch {
            directory.remove()
            throw error
        }
        defer { try? errors.close() }
        do {
            child = try ChildProcess(
                binary, ["--port", "0", "--log-level", "error"] + arguments, directory: workingDirectory,
                standardOutput: output, standardError: errors
            )
        } catch {
            directory.remove()
            throw error
        }
        do {
            let line = try Self.firstLine(of: output.fileHandleForReading, child: child, deadline: deadline)
            guard line.hasPrefix("issuer: ") else {
                throw BenchError("printed \(line.debugDescription) where `issuer: URL` was expected")
            }
            issuer = String(line.dropFirst("issuer: ".count))
            ready = .now
            // The probe speaks plain HTTP only: on an HTTPS server (--tls) it would get the port's plain-HTTP 400, so
            // what measures such a server goes through curl or wrk instead.
            probe = try HTTPProbe(issuer: issuer.hasPrefix("https://") ? "http://" + issuer.dropFirst("https://".count) : issuer)
        } catch {
            child.stop()
            let failure = Self.failure(binary: binary, "\(error)", log: errorLog)
            directory.remove()
            throw failure
        }
    }

    /// Runs `body` with a server started with `arguments`, and stops the server however `body` ends.
    static func with<T>(_ binary: URL, _ arguments: [String], _ body: (ServerProcess) throws -> T) throws -> T {
        let server = try ServerProcess(binary: binary, arguments: arguments)
        defer { server.stop() }
        return try body(server)
    }

    /// The start of the cold-start clock: just before the launch.
    var launched: ContinuousClock.Instant { child.launched }

    /// The server's resident set size (VmRSS in /proc/PID/status), in MiB.
    func residentMiB() throws -> Double {
        try ensureRunning()
        let status = try String(contentsOfFile: "/proc/\(child.processIdentifier)/status", encoding: .utf8)
        guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
            let kibibytes = Double(line.dropFirst("VmRSS:".count).split(whereSeparator: \.isWhitespace).first ?? "")
        else {
            throw BenchError("no VmRSS line in /proc/\(child.processIdentifier)/status")
        }
        return kibibytes / 1024
    }

    /// Throws, with the server's standard error, when it is no longer running: a crash under load must not pass as a
    /// measurement.
    func ensureRunning() throws {
        if child.waitForExit(within: .zero) {
            throw failure("\(child.exitDescription) while being measured")
        }
    }

    /// `message` about this server, followed by what it wrote to standard error.
    func failure(_ message: String) -> BenchError {
        Self.failure(binary: binary, message, log: errorLog)
    }

    /// SIGTERM (then SIGKILL after 10 s), and removes its directory.
    func stop() {
        if !child.stop() {
            FileHandle.standardError.write(Data("warning: \(binary.path) (pid \(child.processIdentifier)) survived SIGKILL\n".utf8))
        }
        directory.remove()
    }

    private static func failure(binary: URL, _ message: String, log: URL) -> BenchError {
        let text = ((try? String(contentsOf: log, encoding: .utf8)) ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        let tail = text.split(separator: "\n").suffix(20).joined(separator: "\n")
        return BenchError("\(binary.path) \(message)" + (tail.isEmpty ? "" : "; its standard error:\n\(tail)"))
    }

    /// The first line the child writes to `handle`, read with `poll` so the wait ends at `deadline`.
    private static func firstLine(of handle: FileHandle, child: ChildProcess, deadline: Deadline) throws -> String {
        let descriptor = handle.fileDescriptor
        var buffer: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while !buffer.contains(UInt8(ascii: "\n")) {
            guard !deadline.hasPassed else {
                throw BenchError("printed no `issuer: URL` line \(deadline.within)")
            }
            var readable = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            let ready = poll(&readable, 1, Int32(deadline.remaining.milliseconds.rounded(.up)))
            if ready < 0 && errno != EINTR { throw BenchError.system("poll") }
            guard ready > 0 else { continue }
            let count = read(descriptor, &chunk, chunk.count)
            if count < 0 {
                if errno == EINTR { continue }
                throw BenchError.system("read")
            }
            if count == 0 {
                let exited = child.waitForExit(within: .seconds(5))
                throw BenchError(
                    (exited ? child.exitDescription : "closed its standard output") + " before printing `issuer: URL`"
                )
            }
            buffer += chunk[..<count]
        }
        return String(decoding: buffer.prefix { $0 != UInt8(ascii: "\n") }, as: UTF8.self)
    }
}
