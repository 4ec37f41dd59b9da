import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import JWTKit
import Testing

@testable import MockIdP

/// RFC 8693 token type identifiers, short.
private enum TokenType {
    static let accessToken = "urn:ietf:params:oauth:token-type:access_token"
    static let refreshToken = "urn:ietf:params:oauth:token-type:refresh_token"
    static let idToken = "urn:ietf:params:oauth:token-type:id_token"
    static let jwt = "urn:ietf:params:oauth:token-type:jwt"
}

private let tokenExchange = "urn:ietf:params:oauth:grant-type:token-exchange"
private let partnerIssuer = "https://partner.example"

extension ClientCredentials {
    static let ledger = ClientCredentials(clientID: "ledger-service", secret: "ledger-service-secret")
}

/// Another issuer, outside MockIdP: an ES256 key whose public half a client fixture trusts inline.
private struct PartnerIssuer: Sendable {
    let key = ES256PrivateKey()
    let kid = "partner-key-1"

    /// The JWKS a fixture lists inline.
    var jwks: [String: ClaimValue] {
        let parameters = key.publicKey.parameters!
        return [
            "keys": [
                ["kty": "EC", "crv": "P-256", "kid": .string(kid), "use": "sig", "x": .string(parameters.x), "y": .string(parameters.y)]
            ]
        ]
    }

    /// A JWT signed by this issuer (or by `signer`, to forge one).
    func token(_ claims: [String: ClaimValue], signer: ES256PrivateKey? = nil) async throws -> String {
        let keys = JWTKeyCollection()
        await keys.add(ecdsa: signer ?? key, kid: JWKIdentifier(string: kid))
        return try await keys.sign(JWTClaims(claims: claims), kid: JWKIdentifier(string: kid))
    }
}

/// The built-in fixtures, with budgetify allowed the grant too (so that it can exchange its own refresh token) and
/// ledger-service trusting `partner`'s keys.
///
/// - Parameter jwksURI: where ledger-service fetches the partner's keys, instead of listing them inline.
private func withExchangeIdP<T: Sendable>(
    partner: PartnerIssuer = PartnerIssuer(), jwksURI: String? = nil, _ body: @Sendable (TestIdP) async throws -> T
) async throws -> T {
    var fixtures = try FixtureLoader.builtIn()
    for index in fixtures.clients.indices {
        if fixtures.clients[index].clientID == "budgetify" { fixtures.clients[index].grantTypes.append(.tokenExchange) }
        if fixtures.clients[index].clientID == "ledger-service" {
            // Its trusted issuer's JWTs serve as JWT bearer assertions too.
            fixtures.clients[index].grantTypes.append(.jwtBearer)
            fixtures.clients[index].tokenExchangeTrustedIssuers = [
                jwksURI.map { TrustedIssuer(issuer: partnerIssuer, jwksURI: $0) } ?? TrustedIssuer(issuer: partnerIssuer, jwks: partner.jwks)
            ]
        }
    }
    return try await withTestIdP(fixtures: .values(fixtures), body)
}

extension TestIdP {
    /// A token exchange request (RFC 8693 §2.1) with `parameters`, authenticated as `client`.
    func exchange(_ parameters: [(String, String)], as client: ClientCredentials = .ledger) async throws -> TestResponse {
        try await tokenRequest(tokenExchange, parameters, as: client)
    }

    /// Exchanges `subject` (of `type`) plus `extra`, requiring a 200, and returns the response's JSON.
    func exchanged(
        _ subject: String, type: String = TokenType.accessToken, _ extra: [(String, String)] = [], as client: ClientCredentials = .ledger
    ) async throws -> [String: Any] {
        let response = try await exchange([("subject_token", subject), ("subject_token_type", type)] + extra, as: client)
        try #require(response.status == .ok, "exchange failed: \(bodyText(response))")
        return try json(response)
    }

    /// alice's access token from budgetify's code flow.
    func aliceAccessToken(scope: String = "openid profile transactions:read") async throws -> String {
        try #require(try await codeFlowTokens(scope: scope)["access_token"] as? String)
    }

    /// ledger-service's own access token (client credentials), to act with.
    func ledgerToken() async throws -> String {
        let response = try await tokenRequest("client_credentials", [("scope", "transactions:read")], as: .ledger)
        try #require(response.status == .ok, "\(bodyText(response))")
        return try #require(try json(response)["access_token"] as? String)
    }
}

/// The `act` claim of a token response's access token.
private func actClaim(of body: [String: Any]) throws -> [String: Any] {
    let token = try #require(body["access_token"] as? String)
    return try #require(try jwtPayload(token)["act"] as? [String: Any])
}

/// Checks an RFC 6749 §5.2 error: 400 and `code`.
private func expectError(_ response: TestResponse, _ code: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
    #expect(response.status == .badRequest, "\(bodyText(response))", sourceLocation: sourceLocation)
    #expect(try errorCode(response) == code, "\(bodyText(response))", sourceLocation: sourceLocation)
}

@Suite struct TokenExchangeTests {
    @Test("an access token is exchanged for one of the exchanging client: same subject, its audience, no refresh token")
    func plainExchange() async throws {
        try await withExchangeIdP { idp in
            let subject = try await idp.aliceAccessToken()
            let response = try await idp.exchange([("subject_token", subject), ("subject_token_type", TokenType.accessToken)])
            #expect(response.status == .ok, "\(bodyText(response))")
            #expect(response.headers[.cacheControl] == "no-store")
            let body = try json(response)
            #expect(body["issued_token_type"] as? String == TokenType.accessToken)
            #expect(body["token_type"] as? String == "Bearer")
            #expect(body["expires_in"] as? Int == 3600)
            #expect(body["scope"] as? String == "openid profile transactions:read")
            #expect(body["refresh_token"] == nil)
            #expect(body["id_token"] == nil)
            let token = try #require(body["access_token"] as? String)
            #expect(try jwtHeader(token)["typ"] as? String == "at+jwt")
            let claims = try jwtPayload(token)
            #expect(claims["iss"] as? String == testIssuer)
            #expect(claims["sub"] as? String == "alice")
            #expect(claims["client_id"] as? String == "ledger-service")
            #expect(claims["aud"] as? String == "https://ledger.alpha-bank.example")
            #expect(claims["act"] == nil)
            // alice's own claims still come with her (users.json access_token_claims).
            #expect(claims["tenant"] as? String == "alpha-bank")

            // An ordinary issued token: introspectable, then revocable; the subject token is not used up.
            let introspection = try json(try await idp.introspect(token, as: .ledger))
            #expect(introspection["active"] as? Bool == true)
            #expect(introspection["sub"] as? String == "alice")
            #expect(introspection["client_id"] as? String == "ledger-service")
            #expect(try await idp.userInfoStatus(subject) == .ok)
            #expect(try await idp.revoke(token, as: .ledger).status == .ok)
            try expectInactive(try await idp.introspect(token, as: .ledger))
        }
    }

    @Test("/debug lists the exchanged token with the grant and the subject token it came from; DELETE /debug forgets it")
    func debugShowsOrigin() async throws {
        try await withExchangeIdP { idp in
            let subject = try await idp.aliceAccessToken()
            let actor = try await idp.ledgerToken()
            let token = try #require(
                try await idp.exchanged(subject, [("actor_token", actor), ("actor_token_type", TokenType.accessToken)])["access_token"] as? String
            )
            let listed = try await idp.issuedToken(token)
            #expect(listed["client_id"] as? String == "ledger-service")
            #expect(listed["sub"] as? String == "alice")
            let origin = try #require(listed["exchanged_from"] as? [String: Any])
            #expect(origin["grant_type"] as? String == tokenExchange)
            #expect(origin["subject_token"] as? String == subject)
            #expect(origin["subject_token_type"] as? String == TokenType.accessToken)
            #expect(origin["subject_issuer"] as? String == testIssuer)
            #expect(origin["actor_token"] as? String == actor)
            // Tokens of other grants say nothing of the kind.
            #expect(try await idp.issuedToken(subject)["exchanged_from"] == nil)
            // The inspector page says so too.
            let page = bodyText(try await idp.get("/debug", headers: [.accept: "text/html"]))
            #expect(page.contains("exchanged (token exchange) from a urn:ietf:params:oauth:token-type:access_token"))

            #expect(try await idp.sendDelete("/debug").status == .ok)
            #expect(try await idp.issuedTokens().isEmpty)
            try expectError(try await idp.exchange([("subject_token", subject), ("subject_token_type", TokenType.accessToken)]), "invalid_request")
        }
    }

    @Test("a token exchanged from a user's token belongs to her session: logging out revokes it")
    func logoutRevokesExchanged() async throws {
        try await withExchangeIdP { idp in
            let tokens = try await idp.codeFlowTokens(scope: "openid profile")
            let subject = try #require(tokens["access_token"] as? String)
            let exchanged = try #require(try await idp.exchanged(subject)["access_token"] as? String)
            #expect(try json(try await idp.introspect(exchanged, as: .ledger))["active"] as? Bool == true)
            let logout = try await idp.endSession([("id_token_hint", try #require(tokens["id_token"] as? String))])
            #expect(logout.status.code < 400, "\(bodyText(logout))")
            try expectInactive(try await idp.introspect(exchanged, as: .ledger))
        }
    }

    @Test("audience (repeated) and resource become the issued token's aud; a bad resource is invalid_target")
    func audienceAndResource() async throws {
        try await withExchangeIdP { idp in
            let subject = try await idp.aliceAccessToken()
            let body = try await idp.exchanged(
                subject, [("audience", "ledger-api"), ("audience", "urn:example:reports"), ("resource", "https://ledger.example/v1")]
            )
            let claims = try jwtPayload(try #require(body["access_token"] as? String))
            #expect(claims["aud"] as? [String] == ["ledger-api", "urn:example:reports", "https://ledger.example/v1"])

            let one = try await idp.exchanged(subject, [("resource", "https://ledger.example/v1")])
            #expect(try jwtPayload(try #require(one["access_token"] as? String))["aud"] as? String == "https://ledger.example/v1")

            let bad = try await idp.exchange([
                ("subject_token", subject), ("subject_token_type", TokenType.accessToken), ("resource", "not-a-uri"),
            ])
            try expectError(bad, "invalid_target")
        }
    }

    @Test("scope may narrow the subject token's scope; asking for more is invalid_scope")
    func scopeNarrowing() async throws {
        try await withExchangeIdP { idp in
            let subject = try await idp.aliceAccessToken(scope: "openid profile transactions:read")
            let narrowed = try await idp.exchanged(subject, [("scope", "transactions:read")])
            #expect(narrowed["scope"] as? String == "transactions:read")
            #expect(try jwtPayload(try #require(narrowed["access_token"] as? String))["scope"] as? String == "transactions:read")

            // Within the client's scopes, but beyond what the subject token grants.
            let wider = try await idp.exchange([
                ("subject_token", subject), ("subject_token_type", TokenType.accessToken), ("scope", "transactions:read transactions:write"),
            ])
            try expectError(wider, "invalid_scope")
            // In the subject token, but not a scope the exchanging client may have (ledger-service has no email).
            let email = try await idp.aliceAccessToken(scope: "openid email")
            try expectError(
                try await idp.exchange([("subject_token", email), ("subject_token_type", TokenType.accessToken), ("scope", "email")]), "invalid_scope"
            )
            // Without a scope, the subject token's, less what the client may not have.
            #expect(try await idp.exchanged(email)["scope"] as? String == "openid")
        }
    }

    @Test("an actor token makes a delegation token: act names the actor (RFC 8693 §4.1)")
    func actorBecomesAct() async throws {
        try await withExchangeIdP { idp in
            let subject = try await idp.aliceAccessToken()
            let actor = try await idp.ledgerToken()
            let body = try await idp.exchanged(subject, [("actor_token", actor), ("actor_token_type", TokenType.accessToken)])
            let token = try #require(body["access_token"] as? String)
            let claims = try jwtPayload(token)
            #expect(claims["sub"] as? String == "alice")
            let act = try #require(claims["act"] as? [String: Any])
            #expect(act["sub"] as? String == "ledger-service")
            #expect(act["act"] == nil)
            // Introspection shows who acts too (RFC 8693 §4.1 lets act appear there).
            let introspected = try json(try await idp.introspect(token, as: .ledger))
            #expect((introspected["act"] as? [String: Any])?["sub"] as? String == "ledger-service")
        }
    }

    @Test("act nests the prior chain: a delegated token exchanged again keeps who acted before, inside")
    func nestedAct() async throws {
        try await withExchangeIdP { idp in
            let subject = try await idp.aliceAccessToken()
            let ledger = try await idp.ledgerToken()
            let delegated = try #require(
                try await idp.exchanged(subject, [("actor_token", ledger), ("actor_token_type", TokenType.accessToken)])["access_token"] as? String
            )
            // reconciler now acts on the delegated token: reconciler outermost, ledger-service inside.
            let reconciler = try #require(
                try json(try await idp.tokenRequest("client_credentials", [], as: .reconciler))["access_token"] as? String
            )
            let again = try await idp.exchanged(delegated, [("actor_token", reconciler), ("actor_token_type", TokenType.accessToken)])
            let act = try actClaim(of: again)
            #expect(act["sub"] as? String == "reconciler")
            #expect((act["act"] as? [String: Any])?["sub"] as? String == "ledger-service")

            // An actor token that is itself a delegation token brings its own chain inside.
            let viaActor = try await idp.exchanged(subject, [("actor_token", delegated), ("actor_token_type", TokenType.accessToken)])
            let chained = try actClaim(of: viaActor)
            #expect(chained["sub"] as? String == "alice")
            #expect((chained["act"] as? [String: Any])?["sub"] as? String == "ledger-service")

            // Without an actor, a delegated subject keeps its act: an exchange never hides that someone acted.
            let plain = try await idp.exchanged(delegated)
            let kept = try actClaim(of: plain)
            #expect(kept["sub"] as? String == "ledger-service")
        }
    }

    @Test("an ID token, a JWT and the client's own refresh token are accepted as subject tokens of their types")
    func subjectTokenTypes() async throws {
        try await withExchangeIdP { idp in
            let tokens = try await idp.codeFlowTokens(scope: "openid profile offline_access")
            let idToken = try #require(tokens["id_token"] as? String)
            let accessToken = try #require(tokens["access_token"] as? String)
            let refreshToken = try #require(tokens["refresh_token"] as? String)

            let fromID = try await idp.exchanged(idToken, type: TokenType.idToken)
            #expect(try jwtPayload(try #require(fromID["access_token"] as? String))["sub"] as? String == "alice")
            let fromJWT = try await idp.exchanged(accessToken, type: TokenType.jwt)
            #expect(try jwtPayload(try #require(fromJWT["access_token"] as? String))["sub"] as? String == "alice")
            let idAsJWT = try await idp.exchanged(idToken, type: TokenType.jwt)
            #expect(idAsJWT["issued_token_type"] as? String == TokenType.accessToken)

            // A refresh token only by the client it was issued to (RFC 6749 §6), and it is not used up.
            let fromRefresh = try await idp.exchanged(refreshToken, type: TokenType.refreshToken, as: .budgetify)
            let claims = try jwtPayload(try #require(fromRefresh["access_token"] as? String))
            #expect(claims["sub"] as? String == "alice")
            #expect(claims["client_id"] as? String == "budgetify")
            #expect(try await idp.refresh(refreshToken).status == .ok)
            let foreign = try await idp.exchange([("subject_token", refreshToken), ("subject_token_type", TokenType.refreshToken)])
            try expectError(foreign, "invalid_request")
        }
    }

    @Test("a subject token presented as a type it is not is invalid_request (RFC 8693 §2.2.2)", arguments: [
        ("access", TokenType.idToken), ("access", TokenType.refreshToken), ("id", TokenType.accessToken), ("refresh", TokenType.jwt),
        ("refresh", TokenType.accessToken), ("access", "urn:ietf:params:oauth:token-type:saml2"),
    ])
    func typeMismatch(token: String, statedType: String) async throws {
        try await withExchangeIdP { idp in
            let tokens = try await idp.codeFlowTokens(scope: "openid offline_access")
            let value = try #require(tokens["\(token)_token"] as? String)
            let response = try await idp.exchange([("subject_token", value), ("subject_token_type", statedType)], as: .budgetify)
            try expectError(response, "invalid_request")
        }
    }

    @Test("a revoked, expired, used or unknown subject token is invalid_request, not invalid_grant (RFC 8693 §2.2.2)")
    func inactiveSubjectTokens() async throws {
        try await withExchangeIdP { idp in
            func refused(_ token: String, type: String = TokenType.accessToken, as client: ClientCredentials = .ledger) async throws {
                try expectError(try await idp.exchange([("subject_token", token), ("subject_token_type", type)], as: client), "invalid_request")
            }
            let revoked = try await idp.aliceAccessToken()
            #expect(try await idp.revoke(revoked).status == .ok)
            try await refused(revoked)

            let tokens = try await idp.codeFlowTokens(scope: "openid offline_access")
            let rotated = try #require(tokens["refresh_token"] as? String)
            #expect(try await idp.refresh(rotated).status == .ok)
            try await refused(rotated, type: TokenType.refreshToken, as: .budgetify)

            try await refused("not-a-token-this-issuer-knows")
            // A well-formed JWT naming this issuer that it never issued.
            let header = Array(#"{"alg":"RS256","typ":"at+jwt"}"#.utf8).base64URLEncoded
            let payload = Array(#"{"iss":"http://idp.test","sub":"alice","exp":9999999999}"#.utf8).base64URLEncoded
            try await refused("\(header).\(payload).c2ln")

            let expiring = try await idp.aliceAccessToken()
            try await idp.advanceClock(by: 3601)
            try await refused(expiring)
        }
    }

    @Test("a client that does not list the grant is unauthorized_client")
    func clientWithoutGrant() async throws {
        try await withExchangeIdP { idp in
            let subject = try await idp.aliceAccessToken()
            let response = try await idp.exchange([("subject_token", subject), ("subject_token_type", TokenType.accessToken)], as: .reconciler)
            try expectError(response, "unauthorized_client")
        }
    }

    @Test("missing or unpaired parameters are invalid_request (RFC 8693 §2.1)")
    func missingParameters() async throws {
        try await withExchangeIdP { idp in
            let subject = try await idp.aliceAccessToken()
            let actor = try await idp.ledgerToken()
            let cases: [[(String, String)]] = [
                [("subject_token_type", TokenType.accessToken)],
                [("subject_token", subject)],
                [("subject_token", subject), ("subject_token_type", TokenType.accessToken), ("actor_token", actor)],
                [("subject_token", subject), ("subject_token_type", TokenType.accessToken), ("actor_token_type", TokenType.accessToken)],
            ]
            for parameters in cases {
                try expectError(try await idp.exchange(parameters), "invalid_request")
            }
        }
    }

    @Test("requested_token_type jwt issues an access-token JWT; refresh_token or an unknown type is invalid_request")
    func requestedTokenTypes() async throws {
        try await withExchangeIdP { idp in
            let subject = try await idp.aliceAccessToken()
            let jwt = try await idp.exchanged(subject, [("requested_token_type", TokenType.jwt)])
            #expect(jwt["issued_token_type"] as? String == TokenType.jwt)
            #expect(jwt["token_type"] as? String == "Bearer")
            #expect(try jwtPayload(try #require(jwt["access_token"] as? String))["client_id"] as? String == "ledger-service")

            for unsupported in [TokenType.refreshToken, "urn:ietf:params:oauth:token-type:saml1"] {
                let response = try await idp.exchange([
                    ("subject_token", subject), ("subject_token_type", TokenType.accessToken), ("requested_token_type", unsupported),
                ])
                try expectError(response, "invalid_request")
            }
        }
    }

    @Test("requested_token_type id_token issues an ID token alone for the user, audience the client, token_type N_A")
    func requestedIDToken() async throws {
        try await withExchangeIdP { idp in
            let subject = try await idp.aliceAccessToken(scope: "openid profile")
            let body = try await idp.exchanged(subject, [("requested_token_type", TokenType.idToken)])
            #expect(body["issued_token_type"] as? String == TokenType.idToken)
            #expect(body["token_type"] as? String == "N_A")
            #expect(body["expires_in"] as? Int == 3600)
            let idToken = try #require(body["access_token"] as? String)
            #expect(try jwtHeader(idToken)["typ"] as? String != "at+jwt")
            let claims = try jwtPayload(idToken)
            #expect(claims["sub"] as? String == "alice")
            #expect(claims["aud"] as? String == "ledger-service")
            #expect(claims["azp"] as? String == "ledger-service")
            #expect(claims["name"] as? String == "Alice Andersen")
            #expect(claims["at_hash"] == nil)
            // Not an access token: userinfo refuses it.
            #expect(try await idp.userInfoStatus(idToken) == .unauthorized)

            // A client's own token has no user to make an ID token for; another audience is not the client.
            let ledger = try await idp.ledgerToken()
            try expectError(
                try await idp.exchange([
                    ("subject_token", ledger), ("subject_token_type", TokenType.accessToken), ("requested_token_type", TokenType.idToken),
                ]),
                "invalid_request"
            )
            try expectError(
                try await idp.exchange([
                    ("subject_token", subject), ("subject_token_type", TokenType.accessToken), ("requested_token_type", TokenType.idToken),
                    ("audience", "somebody-else"),
                ]),
                "invalid_target"
            )
        }
    }

    @Test("RFC 7523 §2.1: a trusted issuer's JWT is a JWT bearer assertion for a local user, used once; aud and jti are required")
    func trustedIssuerAssertion() async throws {
        let partner = PartnerIssuer()
        try await withExchangeIdP(partner: partner) { idp in
            let now = idp.state.clock.now
            func assertion(_ claims: [String: ClaimValue]) async throws -> String {
                var all: [String: ClaimValue] = ["iss": .string(partnerIssuer), "sub": "alice", "aud": .string(testIssuer), "exp": .int(now + 300), "jti": "j-1"]
                all.merge(claims) { _, new in new }
                return try await partner.token(all)
            }
            let grant = "urn:ietf:params:oauth:grant-type:jwt-bearer"
            let good = try await assertion([:])
            let response = try await idp.tokenRequest(grant, [("assertion", good), ("scope", "transactions:read")], as: .ledger)
            #expect(response.status == .ok, "\(text(response))")
            let claims = try jwtPayload(try #require(try json(response)["access_token"] as? String))
            #expect(claims["sub"] as? String == "alice" && claims["client_id"] as? String == "ledger-service")
            let replay = try await idp.tokenRequest(grant, [("assertion", good)], as: .ledger)
            #expect(try oauthError(replay).error == "invalid_grant")
            #expect(try oauthError(replay).description.contains("used already"))
            for (claims, reason) in [
                (["aud": ClaimValue.string("https://elsewhere.example"), "jti": "j-2"], "aud must name"),
                (["jti": .null], "a jti is required"),
                (["exp": .int(now - 10), "jti": "j-3"], "expired"),
            ] {
                let refused = try oauthError(try await idp.tokenRequest(grant, [("assertion", try await assertion(claims))], as: .ledger))
                #expect(refused.error == "invalid_grant")
                #expect(refused.description.contains(reason), "\(refused.description)")
            }
            let forged = try await partner.token(["iss": .string(partnerIssuer), "sub": "alice", "aud": .string(testIssuer), "exp": .int(now + 300), "jti": "j-4"], signer: ES256PrivateKey())
            #expect(try oauthError(try await idp.tokenRequest(grant, [("assertion", forged)], as: .ledger)).error == "invalid_grant")
        }
    }

    @Test("a JWT of a trusted issuer, verified with its inline keys, is exchanged; its sub is the subject")
    func trustedIssuer() async throws {
        let partner = PartnerIssuer()
        try await withExchangeIdP(partner: partner) { idp in
            let now = idp.state.clock.now
            let external = try await partner.token([
                "iss": .string(partnerIssuer), "sub": "partner-user-7", "aud": "ledger-service", "exp": .int(now + 300), "iat": .int(now),
                "scope": "transactions:read transactions:write",
            ])
            let body = try await idp.exchanged(external, type: TokenType.jwt, [("scope", "transactions:read")])
            let token = try #require(body["access_token"] as? String)
            let claims = try jwtPayload(token)
            #expect(claims["iss"] as? String == testIssuer)
            #expect(claims["sub"] as? String == "partner-user-7")
            #expect(claims["client_id"] as? String == "ledger-service")
            #expect(claims["scope"] as? String == "transactions:read")
            #expect(try json(try await idp.introspect(token, as: .ledger))["sub"] as? String == "partner-user-7")
            let origin = try #require(try await idp.issuedToken(token)["exchanged_from"] as? [String: Any])
            #expect(origin["subject_issuer"] as? String == partnerIssuer)

            // An access token of that issuer, too, with the partner's actor carrying its issuer in act.
            let asAccess = try await idp.exchanged(external, [("actor_token", external), ("actor_token_type", TokenType.jwt)])
            let act = try actClaim(of: asAccess)
            #expect(act["sub"] as? String == "partner-user-7")
            #expect(act["iss"] as? String == partnerIssuer)
            // Its scope bounds the exchange.
            let wider = try await idp.exchange([("subject_token", external), ("subject_token_type", TokenType.jwt), ("scope", "openid")])
            try expectError(wider, "invalid_scope")
        }
    }

    @Test("another issuer's JWT is refused when untrusted, forged, expired, without exp, or presented as a refresh token")
    func untrustedIssuer() async throws {
        let partner = PartnerIssuer()
        try await withExchangeIdP(partner: partner) { idp in
            let now = idp.state.clock.now
            let claims: [String: ClaimValue] = ["iss": .string(partnerIssuer), "sub": "partner-user-7", "exp": .int(now + 300)]
            func refused(_ token: String, type: String = TokenType.jwt, as client: ClientCredentials = .ledger) async throws {
                try expectError(try await idp.exchange([("subject_token", token), ("subject_token_type", type)], as: client), "invalid_request")
            }
            // budgetify trusts no other issuer.
            try await refused(try await partner.token(claims), as: .budgetify)
            // An issuer ledger-service does not list, signed with the very same key.
            var other = claims
            other["iss"] = "https://other.example"
            try await refused(try await partner.token(other))
            // The partner's iss and kid, but another key.
            try await refused(try await partner.token(claims, signer: ES256PrivateKey()))
            var expired = claims
            expired["exp"] = .int(now - 1)
            try await refused(try await partner.token(expired))
            var noExpiry = claims
            noExpiry["exp"] = nil
            try await refused(try await partner.token(noExpiry))
            try await refused(try await partner.token(claims), type: TokenType.refreshToken)
            // Still good when nothing is wrong.
            #expect(try await idp.exchange([("subject_token", try await partner.token(claims)), ("subject_token_type", TokenType.jwt)]).status == .ok)

            // Moving the server clock past exp expires it too.
            let fresh = try await partner.token(claims)
            try await idp.advanceClock(by: 301)
            try await refused(fresh)
        }
    }

    @Test("a trusted issuer's keys are fetched from its jwks_uri; keys that cannot be fetched refuse its tokens")
    func trustedIssuerJWKSURI() async throws {
        let partner = PartnerIssuer()
        let router = Router()
        let jwks = JSONWriter.encode(partner.jwks)
        router.get("jwks") { _, _ -> Response in
            Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: jwks)))
        }
        router.get("gone") { _, _ -> Response in Response(status: .notFound) }
        let server = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await server.test(.live) { keyServer in
            let port = try #require(keyServer.port)
            for (path, expected) in [("jwks", HTTPResponse.Status.ok), ("gone", .badRequest)] {
                try await withExchangeIdP(partner: partner, jwksURI: "http://127.0.0.1:\(port)/\(path)") { idp in
                    let now = idp.state.clock.now
                    let external = try await partner.token(["iss": .string(partnerIssuer), "sub": "p-9", "exp": .int(now + 300)])
                    let response = try await idp.exchange([("subject_token", external), ("subject_token_type", TokenType.jwt)])
                    #expect(response.status == expected, "\(path): \(bodyText(response))")
                    if expected == .ok {
                        #expect(try jwtPayload(try #require(try json(response)["access_token"] as? String))["sub"] as? String == "p-9")
                    } else {
                        #expect(try errorCode(response) == "invalid_request")
                        #expect(bodyText(response).contains("could not be fetched"))
                    }
                }
            }
        }
    }

    @Test("a subject token's may_act must name the actor (RFC 8693 §4.4)")
    func mayAct() async throws {
        let partner = PartnerIssuer()
        try await withExchangeIdP(partner: partner) { idp in
            let now = idp.state.clock.now
            let actor = try await idp.ledgerToken()
            func subject(mayAct: [String: ClaimValue]) async throws -> String {
                try await partner.token(["iss": .string(partnerIssuer), "sub": "p-1", "exp": .int(now + 300), "may_act": .object(mayAct)])
            }
            let allowed = try await subject(mayAct: ["sub": "ledger-service", "iss": .string(testIssuer)])
            #expect(
                try await idp.exchange([
                    ("subject_token", allowed), ("subject_token_type", TokenType.jwt), ("actor_token", actor), ("actor_token_type", TokenType.accessToken),
                ]).status == .ok
            )
            for mayAct: [String: ClaimValue] in [["sub": "someone-else"], ["sub": "ledger-service", "iss": "https://elsewhere.example"]] {
                let response = try await idp.exchange([
                    ("subject_token", try await subject(mayAct: mayAct)), ("subject_token_type", TokenType.jwt), ("actor_token", actor),
                    ("actor_token_type", TokenType.accessToken),
                ])
                try expectError(response, "invalid_request")
            }
        }
    }

    @Test("discovery lists the grant")
    func discovery() async throws {
        try await withTestIdP { idp in
            let document = try json(try await idp.get("/.well-known/openid-configuration"))
            #expect((document["grant_types_supported"] as? [String])?.contains(tokenExchange) == true)
        }
    }
}

@Suite struct TokenExchangeFixtureTests {
    static func problems(_ trusted: String) throws -> [MockIdPFixtureError.Problem] {
        let clients = #"[{"client_id": "svc", "client_secret": "s", "grant_types": ["urn:ietf:params:oauth:grant-type:token-exchange"], "#
            + #""token_exchange_trusted_issuers": \#(trusted)}]"#
        return try FixtureLoaderTests.problems(clients: clients)
    }

    @Test("valid trusted issuers load: a jwks_uri, or inline keys")
    func valid() throws {
        let jwks = #"{"keys": [{"kty": "EC", "crv": "P-256", "kid": "k1", "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU", "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}]}"#
        let clients = #"[{"client_id": "svc", "client_secret": "s", "grant_types": ["urn:ietf:params:oauth:grant-type:token-exchange"], "#
            + #""token_exchange_trusted_issuers": [{"issuer": "https://a.example", "jwks_uri": "https://a.example/jwks"}, "#
            + #"{"issuer": "http://127.0.0.1:8080/realms/partner", "jwks_uri": "http://127.0.0.1:8080/realms/partner/jwks"}, "#
            + #"{"issuer": "https://b.example", "jwks": \#(jwks)}]}]"#
        let fixtures = try FixtureLoaderTests.decode(clients: clients)
        let trusted = try #require(fixtures.clients.first?.tokenExchangeTrustedIssuers)
        #expect(trusted.map(\.issuer) == ["https://a.example", "http://127.0.0.1:8080/realms/partner", "https://b.example"])
        #expect(trusted[0].jwksURI == "https://a.example/jwks")
        #expect(trusted[2].jwks?["keys"]?.arrayValue?.count == 1)
    }

    @Test("an invalid trusted issuer names the file, the client and the field", arguments: [
        (#"{"issuer": "https://a.example"}"#, "token_exchange_trusted_issuers[0]", "jwks_uri"),
        (#"{"jwks_uri": "https://a.example/jwks"}"#, "token_exchange_trusted_issuers[0].issuer", "missing"),
        (#"{"issuer": "", "jwks_uri": "https://a.example/jwks"}"#, "token_exchange_trusted_issuers[0].issuer", "empty"),
        (#"{"issuer": "https://a.example", "jwks_uri": "http://a.example/jwks"}"#, "token_exchange_trusted_issuers[0].jwks_uri", "https"),
        (#"{"issuer": "https://a.example", "jwks_uri": "jwks"}"#, "token_exchange_trusted_issuers[0].jwks_uri", "absolute"),
        (#"{"issuer": "https://a.example", "jwks": {"keys": []}}"#, "token_exchange_trusted_issuers[0].jwks.keys", "no key"),
        (#"{"issuer": "https://a.example", "jwks": {"keys": [{"kty": "EC"}]}}"#, "token_exchange_trusted_issuers[0].jwks.keys[0]", "JWK"),
        (#"{"issuer": "https://a.example", "jwks": []}"#, "token_exchange_trusted_issuers[0].jwks", "JWKS"),
        (#"{"issuer": "https://a.example", "jwks_uri": "https://a.example/jwks", "jwks": {"keys": []}}"#, "token_exchange_trusted_issuers[0]", "both"),
        (#"{"issuer": "https://a.example", "jwks_uri": "https://a.example/jwks", "keys": 1}"#, "token_exchange_trusted_issuers[0].keys", "unknown field"),
        (#""https://a.example""#, "token_exchange_trusted_issuers[0]", "object"),
    ])
    func invalid(entry: String, field: String, reason: String) throws {
        let problems = try Self.problems("[\(entry)]")
        #expect(problems.count == 1, "\(problems)")
        let problem = try #require(problems.first)
        #expect(problem.file == "clients.json")
        #expect(problem.entry == #"index 0 (client_id "svc")"#)
        #expect(problem.field == field)
        #expect(problem.reason.contains(reason), "\(problem.reason)")
    }

    @Test("a trusted issuer listed twice is reported at the second")
    func duplicate() throws {
        let entry = #"{"issuer": "https://a.example", "jwks_uri": "https://a.example/jwks"}"#
        let problems = try Self.problems("[\(entry), \(entry)]")
        #expect(problems.map(\.field) == ["token_exchange_trusted_issuers[1].issuer"])
        #expect(problems.first?.reason.contains("duplicate") == true)
    }

    @Test("a JWK without kid is refused: a JWT names its key by kid")
    func keyWithoutKID() throws {
        let jwk = #"{"kty": "EC", "crv": "P-256", "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU", "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}"#
        let problems = try Self.problems(#"[{"issuer": "https://a.example", "jwks": {"keys": [\#(jwk)]}}]"#)
        #expect(problems.map(\.field) == ["token_exchange_trusted_issuers[0].jwks.keys[0].kid"])
    }
}
