import Hummingbird

/// Token revocation (RFC 7009): a client withdraws one of its own tokens.
struct RevocationEndpoint: Sendable {
    let state: IdPState

    func addRoutes(to router: some RouterMethods<IdPRequestContext>) {
        // Entra has no revocation endpoint, and its layout serves none.
        guard let path = state.paths.revocation else { return }
        router.post(RouterPath(path), use: handle)
    }

    @Sendable func handle(_ request: Request, context: IdPRequestContext) async throws -> Response {
        var request = request
        let assertions = state.assertionVerifier(endpoint: state.paths.revocation ?? state.paths.token)
        let (form, client) = try await ClientAuthentication.form(
            of: &request, maxSize: context.maxUploadSize, resolve: state.registry(resolving:), assertions: assertions
        )
        guard let value = form["token"] else {
            throw OAuthError(.invalidRequest, "token is missing")
        }
        // RFC 7009 §2.2: "invalid tokens do not cause an error response" — an unknown token answers 200.
        // token_type_hint is only a hint (§2.1): the search covers every token either way.
        if let token = await state.store.token(value) {
            // RFC 7009 §2.1: the server "verifies whether the token was issued to the client making the revocation
            // request. If this validation fails, the request is refused".
            guard token.clientID == client.clientID else {
                throw OAuthError(.unauthorizedClient, "the token was issued to another client")
            }
            // Revoking a refresh token revokes the access tokens of the same grant (RFC 7009 §2.1).
            await state.store.revoke(value, family: token.kind == .refreshToken, now: state.clock.now)
        }
        return Response(status: .ok, headers: [.cacheControl: "no-store"])
    }
}
