/// The issuer's side of JWT assertions (RFC 7523): its clock, the audiences it answers to, the clients' keys (inline,
/// or fetched from their `jwks_uri` through `remote`) and the store of used `jti`s.
extension IdPState {
    /// A verifier for assertions presented at the endpoint at `path` (below the issuer's mount path), as of now.
    ///
    /// `aud` may name the issuer identifier, the endpoint's own URL (RFC 7523 §3 item 3) or the token endpoint's URL,
    /// which OpenID Connect Core §9 names as the audience for client authentication at every endpoint.
    func assertionVerifier(endpoint path: String) -> ClientAssertionVerifier {
        let remote = remote
        let store = store
        let now = clock.now
        return ClientAssertionVerifier(
            now: now,
            audiences: [issuer.issuer, issuer.url(path), issuer.url(paths.token)],
            keys: { client, kid async throws(ClientAssertion.Failure) in try await Self.keys(of: client, kid: kid, remote: remote) },
            consume: { jti, clientID, expiresAt in await store.useAssertion(jti: jti, clientID: clientID, expiresAt: expiresAt, now: now) }
        )
    }

    /// The client's public keys: its inline `jwks`, else its `jwks_uri` fetched (and cached) through `remote`. A cached
    /// key set without the assertion's `kid` is fetched again, once, unless it was fetched this very second: the
    /// client rotated its keys (OpenID Connect Core §10.1.1), and the cache must not refuse it until it goes stale.
    static func keys(of client: Client, kid: String? = nil, remote: RemoteDocuments) async throws(ClientAssertion.Failure) -> [ClientJWK] {
        guard let url = client.jwksURI else { return try ClientAssertionVerifier.inlineKeys(of: client) }
        let (keys, fetchedAt) = try await fetchKeys(url, remote: remote, refresh: false)
        guard let kid, !keys.contains(where: { $0.kid == kid }), fetchedAt < remote.now else { return keys }
        return try await fetchKeys(url, remote: remote, refresh: true).0
    }

    private static func fetchKeys(_ url: String, remote: RemoteDocuments, refresh: Bool) async throws(ClientAssertion.Failure) -> ([ClientJWK], Int) {
        let document: RemoteDocument
        do {
            document = try await remote.fetch(url, refresh: refresh)
        } catch {
            throw ClientAssertion.Failure("the client's jwks_uri \(error.url) could not be fetched: \(error.reason)")
        }
        do {
            return (try ClientJWK.keys(ofDocument: document.body), document.fetchedAt)
        } catch {
            throw ClientAssertion.Failure("the client's jwks_uri \(url) is not a usable JWK Set: \(error.field.isEmpty ? "" : error.field + ": ")\(error.reason)")
        }
    }
}
