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
            let offsets = [FixtureValidator.usersFile: fixtures.users.count, FixtureValidator.clientsFile: fixtures.clients.count]
            fixtures.users += users
            fixtures.clients += clients
            do throws(FixtureError) {
                registry = try Registry(fixtures)
            } catch {
                // Number entries as in the request, as the type checks do; entries already loaded are not this request's.
                throw FixtureError(problems: error.problems.map { problem in
                    var problem = problem
                    if let entry = problem.entry, let offset = offsets[problem.file], entry.hasPrefix("index "),
                        let index = Int(entry.dropFirst(6).prefix { $0.isNumber }), index >= offset
                    {
                        problem.entry = "index \(index - offset)" + entry.drop { $0 != " " }.dropFirst().drop { $0 != " " }
                    }
                    return problem
                })
            }
        }
    }

    /// Back to the fixtures MockIdP started with.
    func reset() {
        current.withLock { $0 = original }
    }
}
