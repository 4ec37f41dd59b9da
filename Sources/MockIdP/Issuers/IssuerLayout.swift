extension MockIdPConfiguration {
    /// Whose URL layout and token shapes an issuer copies, so that an app configured for that vendor changes only its
    /// base URL to use MockIdP.
    public enum Layout: String, Sendable, Hashable, CaseIterable {
        /// MockIdP's own paths (`/authorize`, `/token`, `/jwks` …), issuer `BASE/NAME`.
        case standard
        /// Keycloak: issuer `BASE/realms/NAME`, endpoints under `/protocol/openid-connect/`, `realm_access` and
        /// `resource_access` roles in access tokens.
        case keycloak
        /// Microsoft Entra ID (identity platform v2.0): issuer `BASE/NAME/v2.0`, endpoints under `/NAME/oauth2/v2.0/`,
        /// `tid`, `oid`, `ver`, `scp` / `roles` in tokens. No revocation or introspection endpoint.
        case entra
        /// Auth0: issuer `BASE/NAME/` (with its trailing slash), `/oauth/token`, the `audience` parameter, `permissions`.
        /// No introspection endpoint.
        case auth0

        /// Whether an issuer at the root (no name) may use the layout: Keycloak needs a realm name and Entra a tenant.
        public var servesAtRoot: Bool { self == .standard || self == .auth0 }
    }
}

extension MockIdPConfiguration.Layout {
    /// The path of an issuer of this layout named `name` below the server's base URL: `/NAME`, or `/realms/NAME` for
    /// Keycloak; `""` for the root issuer.
    func mountPath(name: String?) -> String {
        guard let name else { return "" }
        return self == .keycloak ? "/realms/" + name : "/" + name
    }

    /// What follows the mount path in the issuer identifier: Entra's `/v2.0`, Auth0's trailing slash.
    var issuerSuffix: String {
        switch self {
        case .standard, .keycloak: ""
        case .entra: "/v2.0"
        case .auth0: "/"
        }
    }

    /// The endpoint paths below the mount path.
    var paths: EndpointPaths {
        switch self {
        case .standard: EndpointPaths()
        case .keycloak:
            EndpointPaths(
                openIDConfiguration: "/.well-known/openid-configuration",
                authorizationServerMetadata: "/.well-known/oauth-authorization-server",
                jwks: "/protocol/openid-connect/certs",
                authorize: "/protocol/openid-connect/auth",
                token: "/protocol/openid-connect/token",
                userinfo: "/protocol/openid-connect/userinfo",
                introspection: "/protocol/openid-connect/token/introspect",
                revocation: "/protocol/openid-connect/revoke",
                deviceAuthorization: "/protocol/openid-connect/auth/device",
                deviceVerification: "/device",
                endSession: "/protocol/openid-connect/logout",
                registration: "/clients-registrations/openid-connect"
            )
        case .entra:
            EndpointPaths(
                openIDConfiguration: "/v2.0/.well-known/openid-configuration",
                authorizationServerMetadata: nil,
                jwks: "/discovery/v2.0/keys",
                authorize: "/oauth2/v2.0/authorize",
                token: "/oauth2/v2.0/token",
                // Entra advertises Microsoft Graph's https://graph.microsoft.com/oidc/userinfo; MockIdP serves its own.
                userinfo: "/oidc/userinfo",
                introspection: nil,
                revocation: nil,
                deviceAuthorization: "/oauth2/v2.0/devicecode",
                deviceVerification: "/devicelogin",
                endSession: "/oauth2/v2.0/logout",
                // Entra registers applications in its portal and Graph, not by RFC 7591.
                registration: nil
            )
        case .auth0:
            EndpointPaths(
                openIDConfiguration: "/.well-known/openid-configuration",
                authorizationServerMetadata: nil,
                jwks: "/.well-known/jwks.json",
                authorize: "/authorize",
                token: "/oauth/token",
                userinfo: "/userinfo",
                introspection: nil,
                revocation: "/oauth/revoke",
                deviceAuthorization: "/oauth/device/code",
                deviceVerification: "/activate",
                endSession: "/oidc/logout",
                legacyLogout: "/v2/logout",
                registration: "/oidc/register"
            )
        }
    }
}

/// The paths one issuer serves, below its mount path (`""` at the root, `/alpha-bank`, `/realms/alpha-bank`); a
/// `nil` path is an endpoint the layout's vendor does not have, which is then neither served nor advertised.
struct EndpointPaths: Sendable {
    var openIDConfiguration = "/.well-known/openid-configuration"
    /// RFC 8414 metadata below the mount; every issuer's also answers at RFC 8414 §3.1's root path.
    var authorizationServerMetadata: String? = "/.well-known/oauth-authorization-server"
    var jwks = "/jwks"
    var authorize = "/authorize"
    var token = "/token"
    var userinfo = "/userinfo"
    var introspection: String? = "/introspect"
    var revocation: String? = "/revoke"
    var deviceAuthorization = "/device_authorization"
    var deviceVerification = "/device"
    var endSession = "/end_session"
    /// Auth0's `/v2/logout` (`returnTo`, `client_id`).
    var legacyLogout: String? = nil
    /// Dynamic Client Registration (RFC 7591 §3); each client's configuration endpoint (RFC 7592) is below it.
    var registration: String? = "/register"

    /// Liveness, under every mount.
    static let healthz = "/healthz"
    /// The issuer's /debug, under its mount.
    static let debug = "/debug"
    /// RFC 8414 §3.1: the metadata of an issuer with a path is at this path followed by the issuer's path.
    static let rootAuthorizationServerMetadata = "/.well-known/oauth-authorization-server"
}
