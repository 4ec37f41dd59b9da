import Foundation
import Testing

@testable import MockIdP
@testable import mock_idp_fuzz

/// Inputs the libFuzzer harness (Tests/fuzz.sh) found, each fed through the path it broke, asserting what a user sees.
/// The fuzzer's own invariants live with its targets, in Sources/MockIdP/Fuzzing/.
@Suite struct FuzzRegressionTests {
    /// JSON that RFC 8259's grammar allows but JSONDecoder refuses: a number out of Double's range, an unpaired
    /// surrogate escape. `JSONSyntaxError.locate` used to pass it, so the `fixtures` target trapped on its invariant
    /// that the locator is the stricter of the two, and the file was refused without a line and column. The fuzzer
    /// found `m23E0332` (mode 1: clients.json is `23E0332`); the others are its variations, each as users.json.
    @Test(
        "JSON that only the decoder refuses is a malformed-JSON problem with its line and column",
        arguments: [
            ("clients.json", "23E0332"),
            // Numbers out of Double's range.
            ("users.json", "[1e400]"), ("users.json", "[1" + String(repeating: "0", count: 400) + "]"),
            // Unpaired surrogates: high alone, low alone, high before something else.
            ("users.json", #"["\ud800"]"#), ("users.json", #"["\udc00"]"#), ("users.json", #"["\ud800\u0041"]"#),
        ]
    )
    func jsonOnlyTheDecoderRefuses(file: String, text: String) throws {
        let data: Result<Data?, MockIdPFixtureError.Problem> = .success(Data(text.utf8))
        let error = try #require(throws: MockIdPFixtureError.self) {
            try FixtureLoader.decode(
                users: file == "users.json" ? data : .success(nil),
                clients: file == "clients.json" ? data : .success(nil),
                scopes: .success(nil)
            )
        }
        let problem = try #require(error.problems.first)
        #expect(problem.file == file && problem.entry == nil && problem.reason.hasPrefix("malformed JSON"), "\(error)")
        let located = try #require(JSONSyntaxError.locate(in: Array(text.utf8)))
        #expect(located.line == 1)
        // The column of the number, or of the escape.
        let offender = try #require(text.firstIndex { $0 == "\\" || $0.isNumber })
        #expect(located.column == text.distance(from: text.startIndex, to: offender) + 1, "\(located)")
        #expect(problem.reason == "malformed JSON: \(located)")
    }

    /// Every committed seed passes its target's invariants in a plain build too (a broken invariant traps the process).
    @Test("the seed corpus replays cleanly through every fuzz target", arguments: FuzzTargets.all.map(\.name))
    func seedCorpus(target name: String) throws {
        let target = try #require(FuzzTargets.target(named: name))
        let tests = URL(filePath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        let directory = tests.appending(path: "Fuzz/corpus/\(name)")
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
        #expect(!files.isEmpty, "no seeds in \(directory.path)")
        for file in files {
            let data = try Data(contentsOf: directory.appending(path: file))
            data.withUnsafeBytes { target.run($0) }
        }
    }
}
