import HTTPTypes

/// The client credentials grant (RFC 6749 §4.4): a confidential client acting on its own behalf.
struct ClientCredentialsGrant: Sendable {
    let state: IdPState
    var overrides = TokenOverrides()

    func handle(_ form: FormParameters, client: Client) async throws -> TokenResponse {
        // RFC 6749 §4.4: "The client credentials grant type MUST only be used by confidential clients."
        guard !client.isPublic else {
            throw OAuthError(.unauthorizedClient, "client_credentials needs a confidential client")
        }
        let scope = try ScopeRequest.resolve(form["scope"], for: client, registry: state.registry)
        let requested = try ResourceIndicators.parse(form, layout: state.layout)
        // Auth0 issues machine-to-machine tokens for an API only: with no `audience` and no default one (a client
        // fixture's `audience`), it refuses, with this error and status.
        if state.layout == .auth0, requested.isEmpty, client.audience == [client.clientID] {
            throw OAuthError(.accessDenied, "No audience parameter was provided, and no default audience has been configured", status: .forbidden)
        }
        // RFC 6749 §4.4.3: "A refresh token SHOULD NOT be included." No user, so no ID token either.
        return try await state.tokens.issue(
            for: .clientOnly(
                client, scope: scope,
                audience: try ResourceIndicators.audience(requested: requested, authorized: [], client: client)
            ),
            overrides: overrides
        )
    }
}
