import Hummingbird

/// The JWK Set (RFC 7517 §5) of MockIdP's public signing keys, at `jwks_uri`.
struct JWKSEndpoint: Sendable {
    let server: AuthorizationServer

    func addRoutes(to router: Router<IdPRequestContext>) {
        router.get(RouterPath(EndpointPath.jwks)) { _, _ in
            Response.json(data: server.keys.jwksJSON, headers: [.contentType: "application/jwk-set+json"])
        }
    }
}
