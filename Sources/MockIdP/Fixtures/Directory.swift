import Synchronization

/// The live registry: the loaded fixtures plus users and clients added at runtime through /debug.
///
/// Runtime additions are validated exactly like fixture files and vanish when the fixtures are reset.
final class Directory: Sendable {
    let original: Registry
    private let current: Mutex<Registry>

    init(_ registry: Registry) {
        self.original = registry
        self.current = Mutex(registry)
    }

    var registry: Registry { current.withLock { $0 } }

    /// Adds users and clients; all or nothing.
    ///
    /// - Throws: `FixtureError` naming each problem, with entries indexed as in the combined users.json / clients.json.
    func add(users: [User] = [], clients: [Client] = []) throws(FixtureError) {
        try current.withLock { (registry: inout Registry) throws(FixtureError) in
            var fixtures = registry.fixtures
            fixtures.users += users
            fixtures.clients += clients
            registry = try Registry(fixtures)
        }
    }

    /// Back to the fixtures MockIdP started with.
    func reset() {
        current.withLock { $0 = original }
    }
}
