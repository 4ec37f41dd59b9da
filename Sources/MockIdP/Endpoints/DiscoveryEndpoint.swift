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

    /// - Parameters:
    ///   - router: the issuer's routes, below its mount path.
    ///   - root: the server's root, where RFC 8414 §3.1 puts the metadata of an issuer that has a path
    ///     (`/.well-known/oauth-authorization-server/alpha-bank`); `nil` for the root issuer.
    func addRoutes(to router: some RouterMethods<IdPRequestContext>, root: (some RouterMethods<IdPRequestContext>)?) {
        router.get(RouterPath(state.paths.openIDConfiguration)) { request, _ in try await respond(to: request) }
        if let path = state.paths.authorizationServerMetadata {
            router.get(RouterPath(path)) { request, _ in try await respond(to: request) }
        }
        if let root, let path = Self.rootMetadataPath(state.issuer) {
            root.get(RouterPath(path)) { request, _ in try await respond(to: request) }
        }
    }

    /// RFC 8414 §3.1: "the well-known URI string is inserted between the host component and the path component" of
    /// an issuer with a path; `nil` for an issuer without one (the root's metadata is at the well-known path itself).
    static func rootMetadataPath(_ issuer: IssuerState) -> String? {
        let path = issuer.issuerPath
        return path.isEmpty ? nil : EndpointPaths.rootAuthorizationServerMetadata + path
    }

    private func respond(to request: Request) async throws -> Response {
        let issuer = state.issuer.issuer
        let algorithms = try await state.keys.publishedAlgorithms()
        if state.backchannelDynamic, let backchannel = backchannelBase(for: request, issuer: issuer) {
            // Not cached: the host is the caller's, and one entry per host it sends would let callers grow the cache.
            return Response.json(data: try Self.encode(document(issuer: issuer, algorithms: algorithms, backchannel: backchannel)))
        }
        if let cached = cache.value.withLock({ $0 }), cached.issuer == issuer, cached.algorithms == algorithms {
            return Response.json(data: cached.json)
        }
        let json = try Self.encode(document(issuer: issuer, algorithms: algorithms))
        cache.value.withLock { $0 = (issuer, algorithms, json) }
        return Response.json(data: json)
    }

    private static func encode(_ document: [String: ClaimValue]) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes, .prettyPrinted]
        return try encoder.encode(document)
    }

    /// The issuer's URL with its origin replaced by the one `request` came in on, when that differs from the issuer's:
    /// `http://localhost:8080/x` fetched as `mock-idp:8080` gives `http://mock-idp:8080/x`. `nil` when it is the
    /// issuer's own origin, or the request names none that is well-formed.
    func backchannelBase(for request: Request, issuer: String) -> String? {
        // The endpoints' base (the issuer's, but without Entra's `/v2.0` or Auth0's trailing slash).
        let base = state.issuer.url("")
        guard let schemeEnd = base.firstRange(of: "://") else { return nil }
        let afterScheme = base[schemeEnd.upperBound...]
        let pathStart = afterScheme.firstIndex(of: "/") ?? afterScheme.endIndex
        let baseOrigin = base[..<pathStart].lowercased()
        let scheme = String(base[..<schemeEnd.lowerBound])
        guard let origin = RequestOrigin.of(request, trustForwarded: state.trustForwardedHeaders, defaultScheme: scheme), origin != baseOrigin
        else { return nil }
        return origin + afterScheme[pathStart...]
    }

    /// - Parameter backchannel: where the back-channel endpoints are advertised, when not under the issuer.
    func document(issuer: String, algorithms: [SigningAlgorithm], backchannel: String? = nil) -> [String: ClaimValue] {
        let base = state.issuer.url("")
        let paths = state.paths
        func url(_ path: String) -> ClaimValue { .string(base + path) }
        // OIDC Discovery §3 lets endpoints live anywhere; only `issuer` must be the issuer identifier exactly.
        func backchannelURL(_ path: String) -> ClaimValue { .string((backchannel ?? base) + path) }
        func strings(_ values: [String]) -> ClaimValue { .array(values.map { .string($0) }) }
        let registry = state.registry
        let scopeClaims = registry.fixtures.scopes.flatMap(\.claims)
        let idTokenClaims = ["sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "at_hash", "azp", "sid"]
        var claims: [String] = []
        for claim in idTokenClaims + scopeClaims where !claims.contains(claim) { claims.append(claim) }
        var document: [String: ClaimValue] = [
            "issuer": .string(issuer),
            "authorization_endpoint": url(paths.authorize),
            "token_endpoint": backchannelURL(paths.token),
            "userinfo_endpoint": backchannelURL(paths.userinfo),
            "jwks_uri": backchannelURL(paths.jwks),
            "device_authorization_endpoint": backchannelURL(paths.deviceAuthorization),
            "end_session_endpoint": url(paths.endSession),
            "scopes_supported": strings(registry.fixtures.scopes.map(\.name)),
            "claims_supported": strings(claims),
            "response_types_supported": strings(["code"]),
            "response_modes_supported": strings(ResponseMode.allCases.map(\.rawValue)),
            "grant_types_supported": strings(TokenEndpoint.implemented.map(\.rawValue)),
            "subject_types_supported": strings(["public"]),
            // OIDC Discovery §3: "The algorithm RS256 MUST be included"; the configured algorithm comes first.
            "id_token_signing_alg_values_supported": strings(algorithms.map(\.rawValue)),
            "token_endpoint_auth_methods_supported": strings(TokenEndpointAuthMethod.allCases.map(\.rawValue)),
            // OIDC Discovery §3 / RFC 8414 §2: the algorithms of client_secret_jwt and private_key_jwt assertions.
            "token_endpoint_auth_signing_alg_values_supported": strings(AssertionSigningAlgorithm.allCases.map(\.rawValue)),
            "code_challenge_methods_supported": strings(PKCE.Method.allCases.map(\.rawValue)),
            "prompt_values_supported": strings(["none", "login", "consent", "select_account"]),
            // RFC 9207 §3
            "authorization_response_iss_parameter_supported": .bool(true),
            "claims_parameter_supported": .bool(false),
            "request_parameter_supported": .bool(false),
            // OIDC Discovery §3: request_uri_parameter_supported defaults to true, so say false explicitly.
            "request_uri_parameter_supported": .bool(false),
            // A client_id that is a URL names its own metadata document (draft-ietf-oauth-client-id-metadata-document).
            "client_id_metadata_document_supported": .bool(true),
        ]
        if let path = paths.introspection {
            document["introspection_endpoint"] = backchannelURL(path)
            // RFC 7662 §2.1: introspection takes a confidential client's credentials.
            document["introspection_endpoint_auth_methods_supported"] = strings(
                TokenEndpointAuthMethod.allCases.filter { $0 != .none }.map(\.rawValue)
            )
            document["introspection_endpoint_auth_signing_alg_values_supported"] = strings(AssertionSigningAlgorithm.allCases.map(\.rawValue))
        }
        if let path = paths.registration {
            // RFC 8414 §2 / OIDC Discovery §3: where clients register themselves (RFC 7591).
            document["registration_endpoint"] = backchannelURL(path)
        }
        if let path = paths.revocation {
            document["revocation_endpoint"] = backchannelURL(path)
            document["revocation_endpoint_auth_methods_supported"] = strings(TokenEndpointAuthMethod.allCases.map(\.rawValue))
            document["revocation_endpoint_auth_signing_alg_values_supported"] = strings(AssertionSigningAlgorithm.allCases.map(\.rawValue))
        }
        VendorDiscovery.adjust(&document, layout: state.layout, tenant: state.name, base: base)
        return document
    }
}
