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
            keys: { client async throws(ClientAssertion.Failure) in try await Self.keys(of: client, remote: remote) },
            consume: { jti, clientID, expiresAt in await store.useAssertion(jti: jti, clientID: clientID, expiresAt: expiresAt, now: now) }
        )
    }

    /// The client's public keys: its inline `jwks`, else its `jwks_uri` fetched (and cached) through `remote`.
    static func keys(of client: Client, remote: RemoteDocuments) async throws(ClientAssertion.Failure) -> [ClientJWK] {
        guard let url = client.jwksURI else { return try ClientAssertionVerifier.inlineKeys(of: client) }
        let document: RemoteDocument
        do {
            document = try await remote.fetch(url)
        } catch {
            throw ClientAssertion.Failure("the client's jwks_uri \(error.url) could not be fetched: \(error.reason)")
        }
        do {
            return try ClientJWK.keys(ofDocument: document.body)
        } catch {
            throw ClientAssertion.Failure("the client's jwks_uri \(url) is not a usable JWK Set: \(error.field.isEmpty ? "" : error.field + ": ")\(error.reason)")
        }
    }
}
