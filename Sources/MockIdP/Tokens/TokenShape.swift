import Crypto

/// The claims a layout's vendor puts in its tokens, beside RFC 9068's and OpenID Connect's, so that an app's token
/// handling (its library's role mapping, tenant checks, permission checks) reads MockIdP's tokens as the vendor's.
struct TokenShape: Sendable {
    let layout: MockIdPConfiguration.Layout
    /// The realm or tenant; `nil` for the root issuer.
    let name: String?
    /// The issuer's UserInfo path, below its mount: Auth0 puts that endpoint in `aud`.
    let userinfoPath: String

    /// The OpenID Connect scopes, which Entra leaves out of `scp`.
    private static let openIDScopes: Set = ["openid", "profile", "email", "address", "phone", "offline_access"]

    /// Adds the vendor's access-token claims; the fixtures' claims and /debug's overrides are applied after, and win.
    ///
    /// - Parameter userinfoURL: the issuer's UserInfo endpoint, which Auth0 adds to `aud` when `openid` is granted.
    func shapeAccessToken(_ claims: inout [String: ClaimValue], for authorization: Authorization, userinfoURL: String) {
        let client = authorization.client
        let user = authorization.user
        switch layout {
        case .standard:
            return
        case .keycloak:
            // Keycloak's payload `typ` (its JOSE header says JWT; MockIdP's says at+jwt, per RFC 9068 §2.1).
            claims["typ"] = "Bearer"
            claims["azp"] = .string(client.clientID)
            if let sid = authorization.sid { claims["sid"] = .string(sid) }
            claims["preferred_username"] = .string(user?.username ?? "service-account-" + client.clientID)
            if let user {
                claims["realm_access"] = .object(["roles": Self.strings(user.realmRoles)])
                let resources = user.clientRoles.filter { !$0.value.isEmpty }.mapValues { ClaimValue.object(["roles": Self.strings($0)]) }
                if !resources.isEmpty { claims["resource_access"] = .object(resources) }
            }
        case .entra:
            claims["ver"] = "2.0"
            if let name { claims["tid"] = .string(name) }
            claims["azp"] = .string(client.clientID)
            claims["oid"] = .string(Self.objectID(user.map { $0.claims["oid"]?.stringValue ?? $0.sub } ?? client.clientID))
            // Entra's scopes name their API (`api://budgetify/transactions.read`, `api://budgetify/.default`): the API
            // is the audience, `scp` the delegated scope names; an app-only token has `roles` (the client's
            // access_token_claims) and no `scp`.
            var resources: [String] = []
            var delegated: [String] = []
            for scope in authorization.scope where !Self.openIDScopes.contains(scope) {
                if let slash = scope.lastIndex(of: "/"), scope.contains("://") {
                    let resource = String(scope[..<slash])
                    if !resources.contains(resource) { resources.append(resource) }
                    let name = String(scope[scope.index(after: slash)...])
                    if name != ".default" { delegated.append(name) }
                } else {
                    delegated.append(scope)
                }
            }
            if !resources.isEmpty { claims["aud"] = TokenService.audienceClaim(resources) }
            if let user {
                if !delegated.isEmpty { claims["scp"] = .string(delegated.joined(separator: " ")) }
                claims["preferred_username"] = user.claims["preferred_username"] ?? user.claims["email"] ?? .string(user.username)
                if let name = user.claims["name"] { claims["name"] = name }
            } else {
                claims["idtyp"] = "app"
            }
        case .auth0:
            claims["azp"] = .string(client.clientID)
            if let user {
                // The API asked for (`audience`, or the client fixture's), plus the UserInfo endpoint when openid is
                // granted, as Auth0 issues it; with no API, a token for the UserInfo endpoint alone.
                let apis = authorization.audience == [client.clientID] ? [] : authorization.audience
                var audience = apis
                if authorization.scope.contains("openid") || apis.isEmpty, !audience.contains(userinfoURL) { audience.append(userinfoURL) }
                claims["aud"] = TokenService.audienceClaim(audience)
                // RBAC's "Add Permissions in the Access Token": the user's permissions on the API asked for.
                var permissions: [String] = []
                for api in apis {
                    for permission in user.clientRoles[api] ?? [] where !permissions.contains(permission) { permissions.append(permission) }
                }
                if !apis.isEmpty { claims["permissions"] = Self.strings(permissions) }
            } else {
                claims["sub"] = .string(client.clientID + "@clients")
                claims["gty"] = "client-credentials"
            }
        }
    }

    /// Adds the vendor's ID-token claims.
    func shapeIDToken(_ claims: inout [String: ClaimValue], for authorization: Authorization) {
        guard let user = authorization.user else { return }
        switch layout {
        case .standard, .auth0:
            return
        case .keycloak:
            claims["typ"] = "ID"
            claims["preferred_username"] = .string(user.username)
        case .entra:
            claims["ver"] = "2.0"
            if let name { claims["tid"] = .string(name) }
            claims["oid"] = .string(Self.objectID(user.claims["oid"]?.stringValue ?? user.sub))
            claims["preferred_username"] = user.claims["preferred_username"] ?? user.claims["email"] ?? .string(user.username)
            if let name = user.claims["name"] { claims["name"] = name }
        }
    }

    /// Entra's `oid`, a GUID: the fixture's `oid` claim when it is one, else one derived from the subject, stable
    /// across restarts.
    static func objectID(_ subject: String) -> String {
        if subject.utf8.count == 36, subject.split(separator: "-").map(\.count) == [8, 4, 4, 4, 12] { return subject }
        let characters = SHA256.hash(data: Array(subject.utf8)).prefix(16).flatMap { byte in
            [hexDigits[Int(byte >> 4)], hexDigits[Int(byte & 0xF)]]
        }
        return [0..<8, 8..<12, 12..<16, 16..<20, 20..<32].map { String(characters[$0]) }.joined(separator: "-")
    }

    private static let hexDigits = Array("0123456789abcdef")

    private static func strings(_ values: [String]) -> ClaimValue { .array(values.map { .string($0) }) }
}
