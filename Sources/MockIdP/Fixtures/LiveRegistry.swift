import Synchronization

/// The live registry: the loaded fixtures plus users and clients added at runtime through /debug.
///
/// Runtime additions are validated exactly like fixture files and vanish when the fixtures are reset.
final class LiveRegistry: Sendable {
    let original: Registry
    private let current: Mutex<Registry>

    init(_ registry: Registry) {
        self.original = registry
        self.current = Mutex(registry)
    }

    var registry: Registry { current.withLock { $0 } }

    /// Adds users and clients; all or nothing.
    ///
    /// - Parameters:
    ///   - decodingProblems: what decoding the entries found; reported together with what validation finds.
    /// - Throws: `MockIdPFixtureError` naming each problem, with entries indexed as in the request (`users` and `clients`).
    func add(users: [User] = [], clients: [Client] = [], decodingProblems: [MockIdPFixtureError.Problem] = []) throws(MockIdPFixtureError) {
        try current.withLock { (registry: inout Registry) throws(MockIdPFixtureError) in
            registry = try Self.adding(users: users, clients: clients, decodingProblems: decodingProblems, to: registry)
        }
    }

    /// Whether `add` would take these entries now, without adding them.
    ///
    /// - Throws: what `add` would throw.
    func check(users: [User] = [], clients: [Client] = [], decodingProblems: [MockIdPFixtureError.Problem] = []) throws(MockIdPFixtureError) {
        _ = try Self.adding(users: users, clients: clients, decodingProblems: decodingProblems, to: registry)
    }

    private static func adding(
        users: [User], clients: [Client], decodingProblems: [MockIdPFixtureError.Problem], to registry: Registry
    ) throws(MockIdPFixtureError) -> Registry {
        var fixtures = registry.fixtures
        let firstNewUser = fixtures.users.count
        let firstNewClient = fixtures.clients.count
        fixtures.users += users
        fixtures.clients += clients
        let problems = FixtureValidator.merge(
            decoding: decodingProblems,
            validation: FixtureValidator.problems(in: fixtures, firstNewUser: firstNewUser, firstNewClient: firstNewClient)
        )
        guard problems.isEmpty else { throw MockIdPFixtureError(problems: problems) }
        return try Registry(fixtures)
    }

    /// Back to the fixtures MockIdP started with.
    func reset() {
        current.withLock { $0 = original }
    }
}
