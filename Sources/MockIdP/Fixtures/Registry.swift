/// The validated fixtures, indexed for the lookups every request makes.
package struct Registry: Sendable {
    let fixtures: MockIdPFixtures
    private let usersBySub: [String: User]
    private let usersByUsername: [String: User]
    private var clientsByID: [String: Client]
    let scopesByName: [String: Scope]
    /// Each client's CORS origins, and the origins any client allows (for preflights and requests of no known client).
    private var originPoliciesByClientID: [String: OriginPolicy]
    let anyClientOrigins: OriginPolicy

    /// - Throws: `MockIdPFixtureError` if the fixtures break a rule (duplicates, undefined scopes, bad redirect URIs ...).
    package init(_ fixtures: MockIdPFixtures) throws(MockIdPFixtureError) {
        let problems = FixtureValidator.problems(in: fixtures)
        if !problems.isEmpty { throw MockIdPFixtureError(problems: problems) }
        self.fixtures = fixtures
        self.usersBySub = Dictionary(fixtures.users.map { ($0.sub, $0) }, uniquingKeysWith: { first, _ in first })
        self.usersByUsername = Dictionary(fixtures.users.map { ($0.username, $0) }, uniquingKeysWith: { first, _ in first })
        let allScopes = fixtures.scopes.map(\.name)
        self.clientsByID = Dictionary(
            fixtures.clients.map { client in
                var client = client
                client.scopes = client.scopes ?? allScopes
                return (client.clientID, client)
            },
            uniquingKeysWith: { first, _ in first }
        )
        self.scopesByName = Dictionary(fixtures.scopes.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        self.originPoliciesByClientID = clientsByID.mapValues { OriginPolicy($0) }
        self.anyClientOrigins = OriginPolicy(anyOf: originPoliciesByClientID.values)
    }

    /// This registry with one more client, for one request: a client that its metadata document describes (its
    /// `client_id` is the document's URL). Not validated against the others; a loaded client of that id wins.
    func including(_ client: Client) -> Registry {
        guard clientsByID[client.clientID] == nil else { return self }
        var copy = self
        var client = client
        client.scopes = client.scopes ?? fixtures.scopes.map(\.name)
        copy.clientsByID[client.clientID] = client
        copy.originPoliciesByClientID[client.clientID] = OriginPolicy(client)
        return copy
    }

    /// The CORS origins of a registered client.
    func originPolicy(clientID: String) -> OriginPolicy? { originPoliciesByClientID[clientID] }

    /// A client, with `scopes` resolved (never `nil`).
    package func client(_ clientID: String) -> MockIdPFixtures.Client? { clientsByID[clientID] }

    package func user(sub: String) -> MockIdPFixtures.User? { usersBySub[sub] }

    /// The user a `login_hint` names, matched on `sub` first, then on `username`.
    package func user(hint: String) -> MockIdPFixtures.User? { usersBySub[hint] ?? usersByUsername[hint] }

    /// The user signed in when a request names none: the first in users.json.
    var defaultUser: User? { fixtures.users.first }

    /// The claims of `user` that `scope` releases (OIDC Core §5.4), in addition to `sub`.
    func claims(of user: User, for scope: [String]) -> [String: ClaimValue] {
        var claims: [String: ClaimValue] = [:]
        for name in scope {
            for claim in scopesByName[name]?.claims ?? [] {
                if let value = user.claims[claim] { claims[claim] = value }
            }
        }
        return claims
    }

    /// The fixture claims of an access token: the client's `access_token_claims`, then the user claims that the
    /// granted scopes copy (scopes.json `access_token_claims`), then the user's own `access_token_claims`, each layer
    /// over the one before. Validation keeps the reserved claims out of all three.
    func accessTokenClaims(client: Client, user: User?, scope: [String]) -> [String: ClaimValue] {
        var claims = client.accessTokenClaims
        guard let user else { return claims }
        for name in scope {
            for claim in scopesByName[name]?.accessTokenClaims ?? [] {
                if let value = user.claims[claim] { claims[claim] = value }
            }
        }
        claims.merge(user.accessTokenClaims) { _, user in user }
        return claims
    }
}
