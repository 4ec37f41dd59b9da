#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import MockIdP

extension FuzzTargets {
    /// Dynamic Client Registration metadata (RFC 7591 §2): the input, as JSON, is checked and turned into a client as
    /// `POST /register` does. It is refused with an RFC 7591 §3.2.2 error, or it gives a client whose only problems,
    /// if the registry finds any, are its own.
    @Sendable static func registration(_ bytes: [UInt8]) {
        guard let value = try? JSONDecoder().decode(ClaimValue.self, from: Data(bytes)), case .object(let metadata) = value else { return }
        let builtIn: MockIdPFixtures
        let registry: Registry
        do {
            builtIn = try FixtureLoader.builtIn()
            registry = try Registry(builtIn)
        } catch {
            fuzzCheck(false, "the built-in fixtures do not load: \(error)")
            return
        }
        let errors: Set = ["invalid_client_metadata", "invalid_redirect_uri"]
        do {
            try RegistrationEndpoint.check(metadata)
            let public_ = metadata["token_endpoint_auth_method"] == .string("none")
            let (client, registered) = try RegistrationEndpoint.client(
                clientID: "fuzzed", secret: public_ ? nil : "secret", metadata: metadata, registry: registry
            )
            fuzzCheck(client.clientID == "fuzzed", "the registered client lost its client_id")
            fuzzCheck(registered["grant_types"] != nil && registered["response_types"] != nil, "defaults were not applied: \(registered)")
            var fixtures = builtIn
            fixtures.clients.append(client)
            // What the registry still refuses (an undefined scope: a cross-check) is the new client's problem alone, which
            // the endpoint answers with invalid_client_metadata.
            do {
                _ = try Registry(fixtures)
            } catch {
                let index = fixtures.clients.count - 1
                fuzzCheck(
                    error.problems.allSatisfy { $0.index == index && $0.file == "clients.json" },
                    "the registered client breaks another entry: \(error)"
                )
            }
        } catch {
            fuzzCheck(errors.contains(error.code.rawValue), "registration refused with \(error.code.rawValue): \(error.description)")
        }
    }
}
