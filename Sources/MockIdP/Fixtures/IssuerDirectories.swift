#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The issuers a fixtures directory declares: each subdirectory that holds a `users.json`, `clients.json`,
/// `scopes.json` or `issuer.json` is one, named after the subdirectory, and mounted under `/NAME`.
enum IssuerDirectories {
    /// The file beside an issuer's fixtures that says which layout it copies: `{"layout": "keycloak"}`.
    static let issuerFile = "issuer.json"
    private static let fixtureFiles = [FixtureValidator.usersFile, FixtureValidator.clientsFile, FixtureValidator.scopesFile, issuerFile]

    /// One issuer's subdirectory.
    struct Found: Sendable {
        let name: String
        let path: String
        let layout: MockIdPConfiguration.Layout
    }

    /// The issuer subdirectories of `directory`, by name, and a problem naming each subdirectory whose name cannot
    /// name an issuer, and each `issuer.json` that is not an object with a known `layout`.
    static func scan(_ directory: String) -> (found: [Found], problems: [MockIdPFixtureError.Problem]) {
        let root = URL(filePath: directory, directoryHint: .isDirectory)
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted()
        var found: [Found] = []
        var problems: [MockIdPFixtureError.Problem] = []
        for name in names {
            let path = root.appending(path: name).path
            var isDirectory = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory,
                fixtureFiles.contains(where: { FileManager.default.fileExists(atPath: path + "/" + $0) })
            else { continue }
            if let problem = IssuerName.problem(with: name) {
                problems.append(.init(file: path, reason: problem))
                continue
            }
            do throws(MockIdPFixtureError.Problem) {
                found.append(Found(name: name, path: path, layout: try layout(in: path)))
            } catch {
                problems.append(error)
            }
        }
        return (found, problems)
    }

    /// The layout an issuer directory's `issuer.json` names; `standard` without one.
    static func layout(in directory: String) throws(MockIdPFixtureError.Problem) -> MockIdPConfiguration.Layout {
        let file = directory + "/" + issuerFile
        guard FileManager.default.fileExists(atPath: file) else { return .standard }
        let data: Data
        do {
            data = try Data(contentsOf: URL(filePath: file))
        } catch {
            throw .init(file: file, code: .unreadable, reason: "cannot read file: \(error)")
        }
        return try layout(fromJSON: data, file: file)
    }

    /// The layout an `issuer.json` document names (`file` names it in problems).
    static func layout(fromJSON data: Data, file: String) throws(MockIdPFixtureError.Problem) -> MockIdPConfiguration.Layout {
        guard case .object(let object)? = try? JSONDecoder().decode(ClaimValue.self, from: data) else {
            throw .init(file: file, code: .malformedJSON, reason: #"not a JSON object; expected {"layout": "standard" | "keycloak" | "entra" | "auth0"}"#)
        }
        if let unknown = object.keys.sorted().first(where: { $0 != "layout" }) {
            throw .init(file: file, field: unknown, code: .unknownField, reason: "unknown field (issuer.json takes only \"layout\")")
        }
        guard let value = object["layout"] else { return .standard }
        guard let name = value.stringValue, let layout = MockIdPConfiguration.Layout(rawValue: name) else {
            throw .init(file: file, field: "layout", reason: "unknown layout \(value.stringValue.map { "\"\($0)\"" } ?? "(not a string)") (standard, keycloak, entra or auth0)")
        }
        return layout
    }
}
