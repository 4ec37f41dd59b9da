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

    /// Adds `user` at runtime, or, when a runtime user has its `sub` already, replaces that user's claims (an ad-hoc
    /// sign-in, `AdHocSignIn`); a loaded user is never changed.
    ///
    /// - Returns: the user as it now stands.
    /// - Throws: `MockIdPFixtureError` if `user` breaks a fixture rule, or its `sub` is a loaded user's.
    func addOrReplaceClaims(_ user: User) throws(MockIdPFixtureError) -> User {
        try current.withLock { (registry: inout Registry) throws(MockIdPFixtureError) -> User in
            var fixtures = registry.fixtures
            guard let index = fixtures.users.firstIndex(where: { $0.sub == user.sub }) else {
                registry = try Self.adding(users: [user], clients: [], decodingProblems: [], to: registry)
                return user
            }
            guard original.user(sub: user.sub) == nil else {
                throw MockIdPFixtureError(problems: [
                    .init(file: FixtureValidator.usersFile, idField: "sub", id: user.sub, field: "sub", code: .duplicate, reason: "a loaded user's sub")
                ])
            }
            fixtures.users[index].claims = user.claims
            registry = try Registry(fixtures)
            return fixtures.users[index]
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

    /// Replaces a client added at runtime (RFC 7592 §2.2 update), validated like an addition; a client the fixtures
    /// started with is never changed.
    ///
    /// - Throws: `MockIdPFixtureError` naming each problem of the new entry.
    func replace(client: Client, decodingProblems: [MockIdPFixtureError.Problem] = []) throws(MockIdPFixtureError) {
        try current.withLock { (registry: inout Registry) throws(MockIdPFixtureError) in
            var without = registry.fixtures
            without.clients.removeAll { $0.clientID == client.clientID }
            registry = try Self.adding(users: [], clients: [client], decodingProblems: decodingProblems, to: try Registry(without))
        }
    }

    /// Removes a client added at runtime (RFC 7592 §2.3 delete); returns whether there was one.
    @discardableResult
    func remove(clientID: String) -> Bool {
        current.withLock { registry in
            guard original.client(clientID) == nil, registry.client(clientID) != nil else { return false }
            var fixtures = registry.fixtures
            fixtures.clients.removeAll { $0.clientID == clientID }
            guard let next = try? Registry(fixtures) else { return false }
            registry = next
            return true
        }
    }

    /// Back to the fixtures MockIdP started with.
    func reset() {
        current.withLock { $0 = original }
    }
}
