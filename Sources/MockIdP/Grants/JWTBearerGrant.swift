import HTTPTypes

/// The JWT bearer authorization grant (RFC 7523 §2.1): a client presents a JWT it signed, whose `sub` names a user,
/// and gets an access token for that user, with no user present.
///
/// The assertion is the client's: `iss` is its client_id and it is signed with its secret (HS256) or one of its
/// registered keys (`jwks` / `jwks_uri`). `sub` is a user's `sub` or `username`. `aud`, `exp`, `nbf`, `iat` and `jti`
/// are checked as for a `client_assertion` (RFC 7523 §3), and the `jti` is single-use.
///
/// An assertion may also come from an issuer the client trusts (`token_exchange_trusted_issuers`, RFC 7523 §3: "the
/// JWT MUST contain an iss (issuer) claim that contains a unique identifier for the entity that issued the JWT"): a
/// user's sign-in elsewhere, federated. It is verified with that issuer's keys, and its `aud`, `exp`, `nbf` and `jti`
/// are checked the same way; its `sub` must be a user of this issuer. The client then authenticates on its own.
///
/// Client authentication is optional for this grant (RFC 7521 §4.1, RFC 7523 §2.1's example has none): a client that
/// sends credentials is authenticated by its registered method first; a request with none is the client the
/// assertion's `iss` names, authenticated by the assertion's signature.
///
/// The response has no refresh token: the client can sign a new assertion whenever it needs a token, which is what
/// the grant is for, and a refresh token would outlive the assertion's short life. No ID token either: nobody signed
/// in (OpenID Connect Core §2: an ID token is about an authentication event).
struct JWTBearerGrant: Sendable {
    let state: IdPState
    var overrides = TokenOverrides()

    /// Whether the request carries no client credentials of its own, so that the assertion names the client.
    static func assertionIdentifiesClient(_ form: FormParameters, headers: HTTPFields) -> Bool {
        form["grant_type"] == GrantType.jwtBearer.rawValue && headers[.authorization] == nil
            && ["client_id", "client_secret", "client_assertion", "client_assertion_type"].allSatisfy { form[$0] == nil }
    }

    /// The assertion's `iss`, unverified: the client_id to resolve (a metadata-document client's URL) before `client(of:registry:)`.
    static func issuer(of form: FormParameters) -> String? {
        form["assertion"].flatMap { try? ClientAssertion(parsing: $0) }?.string("iss")
    }

    /// The client the assertion's `iss` names, before its signature is checked (the grant checks it).
    ///
    /// - Throws: `invalid_request` for a missing or repeated assertion, `invalid_grant` for one that names no client.
    static func client(of form: FormParameters, registry: Registry) throws(OAuthError) -> Client {
        try form.rejectDuplicates(among: ["assertion"])
        let assertion = try parse(form)
        guard let issuer = assertion.string("iss") else {
            throw OAuthError(.invalidGrant, "assertion refused: the iss claim is missing (it names the client)")
        }
        guard let client = registry.client(issuer) else {
            throw OAuthError(.invalidGrant, "assertion refused: iss \"\(issuer)\" is not a registered client")
        }
        RequestNote.client(client.clientID)
        return client
    }

    private static func parse(_ form: FormParameters) throws(OAuthError) -> ClientAssertion {
        guard let jwt = form["assertion"] else {
            throw OAuthError(.invalidRequest, "assertion is missing")
        }
        do {
            return try ClientAssertion(parsing: jwt)
        } catch {
            throw OAuthError(.invalidGrant, "malformed assertion: \(error.reason)")
        }
    }

    func handle(_ form: FormParameters, client: Client) async throws -> TokenResponse {
        let assertion = try Self.parse(form)
        let sub: String
        if let issuer = assertion.string("iss"), issuer != client.clientID, client.tokenExchangeTrustedIssuers.contains(where: { $0.issuer == issuer }) {
            sub = try await trustedSubject(form["assertion"] ?? "", issuer: issuer, client: client)
        } else {
            do {
                sub = try await state.assertionVerifier(endpoint: state.paths.token)
                    .verify(assertion, client: client, subject: nil, algorithms: client.grantAssertionAlgorithms)
            } catch {
                // RFC 7521 §4.1.1: an assertion that is not valid is invalid_grant.
                throw OAuthError(.invalidGrant, "assertion refused: \(error.reason)")
            }
        }
        guard let user = state.registry.user(hint: sub) else {
            throw OAuthError(.invalidGrant, "assertion refused: sub \"\(sub)\" is no user's sub or username")
        }
        let scope = try ScopeRequest.resolve(form["scope"], for: client, registry: state.registry)
        let audience = try ResourceIndicators.audience(
            requested: ResourceIndicators.parse(form, layout: state.layout), authorized: [], client: client
        )
        var authorization = Authorization(
            client: client, user: user, scope: scope, authTime: nil, sid: nil, nonce: nil, grantID: randomToken(bytes: 16),
            audience: audience, withRefreshToken: false
        )
        authorization.withIDToken = false
        return try await state.tokens.issue(for: authorization, overrides: overrides)
    }

    /// The `sub` of an assertion a trusted issuer signed: signature, `exp`, `nbf` and `sub` as token exchange judges
    /// another issuer's JWT, then RFC 7523 §3's `aud` (this issuer, or its token endpoint) and single-use `jti`.
    private func trustedSubject(_ jwt: String, issuer: String, client: Client) async throws(OAuthError) -> String {
        let presented: PresentedToken
        do {
            presented = try await PresentedToken.resolve(jwt, typeName: TokenTypeIdentifier.jwt.rawValue, role: .subject, client: client, state: state)
        } catch {
            throw OAuthError(.invalidGrant, "assertion refused: \(error.description.replacing("the subject_token", with: "the assertion"))")
        }
        let audiences: [String] =
            switch presented.claims["aud"] {
            case .string(let one)?: [one]
            case .array(let many)?: many.compactMap(\.stringValue)
            default: []
            }
        let accepted = [state.issuer.issuer, state.issuer.url(state.paths.token)]
        guard audiences.contains(where: accepted.contains) else {
            throw OAuthError(.invalidGrant, "assertion refused: aud must name \(accepted.joined(separator: " or ")) (RFC 7523 §3)")
        }
        guard let jti = presented.claims["jti"]?.stringValue, !jti.isEmpty, case .int(let exp)? = presented.claims["exp"] else {
            throw OAuthError(.invalidGrant, "assertion refused: a jti is required, so that the assertion is used once (RFC 7523 §3)")
        }
        guard await state.store.useAssertion(jti: jti, clientID: issuer, expiresAt: exp, now: state.clock.now) else {
            throw OAuthError(.invalidGrant, "assertion refused: jti \"\(jti)\" of \(issuer) was used already (RFC 7523 §3)")
        }
        return presented.sub
    }
}
