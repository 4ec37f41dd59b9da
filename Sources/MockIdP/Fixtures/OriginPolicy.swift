/// The browser origins whose requests a client's responses may be shared with (CORS), resolved once per registry
/// from `allowed_origins`, or else from the origins of the client's redirect URIs (as Keycloak's web origins are).
struct OriginPolicy: Sendable {
    private(set) var allowsAny: Bool
    private(set) var origins: Set<String>

    /// No origin at all.
    static let none = OriginPolicy(allowsAny: false, origins: [])

    private init(allowsAny: Bool, origins: Set<String>) {
        self.allowsAny = allowsAny
        self.origins = origins
    }

    init(_ client: Client) {
        switch client.allowedOrigins {
        case .any?: self.init(allowsAny: true, origins: [])
        case .origins(let origins)?: self.init(allowsAny: false, origins: Set(origins))
        case nil: self.init(allowsAny: false, origins: Set(client.redirectURIs.compactMap(WebOrigin.of(uri:))))
        }
    }

    /// The origins that any of `clients` allows: what a preflight, which names no client, is answered for.
    init(anyOf clients: some Sequence<OriginPolicy>) {
        self = .none
        for policy in clients {
            allowsAny = allowsAny || policy.allowsAny
            origins.formUnion(policy.origins)
        }
    }

    /// Whether `origin` (a well-formed, lowercased `Origin` header) may read the response. The opaque origin `null`
    /// (a sandboxed frame, a `file:` page) never may: any page can make itself one.
    func allows(_ origin: String) -> Bool {
        origin != "null" && (allowsAny || origins.contains(origin))
    }
}
