extension MockIdPFixtures {
    /// Which browser origins may read a client's responses (CORS, the Fetch standard): `allowed_origins` in clients.json.
    ///
    /// A client without the field (`Client.allowedOrigins == nil`) allows the origins of its redirect URIs, as
    /// Keycloak's web origins do. Discovery and the JWKS are public and answer every origin whatever a client says.
    ///
    /// ```swift
    /// let spa = MockIdPFixtures.Client(
    ///     clientID: "spa",
    ///     redirectURIs: ["http://localhost:5173/callback"],
    ///     allowedOrigins: .origins(["http://localhost:5173", "http://127.0.0.1:5173"])
    /// )
    /// ```
    public enum AllowedOrigins: Sendable, Hashable {
        /// Any origin (`"allowed_origins": "*"`): the response echoes whatever origin asks.
        case any
        /// Exactly these origins, each serialised as a browser sends it in the `Origin` header (RFC 6454 §6.2):
        /// `scheme://host[:port]`, lowercase, no path or trailing slash, no default port. An empty list allows none.
        case origins([String])
    }
}

typealias AllowedOrigins = MockIdPFixtures.AllowedOrigins
