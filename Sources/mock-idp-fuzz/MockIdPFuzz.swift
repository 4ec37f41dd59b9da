#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import MockIdP

/// `mock-idp-fuzz <target> [arguments]`: the libFuzzer harness over MockIdP's parsers (Tests/fuzz.sh runs it).
///
/// Built with `-sanitize=fuzzer -DFUZZING`, it hands the arguments after the target's name to libFuzzer. A plain build
/// (`swift build`, `swift test`) has no libFuzzer: it replays the files and directories given through the same
/// entry point, so that a crash found by the fuzzer can be reproduced and debugged in an ordinary build.
@main
enum MockIdPFuzz {
    /// Names the target when no argument does: libFuzzer starts copies of itself (`-fork`, `-merge`, `-jobs`) with its
    /// own arguments only, so the fuzzer sets it for them.
    static let targetVariable = "MOCK_IDP_FUZZ_TARGET"

    static func main() {
        var arguments = Array(CommandLine.arguments.dropFirst())
        if arguments.first == "--list" {
            // Tests/fuzz.sh reads the targets from here: name, libFuzzer's -max_len, what it covers.
            for target in FuzzTargets.all { print("\(target.name)\t\(target.maxLength)\t\(target.summary)") }
            return
        }
        let target: FuzzTargets.Target
        let named: Bool
        if let name = arguments.first, let chosen = FuzzTargets.target(named: name) {
            (target, named) = (chosen, true)
            arguments.removeFirst()
        } else if let name = getenv(targetVariable).map({ String(cString: $0) }), let chosen = FuzzTargets.target(named: name) {
            (target, named) = (chosen, false)
        } else {
            usage()
        }
        #if FUZZING
        LibFuzzer.run(target, skippingFirstArgument: named)
        #else
        _ = named
        Replay.run(target, paths: arguments)
        #endif
    }

    static func usage() -> Never {
        let names = FuzzTargets.all.map(\.name).joined(separator: "|")
        #if FUZZING
        let rest = "[libFuzzer flags] [corpus directories or inputs]"
        #else
        let rest = "<input files or directories> (a plain build replays them; Tests/fuzz.sh builds the fuzzer)"
        #endif
        printError("usage: mock-idp-fuzz --list\n       mock-idp-fuzz <\(names)> \(rest)\n(or the target in \(targetVariable))")
        exit(2)
    }

    /// A line on standard error (through the descriptor: C's `stderr` is a global Swift 6 will not share).
    static func printError(_ message: String) {
        var line = message + "\n"
        line.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
    }
}
