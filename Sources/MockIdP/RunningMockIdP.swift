import HTTPTypes

/// A running MockIdP: where it is, and the controls a test needs (the same as `/debug` offers over HTTP).
public struct RunningMockIdP: Sendable {
    let server: AuthorizationServer

    /// The issuer identifier, e.g. `http://127.0.0.1:53124`.
    public var issuer: String { server.issuer.issuer }
    /// The bound port.
    public var port: Int { server.issuer.port ?? 0 }

    public var discoveryURL: String { server.issuer.url(EndpointPath.openIDConfiguration) }
    public var authorizationEndpoint: String { server.issuer.url(EndpointPath.authorize) }
    public var tokenEndpoint: String { server.issuer.url(EndpointPath.token) }
    public var userinfoEndpoint: String { server.issuer.url(EndpointPath.userinfo) }
    public var jwksURI: String { server.issuer.url(EndpointPath.jwks) }
    public var introspectionEndpoint: String { server.issuer.url(EndpointPath.introspection) }
    public var revocationEndpoint: String { server.issuer.url(EndpointPath.revocation) }
    public var deviceAuthorizationEndpoint: String { server.issuer.url(EndpointPath.deviceAuthorization) }
    public var endSessionEndpoint: String { server.issuer.url(EndpointPath.endSession) }

    /// Mints tokens without a flow, exactly as the token endpoint would issue them (they introspect as active).
    ///
    /// - Parameters:
    ///   - clientID: a registered client.
    ///   - sub: a user's sub or username; `nil` for a token the client holds on its own behalf.
    ///   - scope: space-separated; defaults to every scope the client may have.
    ///   - claims: extra or overriding access-token claims.
    ///   - idTokenClaims: extra or overriding ID-token claims.
    ///   - expiresIn: the access token's lifetime; defaults to the client's.
    /// - Returns: the tokens: an ID token when `sub` is set and `openid` granted, a refresh token when the client may refresh.
    /// - Throws: `MockIdPRequestError` for an unknown client or user, or a scope the client may not have.
    public func mintTokens(
        clientID: String,
        sub: String? = nil,
        scope: String? = nil,
        claims: [String: JSONValue] = [:],
        idTokenClaims: [String: JSONValue] = [:],
        expiresIn: Int? = nil
    ) async throws -> Tokens {
        do {
            let response = try await server.mint(
                clientID: clientID, sub: sub, scope: scope, audience: nil,
                overrides: TokenOverrides(accessTokenClaims: claims, idTokenClaims: idTokenClaims, accessTokenTTL: expiresIn)
            )
            return Tokens(response)
        } catch let error as OAuthError {
            throw MockIdPRequestError(error: error.code.rawValue, description: error.description)
        }
    }

    /// Scripts the next matching token-endpoint response: extra claims for the tokens it issues. One-shot, in order.
    ///
    /// - Parameters:
    ///   - clientID: match only this client (`nil`: any).
    ///   - grantType: match only this grant type, e.g. `"refresh_token"` (`nil`: any).
    public func scriptNextTokenResponse(
        clientID: String? = nil,
        grantType: String? = nil,
        accessTokenClaims: [String: JSONValue] = [:],
        idTokenClaims: [String: JSONValue] = [:]
    ) {
        _ = server.scripts.enqueue(
            ScriptedResponse(
                clientID: clientID, grantType: grantType,
                overrides: TokenOverrides(accessTokenClaims: accessTokenClaims, idTokenClaims: idTokenClaims)
            )
        )
    }

    /// Scripts the next matching token-endpoint response to fail with an OAuth error.
    ///
    /// - Parameters:
    ///   - error: the `error` code, e.g. `"invalid_grant"` or `"temporarily_unavailable"`.
    ///   - status: the HTTP status, 400 to 599.
    public func scriptNextTokenError(
        _ error: String,
        description: String = "scripted by the test",
        status: Int = 400,
        clientID: String? = nil,
        grantType: String? = nil
    ) {
        let status = (400...599).contains(status) ? status : 400
        _ = server.scripts.enqueue(
            ScriptedResponse(
                clientID: clientID, grantType: grantType,
                error: OAuthError(OAuthError.Code(rawValue: error), description, status: .init(code: status))
            )
        )
    }

    /// Moves the server clock forward: every expiry (codes, tokens, device codes) follows it.
    public func advanceClock(by seconds: Int) {
        server.clock.advance(by: max(0, seconds))
    }

    public func resetClock() {
        server.clock.reset()
    }

    /// Everything issued, newest first (the same data as `GET /debug`).
    public func issued(_ filter: IssuedFilter = IssuedFilter()) async -> IssuedSnapshot {
        await server.snapshot(filter: filter)
    }

    /// Recent requests, newest first (the same data as `GET /debug/requests`).
    public var requests: [LoggedRequest] { server.requestLog.entries }

    /// Forgets every issued code and token, scripted response and logged request (fixtures stay).
    public func reset() async {
        await server.store.reset()
        server.scripts.clear()
        server.requestLog.clear()
    }

    /// Adds users and clients at runtime, validated like fixtures; `resetFixtures()` removes them.
    public func add(users: [User] = [], clients: [Client] = []) throws {
        try server.directory.add(users: users, clients: clients)
    }

    public func resetFixtures() {
        server.directory.reset()
    }

    /// Makes a new signing key active; the previous one stays in the JWKS until the next rotation.
    @discardableResult
    public func rotateSigningKey() async throws -> String {
        try await server.keys.rotate()
    }
}

/// Tokens as the token endpoint returns them (RFC 6749 §5.1).
public struct Tokens: Sendable, Hashable {
    public var accessToken: String
    public var tokenType: String
    public var expiresIn: Int
    public var scope: String?
    public var refreshToken: String?
    public var idToken: String?

    init(_ response: TokenResponse) {
        accessToken = response.accessToken
        tokenType = response.tokenType
        expiresIn = response.expiresIn
        scope = response.scope
        refreshToken = response.refreshToken
        idToken = response.idToken
    }
}

/// A request to a running MockIdP's controls was refused, with the OAuth error the HTTP API would give.
public struct MockIdPRequestError: Error, Sendable, CustomStringConvertible {
    public var error: String
    public var description: String
}
