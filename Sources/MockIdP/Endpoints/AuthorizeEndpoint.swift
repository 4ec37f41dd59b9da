import Hummingbird

/// The authorization endpoint (RFC 6749 §3.1, §4.1.1; OIDC Core §3.1.2): validates the request, signs the user in
/// (on the user chooser, when asked), has the user consent (automatically, or on the consent page, when asked), and
/// redirects back with a code.
///
/// The order in which a request concludes: request errors (to the page or the client); Deny on the chooser or the
/// consent page; a script from `POST /debug/next` (its error ends the request before any page; its sub skips the
/// chooser; its scope is the user's consent, so the consent page is skipped and what it grants is narrowed to it); the
/// chooser; the sign-in; the consent page (or `consent_required` under `prompt=none`); the code.
struct AuthorizeEndpoint: Sendable {
    let state: IdPState

    func addRoutes(to router: some RouterMethods<IdPRequestContext>) {
        router.get(RouterPath(state.paths.authorize), use: handle)
        router.post(RouterPath(state.paths.authorize), use: handle)
    }

    @Sendable func handle(_ request: Request, context: IdPRequestContext) async throws -> Response {
        var request = request
        let form = try await request.pageFormParameters(maxSize: context.maxUploadSize)
        let (client, redirectURI) = try await validateClient(form)
        let mode = ResponseMode(rawValue: form["response_mode"] ?? "query")
        let reply = Reply(redirectURI: redirectURI, mode: mode ?? .query, state: form["state"], issuer: state.issuer.issuer)
        if mode == nil {
            return try reply.error(.invalidRequest, "unsupported response_mode \"\(form["response_mode"] ?? "")\" (query, fragment or form_post)")
                .response(from: request, context: context)
        }
        let outcome: Outcome
        do {
            outcome = try await authorize(form, client: client, redirectURI: redirectURI)
        } catch {
            return try reply.error(error.code, error.description).response(from: request, context: context)
        }
        switch outcome {
        case .code(let code):
            return try reply.success(code: code).response(from: request, context: context)
        case .chooseUser(let error):
            return LoginChooserPage.response(form: form, client: client, users: state.registry.fixtures.users, authorizePath: state.paths.authorize, error: error)
        case .askConsent(let user, let scope):
            let clientName = state.registrations.registration(clientID: client.clientID)?.metadata["client_name"]?.stringValue
            return ConsentPage.response(
                form: form, client: client, clientName: clientName, user: user, scopes: scope, registry: state.registry, authorizePath: state.paths.authorize
            )
        }
    }

    /// RFC 6749 §4.1.2.1: an unknown client or an unregistered redirect URI is shown to the user, never redirected to.
    private func validateClient(_ form: FormParameters) async throws(AuthorizationPageError) -> (Client, String) {
        do {
            try form.rejectDuplicates(among: ["client_id", "redirect_uri"])
        } catch {
            throw AuthorizationPageError(error: error)
        }
        guard let clientID = form["client_id"] else {
            throw AuthorizationPageError(error: OAuthError(.invalidRequest, "client_id is missing"))
        }
        let client = try await state.pageClient(clientID)
        if let redirectURI = form["redirect_uri"] {
            // RFC 9700 §2.1: exact string matching, no patterns or prefixes; any port on loopback for a public
            // client (RFC 8252 §7.3), and the request's port is the one redirected to (and checked at the token endpoint).
            guard RedirectURI.isRegistered(redirectURI, in: client.redirectURIs, anyLoopbackPort: client.isPublic) else {
                throw AuthorizationPageError(
                    error: OAuthError(.invalidRequest, "redirect_uri \"\(redirectURI)\" is not registered for client \"\(clientID)\"")
                )
            }
            return (client, redirectURI)
        }
        // RFC 6749 §3.1.2.3: the redirect URI may be omitted only when exactly one is registered.
        guard client.redirectURIs.count == 1 else {
            throw AuthorizationPageError(
                error: OAuthError(.invalidRequest, "redirect_uri is missing, and client \"\(clientID)\" registers \(client.redirectURIs.count)")
            )
        }
        return (client, client.redirectURIs[0])
    }

    enum Outcome {
        case code(String)
        /// The request asks the user to pick an account (or the server always does): show the chooser; with an error
        /// when a typed subject or its claims were refused (nothing issued).
        case chooseUser(error: String?)
        /// The user is known and consent is asked for (`prompt=consent`, the server's or the client's setting): show
        /// the consent page for the requested scope.
        case askConsent(User, scope: [String])
    }

    /// Validates the rest of the request and issues a code; errors here are redirected to the client.
    private func authorize(_ form: FormParameters, client: Client, redirectURI: String) async throws(OAuthError) -> Outcome {
        try form.rejectDuplicates()
        if form["request"] != nil { throw OAuthError(.requestNotSupported, "request objects are not supported") }
        if form["request_uri"] != nil { throw OAuthError(.requestURINotSupported, "request_uri is not supported") }
        guard let responseType = form["response_type"] else {
            throw OAuthError(.invalidRequest, "response_type is missing")
        }
        guard responseType == "code" else {
            throw OAuthError(.unsupportedResponseType, "response_type \"\(responseType)\" is not supported; use \"code\"")
        }
        guard client.grantTypes.contains(.authorizationCode) else {
            throw OAuthError(.unauthorizedClient, "client \"\(client.clientID)\" may not use the authorization_code grant")
        }
        let scope = try ScopeRequest.resolve(form["scope"], for: client, registry: state.registry)
        let (challenge, method) = try pkce(form, client: client)
        let prompts = Set((form["prompt"] ?? "").split(separator: " ").map(String.init))
        if prompts.contains("none") && prompts.count > 1 {
            throw OAuthError(.invalidRequest, "prompt=none cannot be combined with other values (OIDC Core §3.1.2.1)")
        }
        let resources = try ResourceIndicators.parse(form, layout: state.layout)
        if form[LoginChooserPage.actionParameter] == "deny" {
            throw OAuthError(.accessDenied, "the user denied the request on MockIdP's sign-in page")
        }
        // The decision posted from the consent page (Deny throws here): the scopes checked, each one requested.
        let consented = try ConsentPage.decision(form, requested: scope)
        let chosen = form[LoginChooserPage.userParameter]
        let typed = chosen == nil ? form[AdHocSignIn.subjectParameter] : nil
        let needsChooser = chosen == nil && typed == nil && !prompts.contains("none")
            && (prompts.contains("login") || prompts.contains("select_account") || state.alwaysShowLoginPage)
        // A script from POST /debug/next decides how the user's part ends. One that only narrows the scope waits for
        // the request that concludes, when the chooser is shown first.
        let script = state.scripts.take(.authorize, clientID: client.clientID) { $0.error != nil || $0.outcome.sub != nil || !needsChooser }
        if let script {
            if script.outcome.delayMilliseconds > 0 { try? await Task.sleep(for: .milliseconds(script.outcome.delayMilliseconds)) }
            if let error = script.error { throw error }
        }
        if needsChooser && script?.outcome.sub == nil {
            return .chooseUser(error: nil)
        }
        // Single sign-on: an existing session is reused, unless prompt=login or max_age asks for a fresh sign-in.
        var maxAge: Int?
        if let value = form["max_age"] {
            guard let seconds = Int(value), seconds >= 0 else {
                throw OAuthError(.invalidRequest, "max_age must be a non-negative number of seconds")
            }
            maxAge = seconds
        }
        // Signing in is the last step that can fail before the consent step: an ad-hoc user is added only for a request
        // that gets a code, the consent page or (under prompt=none) consent_required.
        let user: User
        if let sub = script?.outcome.sub {
            user = try scriptedUser(sub, claims: script?.outcome.claims)
        } else if let typed {
            do {
                user = try AdHocSignIn.signIn(subject: typed, claims: form[AdHocSignIn.claimsParameter], in: state.liveRegistry)
            } catch {
                // OIDC Core §3.1.2.1: prompt=none never shows a page.
                if prompts.contains("none") { throw OAuthError(.invalidRequest, error.message) }
                RequestNote.error(OAuthError.Code.invalidRequest.rawValue, error.message)
                return .chooseUser(error: error.message)
            }
        } else {
            user = try signIn(form, chosen: chosen)
        }
        // The consent page, unless the user decided on it already or a script decided the grant (OIDC Core §3.1.2.4:
        // the server obtains the user's consent; RFC 6749 §3.3: it may grant less than requested).
        // OIDC Core §11: a request for offline_access "MUST" carry prompt=consent, so clients send that pair mechanically
        // (the MCP SDK does); it alone keeps auto-consent, so that headless flows stay headless.
        let promptAsksConsent = prompts.contains("consent") && !scope.contains("offline_access")
        let consentAsked = promptAsksConsent || state.alwaysShowConsentPage || client.requiresConsent
        if consentAsked && consented == nil && script?.outcome.scope == nil {
            // OIDC Core §3.1.2.6: with prompt=none, a request that needs the consent page gets consent_required instead.
            if prompts.contains("none") {
                throw OAuthError(.consentRequired, "client \"\(client.clientID)\" needs the user's consent, and prompt=none shows no consent page")
            }
            return .askConsent(user, scope: scope)
        }
        var granted = scope
        if let consented { granted = granted.filter(consented.contains) }
        // A scripted partial grant: of the requested scopes, only those the user granted (RFC 6749 §3.3: the token
        // response then names the granted scope). Together with a decision from the consent page, both narrow.
        if let scripted = script?.outcome.scope { granted = granted.filter(scripted.contains) }
        let now = state.clock.now
        let session = await state.store.session(for: user.sub, now: now, maxAge: maxAge, fresh: prompts.contains("login"))
        let code = IssuedCode(
            code: randomToken(),
            clientID: client.clientID,
            sub: user.sub,
            scope: granted,
            redirectURI: form["redirect_uri"],
            effectiveRedirectURI: redirectURI,
            nonce: form["nonce"],
            codeChallenge: challenge,
            codeChallengeMethod: method,
            authTime: session.authTime,
            sid: session.sid,
            resources: resources,
            issuedAt: now,
            expiresAt: now + IdPState.codeLifetime,
            grantID: randomToken(bytes: 16)
        )
        await state.store.insert(code)
        return .code(code.code)
    }

    /// RFC 7636 §4.3 and §4.4.1; public clients must send an S256 challenge (RFC 9700 §2.1.1).
    private func pkce(_ form: FormParameters, client: Client) throws(OAuthError) -> (String?, PKCE.Method?) {
        guard let challenge = form["code_challenge"] else {
            if form["code_challenge_method"] != nil {
                throw OAuthError(.invalidRequest, "code_challenge_method was sent without code_challenge")
            }
            if client.isPublic {
                throw OAuthError(.invalidRequest, "public client \"\(client.clientID)\" must use PKCE: send code_challenge with code_challenge_method=S256")
            }
            return (nil, nil)
        }
        guard PKCE.isWellFormed(challenge) else {
            throw OAuthError(.invalidRequest, "code_challenge must be 43 to 128 characters of [A-Za-z0-9-._~] (RFC 7636 §4.2)")
        }
        // RFC 7636 §4.3: "Defaults to "plain" if not present in the request."
        let methodName = form["code_challenge_method"] ?? PKCE.Method.plain.rawValue
        guard let method = PKCE.Method(rawValue: methodName) else {
            throw OAuthError(.invalidRequest, "code_challenge_method \"\(methodName)\" is not supported (S256 or plain)")
        }
        if client.isPublic && method != .s256 {
            throw OAuthError(.invalidRequest, "public client \"\(client.clientID)\" must use code_challenge_method=S256")
        }
        return (challenge, method)
    }

    /// The user a script signs in: a fixture user by sub or username, or an ad-hoc subject with `claims`.
    private func scriptedUser(_ sub: String, claims: [String: ClaimValue]?) throws(OAuthError) -> User {
        if claims == nil, let user = state.registry.user(hint: sub) { return user }
        do {
            let text = claims.map { String(decoding: JSONWriter.encode($0), as: UTF8.self) }
            return try AdHocSignIn.signIn(subject: sub, claims: text, in: state.liveRegistry)
        } catch {
            throw OAuthError(.invalidRequest, "the scripted sign-in as \"\(sub)\" failed: \(error.message)")
        }
    }

    /// Auto-login: the user picked on the chooser page, else the one named by `login_hint` (sub or username, or
    /// `sub:NAME` for any subject: `AdHocSignIn`), else the first user in users.json.
    private func signIn(_ form: FormParameters, chosen: String?) throws(OAuthError) -> User {
        if let chosen {
            guard let user = state.registry.user(sub: chosen) else {
                throw OAuthError(.invalidRequest, "the chosen user \"\(chosen)\" does not exist")
            }
            return user
        }
        if let hint = form["login_hint"] {
            if let user = state.registry.user(hint: hint) { return user }
            if hint.hasPrefix(AdHocSignIn.loginHintPrefix) {
                do {
                    let subject = String(hint.dropFirst(AdHocSignIn.loginHintPrefix.count))
                    return try AdHocSignIn.signIn(subject: subject, claims: nil, in: state.liveRegistry)
                } catch {
                    throw OAuthError(.invalidRequest, "login_hint \"\(hint)\": \(error.message)")
                }
            }
            guard let user = state.registry.user(hint: hint) else {
                throw OAuthError(.invalidRequest, "login_hint \"\(hint)\" matches no user's sub or username in users.json")
            }
            return user
        }
        guard let user = state.registry.defaultUser else {
            throw OAuthError(.accessDenied, "no user to sign in: users.json is empty")
        }
        return user
    }

    /// The redirect back to the client, carrying `state` and `iss` (RFC 9207 §2) on success and on error.
    struct Reply {
        let redirectURI: String
        let mode: ResponseMode
        let state: String?
        let issuer: String

        func success(code: String) -> AuthorizationResponse {
            respond([("code", code)])
        }

        func error(_ code: OAuthError.Code, _ description: String) -> AuthorizationResponse {
            RequestNote.error(code.rawValue, description)
            return respond([("error", code.rawValue), ("error_description", description)])
        }

        private func respond(_ parameters: [(String, String)]) -> AuthorizationResponse {
            var parameters = parameters
            if let state { parameters.append(("state", state)) }
            parameters.append(("iss", issuer))
            return AuthorizationResponse(redirectURI: redirectURI, mode: mode, parameters: parameters)
        }
    }
}
