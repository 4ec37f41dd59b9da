import Synchronization

/// The issuer identifier, fixed by configuration or resolved once the server is bound (port 0 picks a free port).
///
/// Every URL MockIdP emits derives from it, so discovery, redirects and the `iss` claim always agree.
final class IssuerState: Sendable {
    /// Set together, in one step, once the server is bound: no reader sees the port without its issuer.
    private let value: Mutex<(issuer: String, port: Int?)>

    init(_ issuer: String) {
        self.value = Mutex((Self.normalized(issuer), nil))
    }

    var issuer: String { value.withLock { $0.issuer } }

    /// The port the server is bound to; `nil` until it listens.
    var port: Int? { value.withLock { $0.port } }

    /// Records the bound port and the issuer that follows from it.
    func bind(port: Int, issuer: String) {
        value.withLock { $0 = (Self.normalized(issuer), port) }
    }

    /// The absolute URL of an endpoint path, e.g. `url(EndpointPath.token)`.
    func url(_ path: String) -> String { issuer + path }

    /// An issuer has no trailing slash, so that `issuer + "/.well-known/openid-configuration"` is the discovery URL.
    static func normalized(_ issuer: String) -> String {
        var issuer = issuer
        while issuer.hasSuffix("/") { issuer.removeLast() }
        return issuer
    }
}

/// The paths MockIdP serves, relative to the issuer.
enum EndpointPath {
    static let openIDConfiguration = "/.well-known/openid-configuration"
    static let authorizationServerMetadata = "/.well-known/oauth-authorization-server"
    static let jwks = "/jwks"
    static let authorize = "/authorize"
    static let token = "/token"
    static let userinfo = "/userinfo"
    static let introspection = "/introspect"
    static let revocation = "/revoke"
    static let deviceAuthorization = "/device_authorization"
    static let deviceVerification = "/device"
    static let endSession = "/end_session"
    static let healthz = "/healthz"
}
