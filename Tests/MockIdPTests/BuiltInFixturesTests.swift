import Foundation
import Testing

@testable import MockIdP

@Suite struct BuiltInFixturesTests {
    /// The repository's `fixtures/` directory, found from this file's path (Tests/MockIdPTests/ → repository root).
    static let fixturesDirectory = URL(filePath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appending(path: "fixtures")

    static let builtIn = ["users.json": BuiltInFixtures.users, "clients.json": BuiltInFixtures.clients, "scopes.json": BuiltInFixtures.scopes]

    @Test("the built-in fixtures are byte-identical to fixtures/*.json", arguments: ["users.json", "clients.json", "scopes.json"])
    func byteIdentical(file: String) throws {
        let builtIn = try #require(Self.builtIn[file])
        let url = Self.fixturesDirectory.appending(path: file)
        let onDisk = try Data(contentsOf: url)
        // A Swift multi-line string literal ends before the final newline the file has.
        let compiledIn = Data((builtIn + "\n").utf8)
        #expect(
            onDisk == compiledIn,
            """
            fixtures/\(file) and BuiltInFixtures differ: regenerate Sources/MockIdP/Fixtures/BuiltInFixtures.swift by pasting \
            the contents of fixtures/\(file) between the #\"\"\" delimiters of its constant (the file is the source of truth).
            """
        )
    }

    @Test("fixtures/ loads to the same values as the built-in fixtures")
    func sameValues() throws {
        let builtIn = try FixtureLoader.builtIn()
        let fromDisk = try FixtureLoader.load(directory: Self.fixturesDirectory.path)
        #expect(
            fromDisk == builtIn,
            "fixtures/ and BuiltInFixtures load to different values: regenerate Sources/MockIdP/Fixtures/BuiltInFixtures.swift from fixtures/"
        )
        #expect(!builtIn.users.isEmpty && !builtIn.clients.isEmpty && !builtIn.scopes.isEmpty)
    }
}
