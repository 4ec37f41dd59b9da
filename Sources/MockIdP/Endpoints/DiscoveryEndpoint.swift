#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Hummingbird
import Synchronization

/// OpenID Provider Metadata (OIDC Discovery §3) and Authorization Server Metadata (RFC 8414 §2): one document,
/// served at both well-known paths, advertising exactly what MockIdP implements.
struct DiscoveryEndpoint: Sendable {
    let state: IdPState
    private let cache = Cache()

    init(state: IdPState) {
        self.state = state
    }

    /// The document is encoded once for each issuer and set of signing algorithms: it changes only when a port-0
    /// server learns its port, or a client registered at runtime names an algorithm not yet published.
    final class Cache: Sendable {
        let value = Mutex<(issuer: String, algorithms: [SigningAlgorithm], json: Data)?>(nil)
    }

    func addRoutes(to router: some RouterMethods<IdPRequestContext>) {
        router.get(RouterPath(EndpointPath.openIDConfiguration)) { _, _ in try respond() }
        router.get(RouterPath(EndpointPath.authorizationServerMetadata)) { _, _ in try respond() }
    }

    private func respond() throws -> Response {
        let issuer = state.issuer.issuer
        let algorithms = state.keys.publishedAlgorithms
        if let cached = cache.value.withLock({ $0 }), cached.issuer == issuer, cached.algorithms == algorithms {
            return Response.json(data: cached.json)
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes, .prettyPrinted]
        let json = try encoder.encode(document(issuer: issuer, algorithms: algorithms))
        cache.value.withLock { $0 = (issuer, algorithms, json) }
        return Response.json(data: json)
    }

    func document(issuer: String, algorithms: [SigningAlgorithm]) -> [String: ClaimValue] {
        func url(_ path: String) -> ClaimValue { .string(issuer + path) }
        func strings(_ values: [String]) -> ClaimValue { .array(values.map { .string($0) }) }
        let registry = state.registry
        let scopeClaims = registry.fixtures.scopes.flatMap(\.claims)
        let idTokenClaims = ["sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "at_hash", "azp", "sid"]
        var claims: [String] = []
        for claim in idTokenClaims + scopeClaims where !claims.contains(claim) { claims.append(claim) }
        return [
            "issuer": .string(issuer),
            "authorization_endpoint": url(EndpointPath.authorize),
            "token_endpoint": url(EndpointPath.token),
            "userinfo_endpoint": url(EndpointPath.userinfo),
            "jwks_uri": url(EndpointPath.jwks),
            "introspection_endpoint": url(EndpointPath.introspection),
            "revocation_endpoint": url(EndpointPath.revocation),
            "device_authorization_endpoint": url(EndpointPath.deviceAuthorization),
            "end_session_endpoint": url(EndpointPath.endSession),
            "scopes_supported": strings(registry.fixtures.scopes.map(\.name)),
            "claims_supported": strings(claims),
            "response_types_supported": strings(["code"]),
            "response_modes_supported": strings(ResponseMode.allCases.map(\.rawValue)),
            "grant_types_supported": strings(TokenEndpoint.implemented.map(\.rawValue)),
            "subject_types_supported": strings(["public"]),
            // OIDC Discovery §3: "The algorithm RS256 MUST be included"; the configured algorithm comes first.
            "id_token_signing_alg_values_supported": strings(algorithms.map(\.rawValue)),
            "token_endpoint_auth_methods_supported": strings(TokenEndpointAuthMethod.allCases.map(\.rawValue)),
            "revocation_endpoint_auth_methods_supported": strings(TokenEndpointAuthMethod.allCases.map(\.rawValue)),
            // RFC 7662 §2.1: introspection takes a confidential client's credentials.
            "introspection_endpoint_auth_methods_supported": strings(["client_secret_basic", "client_secret_post"]),
            "code_challenge_methods_supported": strings(PKCE.Method.allCases.map(\.rawValue)),
            "prompt_values_supported": strings(["none", "login", "select_account"]),
            // RFC 9207 §3
            "authorization_response_iss_parameter_supported": .bool(true),
            "claims_parameter_supported": .bool(false),
            "request_parameter_supported": .bool(false),
            // OIDC Discovery §3: request_uri_parameter_supported defaults to true, so say false explicitly.
            "request_uri_parameter_supported": .bool(false),
        ]
    }
}
