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
            registry = try Registry(fixtures)
        }
    }

    /// Back to the fixtures MockIdP started with.
    func reset() {
        current.withLock { $0 = original }
    }
}
