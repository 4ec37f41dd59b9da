import Synchronization

/// Clients that registered themselves (RFC 7591): each one's registration access token (RFC 7592 §3) and the
/// metadata it registered, echoed back on every read. Forgotten with the runtime fixtures (`DELETE /debug/fixtures`).
final class ClientRegistrations: Sendable {
    /// One registered client.
    struct Registration: Sendable {
        /// The bearer token of its client configuration endpoint.
        let accessToken: String
        /// When it registered (server clock), `client_id_issued_at`.
        let issuedAt: Int
        /// Its metadata as registered, with the defaults applied (RFC 7591 §3.2.1), without the credentials.
        var metadata: [String: ClaimValue]
    }

    private let registrations = Mutex<[String: Registration]>([:])

    func registration(clientID: String) -> Registration? { registrations.withLock { $0[clientID] } }

    func set(_ registration: Registration, clientID: String) {
        registrations.withLock { $0[clientID] = registration }
    }

    @discardableResult
    func remove(clientID: String) -> Registration? { registrations.withLock { $0.removeValue(forKey: clientID) } }

    /// The registered clients' ids.
    var clientIDs: Set<String> { registrations.withLock { Set($0.keys) } }

    func clear() { registrations.withLock { $0.removeAll() } }
}
