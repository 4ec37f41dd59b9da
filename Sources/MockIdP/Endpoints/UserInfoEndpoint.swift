import Hummingbird

/// The UserInfo endpoint (OIDC Core §5.3), a protected resource taking a bearer access token (RFC 6750).
struct UserInfoEndpoint: Sendable {
    let server: AuthorizationServer

    func addRoutes(to router: Router<IdPRequestContext>) {
        router.get(RouterPath(EndpointPath.userinfo), use: handle)
        router.post(RouterPath(EndpointPath.userinfo), use: handle)
    }

    @Sendable func handle(_ request: Request, context: IdPRequestContext) async throws -> Response {
        var request = request
        let token = try await BearerToken.extract(from: &request, maxSize: context.maxUploadSize)
        let record = try await BearerToken.validate(token, server: server)
        // OIDC Core §5.3: UserInfo serves access tokens from OpenID Connect requests, i.e. with the openid scope.
        guard record.scope.contains("openid") else {
            throw OAuthError.bearer(.insufficientScope, "the access token was not granted the openid scope", status: .forbidden)
        }
        guard let sub = record.sub, let user = server.registry.user(sub: sub) else {
            throw OAuthError.bearer(.invalidToken, "the access token was issued to a client, not for a user")
        }
        var claims = server.registry.claims(of: user, for: record.scope)
        claims["sub"] = .string(user.sub)
        return Response.json(object: claims, headers: [.cacheControl: "no-store"])
    }
}

/// Bearer token usage (RFC 6750 §2): the Authorization header, or `access_token` in a form body.
enum BearerToken {
    static func extract(from request: inout Request, maxSize: Int) async throws(OAuthError) -> String {
        var fromBody: String?
        if request.method == .post, request.headers[.contentType] != nil {
            let form = try await request.formParameters(maxSize: maxSize)
            try form.rejectDuplicates(among: ["access_token"])
            fromBody = form["access_token"]
        }
        guard let header = request.headers[.authorization] else {
            guard let fromBody else {
                // RFC 6750 §3.1: with no authentication at all, the challenge carries no error code.
                throw OAuthError.bearer(nil, "no access token: send Authorization: Bearer <token>")
            }
            return fromBody
        }
        // RFC 6750 §2: "Clients MUST NOT use more than one method to transmit the token in each request."
        if fromBody != nil {
            throw OAuthError.bearer(.invalidRequest, "access token sent both in the Authorization header and in the body", status: .badRequest)
        }
        return try token(fromAuthorization: header)
    }

    /// The token of an `Authorization: Bearer <token>` value; `invalid_request` (400) for any other shape.
    /// Apart from `extract` so that it can be fuzzed without an HTTP request.
    static func token(fromAuthorization header: String) throws(OAuthError) -> String {
        let parts = header.split(separator: " ", maxSplits: 1)
        let token = parts.count == 2 ? String(parts[1].trimmingCharacters(in: " ")) : ""
        guard parts.first?.lowercased() == "bearer", !token.isEmpty else {
            throw OAuthError.bearer(.invalidRequest, "malformed Authorization header: expected \"Bearer <token>\"", status: .badRequest)
        }
        return token
    }

    /// The record of an active access token; `invalid_token` for anything else.
    static func validate(_ token: String, server: AuthorizationServer) async throws(OAuthError) -> IssuedToken {
        guard let record = await server.store.token(token), record.kind == .accessToken else {
            throw OAuthError.bearer(.invalidToken, "unknown access token")
        }
        switch record.status(at: server.clock.now) {
        case .active: return record
        case .expired: throw OAuthError.bearer(.invalidToken, "the access token has expired")
        case .revoked, .used: throw OAuthError.bearer(.invalidToken, "the access token has been revoked")
        }
    }
}
