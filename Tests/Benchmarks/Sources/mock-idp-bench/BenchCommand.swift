import ArgumentParser
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// `mock-idp-bench`: measures the mock-idp release binaries from the outside, as processes, with wrk as the load
/// generator and `openssl speed` as the signing ceiling. Tests/Benchmarks/run.sh builds everything and runs `all`.
@main
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mock-idp-bench",
        abstract: "Benchmarks the mock-idp release binaries: cold start, token issuance, flows, memory, load without loss.",
        discussion: """
            Loopback only; every load is bounded in time. Needs wrk (Debian: apt-get install wrk) and openssl, and the \
            wrk Lua scripts (Tests/Benchmarks, or --scripts DIR). Run it from the repository root, or through \
            Tests/Benchmarks/run.sh, which builds the binaries first.
            """,
        subcommands: [AllCommand.self, ColdStartCommand.self, LoadCommand.self, TLSCommand.self, IssuersCommand.self],
        defaultSubcommand: AllCommand.self
    )
}

/// Where the wrk Lua scripts are.
struct ScriptsOptions: ParsableArguments {
    @Option(help: "The directory with the wrk Lua scripts, relative to the current directory.")
    var scripts: String = "Tests/Benchmarks"

    var directory: URL { URL(fileURLWithPath: scripts).standardizedFileURL }
}

/// A failed step, with the message the user sees (ArgumentParser prints it as `Error: MESSAGE` and exits 1).
struct BenchError: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }

    /// `what` failed with the current `errno`: "connect: Connection refused".
    static func system(_ what: String) -> BenchError {
        BenchError("\(what): \(String(cString: strerror(errno)))")
    }
}

/// Checks that `path`, given to `option`, is an executable file, and returns it as an absolute URL.
func executableFile(_ path: String, option: String) throws -> URL {
    let url = URL(fileURLWithPath: path).standardizedFileURL
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), !isDirectory.boolValue,
        FileManager.default.isExecutableFile(atPath: url.path)
    else {
        throw ValidationError("\(option): \(url.path) is not an executable file (swift build -c release --product mock-idp)")
    }
    return url
}
