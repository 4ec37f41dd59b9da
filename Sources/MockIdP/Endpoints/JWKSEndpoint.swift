import Hummingbird

/// The JWK Set (RFC 7517 §5) of MockIdP's public signing keys, at `jwks_uri`.
struct JWKSEndpoint: Sendable {
    let state: IdPState

    func addRoutes(to router: some RouterMethods<IdPRequestContext>) {
        router.get(RouterPath(state.paths.jwks)) { _, _ in
            Response.json(data: try await state.keys.jwksJSON(), headers: [.contentType: "application/jwk-set+json"])
        }
    }
}
