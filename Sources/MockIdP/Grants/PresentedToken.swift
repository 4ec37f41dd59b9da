/// A token presented to token exchange as `subject_token` or `actor_token` (RFC 8693 §2.1), found and judged:
/// one this issuer recorded and that is active, or a JWT of an issuer the client trusts, verified and unexpired.
struct PresentedToken: Sendable {
    /// The token as presented.
    let value: String
    /// Its stated type, which matched what it is.
    let type: TokenTypeIdentifier
    /// Who issued it: this issuer, or a trusted one.
    let issuer: String
    /// Whom it is about: its `sub` (a client's own token: that client's id).
    let sub: String
    /// Its JWT claims (`act`, `may_act`, `scope`, …); a refresh token's are its access token's extra claims.
    let claims: [String: ClaimValue]
    /// This issuer's record of it; `nil` for another issuer's JWT.
    let record: IssuedToken?
    /// The scope it carries, the most an exchange may grant; `nil` when it says none (another issuer's JWT without `scope`).
    let scope: [String]?

    /// Which parameter it came in, for error descriptions.
    enum Role: String, Sendable {
        case subject = "subject_token"
        case actor = "actor_token"
    }

    /// Finds and judges `value`, presented as `typeName`.
    ///
    /// RFC 8693 §2.2.2: "If the request itself is not valid or if either the subject_token or actor_token are invalid
    /// for any reason, or are unacceptable based on policy, the authorization server MUST construct an error response
    /// ... The value of the error parameter MUST be the invalid_request error code." Every refusal here is therefore
    /// `invalid_request` (never RFC 6749's `invalid_grant`): an unknown, expired, revoked or used token, a type that is
    /// not what the token is, an untrusted issuer, a bad signature.
    static func resolve(
        _ value: String, typeName: String, role: Role, client: Client, state: IdPState
    ) async throws(OAuthError) -> PresentedToken {
        guard let type = TokenTypeIdentifier(rawValue: typeName) else {
            let known = TokenTypeIdentifier.allCases.map(\.rawValue).joined(separator: ", ")
            throw OAuthError(.invalidRequest, "\(role.rawValue)_type \"\(typeName)\" is not supported (supported: \(known))")
        }
        let now = state.clock.now
        if let record = await state.store.token(value) {
            guard type.describes(record.kind) else {
                throw OAuthError(.invalidRequest, "the \(role.rawValue) is of type \(record.kind.rawValue), not \(typeName)")
            }
            let status = record.status(at: now)
            guard status == .active else {
                throw OAuthError(.invalidRequest, "the \(role.rawValue) is not active (\(status.rawValue))")
            }
            // RFC 6749 §6: a refresh token is bound to the client it was issued to; nobody else may present it.
            if record.kind == .refreshToken, record.clientID != client.clientID {
                throw OAuthError(.invalidRequest, "the \(role.rawValue) is a refresh token of another client")
            }
            return PresentedToken(
                value: value, type: type, issuer: state.issuer.issuer, sub: record.sub ?? record.clientID,
                claims: JWTParts(value)?.claims ?? record.claims, record: record, scope: record.scope
            )
        }
        guard let parts = JWTParts(value), let issuer = parts.claims["iss"]?.stringValue else {
            throw OAuthError(.invalidRequest, "unknown \(role.rawValue): this issuer did not issue it (or DELETE /debug forgot it), and it is no JWT")
        }
        if issuer == state.issuer.issuer {
            throw OAuthError(.invalidRequest, "unknown \(role.rawValue): it names this issuer, which has no record of it (never issued, or forgotten)")
        }
        guard let trusted = client.tokenExchangeTrustedIssuers.first(where: { $0.issuer == issuer }) else {
            throw OAuthError(
                .invalidRequest,
                "the \(role.rawValue) was issued by \"\(issuer)\", which client \"\(client.clientID)\" does not trust (token_exchange_trusted_issuers)"
            )
        }
        // Another issuer's tokens are JWTs; its refresh tokens are its own business (RFC 6749 §1.5).
        guard type != .refreshToken else {
            throw OAuthError(.invalidRequest, "the \(role.rawValue) is a JWT of \"\(issuer)\", not a refresh token of this issuer")
        }
        let jwks: [UInt8]
        if let inline = trusted.jwks {
            jwks = JSONWriter.encode(inline)
        } else if let uri = trusted.jwksURI {
            do {
                jwks = try await state.remote.fetch(uri).body
            } catch {
                throw OAuthError(.invalidRequest, "the keys of \"\(issuer)\" could not be fetched from \(uri): \(error.reason)")
            }
        } else {
            throw OAuthError(.invalidRequest, "client \"\(client.clientID)\" names no keys for \"\(issuer)\"")
        }
        let claims: [String: ClaimValue]
        switch await ExternalJWT.verify(value, jwks: jwks) {
        case .success(let verified): claims = verified
        case .failure(let failure): throw OAuthError(.invalidRequest, "the \(role.rawValue) of \"\(issuer)\" is refused: \(failure.reason)")
        }
        // RFC 7519 §4.1.4: "the current time MUST be before the time represented by the exp claim". MockIdP requires
        // one: a token of another issuer that never expires is not exchanged.
        guard case .int(let exp)? = claims["exp"] else {
            throw OAuthError(.invalidRequest, "the \(role.rawValue) of \"\(issuer)\" has no exp; MockIdP exchanges only tokens that expire")
        }
        guard now < exp else { throw OAuthError(.invalidRequest, "the \(role.rawValue) of \"\(issuer)\" has expired") }
        // RFC 7519 §4.1.5: not before `nbf`.
        if case .int(let nbf)? = claims["nbf"], now < nbf {
            throw OAuthError(.invalidRequest, "the \(role.rawValue) of \"\(issuer)\" is not valid yet (nbf)")
        }
        guard let sub = claims["sub"]?.stringValue, !sub.isEmpty else {
            throw OAuthError(.invalidRequest, "the \(role.rawValue) of \"\(issuer)\" has no sub")
        }
        return PresentedToken(
            value: value, type: type, issuer: issuer, sub: sub, claims: claims, record: nil,
            scope: claims["scope"]?.stringValue.map(ScopeRequest.parse)
        )
    }
}

extension TokenTypeIdentifier {
    /// Whether a token MockIdP recorded as `kind` is of this type: its access and ID tokens are JWTs too; its
    /// refresh tokens are opaque, so no `jwt`.
    func describes(_ kind: TokenKind) -> Bool {
        switch self {
        case .accessToken: kind == .accessToken
        case .refreshToken: kind == .refreshToken
        case .idToken: kind == .idToken
        case .jwt: kind == .accessToken || kind == .idToken
        }
    }
}
