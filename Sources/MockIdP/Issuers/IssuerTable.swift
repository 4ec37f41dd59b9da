import Hummingbird
import Synchronization

/// Every issuer one server mounts: the root issuer, and the named ones under their mount paths (from fixture
/// subdirectories, the configuration, `--issuers-on-demand` or `POST /debug/issuers`).
///
/// The one owner of adding and removing issuers: `/debug/issuers` and `RunningMockIdP` both call it.
final class IssuerTable: Sendable {
    let root: MountedIssuer
    private let configuration: MockIdPConfiguration
    /// What an issuer given no fixtures of its own serves: the root's fixtures as loaded.
    private let rootFixtures: MockIdPFixtures
    private let entries: Mutex<Entries>
    /// Whether any named issuer exists: read without the lock on every request, so a single-issuer server pays nothing.
    private let hasNamed: Atomic<Bool>

    /// How an issuer came to be, as `/debug/issuers` lists it.
    enum Origin: String, Sendable {
        case fixtures, configuration, onDemand = "on_demand", runtime
    }

    /// One named issuer, with the router that serves it.
    struct Entry: Sendable {
        let name: String
        let layout: MockIdPConfiguration.Layout
        let origin: Origin
        let issuer: MountedIssuer
        let responder: RouterResponder<IdPRequestContext>
    }

    private struct Entries {
        var byName: [String: Entry] = [:]
        /// By the first path segment of the mount (`alpha-bank`), or `realms/NAME` for Keycloak.
        var byMount: [String: Entry] = [:]
        /// By the issuer's path (`/realms/alpha-bank`, `/contoso/v2.0`), for RFC 8414 §3.1's metadata path.
        var byIssuerPath: [String: Entry] = [:]
    }

    /// How many named issuers requests may create on demand: each costs its fixtures, store and router, so that a
    /// stray crawler cannot grow the process without bound. Beyond it, an unknown segment is the root's (a 404).
    static let onDemandLimit = 1000

    /// A table of the root issuer alone (plus any added later).
    init(root: MountedIssuer, configuration: MockIdPConfiguration, rootFixtures: MockIdPFixtures? = nil) {
        self.root = root
        self.configuration = configuration
        self.rootFixtures = rootFixtures ?? root.state.liveRegistry.original.fixtures
        self.entries = Mutex(Entries())
        self.hasNamed = Atomic(false)
    }

    /// The root issuer and every issuer the configuration declares: fixture subdirectories of a fixtures directory,
    /// then `configuration.issuers`.
    ///
    /// - Throws: `MockIdPFixtureError` naming the directory, file, entry and field of every problem (an issuer name
    ///   that cannot be one or is taken twice, an unknown layout, invalid fixtures); `MockIdPTLSError` for TLS files.
    static func make(configuration: MockIdPConfiguration) async throws -> IssuerTable {
        let rootFixtures = try IdPState.rootFixtures(configuration: configuration)
        if !configuration.layout.servesAtRoot {
            throw MockIdPFixtureError(problems: [
                .init(file: "layout", reason: "the root issuer cannot use the \(configuration.layout.rawValue) layout, which needs a realm or tenant name: put that issuer's fixtures in a subdirectory named after it, with an issuer.json")
            ])
        }
        let server = ServerBase(configuration.issuer(boundPort: configuration.port))
        let root = try await MountedIssuer.make(configuration: configuration, fixtures: rootFixtures, server: server, name: nil, layout: configuration.layout)
        let table = IssuerTable(root: root, configuration: configuration, rootFixtures: rootFixtures)

        var declared: [(name: String, layout: MockIdPConfiguration.Layout, origin: Origin, load: () throws -> MockIdPFixtures)] = []
        var problems: [MockIdPFixtureError.Problem] = []
        if let directory = configuration.fixtures.directory ?? configuration.issuerDirectory {
            let scan = IssuerDirectories.scan(directory)
            problems += scan.problems
            for found in scan.found {
                declared.append((found.name, found.layout, .fixtures, { try FixtureLoader.load(directories: [found.path, directory]) }))
            }
        }
        for (index, issuer) in configuration.issuers.enumerated() {
            if let problem = IssuerName.problem(with: issuer.name) {
                problems.append(.init(file: "issuers", index: index, idField: "name", id: issuer.name, field: "name", reason: problem))
                continue
            }
            declared.append((issuer.name, issuer.layout, .configuration, {
                guard let source = issuer.fixtures else { return rootFixtures }
                return try IdPState.fixtures(from: source, fallback: configuration.fixtures.directory, logger: configuration.logger)
            }))
        }
        // Every issuer's fixtures are loaded before any is mounted, so that one start reports every problem.
        var seen = Set<String>()
        var loaded: [(name: String, layout: MockIdPConfiguration.Layout, origin: Origin, fixtures: MockIdPFixtures)] = []
        for issuer in declared {
            guard seen.insert(issuer.name).inserted else {
                problems.append(.init(file: "issuers", idField: "name", id: issuer.name, field: "name", code: .duplicate, reason: "issuer \"\(issuer.name)\" is declared twice"))
                continue
            }
            do {
                loaded.append((issuer.name, issuer.layout, issuer.origin, try issuer.load()))
            } catch let error as MockIdPFixtureError {
                problems += error.problems
            }
        }
        if !problems.isEmpty { throw MockIdPFixtureError(problems: problems) }
        for issuer in loaded {
            _ = try await table.insert(name: issuer.name, layout: issuer.layout, origin: issuer.origin, fixtures: issuer.fixtures)
        }
        return table
    }

    // MARK: Reading

    /// The named issuers, by name.
    var named: [Entry] { entries.withLock { $0.byName.values.sorted { $0.name < $1.name } } }

    /// The signing keys of every issuer but the one mounted at `mountPath`, by name (`root` for the root issuer): where
    /// a token this issuer does not know may come from.
    func keys(besides mountPath: String) -> [(name: String, keys: SigningKeys)] {
        let all = [("root", root.state)] + named.map { ($0.name, $0.issuer.state) }
        return all.filter { $0.1.issuer.mountPath != mountPath }.map { ($0.0, $0.1.keys) }
    }

    /// The named issuer called `name`.
    func entry(named name: String) -> Entry? { entries.withLock { $0.byName[name] } }

    /// The named issuer that serves `path`, creating one on demand when the server does that; `nil` for the root's paths.
    func entry(forPath path: String) async throws -> Entry? {
        guard hasNamed.load(ordering: .relaxed) || configuration.issuersOnDemand else { return nil }
        let (first, second, isMetadata) = Self.leadingSegments(of: path)
        guard let first else { return nil }
        if isMetadata {
            let issuerPath = ServerBase.normalized(String(path.dropFirst(EndpointPaths.rootAuthorizationServerMetadata.utf8.count)))
            return entries.withLock { $0.byIssuerPath[issuerPath] }
        }
        let key = first == "realms" ? second.map { "realms/" + $0 } : String(first)
        guard let key else { return nil }
        if let entry = entries.withLock({ $0.byMount[key] }) { return entry }
        // navikt/mock-oauth2-server's "any path segment is an issuer", opt-in: a name under /realms/ makes a Keycloak realm.
        guard configuration.issuersOnDemand else { return nil }
        let name = String(second.flatMap { first == "realms" ? $0 : nil } ?? first)
        guard IssuerName.problem(with: name) == nil, entries.withLock({ $0.byName.count }) < Self.onDemandLimit else { return nil }
        let layout: MockIdPConfiguration.Layout = first == "realms" ? .keycloak : .standard
        do {
            return try await insert(name: name, layout: layout, origin: .onDemand, fixtures: rootFixtures)
        } catch is IssuerConflict {
            return entries.withLock { $0.byMount[key] }
        }
    }

    /// The first two segments of a path, and whether it is under RFC 8414's root metadata path with more after it.
    private static func leadingSegments(of path: String) -> (Substring?, Substring?, Bool) {
        let segments = path.split(separator: "/", maxSplits: 2)
        let first = segments.first
        let second = segments.count > 1 ? segments[1] : nil
        let isMetadata = first == ".well-known" && second == "oauth-authorization-server" && segments.count > 2
        return (first, second, isMetadata)
    }

    // MARK: Adding and removing

    /// The name is taken, or its mount or issuer path is another issuer's.
    struct IssuerConflict: Error, CustomStringConvertible {
        let description: String
    }

    /// Adds a named issuer.
    ///
    /// - Parameter fixtures: its fixtures; `nil` serves the root's fixtures as loaded.
    /// - Throws: `OAuthError` (`invalid_request`) for a name that cannot name an issuer or is taken;
    ///   `MockIdPFixtureError` for invalid fixtures.
    @discardableResult
    func add(name: String, layout: MockIdPConfiguration.Layout, fixtures: MockIdPFixtures?) async throws -> Entry {
        if let problem = IssuerName.problem(with: name) { throw OAuthError(.invalidRequest, problem) }
        do {
            return try await insert(name: name, layout: layout, origin: .runtime, fixtures: fixtures ?? rootFixtures)
        } catch let conflict as IssuerConflict {
            throw OAuthError(.invalidRequest, conflict.description)
        }
    }

    /// Removes a named issuer: its tokens, sessions and /debug go with it. Returns whether there was one.
    @discardableResult
    func remove(name: String) -> Bool {
        entries.withLock { entries in
            guard let entry = entries.byName.removeValue(forKey: name) else { return false }
            entries.byMount.removeValue(forKey: Self.mountKey(entry))
            entries.byIssuerPath.removeValue(forKey: entry.issuer.state.issuer.issuerPath)
            hasNamed.store(!entries.byName.isEmpty, ordering: .relaxed)
            return true
        }
    }

    private static func mountKey(_ entry: Entry) -> String {
        String(entry.issuer.state.issuer.mountPath.dropFirst())
    }

    private func insert(name: String, layout: MockIdPConfiguration.Layout, origin: Origin, fixtures: MockIdPFixtures) async throws -> Entry {
        let issuer = try await MountedIssuer.make(configuration: configuration, fixtures: fixtures, server: root.state.issuer.server, name: name, layout: layout)
        let entry = Entry(name: name, layout: layout, origin: origin, issuer: issuer, responder: issuer.buildRouter().buildResponder())
        let mountKey = Self.mountKey(entry)
        let issuerPath = issuer.state.issuer.issuerPath
        try entries.withLock { entries in
            if entries.byName[name] != nil { throw IssuerConflict(description: "an issuer named \"\(name)\" exists already") }
            if entries.byMount[mountKey] != nil || entries.byIssuerPath[issuerPath] != nil {
                throw IssuerConflict(description: "another issuer is mounted at /\(mountKey) already")
            }
            entries.byName[name] = entry
            entries.byMount[mountKey] = entry
            entries.byIssuerPath[issuerPath] = entry
            hasNamed.store(true, ordering: .relaxed)
        }
        return entry
    }
}

/// The server's responder: a request under a named issuer's mount path goes to that issuer's router, every other
/// request to the root issuer's.
struct IssuerDispatcher: HTTPResponder {
    let root: RouterResponder<IdPRequestContext>
    let issuers: IssuerTable

    func respond(to request: Request, context: IdPRequestContext) async throws -> Response {
        if let entry = try await issuers.entry(forPath: request.uri.path) {
            return try await entry.responder.respond(to: request, context: context)
        }
        return try await root.respond(to: request, context: context)
    }
}
