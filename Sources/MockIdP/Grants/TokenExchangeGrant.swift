/// Token exchange (RFC 8693): a client presents a subject token (and, for delegation, an actor token) and gets a new
/// token for the same subject, for another audience or a narrower scope.
///
/// What MockIdP issues (RFC 8693 leaves these choices to the server):
/// - `requested_token_type` `access_token` (the default) or `jwt`: an access token (RFC 9068) for the subject, with
///   `client_id` the exchanging client; `jwt` is the same JWT, announced as such. `id_token`: an ID token for the
///   subject (a user of this issuer), its audience the client, `token_type` `N_A`. `refresh_token` is not supported.
/// - Never a refresh token: an exchange trades one short-lived credential for another (§2.2.1 "refresh_token ...
///   OPTIONAL"); the subject token is not used up either.
/// - `scope` in every response that grants any (§2.2.1 makes it OPTIONAL only when equal to the request's).
struct TokenExchangeGrant: Sendable {
    let state: IdPState
    var overrides = TokenOverrides()

    func handle(_ form: FormParameters, client: Client) async throws -> TokenResponse {
        // RFC 8693 §2.1: subject_token and subject_token_type are REQUIRED; actor_token_type is "REQUIRED when the
        // actor_token parameter is present in the request but MUST NOT be included otherwise."
        guard let subjectValue = form["subject_token"] else {
            throw OAuthError(.invalidRequest, "subject_token is missing")
        }
        guard let subjectType = form["subject_token_type"] else {
            throw OAuthError(.invalidRequest, "subject_token_type is missing")
        }
        let actorValue = form["actor_token"]
        let actorType = form["actor_token_type"]
        if actorValue != nil, actorType == nil {
            throw OAuthError(.invalidRequest, "actor_token_type is required with actor_token (RFC 8693 §2.1)")
        }
        if actorValue == nil, actorType != nil {
            throw OAuthError(.invalidRequest, "actor_token_type must not be sent without actor_token (RFC 8693 §2.1)")
        }
        let requested = try Self.requestedType(form["requested_token_type"])
        let targets = try targets(form)

        let subject = try await PresentedToken.resolve(subjectValue, typeName: subjectType, role: .subject, client: client, state: state)
        var actor: PresentedToken?
        if let actorValue, let actorType {
            actor = try await PresentedToken.resolve(actorValue, typeName: actorType, role: .actor, client: client, state: state)
        }
        if let actor { try Self.checkMayAct(subject: subject, actor: actor) }
        let scope = try Self.scope(form["scope"], subject: subject, client: client)

        var user: User?
        if let record = subject.record, let sub = record.sub {
            guard let found = state.registry.user(sub: sub) else {
                throw OAuthError(.invalidRequest, "the user the subject_token was issued for no longer exists")
            }
            user = found
        }
        var authTime = subject.record?.authTime
        if authTime == nil, case .int(let time)? = subject.claims["auth_time"] { authTime = time }
        var grantClaims: [String: ClaimValue] = [:]
        if let act = actClaim(subject: subject, actor: actor) { grantClaims["act"] = act }
        let authorization = Authorization(
            client: client,
            user: user,
            scope: scope,
            authTime: authTime,
            // The subject's session, so that logging out ends what was exchanged from it too.
            sid: subject.record?.sid,
            nonce: nil,
            grantID: randomToken(bytes: 16),
            audience: targets.isEmpty ? client.audience : targets,
            withRefreshToken: false,
            subject: user == nil ? subject.sub : nil,
            grantClaims: grantClaims,
            withIDToken: false,
            exchange: TokenExchangeOrigin(
                subjectToken: subject.value, subjectTokenType: subject.type.rawValue, subjectIssuer: subject.issuer,
                actorToken: actor?.value, actorTokenType: actor?.type.rawValue
            )
        )

        var response: TokenResponse
        if requested == .idToken {
            guard let user else {
                throw OAuthError(.invalidRequest, "an ID token is issued for a user of this issuer; subject \"\(subject.sub)\" is none")
            }
            // An ID token's audience is the client it is issued to (OIDC Core §2 `aud`).
            // RFC 8693 §2.2.2: "unwilling or unable to issue a token for any target service ... invalid_target".
            guard targets.isEmpty || targets == [client.clientID] else {
                throw OAuthError(
                    ResourceIndicators.invalidTarget, "an ID token's audience is the client \"\(client.clientID)\" itself; audience and resource cannot change it"
                )
            }
            response = try await state.tokens.issueIDToken(for: authorization, user: user, overrides: overrides)
        } else {
            response = try await state.tokens.issue(for: authorization, overrides: overrides)
        }
        response.issuedTokenType = requested.rawValue
        return response
    }

    /// RFC 8693 §2.1 `requested_token_type`, default `access_token`. §2.2.2 has no code of its own for a type the
    /// server cannot issue; it is a request MockIdP does not accept, so `invalid_request`.
    private static func requestedType(_ name: String?) throws(OAuthError) -> TokenTypeIdentifier {
        guard let name else { return .accessToken }
        guard let type = TokenTypeIdentifier(rawValue: name), type != .refreshToken else {
            let issued = [TokenTypeIdentifier.accessToken, .jwt, .idToken].map(\.rawValue).joined(separator: ", ")
            throw OAuthError(.invalidRequest, "requested_token_type \"\(name)\" is not supported (MockIdP issues \(issued))")
        }
        return type
    }

    /// The targets asked for: every `audience` (RFC 8693 §2.1: any string, logical names included, and it may
    /// repeat), then every `resource` (RFC 8707 §2: absolute URIs, else `invalid_target`). They are the issued access
    /// token's `aud`; with neither, the client's `audience` fixture is, as the other grants default.
    private func targets(_ form: FormParameters) throws(OAuthError) -> [String] {
        var targets = form.all("audience")
        for resource in try ResourceIndicators.parse(form, layout: state.layout) where !targets.contains(resource) {
            targets.append(resource)
        }
        return targets
    }

    /// The scope to grant. Asked for: each must be defined and allowed to the client, and within the subject token's
    /// scope (RFC 8693 §2.1 leaves the policy to the server; MockIdP narrows, as RFC 6749 §6 does for refresh), else
    /// `invalid_scope`. Not asked for: the subject token's scope, less what the client may not have.
    private static func scope(_ value: String?, subject: PresentedToken, client: Client) throws(OAuthError) -> [String] {
        let allowed = client.scopes ?? []
        guard let value else { return (subject.scope ?? []).filter(allowed.contains) }
        let requested = ScopeRequest.parse(value)
        for scope in requested where !allowed.contains(scope) {
            throw OAuthError(.invalidScope, "client \"\(client.clientID)\" may not request scope \"\(scope)\"")
        }
        if let ceiling = subject.scope, let wider = requested.first(where: { !ceiling.contains($0) }) {
            throw OAuthError(.invalidScope, "scope \"\(wider)\" is not in the subject_token's scope \"\(ceiling.joined(separator: " "))\"")
        }
        return requested
    }

    /// RFC 8693 §4.1 `act`: the actor's `sub` (and its `iss`, when another issuer's), with the prior chain nested
    /// inside: the actor token's own `act` if it has one, else the subject token's (a delegated token exchanged again
    /// keeps who acted before). Without an actor the subject token's `act`, if any, stays: an exchange never hides
    /// that someone acted.
    private func actClaim(subject: PresentedToken, actor: PresentedToken?) -> ClaimValue? {
        guard let actor else { return subject.claims["act"] }
        var act: [String: ClaimValue] = ["sub": .string(actor.sub)]
        if actor.issuer != state.issuer.issuer { act["iss"] = .string(actor.issuer) }
        if let prior = actor.claims["act"] ?? subject.claims["act"] { act["act"] = prior }
        return .object(act)
    }

    /// RFC 8693 §4.4: a subject token's `may_act` names who may act for the subject; an actor it does not name (by
    /// `sub`, and by `iss` when it gives one) is refused. Only the top-level members are compared.
    private static func checkMayAct(subject: PresentedToken, actor: PresentedToken) throws(OAuthError) {
        guard let mayAct = subject.claims["may_act"]?.objectValue else { return }
        let subMatches = mayAct["sub"].map { $0.stringValue == actor.sub } ?? true
        let issMatches = mayAct["iss"].map { $0.stringValue == actor.issuer } ?? true
        guard subMatches, issMatches else {
            throw OAuthError(.invalidRequest, "the subject_token's may_act does not name the actor \"\(actor.sub)\" (RFC 8693 §4.4)")
        }
    }
}
