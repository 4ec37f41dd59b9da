/// The seeded world MockIdP serves: users who sign in, clients that ask, scopes they ask for.
public struct MockIdPFixtures: Sendable, Hashable {
    /// The users; the first is the one signed in when a request names no `login_hint`.
    public var users: [User]
    /// The registered clients.
    public var clients: [Client]
    /// The scopes clients may request.
    public var scopes: [Scope]

    /// - Parameters:
    ///   - users: the users; the first is the one signed in when a request names no `login_hint`.
    ///   - clients: the registered clients.
    ///   - scopes: the scopes clients may request, with the user claims each releases.
    public init(users: [User], clients: [Client], scopes: [Scope]) {
        self.users = users
        self.clients = clients
        self.scopes = scopes
    }
}

extension MockIdPFixtures {
    /// A seeded user (an entry of `users.json`).
    public struct User: Sendable, Hashable {
        /// Subject identifier: stable, unique, the `sub` claim.
        public var sub: String
        /// Login name for `login_hint` and the password grant; defaults to `sub`.
        public var username: String
        /// Password for the resource-owner password grant; `nil` means that grant cannot sign this user in.
        public var password: String?
        /// OIDC standard or custom claims, released according to the granted scopes.
        public var claims: [String: ClaimValue]
        /// Claims merged into every access token issued for this user (roles, groups, a tenant), and into its
        /// introspection; never the reserved ones (`MockIdPFixtures.reservedAccessTokenClaims`).
        public var accessTokenClaims: [String: ClaimValue]
        /// Roles in the whole realm: the Keycloak layout's `realm_access.roles`.
        public var realmRoles: [String]
        /// Roles per client (Keycloak's `resource_access.<client>.roles`) or per API identifier (the Auth0 layout's
        /// `permissions` for that `audience`).
        public var clientRoles: [String: [String]]

        /// A user; `username` defaults to `sub`.
        public init(
            sub: String, username: String? = nil, password: String? = nil, claims: [String: ClaimValue] = [:],
            accessTokenClaims: [String: ClaimValue] = [:], realmRoles: [String] = [], clientRoles: [String: [String]] = [:]
        ) {
            self.sub = sub
            self.username = username ?? sub
            self.password = password
            self.claims = claims
            self.accessTokenClaims = accessTokenClaims
            self.realmRoles = realmRoles
            self.clientRoles = clientRoles
        }
    }

    /// How a client authenticates at the token endpoint (RFC 7591 §2 names).
    public enum TokenEndpointAuthMethod: String, Sendable, Hashable, CaseIterable {
        /// HTTP Basic with the form-urlencoded id and secret (RFC 6749 §2.3.1).
        case clientSecretBasic = "client_secret_basic"
        /// `client_id` and `client_secret` in the form body (RFC 6749 §2.3.1).
        case clientSecretPost = "client_secret_post"
        /// A JWT assertion signed with HS256 keyed by the client's secret (RFC 7523 §2.2, OpenID Connect Core §9).
        case clientSecretJWT = "client_secret_jwt"
        /// A JWT assertion signed with a private key whose public half the client registered as `jwks` or `jwks_uri`
        /// (RFC 7523 §2.2, OpenID Connect Core §9).
        case privateKeyJWT = "private_key_jwt"
        /// A public client: no secret, PKCE instead (RFC 7636).
        case none
    }

    /// The grant types MockIdP implements (RFC 6749 §4, RFC 8628 §3.4, RFC 8693 §2.1).
    public enum GrantType: String, Sendable, Hashable, CaseIterable {
        /// RFC 6749 §4.1, with PKCE.
        case authorizationCode = "authorization_code"
        /// RFC 6749 §6, with rotation.
        case refreshToken = "refresh_token"
        /// RFC 6749 §4.4: a confidential client on its own behalf.
        case clientCredentials = "client_credentials"
        /// RFC 6749 §4.3: the resource owner's username and password (legacy; RFC 9700 §2.4 says not to use it).
        case password
        /// RFC 8628: the device authorization grant.
        case deviceCode = "urn:ietf:params:oauth:grant-type:device_code"
        /// RFC 8693: token exchange, a subject token (and an actor token) for a new token.
        case tokenExchange = "urn:ietf:params:oauth:grant-type:token-exchange"
        /// RFC 7523 §2.1: a JWT the client signed, naming a user, exchanged for that user's access token.
        case jwtBearer = "urn:ietf:params:oauth:grant-type:jwt-bearer"
    }

    /// The algorithms a client may sign its JWT assertions with (RFC 7523): `client_assertion` for
    /// `client_secret_jwt` / `private_key_jwt`, and the `assertion` of the JWT bearer grant.
    public enum AssertionSigningAlgorithm: String, Sendable, Hashable, CaseIterable {
        /// HMAC SHA-256 keyed by the client's secret (`client_secret_jwt`).
        case hs256 = "HS256"
        /// RSASSA-PKCS1-v1_5 with SHA-256, an RSA key of at least 2048 bits.
        case rs256 = "RS256"
        /// ECDSA on P-256 with SHA-256.
        case es256 = "ES256"
        /// Ed25519 (RFC 8037).
        case eddsa = "EdDSA"

        /// Whether the key is the client's secret rather than a public key it registered.
        public var isSymmetric: Bool { self == .hs256 }
    }

    /// A registered client (an entry of `clients.json`).
    public struct Client: Sendable, Hashable {
        /// The `client_id`.
        public var clientID: String
        /// `nil` for a public client: it authenticates with `none` and must use PKCE.
        public var clientSecret: String?
        /// Exact redirect URIs; an authorization request must name one of these.
        public var redirectURIs: [String]
        /// Where RP-initiated logout may send the browser back to.
        public var postLogoutRedirectURIs: [String]
        /// The grants this client may use.
        public var grantTypes: [GrantType]
        /// The scopes this client may request; `nil` means every defined scope.
        public var scopes: [String]?
        /// The method registered for this client; `nil` on a confidential client accepts both secret methods.
        public var tokenEndpointAuthMethod: TokenEndpointAuthMethod?
        /// Access token lifetime in seconds.
        public var accessTokenTTL: Int
        /// Refresh token lifetime in seconds.
        public var refreshTokenTTL: Int
        /// ID token lifetime in seconds.
        public var idTokenTTL: Int
        /// The access token's `aud`; defaults to the client_id.
        public var audience: [String]
        /// The algorithm of this client's ID tokens (OpenID Connect Registration §2 `id_token_signed_response_alg`);
        /// `nil` signs with the server's algorithm (`MockIdPConfiguration.signingAlgorithm`).
        public var idTokenSignedResponseAlg: MockIdPConfiguration.SigningAlgorithm?
        /// Claims merged into every access token issued to this client, client credentials included (and into its
        /// introspection); never the reserved ones (`MockIdPFixtures.reservedAccessTokenClaims`).
        public var accessTokenClaims: [String: ClaimValue]
        /// The device flow's polling interval in seconds (RFC 8628 §3.2 `interval`), 0 allowed for tests; default 5.
        public var devicePollInterval: Int
        /// The browser origins that may read this client's responses (CORS); `nil` allows the origins of its
        /// redirect URIs (see `AllowedOrigins`).
        public var allowedOrigins: AllowedOrigins?
        /// Other issuers whose JWTs this client may present as the subject or actor token of a token exchange
        /// (RFC 8693 §2.1); `[]` accepts only this issuer's own tokens.
        public var tokenExchangeTrustedIssuers: [TrustedIssuer]
        /// The client's public keys as an inline JWK Set (RFC 7591 §2 `jwks`: `{"keys": [...]}`), for `private_key_jwt`
        /// and the JWT bearer grant; never together with `jwksURI`.
        public var jwks: [String: ClaimValue]?
        /// Where the client's JWK Set is published (RFC 7591 §2 `jwks_uri`); fetched when an assertion needs it.
        public var jwksURI: String?
        /// The one algorithm the client's `client_assertion` must use (OpenID Connect Registration §2
        /// `token_endpoint_auth_signing_alg`); `nil` accepts every algorithm its method allows.
        public var tokenEndpointAuthSigningAlg: AssertionSigningAlgorithm?
        /// Ask this client's users for consent on every authorization request (`"consent": true` in clients.json):
        /// the consent page lists the requested scopes, and Allow grants only those checked. `false` (the default)
        /// consents automatically, unless the request says `prompt=consent` or the server shows the page to every
        /// client (`MockIdPConfiguration.consentPage`).
        public var requiresConsent: Bool

        /// One hour.
        public static let defaultAccessTokenTTL = 3600
        /// One day.
        public static let defaultRefreshTokenTTL = 86400
        /// One hour.
        public static let defaultIDTokenTTL = 3600
        /// The longest lifetime MockIdP accepts (ten years), so that expiry arithmetic can never overflow.
        public static let maximumTTL = 10 * 365 * 86400
        /// RFC 8628 §3.2: "If no value is provided, clients MUST use 5 as the default."
        public static let defaultDevicePollInterval = 5
        /// The longest polling interval MockIdP accepts: an hour, far beyond a device code's ten minutes.
        public static let maximumDevicePollInterval = 3600

        /// Only `clientID` is required; the defaults are those of `clients.json` (see README.md).
        public init(
            clientID: String,
            clientSecret: String? = nil,
            redirectURIs: [String] = [],
            postLogoutRedirectURIs: [String] = [],
            grantTypes: [GrantType] = [.authorizationCode, .refreshToken],
            scopes: [String]? = nil,
            tokenEndpointAuthMethod: TokenEndpointAuthMethod? = nil,
            accessTokenTTL: Int = Client.defaultAccessTokenTTL,
            refreshTokenTTL: Int = Client.defaultRefreshTokenTTL,
            idTokenTTL: Int = Client.defaultIDTokenTTL,
            audience: [String]? = nil,
            idTokenSignedResponseAlg: MockIdPConfiguration.SigningAlgorithm? = nil,
            accessTokenClaims: [String: ClaimValue] = [:],
            devicePollInterval: Int = Client.defaultDevicePollInterval,
            allowedOrigins: AllowedOrigins? = nil,
            tokenExchangeTrustedIssuers: [TrustedIssuer] = [],
            jwks: [String: ClaimValue]? = nil,
            jwksURI: String? = nil,
            tokenEndpointAuthSigningAlg: AssertionSigningAlgorithm? = nil,
            requiresConsent: Bool = false
        ) {
            self.clientID = clientID
            self.clientSecret = clientSecret
            self.redirectURIs = redirectURIs
            self.postLogoutRedirectURIs = postLogoutRedirectURIs
            self.grantTypes = grantTypes
            self.scopes = scopes
            self.tokenEndpointAuthMethod = tokenEndpointAuthMethod
            self.accessTokenTTL = accessTokenTTL
            self.refreshTokenTTL = refreshTokenTTL
            self.idTokenTTL = idTokenTTL
            self.audience = audience ?? [clientID]
            self.idTokenSignedResponseAlg = idTokenSignedResponseAlg
            self.accessTokenClaims = accessTokenClaims
            self.devicePollInterval = devicePollInterval
            self.allowedOrigins = allowedOrigins
            self.tokenExchangeTrustedIssuers = tokenExchangeTrustedIssuers
            self.jwks = jwks
            self.jwksURI = jwksURI
            self.tokenEndpointAuthSigningAlg = tokenEndpointAuthSigningAlg
            self.requiresConsent = requiresConsent
        }

        /// The algorithms this client may sign a `client_assertion` with under `method`: HS256 for `client_secret_jwt`,
        /// RS256, ES256 and EdDSA for `private_key_jwt`, narrowed to `token_endpoint_auth_signing_alg` when registered.
        package func assertionAlgorithms(for method: TokenEndpointAuthMethod) -> Set<AssertionSigningAlgorithm> {
            let algorithms: Set<AssertionSigningAlgorithm> =
                switch method {
                case .clientSecretJWT: [.hs256]
                case .privateKeyJWT: [.rs256, .es256, .eddsa]
                default: []
                }
            return tokenEndpointAuthSigningAlg.map { algorithms.intersection([$0]) } ?? algorithms
        }

        /// The algorithms the JWT bearer grant's `assertion` may use (RFC 7523 §2.1): HS256 with the client's secret,
        /// the others with its registered keys.
        package var grantAssertionAlgorithms: Set<AssertionSigningAlgorithm> {
            var algorithms: Set<AssertionSigningAlgorithm> = hasKeys ? [.rs256, .es256, .eddsa] : []
            if clientSecret != nil { algorithms.insert(.hs256) }
            return algorithms
        }

        /// A client that cannot authenticate is public (RFC 6749 §2.1): no secret, and no registered `private_key_jwt`
        /// (whose keys are its credentials); or one registered with method `none`.
        public var isPublic: Bool {
            switch tokenEndpointAuthMethod {
            case .none?: true
            case .privateKeyJWT?: false
            default: clientSecret == nil
            }
        }

        /// Whether the client registered public keys (`jwks` or `jwks_uri`) to verify its assertions with.
        public var hasKeys: Bool { jwks != nil || jwksURI != nil }

        /// The authentication methods this client may use at the token endpoint.
        package var allowedAuthMethods: Set<TokenEndpointAuthMethod> {
            if let tokenEndpointAuthMethod { return [tokenEndpointAuthMethod] }
            return isPublic ? [.none] : [.clientSecretBasic, .clientSecretPost]
        }
    }

    /// A scope (an entry of `scopes.json`) and the user claims it releases.
    public struct Scope: Sendable, Hashable {
        /// The scope token (RFC 6749 §3.3), e.g. `transactions:read`.
        public var name: String
        /// What it grants, in words.
        public var description: String?
        /// The user claims it releases (OIDC Core §5.4).
        public var claims: [String]
        /// The user claims copied into the access token (and its introspection) when this scope is granted.
        public var accessTokenClaims: [String]

        /// A scope releasing `claims` to the ID token and userinfo, and copying `accessTokenClaims` into access tokens.
        public init(name: String, description: String? = nil, claims: [String] = [], accessTokenClaims: [String] = []) {
            self.name = name
            self.description = description
            self.claims = claims
            self.accessTokenClaims = accessTokenClaims
        }
    }
}

extension MockIdPFixtures {
    /// The access-token claims MockIdP sets itself, which no fixture may override: `iss`, `sub`, `aud`, `exp`, `iat`,
    /// `jti`, `client_id`, `scope` (RFC 9068 §2.2) and `cnf` (RFC 7800, proof-of-possession).
    public static let reservedAccessTokenClaims: Set<String> = ["iss", "sub", "aud", "exp", "iat", "jti", "client_id", "scope", "cnf"]
}

// Inside the library the fixture values go by their short names; a consumer writes `MockIdPFixtures.User`, which
// cannot collide with a `User` of its own.
typealias User = MockIdPFixtures.User
typealias Client = MockIdPFixtures.Client
typealias Scope = MockIdPFixtures.Scope
typealias GrantType = MockIdPFixtures.GrantType
typealias TokenEndpointAuthMethod = MockIdPFixtures.TokenEndpointAuthMethod
typealias AssertionSigningAlgorithm = MockIdPFixtures.AssertionSigningAlgorithm
