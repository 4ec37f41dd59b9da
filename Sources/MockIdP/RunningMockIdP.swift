/// A running MockIdP: where it is, and the controls a test needs (the same as `/debug` offers over HTTP, with the same
/// checks: both go through one control plane).
public struct RunningMockIdP: Sendable {
    let controls: DebugControls
    /// The server's issuers, for `issuer(named:)` and the rest; `nil` only for a control plane a test builds alone.
    let issuers: IssuerTable?
    private var issuerState: IssuerState { controls.state.issuer }
    private var paths: EndpointPaths { controls.state.paths }

    init(controls: DebugControls, issuers: IssuerTable? = nil) {
        self.controls = controls
        self.issuers = issuers
    }

    /// The issuer identifier, e.g. `http://127.0.0.1:53124`, `http://127.0.0.1:53124/realms/alpha-bank`.
    public var issuer: String { issuerState.issuer }
    /// The issuer's name (its path segment, realm or tenant); `nil` for the root issuer.
    public var name: String? { controls.state.name }
    /// Whose URL layout and token shapes the issuer copies.
    public var layout: MockIdPConfiguration.Layout { controls.state.layout }
    /// The bound port. `withMockIdP` and `MockIdPServer.start` hand a `RunningMockIdP` over only once the server
    /// listens, so it is always set there; read through `MockIdPServer.controls` before `onReady`, it is 0
    /// (`MockIdPServer.port` is `nil` then).
    public var port: Int { issuerState.port ?? 0 }

    /// `/.well-known/openid-configuration` (OpenID Connect Discovery §4), where the layout puts it.
    public var discoveryURL: String { issuerState.url(paths.openIDConfiguration) }
    /// The authorization endpoint (RFC 6749 §3.1).
    public var authorizationEndpoint: String { issuerState.url(paths.authorize) }
    /// The token endpoint (RFC 6749 §3.2).
    public var tokenEndpoint: String { issuerState.url(paths.token) }
    /// The UserInfo endpoint (OpenID Connect Core §5.3).
    public var userinfoEndpoint: String { issuerState.url(paths.userinfo) }
    /// The JWK Set of the signing keys (RFC 7517 §5).
    public var jwksURI: String { issuerState.url(paths.jwks) }
    /// The introspection endpoint (RFC 7662); `nil` in the Entra and Auth0 layouts, whose vendors have none.
    public var introspectionEndpoint: String? { paths.introspection.map(issuerState.url) }
    /// The revocation endpoint (RFC 7009); `nil` in the Entra layout.
    public var revocationEndpoint: String? { paths.revocation.map(issuerState.url) }
    /// The device authorization endpoint (RFC 8628 §3.1).
    public var deviceAuthorizationEndpoint: String { issuerState.url(paths.deviceAuthorization) }
    /// The end-session endpoint (OpenID Connect RP-Initiated Logout).
    public var endSessionEndpoint: String { issuerState.url(paths.endSession) }
    /// This issuer's `/debug`.
    public var debugURL: String { issuerState.url(EndpointPaths.debug) }

    // MARK: Issuers

    /// The server's named issuers (the root issuer is the one `MockIdPServer.controls` gives), by name.
    public var namedIssuers: [RunningMockIdP] {
        (issuers?.named ?? []).map { RunningMockIdP(controls: $0.issuer.controls, issuers: issuers) }
    }

    /// The named issuer called `name`, with its own endpoints and controls; `nil` when there is none.
    public func issuer(named name: String) -> RunningMockIdP? {
        issuers?.entry(named: name).map { RunningMockIdP(controls: $0.issuer.controls, issuers: issuers) }
    }

    /// Adds an issuer at runtime (the same as `POST /debug/issuers`), mounted under `/NAME` (`/realms/NAME` for Keycloak).
    ///
    /// - Parameters:
    ///   - name: its path segment, realm or tenant: letters, digits, `-`, `_`, `~`, not one of the root's paths.
    ///   - layout: whose URL layout and token shapes it copies.
    ///   - fixtures: its users, clients and scopes; `nil` serves the root issuer's fixtures as loaded.
    /// - Returns: the new issuer's endpoints and controls.
    /// - Throws: `MockIdPRequestError` (`invalid_request`) for a bad or taken name; `MockIdPFixtureError` for invalid fixtures.
    @discardableResult
    public func addIssuer(_ name: String, layout: MockIdPConfiguration.Layout = .standard, fixtures: MockIdPFixtures? = nil) async throws -> RunningMockIdP {
        guard let issuers else { throw MockIdPRequestError(OAuthError(.invalidRequest, "this control plane belongs to no server")) }
        let entry = try await MockIdPRequestError.translating { try await issuers.add(name: name, layout: layout, fixtures: fixtures) }
        return RunningMockIdP(controls: entry.issuer.controls, issuers: issuers)
    }

    /// Removes a named issuer with everything it issued (the same as `DELETE /debug/issuers/NAME`).
    ///
    /// - Returns: whether there was such an issuer.
    @discardableResult
    public func removeIssuer(_ name: String) -> Bool {
        issuers?.remove(name: name) ?? false
    }

    /// Mints tokens without a flow, exactly as the token endpoint would issue them (they introspect as active).
    ///
    /// - Parameters:
    ///   - clientID: a registered client.
    ///   - sub: a user's sub or username; `nil` for a token the client holds on its own behalf.
    ///   - scope: space-separated; defaults to every scope the client may have.
    ///   - claims: extra or overriding access-token claims.
    ///   - idTokenClaims: extra or overriding ID-token claims.
    ///   - expiresIn: the access token's lifetime in seconds (1 to ten years); defaults to the client's.
    /// - Returns: the tokens: an ID token when `sub` is set and `openid` granted, a refresh token when the client may refresh.
    /// - Throws: `MockIdPRequestError` for an unknown client or user, a scope the client may not have, or a lifetime out of range.
    public func mintTokens(
        clientID: String,
        sub: String? = nil,
        scope: String? = nil,
        claims: [String: ClaimValue] = [:],
        idTokenClaims: [String: ClaimValue] = [:],
        expiresIn: Int? = nil
    ) async throws -> MintedTokens {
        try await MockIdPRequestError.translating {
            let response = try await controls.mint(
                clientID: clientID, sub: sub, scope: scope, audience: nil,
                overrides: TokenOverrides(accessTokenClaims: claims, idTokenClaims: idTokenClaims, accessTokenTTL: expiresIn)
            )
            return MintedTokens(response)
        }
    }

    /// Scripts the next matching token-endpoint response: extra claims for the tokens it issues. One-shot, in order
    /// (the same as `POST /debug/next` with `claims`).
    ///
    /// - Parameters:
    ///   - clientID: match only this client (`nil`: any).
    ///   - grantType: match only this grant type, e.g. `"refresh_token"` (`nil`: any).
    ///   - accessTokenClaims: claims added to (or overriding those of) the access token.
    ///   - idTokenClaims: claims added to (or overriding those of) the ID token.
    /// - Returns: how many scripted responses are now pending.
    /// - Throws: `MockIdPRequestError` (`invalid_request`) when both claim sets are empty.
    @discardableResult
    public func scriptNextTokenResponse(
        clientID: String? = nil,
        grantType: String? = nil,
        accessTokenClaims: [String: ClaimValue] = [:],
        idTokenClaims: [String: ClaimValue] = [:]
    ) throws -> Int {
        try MockIdPRequestError.translating {
            try controls.scriptTokenResponse(
                clientID: clientID, grantType: grantType,
                overrides: TokenOverrides(accessTokenClaims: accessTokenClaims, idTokenClaims: idTokenClaims)
            )
        }
    }

    /// Scripts the next matching token-endpoint response to fail with an OAuth error (the same as `POST /debug/next`
    /// with `error`). A 401 carries `WWW-Authenticate`, as RFC 6749 §5.2 requires.
    ///
    /// - Parameters:
    ///   - error: the `error` code, e.g. `"invalid_grant"` or `"temporarily_unavailable"`.
    ///   - description: the `error_description`.
    ///   - status: the HTTP status, 400 to 599.
    ///   - clientID: match only this client (`nil`: any).
    ///   - grantType: match only this grant type (`nil`: any).
    /// - Returns: how many scripted responses are now pending.
    /// - Throws: `MockIdPRequestError` (`invalid_request`) for a status outside 400 to 599 or an empty error code.
    @discardableResult
    public func scriptNextTokenError(
        _ error: String,
        description: String = "scripted by the test",
        status: Int = 400,
        clientID: String? = nil,
        grantType: String? = nil
    ) throws -> Int {
        try MockIdPRequestError.translating {
            try controls.scriptTokenError(error, description: description, status: status, clientID: clientID, grantType: grantType)
        }
    }

    /// Scripts how the next matching authorization request (or device verification) ends when the user's part goes
    /// well (the same as `POST /debug/next` with `"endpoint": "authorize"` or `"device"`): signed in as `sub`, granting
    /// only `scopes` of those requested (a partial grant: the token response's `scope` then says so), after `delay`.
    ///
    /// - Parameters:
    ///   - step: the authorization endpoint (default) or the device verification page.
    ///   - clientID: match only this client (`nil`: any).
    ///   - sub: a user's sub or username; with `claims`, an ad-hoc subject (authorization only). `nil`: the usual user.
    ///   - claims: the ad-hoc subject's claims.
    ///   - scopes: the scopes granted; `nil` grants all requested.
    ///   - delay: how long the step waits first, up to 30 s.
    /// - Returns: how many scripted responses are now pending.
    /// - Throws: `MockIdPRequestError` (`invalid_request`) for a script that could never match or be carried out.
    @discardableResult
    public func scriptNextSignIn(
        at step: MockIdPUserStep = .authorization, clientID: String? = nil, as sub: String? = nil, claims: [String: ClaimValue]? = nil,
        grantingOnly scopes: [String]? = nil, delay: Duration = .zero
    ) throws -> Int {
        try MockIdPRequestError.translating {
            try controls.scriptStep(
                step.scripted, clientID: clientID, error: nil, description: nil,
                outcome: ScriptedOutcome(sub: sub, claims: claims, scope: scopes, delayMilliseconds: Int(delay.components.seconds * 1000 + delay.components.attoseconds / 1_000_000_000_000_000))
            )
        }
    }

    /// Scripts the next matching authorization request to end with an error redirect (`access_denied`,
    /// `login_required`, `consent_required`, `interaction_required`, `account_selection_required`,
    /// `temporarily_unavailable`, `server_error`, …), or the next device verification to be denied (`access_denied`).
    /// The same as `POST /debug/next` with `"endpoint": "authorize"` or `"device"` and `error`.
    ///
    /// - Parameters:
    ///   - error: the `error` code.
    ///   - description: the `error_description`.
    ///   - step: the authorization endpoint (default) or the device verification page.
    ///   - clientID: match only this client (`nil`: any).
    /// - Returns: how many scripted responses are now pending.
    /// - Throws: `MockIdPRequestError` (`invalid_request`) for an error code the step cannot end with or an unknown client.
    @discardableResult
    public func scriptNextSignInError(
        _ error: String, description: String = "scripted by the test", at step: MockIdPUserStep = .authorization, clientID: String? = nil
    ) throws -> Int {
        try MockIdPRequestError.translating {
            try controls.scriptStep(step.scripted, clientID: clientID, error: error, description: description, outcome: ScriptedOutcome())
        }
    }

    /// Moves the server clock forward (the same as `POST /debug/clock`): every expiry (codes, tokens, device codes)
    /// follows it, and what the jump expired past its retention is purged.
    ///
    /// - Parameter seconds: 0 to ten years.
    /// - Returns: the clock after the move.
    /// - Throws: `MockIdPRequestError` (`invalid_request`) for a negative move or one beyond ten years.
    @discardableResult
    public func advanceClock(by seconds: Int) async throws -> ServerClockReading {
        try await MockIdPRequestError.translating { try await controls.advanceClock(by: seconds) }
    }

    /// Puts the server clock back to wall-clock time (the same as `DELETE /debug/clock`).
    @discardableResult
    public func resetClock() -> ServerClockReading {
        controls.resetClock()
    }

    /// The server clock now (the same as `GET /debug/clock`).
    public var clock: ServerClockReading { controls.clock }

    /// Everything issued, newest first (the same data as `GET /debug`).
    public func issued(_ filter: IssuedFilter = IssuedFilter()) async -> IssuedSnapshot {
        await controls.snapshot(filter: filter)
    }

    /// "Why is this token rejected?" (the same as `POST /debug/explain`): the token decoded, whether its signature
    /// verifies and with which key, this issuer's record of it, and each check a resource server makes (issuer,
    /// audience, scope, `typ`, expiry) with the rule it applies. Never throws: malformed input is explained.
    ///
    /// - Parameters:
    ///   - token: any token string (a `Bearer ` prefix is dropped).
    ///   - expecting: what the caller's resource server expects of it.
    public func explain(_ token: String, expecting: TokenExpectations = TokenExpectations()) async -> TokenExplanation {
        await controls.explain(token, expecting: expecting, others: issuers?.keys(besides: controls.state.issuer.mountPath) ?? [])
    }

    /// Recent requests, newest first (the same data as `GET /debug/requests`).
    public var requests: [LoggedRequest] { controls.requests }

    /// Everything grouped by grant, the most recently changed flow first, as `GET /debug/flows` lists it: each
    /// authorization request, code, token, refresh, introspection, revocation and logout of a flow, and every refused
    /// request, in time order with the rule that refused it.
    public func flows(_ filter: MockIdPFlowFilter = MockIdPFlowFilter()) async -> MockIdPFlows {
        await controls.flows(filter: filter)
    }

    /// The whole state of this issuer as one document, as `GET /debug/export` gives it: attach it to a failure report.
    public func export() async -> MockIdPExport {
        await controls.export()
    }

    /// Forgets every issued code and token, session, scripted response and logged request; fixtures stay
    /// (the same as `DELETE /debug`).
    public func reset() async {
        await controls.reset()
    }

    /// Adds users and clients at runtime, validated like fixtures, all or nothing (the same as `POST /debug/users` and
    /// `POST /debug/clients`); `resetFixtures()` removes them.
    ///
    /// - Throws: `MockIdPFixtureError` naming every problem, entries indexed as in `users` and `clients`.
    public func add(users: [MockIdPFixtures.User] = [], clients: [MockIdPFixtures.Client] = []) async throws {
        try await controls.add(users: users, clients: clients)
    }

    /// Removes the users and clients added at runtime (the same as `DELETE /debug/fixtures`).
    ///
    /// - Returns: how many users and clients there are now.
    @discardableResult
    public func resetFixtures() -> (users: Int, clients: Int) {
        controls.resetFixtures()
    }

    /// Makes a new signing key active (the same as `POST /debug/keys/rotate`); the previous one stays in the JWKS until
    /// the next rotation.
    ///
    /// - Returns: the new key's `kid`.
    @discardableResult
    public func rotateSigningKey() async throws -> String {
        try await controls.rotateSigningKey().activeKID
    }
}

/// Where a user takes part in a flow, for `RunningMockIdP.scriptNextSignIn` and `scriptNextSignInError`.
public enum MockIdPUserStep: Sendable, Hashable {
    /// The authorization endpoint (RFC 6749 §3.1).
    case authorization
    /// The device verification page (RFC 8628 §3.3).
    case deviceVerification

    var scripted: ScriptedStep { self == .authorization ? .authorize : .device }
}
