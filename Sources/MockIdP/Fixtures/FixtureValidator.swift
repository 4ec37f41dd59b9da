#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Cross-checks typed fixtures: unique ids, defined scopes, well-formed redirect URIs, coherent client settings.
///
/// The same rules apply to fixture files, to fixtures given as Swift values, and to entries added at runtime.
enum FixtureValidator {
    static let usersFile = "users.json"
    static let clientsFile = "clients.json"
    static let scopesFile = "scopes.json"

    /// Every problem in `fixtures`.
    ///
    /// - Parameters:
    ///   - firstNewUser, firstNewClient: when entries are added at runtime, the position of the first added one:
    ///     only added users and clients are checked (the others were valid already), and they are indexed as in the
    ///     request. Scopes are never added at runtime: the loaded ones are valid, so they add no problem.
    static func problems(in fixtures: MockIdPFixtures, firstNewUser: Int = 0, firstNewClient: Int = 0) -> [MockIdPFixtureError.Problem] {
        userProblems(fixtures.users, firstNew: firstNewUser) + scopeProblems(fixtures.scopes)
            + clientProblems(fixtures.clients, definedScopes: Set(fixtures.scopes.map(\.name)), firstNew: firstNewClient)
    }

    /// Decoding problems first, then the validation problems they do not already cover: a field (or a whole entry)
    /// that already has a decoding problem is not reported again by validation, which saw only its default value.
    static func merge(decoding: [MockIdPFixtureError.Problem], validation: [MockIdPFixtureError.Problem]) -> [MockIdPFixtureError.Problem] {
        struct Location: Hashable {
            let file: String
            let index: Int?
            let field: String?
        }
        let reported = Set(decoding.map { Location(file: $0.file, index: $0.index, field: $0.field) })
        return decoding
            + validation.filter { problem in
                !reported.contains(Location(file: problem.file, index: problem.index, field: nil))
                    && !reported.contains(Location(file: problem.file, index: problem.index, field: problem.field))
            }
    }

    /// "first at index N" for an earlier entry of the same request, "already registered" for one loaded before it.
    private static func duplicateNote(first: Int, firstNew: Int) -> String {
        first >= firstNew ? "first at index \(first - firstNew)" : "already registered"
    }

    static func userProblems(_ users: [User], firstNew: Int = 0) -> [MockIdPFixtureError.Problem] {
        var problems: [MockIdPFixtureError.Problem] = []
        var subs: [String: Int] = [:]
        var usernames: [String: Int] = [:]
        for (index, user) in users.enumerated() {
            let isNew = index >= firstNew
            func problem(_ field: String, code: MockIdPFixtureError.Code = .invalidValue, _ reason: String) {
                guard isNew else { return }
                problems.append(.init(file: usersFile, index: index - firstNew, idField: "sub", id: user.sub, field: field, code: code, reason: reason))
            }
            if user.sub.isEmpty { problem("sub", "must not be empty") }
            if let first = subs[user.sub] {
                problem("sub", code: .duplicate, "duplicate sub \"\(user.sub)\" (\(duplicateNote(first: first, firstNew: firstNew)))")
            } else {
                subs[user.sub] = index
            }
            if let first = usernames[user.username] {
                problem("username", code: .duplicate, "duplicate username \"\(user.username)\" (\(duplicateNote(first: first, firstNew: firstNew)))")
            } else {
                usernames[user.username] = index
            }
            for reserved in ["sub", "iss", "aud", "exp", "iat"] where user.claims[reserved] != nil {
                problem("claims.\(reserved)", "\"\(reserved)\" is set by MockIdP and cannot be a user claim")
            }
            for name in reservedAccessTokenClaims(in: user.accessTokenClaims.keys) {
                problem("access_token_claims.\(name)", "\"\(name)\" is set by MockIdP and cannot be overridden from fixtures")
            }
        }
        return problems
    }

    static func scopeProblems(_ scopes: [Scope]) -> [MockIdPFixtureError.Problem] {
        var problems: [MockIdPFixtureError.Problem] = []
        var names: [String: Int] = [:]
        for (index, scope) in scopes.enumerated() {
            func problem(code: MockIdPFixtureError.Code = .invalidValue, _ reason: String) {
                problems.append(.init(file: scopesFile, index: index, idField: "name", id: scope.name, field: "name", code: code, reason: reason))
            }
            if let first = names[scope.name] {
                problem(code: .duplicate, "duplicate scope \"\(scope.name)\" (first at index \(first))")
            } else {
                names[scope.name] = index
            }
            // RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E )
            if scope.name.isEmpty || !scope.name.unicodeScalars.allSatisfy(isScopeTokenCharacter) {
                problem("not a valid scope token (RFC 6749 §3.3: no spaces, quotes or backslashes)")
            }
            for (claimIndex, name) in scope.accessTokenClaims.enumerated() where MockIdPFixtures.reservedAccessTokenClaims.contains(name) {
                problems.append(
                    .init(
                        file: scopesFile, index: index, idField: "name", id: scope.name, field: "access_token_claims[\(claimIndex)]",
                        code: .invalidValue, reason: "\"\(name)\" is set by MockIdP and cannot be copied into access tokens from a user's claims"
                    )
                )
            }
        }
        return problems
    }

    /// The reserved access-token claim names among `names`, sorted, so that problems come in a stable order.
    private static func reservedAccessTokenClaims(in names: some Sequence<String>) -> [String] {
        names.filter(MockIdPFixtures.reservedAccessTokenClaims.contains).sorted()
    }

    /// Problems with a client's assertion keys (RFC 7591 §2 `jwks`, `jwks_uri`) and its `token_endpoint_auth_signing_alg`,
    /// as (field, reason).
    static func keyProblems(_ client: Client) -> [(String, String)] {
        var problems: [(String, String)] = []
        if let jwks = client.jwks {
            do {
                _ = try ClientJWK.keys(ofSet: jwks)
            } catch {
                problems.append(("jwks.\(error.field)", error.reason))
            }
        }
        if let uri = client.jwksURI {
            if client.jwks != nil {
                // RFC 7591 §2: "The "jwks_uri" and "jwks" parameters MUST NOT both be present in the same request or response."
                problems.append(("jwks_uri", "jwks and jwks_uri must not both be present (RFC 7591 §2)"))
            }
            if let reason = jwksURIProblem(uri) { problems.append(("jwks_uri", reason)) }
        }
        if let alg = client.tokenEndpointAuthSigningAlg {
            switch client.tokenEndpointAuthMethod {
            case .clientSecretJWT? where alg != .hs256:
                problems.append(("token_endpoint_auth_signing_alg", "client_secret_jwt signs with HS256, not \(alg.rawValue)"))
            case .privateKeyJWT? where alg == .hs256:
                problems.append(("token_endpoint_auth_signing_alg", "private_key_jwt signs with RS256, ES256 or EdDSA, not HS256"))
            case .clientSecretJWT?, .privateKeyJWT?:
                break
            default:
                problems.append(("token_endpoint_auth_signing_alg", "applies only to token_endpoint_auth_method client_secret_jwt or private_key_jwt"))
            }
        }
        return problems
    }

    /// A `jwks_uri` must be an absolute `https` URL, or `http` to a loopback host (what `RemoteDocuments` fetches).
    static func jwksURIProblem(_ uri: String) -> String? {
        guard let url = URL(string: uri), let scheme = url.scheme?.lowercased(), let host = url.host, !host.isEmpty else {
            return "not an absolute URL"
        }
        if url.fragment != nil { return "must not have a fragment" }
        switch scheme {
        case "https": return nil
        case "http": return ["localhost", "127.0.0.1", "::1", "[::1]"].contains(host.lowercased()) ? nil : "http is allowed for a loopback host only; use https"
        default: return "expected an https URL, found scheme \"\(scheme)\""
        }
    }

    static func isScopeTokenCharacter(_ scalar: Unicode.Scalar) -> Bool {
        scalar == "\u{21}" || ("\u{23}"..."\u{5B}").contains(scalar) || ("\u{5D}"..."\u{7E}").contains(scalar)
    }

    static func clientProblems(_ clients: [Client], definedScopes: Set<String>, firstNew: Int = 0) -> [MockIdPFixtureError.Problem] {
        var problems: [MockIdPFixtureError.Problem] = []
        var ids: [String: Int] = [:]
        for (index, client) in clients.enumerated() {
            let isNew = index >= firstNew
            func problem(_ field: String, code: MockIdPFixtureError.Code = .invalidValue, _ reason: String) {
                guard isNew else { return }
                problems.append(
                    .init(file: clientsFile, index: index - firstNew, idField: "client_id", id: client.clientID, field: field, code: code, reason: reason)
                )
            }
            if client.clientID.isEmpty { problem("client_id", "must not be empty") }
            if let first = ids[client.clientID] {
                problem("client_id", code: .duplicate, "duplicate client_id \"\(client.clientID)\" (\(duplicateNote(first: first, firstNew: firstNew)))")
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
                problem("scopes[\(scopeIndex)]", code: .undefinedReference, "scope \"\(scope)\" is not defined in \(scopesFile)")
            }
            switch (client.tokenEndpointAuthMethod, client.clientSecret) {
            case (.none?, _?):
                problem("token_endpoint_auth_method", "\"none\" is for public clients, but this client has a client_secret")
            case (.clientSecretBasic?, nil), (.clientSecretPost?, nil), (.clientSecretJWT?, nil):
                problem("token_endpoint_auth_method", "needs a client_secret")
            case (.privateKeyJWT?, _) where !client.hasKeys:
                problem("token_endpoint_auth_method", "private_key_jwt needs the client's public keys: jwks or jwks_uri")
            default:
                break
            }
            problems += keyProblems(client).map { field, reason in
                .init(file: clientsFile, index: index - firstNew, idField: "client_id", id: client.clientID, field: field, code: .invalidValue, reason: reason)
            }.filter { _ in isNew }
            if client.grantTypes.contains(.jwtBearer) && client.grantAssertionAlgorithms.isEmpty && client.tokenExchangeTrustedIssuers.isEmpty {
                problem(
                    "grant_types",
                    "the jwt-bearer grant needs a key to verify its assertions: jwks, jwks_uri, a client_secret (HS256) or token_exchange_trusted_issuers"
                )
            }
            if client.isPublic && client.grantTypes.contains(.clientCredentials) {
                problem("grant_types", "client_credentials needs a confidential client (one with a client_secret)")
            }
            for ttl in [("access_token_ttl", client.accessTokenTTL), ("refresh_token_ttl", client.refreshTokenTTL), ("id_token_ttl", client.idTokenTTL)]
            where ttl.1 <= 0 || ttl.1 > Client.maximumTTL {
                problem(ttl.0, "must be a positive number of seconds up to \(Client.maximumTTL) (ten years)")
            }
            for name in reservedAccessTokenClaims(in: client.accessTokenClaims.keys) {
                problem("access_token_claims.\(name)", "\"\(name)\" is set by MockIdP and cannot be overridden from fixtures")
            }
            if !(0...Client.maximumDevicePollInterval).contains(client.devicePollInterval) {
                problem("device_poll_interval", "must be a whole number of seconds from 0 to \(Client.maximumDevicePollInterval)")
            }
            // A defaulted audience ([client_id]) is not the user's to fix; a missing client_id is reported on its own.
            if client.audience != [client.clientID] && (client.audience.isEmpty || client.audience.contains("")) {
                problem("audience", "must name at least one non-empty audience")
            }
            if case .origins(let origins) = client.allowedOrigins {
                for (originIndex, origin) in origins.enumerated() {
                    let reason = origin == "*"
                        ? #""*" allows every origin only on its own: write "allowed_origins": "*""#
                        : WebOrigin.problem(with: origin)
                    if let reason { problem("allowed_origins[\(originIndex)]", reason) }
                }
            }
            for (field, reason) in trustedIssuerProblems(client.tokenExchangeTrustedIssuers) { problem(field, reason) }
        }
        return problems
    }
}
