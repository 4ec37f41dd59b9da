#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import MockIdP

extension FuzzTargets {
    /// Fixture files, as `--fixtures` reads them. The input is `<mode><JSON>`: modes `0`, `1` and `2` give the JSON as
    /// users.json, clients.json or scopes.json (the other two built in), mode `3` as all three files at once.
    @Sendable static func fixtures(_ bytes: [UInt8]) {
        let input = FuzzInput(bytes, modes: 4)
        let json = Array(input.rest)
        let syntax = JSONSyntaxError.locate(in: json)
        if let syntax {
            let lines = json.count(where: { $0 == UInt8(ascii: "\n") }) + 1
            fuzzCheck(
                (1...lines).contains(syntax.line) && syntax.column >= 1 && !syntax.reason.isEmpty,
                "JSON error located at line \(syntax.line) of \(lines), column \(syntax.column): \(syntax.reason)"
            )
        } else {
            // The locator is stricter than the decoder (duplicate names, trailing commas), never more lenient.
            fuzzCheck((try? JSONDecoder().decode(ClaimValue.self, from: Data(json))) != nil, "the locator accepts what the decoder refuses")
        }

        let file: Result<Data?, MockIdPFixtureError.Problem> = .success(Data(json))
        let builtIn: Result<Data?, MockIdPFixtureError.Problem> = .success(nil)
        let fixtures: MockIdPFixtures
        do {
            fixtures = try FixtureLoader.decode(
                users: input.mode == 0 || input.mode == 3 ? file : builtIn,
                clients: input.mode == 1 || input.mode == 3 ? file : builtIn,
                scopes: input.mode == 2 || input.mode == 3 ? file : builtIn
            )
        } catch {
            fuzzCheck(!error.problems.isEmpty, "fixtures refused without a problem")
            fuzzCheck(error.problems.allSatisfy { !$0.reason.isEmpty && !$0.file.isEmpty }, "a problem without a reason: \(error)")
            if syntax != nil {
                fuzzCheck(error.problems.contains { $0.reason.hasPrefix("malformed JSON") }, "malformed JSON reported otherwise: \(error)")
            }
            return
        }
        fuzzCheck(syntax == nil, "fixtures loaded from malformed JSON (\(syntax?.description ?? ""))")
        // What loads serves: the registry takes the fixtures and finds every client and user in them.
        let registry: Registry
        do {
            registry = try Registry(fixtures)
        } catch {
            fuzzCheck(false, "loaded fixtures refused by the registry: \(error)")
            return
        }
        fuzzCheck(fixtures.clients.allSatisfy { registry.client($0.clientID) != nil }, "a loaded client cannot be found")
        fuzzCheck(fixtures.users.allSatisfy { registry.user(sub: $0.sub) != nil }, "a loaded user cannot be found")
    }
}
