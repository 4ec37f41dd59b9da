#if !FUZZING
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import MockIdP

/// Without libFuzzer: runs saved inputs (a crash artifact, a corpus directory) through a target, one at a time.
/// A broken invariant traps as it does under the fuzzer, with its message, in a build that a debugger can use.
enum Replay {
    static func run(_ target: FuzzTargets.Target, paths: [String]) {
        // libFuzzer's flags are accepted and ignored, so that a fuzzer's command line replays as it is.
        let paths = paths.filter { !$0.hasPrefix("-") }
        guard !paths.isEmpty else { MockIdPFuzz.usage() }
        var count = 0
        for path in paths {
            for file in files(at: path) {
                guard let data = FileManager.default.contents(atPath: file) else {
                    MockIdPFuzz.printError("mock-idp-fuzz: cannot read \(file)")
                    exit(1)
                }
                data.withUnsafeBytes { target.run($0) }
                count += 1
            }
        }
        print("\(target.name): replayed \(count) input\(count == 1 ? "" : "s"), no invariant broken")
    }

    /// `path` itself if it is a file, else every file under it, in a stable order.
    private static func files(at path: String) -> [String] {
        var isDirectory = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            MockIdPFuzz.printError("mock-idp-fuzz: no such file or directory: \(path)")
            exit(1)
        }
        guard isDirectory else { return [path] }
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        return entries.sorted().flatMap { files(at: path + "/" + $0) }
    }
}
#endif
