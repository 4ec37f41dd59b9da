#if canImport(FoundationEssentials)
package import FoundationEssentials
#else
package import Foundation
#endif
import Logging

/// Loads `users.json`, `clients.json` and `scopes.json` from a directory and validates them together.
package enum FixtureLoader {
    /// Loads a fixtures directory. A file missing from it falls back to the built-in default of that file.
    ///
    /// - Throws: `MockIdPFixtureError` listing every problem found: unreadable or malformed files, wrong types, broken references.
    static func load(directory: String) throws(MockIdPFixtureError) -> MockIdPFixtures {
        try load(directory: directory, inline: [:])
    }

    /// One fixture file's JSON given inline, in place of the file (the binary's `MOCK_IDP_USERS`, `MOCK_IDP_CLIENTS`,
    /// `MOCK_IDP_SCOPES`): `label` names it in problems, where a file would be named.
    package struct InlineFile: Sendable {
        /// What problems call it, e.g. the environment variable it came from.
        package let label: String
        package let json: String

        package init(label: String, json: String) {
            self.label = label
            self.json = json
        }
    }

    /// Loads fixtures with some files given inline (keyed by file name, `users.json` …); the others come from
    /// `directory` when it is given and holds them, else from the built-in fixtures.
    package static func load(directory: String?, inline: [String: InlineFile]) throws(MockIdPFixtureError) -> MockIdPFixtures {
        try load(directories: directory.map { [$0] } ?? [], inline: inline)
    }

    /// Loads fixtures with each file taken from the first of `directories` that holds it (an issuer's directory, then
    /// the top-level one), else from the built-in fixtures; `inline` files come first.
    ///
    /// - Throws: `MockIdPFixtureError` for a directory that does not exist, and every problem in the files.
    package static func load(directories: [String], inline: [String: InlineFile] = [:]) throws(MockIdPFixtureError) -> MockIdPFixtures {
        var urls: [URL] = []
        for directory in directories {
            var isDirectory = false
            if !FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) || !isDirectory {
                throw MockIdPFixtureError(problems: [.init(file: directory, code: .unreadable, reason: "fixtures directory not found")])
            }
            urls.append(URL(filePath: directory, directoryHint: .isDirectory))
        }
        func path(of name: String) -> String? {
            urls.lazy.map { $0.appending(path: name).path }.first { FileManager.default.fileExists(atPath: $0) }
        }
        func read(_ name: String) -> Result<Data?, MockIdPFixtureError.Problem> {
            if let file = inline[name] { return .success(Data(file.json.utf8)) }
            guard let path = path(of: name) else { return .success(nil) }
            do {
                return .success(try Data(contentsOf: URL(filePath: path)))
            } catch {
                return .failure(.init(file: path, code: .unreadable, reason: "cannot read file: \(error)"))
            }
        }
        var labels: [String: String] = [:]
        for name in [FixtureValidator.usersFile, FixtureValidator.clientsFile, FixtureValidator.scopesFile] {
            if let file = inline[name] {
                labels[name] = file.label
            } else if let path = path(of: name) ?? urls.first.map({ $0.appending(path: name).path }) {
                labels[name] = path
            }
        }
        return try decode(
            users: read(FixtureValidator.usersFile),
            clients: read(FixtureValidator.clientsFile),
            scopes: read(FixtureValidator.scopesFile),
            labels: labels
        )
    }

    /// Decodes the three files' contents (`nil` means use the built-in file) and validates the result.
    ///
    /// - Parameter labels: what problems call each file (by file name): its path, or the variable it came from; a file
    ///   not named there is called by its name.
    package static func decode(
        users: Result<Data?, MockIdPFixtureError.Problem>,
        clients: Result<Data?, MockIdPFixtureError.Problem>,
        scopes: Result<Data?, MockIdPFixtureError.Problem>,
        labels: [String: String] = [:]
    ) throws(MockIdPFixtureError) -> MockIdPFixtures {
        var problems: [MockIdPFixtureError.Problem] = []
        func decode<T>(_ name: String, _ result: Result<Data?, MockIdPFixtureError.Problem>, builtIn: [T], _ body: (inout FixtureDecoder, Data) -> [T]) -> [T] {
            let label = labels[name] ?? name
            var decoder = FixtureDecoder(file: label)
            switch result {
            case .failure(let problem):
                problems.append(problem)
                return []
            case .success(nil):
                return builtIn
            case .success(let data?):
                let values = body(&decoder, data)
                problems += decoder.problems
                return values
            }
        }
        let fixtures = MockIdPFixtures(
            users: decode(FixtureValidator.usersFile, users, builtIn: BuiltInFixtures.decoded.users) { $0.users(from: $1) },
            clients: decode(FixtureValidator.clientsFile, clients, builtIn: BuiltInFixtures.decoded.clients) { $0.clients(from: $1) },
            scopes: decode(FixtureValidator.scopesFile, scopes, builtIn: BuiltInFixtures.decoded.scopes) { $0.scopes(from: $1) }
        )
        // Cross-checks name files by their names, so relabel them to match the type problems above.
        var crossChecks = FixtureValidator.problems(in: fixtures)
        for index in crossChecks.indices {
            crossChecks[index].file = labels[crossChecks[index].file] ?? crossChecks[index].file
        }
        problems = FixtureValidator.merge(decoding: problems, validation: crossChecks)
        if !problems.isEmpty { throw MockIdPFixtureError(problems: problems) }
        return fixtures
    }

    /// The built-in fixtures: identical to the shipped `fixtures/` directory.
    package static func builtIn() throws(MockIdPFixtureError) -> MockIdPFixtures {
        try decode(users: .success(nil), clients: .success(nil), scopes: .success(nil))
    }
}

extension FixtureLoader {
    /// `fixtures`, when the current directory has such a directory: what `.standard` loads.
    package static var standardDirectory: String? {
        var isDirectory = false
        return FileManager.default.fileExists(atPath: "fixtures", isDirectory: &isDirectory) && isDirectory ? "fixtures" : nil
    }

    /// `./fixtures` when it exists, else the built-in fixtures.
    static func standard(logger: Logger) throws(MockIdPFixtureError) -> MockIdPFixtures {
        if let directory = standardDirectory {
            logger.info("loading fixtures from ./fixtures")
            return try load(directory: directory)
        }
        logger.info("no ./fixtures directory: serving the built-in fixtures")
        return try builtIn()
    }
}

extension BuiltInFixtures {
    /// The three files decoded, once per process: every issuer whose directory lacks a file takes the built-in one,
    /// and a hundred issuers would otherwise decode the same JSON a hundred times at start. The built-in files have
    /// no problems (a test keeps them so), so their decoded values are what decoding them again would give.
    static let decoded: (users: [User], clients: [Client], scopes: [Scope]) = {
        var users = FixtureDecoder(file: FixtureValidator.usersFile)
        var clients = FixtureDecoder(file: FixtureValidator.clientsFile)
        var scopes = FixtureDecoder(file: FixtureValidator.scopesFile)
        return (users.users(from: Data(Self.users.utf8)), clients.clients(from: Data(Self.clients.utf8)), scopes.scopes(from: Data(Self.scopes.utf8)))
    }()
}
