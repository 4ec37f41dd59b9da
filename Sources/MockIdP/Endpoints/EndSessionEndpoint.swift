import Hummingbird
import JWTKit

/// RP-Initiated Logout (OpenID Connect RP-Initiated Logout 1.0 §2, §3): ends the user's MockIdP session, revokes
/// the grants made in it, and redirects only to a post-logout URI registered for the client.
struct EndSessionEndpoint: Sendable {
    let state: IdPState

    func addRoutes(to router: some RouterMethods<IdPRequestContext>) {
        router.get(RouterPath(state.paths.endSession), use: handle)
        router.post(RouterPath(state.paths.endSession), use: handle)
        if let legacy = state.paths.legacyLogout {
            router.get(RouterPath(legacy), use: legacyLogout)
        }
    }

    @Sendable func handle(_ request: Request, context: IdPRequestContext) async throws -> Response {
        var request = request
        return try await end(request.pageFormParameters(maxSize: context.maxUploadSize))
    }

    /// Auth0's `/v2/logout?client_id=…&returnTo=…`: the same, with `returnTo` as the post-logout redirect URI, which
    /// must be registered for the client as Auth0's "Allowed Logout URLs" must list it.
    @Sendable func legacyLogout(_ request: Request, context: IdPRequestContext) async throws -> Response {
        var request = request
        var values = try await request.pageFormParameters(maxSize: context.maxUploadSize).values
        if let returnTo = values.removeValue(forKey: "returnTo") { values["post_logout_redirect_uri"] = returnTo }
        return try await end(FormParameters(values))
    }

    private func end(_ form: FormParameters) async throws -> Response {
        do {
            try form.rejectDuplicates()
        } catch {
            throw AuthorizationPageError(error: error)
        }
        let hint = try await idTokenHint(form["id_token_hint"])
        let client = try await identifyClient(form["client_id"], hint: hint)

        var sub = hint?.sub
        if sub == nil, let logoutHint = form["logout_hint"] {
            sub = state.registry.user(hint: logoutHint)?.sub
        }
        var ended: UserSession?
        if let sub {
            ended = await state.store.endSession(sub: sub, now: state.clock.now)
        }

        var notice: String?
        if let uri = form["post_logout_redirect_uri"] {
            // §2: "When post_logout_redirect_uri is included, either client_id or id_token_hint MUST also be included."
            // §3: the OP "MUST NOT perform post-logout redirection" to a URI not registered for the client.
            // The same matching as redirect URIs: exact, or any loopback port for a public client (RFC 8252 §7.3).
            if let client, RedirectURI.isRegistered(uri, in: client.postLogoutRedirectURIs, anyLoopbackPort: client.isPublic) {
                let separator = uri.contains("?") ? "&" : "?"
                let location = form["state"].map { uri + separator + FormParameters.encode([("state", $0)]) } ?? uri
                return Response(status: .found, headers: [.location: location, .cacheControl: "no-store"])
            }
            notice = client == nil
                ? "post_logout_redirect_uri <code>\(HTML.escape(uri))</code> was ignored: send client_id or id_token_hint with it."
                : "post_logout_redirect_uri <code>\(HTML.escape(uri))</code> is not registered for client <code>\(HTML.escape(client?.clientID ?? ""))</code>, so MockIdP does not redirect there."
        }
        let who = ended.flatMap { state.registry.user(sub: $0.sub) }.map {
            "<p><strong>\(HTML.escape($0.username))</strong> is signed out of MockIdP; tokens issued in that session are revoked.</p>"
        } ?? "<p>No MockIdP session was open for the user named (send <code>id_token_hint</code> or <code>logout_hint</code>).</p>"
        let body = "<h1>Signed out</h1>" + who + (notice.map { "<p>\($0)</p>" } ?? "")
        return HTML.response(HTML.page(title: "Signed out", body: body), headers: [.cacheControl: "no-store"])
    }

    struct Hint {
        let sub: String?
        let audience: [String]
    }

    /// An ID token MockIdP signed; expired ones are accepted (§2: "The OP need not be listed as an audience ...").
    private func idTokenHint(_ token: String?) async throws(AuthorizationPageError) -> Hint? {
        guard let token else { return nil }
        let claims: JWTClaims
        do {
            claims = try await state.keys.collection().verify(token, as: JWTClaims.self)
        } catch {
            throw AuthorizationPageError(error: OAuthError(.invalidRequest, "id_token_hint is not an ID token signed by this MockIdP"))
        }
        // §2: the hint is an "ID Token previously issued by the OP"; an access token (typ at+jwt, RFC 9068 §2.1) is not one.
        let recorded = await state.store.token(token)
        guard JWTParts(token)?.header["typ"]?.stringValue != "at+jwt", recorded.map({ $0.kind == .idToken }) ?? true else {
            throw AuthorizationPageError(error: OAuthError(.invalidRequest, "id_token_hint is not an ID token"))
        }
        guard claims.claims["iss"]?.stringValue == state.issuer.issuer else {
            throw AuthorizationPageError(error: OAuthError(.invalidRequest, "id_token_hint was issued by another issuer"))
        }
        let audience: [String] =
            switch claims.claims["aud"] {
            case .string(let value): [value]
            case .array(let values): values.compactMap(\.stringValue)
            default: []
            }
        return Hint(sub: claims.claims["sub"]?.stringValue, audience: audience)
    }

    private func identifyClient(_ clientID: String?, hint: Hint?) async throws(AuthorizationPageError) -> Client? {
        if let clientID {
            let known: Client?
            do {
                known = try await state.client(clientID)
            } catch {
                throw AuthorizationPageError(error: OAuthError(error.code, error.description))
            }
            guard let client = known else {
                throw AuthorizationPageError(error: OAuthError(.invalidRequest, "unknown client_id \"\(clientID)\""))
            }
            RequestNote.client(clientID)
            if let hint, !hint.audience.contains(clientID) {
                throw AuthorizationPageError(error: OAuthError(.invalidRequest, "client_id does not match the id_token_hint's audience"))
            }
            return client
        }
        let client = hint?.audience.first.flatMap { state.registry.client($0) }
        if let client { RequestNote.client(client.clientID) }
        return client
    }
}
