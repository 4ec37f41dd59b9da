import Hummingbird

/// The UserInfo endpoint (OIDC Core §5.3), a protected resource taking a bearer access token (RFC 6750).
struct UserInfoEndpoint: Sendable {
    let state: IdPState

    func addRoutes(to router: some RouterMethods<IdPRequestContext>) {
        router.get(RouterPath(state.paths.userinfo), use: handle)
        router.post(RouterPath(state.paths.userinfo), use: handle)
    }

    @Sendable func handle(_ request: Request, context: IdPRequestContext) async throws -> Response {
        var request = request
        let token = try await BearerToken.extract(from: &request, maxSize: context.maxUploadSize)
        let record = try await activeAccessToken(token)
        // OIDC Core §5.3: UserInfo serves access tokens from OpenID Connect requests, i.e. with the openid scope.
        guard record.scope.contains("openid") else {
            throw OAuthError.bearer(.insufficientScope, "the access token was not granted the openid scope", status: .forbidden)
        }
        guard let sub = record.sub, let user = state.registry.user(sub: sub) else {
            throw OAuthError.bearer(.invalidToken, "the access token was issued to a client, not for a user")
        }
        var claims = state.registry.claims(of: user, for: record.scope)
        claims["sub"] = .string(user.sub)
        return Response.json(object: claims, headers: [.cacheControl: "no-store"])
    }
}

extension UserInfoEndpoint {
    /// The record of an active access token; `invalid_token` for anything else.
    func activeAccessToken(_ token: String) async throws(OAuthError) -> IssuedToken {
        guard let record = await state.store.token(token), record.kind == .accessToken else {
            throw OAuthError.bearer(.invalidToken, "unknown access token")
        }
        RequestNote.client(record.clientID)
        switch record.status(at: state.clock.now) {
        case .active: return record
        case .expired: throw OAuthError.bearer(.invalidToken, "the access token has expired")
        case .revoked, .used: throw OAuthError.bearer(.invalidToken, "the access token has been revoked")
        }
    }
}
