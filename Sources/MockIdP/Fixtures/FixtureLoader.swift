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
        var isDirectory = false
        let url = URL(filePath: directory, directoryHint: .isDirectory)
        if !FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) || !isDirectory {
            throw MockIdPFixtureError(problems: [.init(file: directory, code: .unreadable, reason: "fixtures directory not found")])
        }
        func read(_ name: String) -> Result<Data?, MockIdPFixtureError.Problem> {
            let path = url.appending(path: name).path
            guard FileManager.default.fileExists(atPath: path) else { return .success(nil) }
            do {
                return .success(try Data(contentsOf: URL(filePath: path)))
            } catch {
                return .failure(.init(file: path, code: .unreadable, reason: "cannot read file: \(error)"))
            }
        }
        return try decode(
            users: read(FixtureValidator.usersFile),
            clients: read(FixtureValidator.clientsFile),
            scopes: read(FixtureValidator.scopesFile),
            directory: directory
        )
    }

    /// Decodes the three files' contents (`nil` means use the built-in file) and validates the result.
    package static func decode(
        users: Result<Data?, MockIdPFixtureError.Problem>,
        clients: Result<Data?, MockIdPFixtureError.Problem>,
        scopes: Result<Data?, MockIdPFixtureError.Problem>,
        directory: String? = nil
    ) throws(MockIdPFixtureError) -> MockIdPFixtures {
        var problems: [MockIdPFixtureError.Problem] = []
        func decode<T>(_ name: String, _ result: Result<Data?, MockIdPFixtureError.Problem>, builtIn: String, _ body: (inout FixtureDecoder, Data) -> [T]) -> [T] {
            let label = directory.map { URL(filePath: $0, directoryHint: .isDirectory).appending(path: name).path } ?? name
            var decoder = FixtureDecoder(file: label)
            switch result {
            case .failure(let problem):
                problems.append(problem)
                return []
            case .success(let data):
                let values = body(&decoder, data ?? Data(builtIn.utf8))
                problems += decoder.problems
                return values
            }
        }
        let fixtures = MockIdPFixtures(
            users: decode(FixtureValidator.usersFile, users, builtIn: BuiltInFixtures.users) { $0.users(from: $1) },
            clients: decode(FixtureValidator.clientsFile, clients, builtIn: BuiltInFixtures.clients) { $0.clients(from: $1) },
            scopes: decode(FixtureValidator.scopesFile, scopes, builtIn: BuiltInFixtures.scopes) { $0.scopes(from: $1) }
        )
        // Cross-checks name files without the directory, so relabel them to match the type problems above.
        var crossChecks = FixtureValidator.problems(in: fixtures)
        if let directory {
            for index in crossChecks.indices {
                crossChecks[index].file = URL(filePath: directory, directoryHint: .isDirectory).appending(path: crossChecks[index].file).path
            }
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
    /// `./fixtures` when it exists, else the built-in fixtures.
    static func standard(logger: Logger) throws(MockIdPFixtureError) -> MockIdPFixtures {
        var isDirectory = false
        if FileManager.default.fileExists(atPath: "fixtures", isDirectory: &isDirectory), isDirectory {
            logger.info("loading fixtures from ./fixtures")
            return try load(directory: "fixtures")
        }
        logger.info("no ./fixtures directory: serving the built-in fixtures")
        return try builtIn()
    }
}
