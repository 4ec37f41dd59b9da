import Synchronization

/// The server's base URL, fixed by configuration or resolved once the server is bound (port 0 picks a free port),
/// shared by every issuer the server mounts.
final class ServerBase: Sendable {
    /// Set together, in one step, once the server is bound: no reader sees the port without its base.
    private let value: Mutex<(base: String, port: Int?)>

    init(_ base: String) {
        self.value = Mutex((Self.normalized(base), nil))
    }

    var base: String { value.withLock { $0.base } }

    /// The port the server is bound to; `nil` until it listens.
    var port: Int? { value.withLock { $0.port } }

    /// Records the bound port and the base URL that follows from it.
    func bind(port: Int, base: String) {
        value.withLock { $0 = (Self.normalized(base), port) }
    }

    /// A base URL has no trailing slash, so that `base + "/.well-known/openid-configuration"` is a URL.
    static func normalized(_ base: String) -> String {
        var base = base
        while base.hasSuffix("/") { base.removeLast() }
        return base
    }
}

/// One issuer's identifier and the URLs of its endpoints: the server's base URL, then the issuer's mount path
/// (`""` at the root, `/alpha-bank`, `/realms/alpha-bank`), then its layout's issuer suffix (Entra's `/v2.0`,
/// Auth0's trailing `/`).
///
/// Every URL MockIdP emits derives from it, so discovery, redirects and the `iss` claim always agree.
struct IssuerState: Sendable {
    let server: ServerBase
    /// Where the issuer's endpoints are mounted, below the base URL.
    let mountPath: String
    let issuerSuffix: String

    /// The root issuer of a server whose base URL is `base`, in MockIdP's own layout.
    init(_ base: String) {
        self.init(server: ServerBase(base), mountPath: "", issuerSuffix: "")
    }

    init(server: ServerBase, mountPath: String, issuerSuffix: String) {
        self.server = server
        self.mountPath = mountPath
        self.issuerSuffix = issuerSuffix
    }

    /// The issuer identifier (`iss`, discovery's `issuer`, RFC 9207's `iss` parameter).
    var issuer: String {
        if mountPath.isEmpty && issuerSuffix.isEmpty { return server.base }
        return server.base + mountPath + issuerSuffix
    }

    /// The bound port; `nil` until the server listens.
    var port: Int? { server.port }

    /// Records the bound port and the server's base URL that follows from it.
    func bind(port: Int, base: String) {
        server.bind(port: port, base: base)
    }

    /// The absolute URL of an endpoint path, e.g. `url(paths.token)`.
    func url(_ path: String) -> String { server.base + mountPath + path }

    /// The issuer identifier's path after the base URL, without a trailing slash (`""` at the root,
    /// `/realms/alpha-bank`, `/contoso/v2.0`, `/shop` for Auth0's `/shop/`): RFC 8414 §3.1 puts the issuer's metadata
    /// at `/.well-known/oauth-authorization-server` followed by it.
    var issuerPath: String { ServerBase.normalized(mountPath + issuerSuffix) }
}
