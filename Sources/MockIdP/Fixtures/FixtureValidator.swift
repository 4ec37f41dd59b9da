/// Cross-checks typed fixtures: unique ids, defined scopes, well-formed redirect URIs, coherent client settings.
///
/// The same rules apply to fixture files, to fixtures given as Swift values, and to entries added at runtime.
enum FixtureValidator {
    static let usersFile = "users.json"
    static let clientsFile = "clients.json"
    static let scopesFile = "scopes.json"

    /// `index 2 (client_id "budgetify")`, or `index 2` when the id is missing; the same label `FixtureDecoder` uses.
    static func label(_ index: Int, _ idField: String, _ id: String) -> String {
        id.isEmpty ? "index \(index)" : "index \(index) (\(idField) \"\(id)\")"
    }

    static func problems(in fixtures: Fixtures) -> [FixtureProblem] {
        userProblems(fixtures.users) + scopeProblems(fixtures.scopes)
            + clientProblems(fixtures.clients, definedScopes: Set(fixtures.scopes.map(\.name)))
    }

    static func userProblems(_ users: [User]) -> [FixtureProblem] {
        var problems: [FixtureProblem] = []
        var subs: [String: Int] = [:]
        var usernames: [String: Int] = [:]
        for (index, user) in users.enumerated() {
            let entry = label(index, "sub", user.sub)
            func problem(_ field: String, _ reason: String) {
                problems.append(.init(file: usersFile, entry: entry, field: field, reason: reason))
            }
            if user.sub.isEmpty { problem("sub", "must not be empty") }
            if let first = subs[user.sub] {
                problem("sub", "duplicate sub \"\(user.sub)\" (first at index \(first))")
            } else {
                subs[user.sub] = index
            }
            if let first = usernames[user.username] {
                problem("username", "duplicate username \"\(user.username)\" (first at index \(first))")
            } else {
                usernames[user.username] = index
            }
            for reserved in ["sub", "iss", "aud", "exp", "iat"] where user.claims[reserved] != nil {
                problem("claims.\(reserved)", "\"\(reserved)\" is set by MockIdP and cannot be a user claim")
            }
        }
        return problems
    }

    static func scopeProblems(_ scopes: [Scope]) -> [FixtureProblem] {
        var problems: [FixtureProblem] = []
        var names: [String: Int] = [:]
        for (index, scope) in scopes.enumerated() {
            let entry = label(index, "name", scope.name)
            if let first = names[scope.name] {
                problems.append(.init(file: scopesFile, entry: entry, field: "name", reason: "duplicate scope \"\(scope.name)\" (first at index \(first))"))
            } else {
                names[scope.name] = index
            }
            // RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E )
            if scope.name.isEmpty || !scope.name.unicodeScalars.allSatisfy(isScopeTokenCharacter) {
                problems.append(.init(file: scopesFile, entry: entry, field: "name", reason: "not a valid scope token (RFC 6749 §3.3: no spaces, quotes or backslashes)"))
            }
        }
        return problems
    }

    static func isScopeTokenCharacter(_ scalar: Unicode.Scalar) -> Bool {
        scalar == "\u{21}" || ("\u{23}"..."\u{5B}").contains(scalar) || ("\u{5D}"..."\u{7E}").contains(scalar)
    }

    static func clientProblems(_ clients: [Client], definedScopes: Set<String>) -> [FixtureProblem] {
        var problems: [FixtureProblem] = []
        var ids: [String: Int] = [:]
        for (index, client) in clients.enumerated() {
            let entry = label(index, "client_id", client.clientID)
            func problem(_ field: String, _ reason: String) {
                problems.append(.init(file: clientsFile, entry: entry, field: field, reason: reason))
            }
            if client.clientID.isEmpty { problem("client_id", "must not be empty") }
            if let first = ids[client.clientID] {
                problem("client_id", "duplicate client_id \"\(client.clientID)\" (first at index \(first))")
            } else {
                ids[client.clientID] = index
            }
            for (field, uris) in [("redirect_uris", client.redirectURIs), ("post_logout_redirect_uris", client.postLogoutRedirectURIs)] {
                for (uriIndex, uri) in uris.enumerated() {
                    if let reason = RedirectURI.problem(with: uri) { problem("\(field)[\(uriIndex)]", reason) }
                }
            }
            if client.grantTypes.contains(.authorizationCode) && client.redirectURIs.isEmpty {
                problem("redirect_uris", "required for a client with the authorization_code grant")
            }
            for (scopeIndex, scope) in (client.scopes ?? []).enumerated() where !definedScopes.contains(scope) {
                problem("scopes[\(scopeIndex)]", "scope \"\(scope)\" is not defined in \(scopesFile)")
            }
            switch (client.tokenEndpointAuthMethod, client.clientSecret) {
            case (.none?, _?):
                problem("token_endpoint_auth_method", "\"none\" is for public clients, but this client has a client_secret")
            case (.clientSecretBasic?, nil), (.clientSecretPost?, nil):
                problem("token_endpoint_auth_method", "needs a client_secret")
            default:
                break
            }
            if client.isPublic && client.grantTypes.contains(.clientCredentials) {
                problem("grant_types", "client_credentials needs a confidential client (one with a client_secret)")
            }
            for ttl in [("access_token_ttl", client.accessTokenTTL), ("refresh_token_ttl", client.refreshTokenTTL), ("id_token_ttl", client.idTokenTTL)]
            where ttl.1 <= 0 || ttl.1 > Client.maximumTTL {
                problem(ttl.0, "must be a positive number of seconds up to \(Client.maximumTTL) (ten years)")
            }
            // A defaulted audience ([client_id]) is not the user's to fix; a missing client_id is reported on its own.
            if client.audience != [client.clientID] && (client.audience.isEmpty || client.audience.contains("")) {
                problem("audience", "must name at least one non-empty audience")
            }
        }
        return problems
    }
}
