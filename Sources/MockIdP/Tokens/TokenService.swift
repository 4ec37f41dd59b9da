import Crypto
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Mints access tokens (RFC 9068), ID tokens (OIDC Core §2) and refresh tokens, and records them in the store.
package struct TokenService: Sendable {
    let keys: SigningKeys
    let store: InMemoryStore
    let clock: ServerClock
    let issuer: IssuerState
    let registry: Registry
    /// The layout's vendor claims.
    var shape = TokenShape(layout: .standard, name: nil, userinfoPath: EndpointPaths().userinfo)

    func issue(for authorization: Authorization, overrides: TokenOverrides = TokenOverrides()) async throws -> TokenResponse {
        let now = clock.now
        let accessTokenTTL = overrides.accessTokenTTL ?? authorization.client.accessTokenTTL
        let issuer = issuer.issuer
        let client = authorization.client
        let sub = authorization.user?.sub ?? client.clientID
        let jti = randomToken(bytes: 16)

        // The fixtures' claims first (roles, groups, a tenant: never a reserved one), then the /debug overrides.
        var extraClaims = registry.accessTokenClaims(client: client, user: authorization.user, scope: authorization.scope)
        if !overrides.accessTokenClaims.isEmpty { extraClaims.merge(overrides.accessTokenClaims) { _, override in override } }
        // RFC 9068 §2.2: iss, exp, aud, sub, client_id, iat, jti; scope per §2.2.3; auth_time per §2.2.1. Sized once
        // for every claim, so that the fixtures' claims never make the dictionary grow and rehash.
        var accessClaims = [String: ClaimValue](minimumCapacity: 9 + extraClaims.count)
        accessClaims["iss"] = .string(issuer)
        accessClaims["sub"] = .string(sub)
        accessClaims["aud"] = Self.audienceClaim(authorization.audience)
        accessClaims["exp"] = .int(now + accessTokenTTL)
        accessClaims["iat"] = .int(now)
        accessClaims["jti"] = .string(jti)
        accessClaims["client_id"] = .string(client.clientID)
        if !authorization.scope.isEmpty { accessClaims["scope"] = .string(authorization.scope.joined(separator: " ")) }
        if let authTime = authorization.authTime { accessClaims["auth_time"] = .int(authTime) }
        if shape.layout != .standard {
            shape.shapeAccessToken(&accessClaims, for: authorization, userinfoURL: self.issuer.url(shape.userinfoPath))
        }
        for (name, value) in extraClaims { accessClaims[name] = value }
        let accessToken = try await keys.sign(accessClaims, type: "at+jwt")

        var issued: [IssuedToken] = []
        var refreshToken: String?
        if authorization.withRefreshToken {
            let value = randomToken()
            refreshToken = value
            issued.append(
                record(
                    .refreshToken, value, authorization, now: now, ttl: client.refreshTokenTTL, jti: nil, refreshToken: nil,
                    scope: authorization.refreshTokenScope, claims: extraClaims
                )
            )
        }
        issued.append(
            record(.accessToken, accessToken, authorization, now: now, ttl: accessTokenTTL, jti: jti, refreshToken: refreshToken, claims: extraClaims)
        )

        var idToken: String?
        if let user = authorization.user, authorization.withIDToken, authorization.scope.contains("openid") {
            let algorithm = client.idTokenSignedResponseAlg ?? keys.algorithm
            var claims = registry.claims(of: user, for: authorization.scope)
            claims["iss"] = .string(issuer)
            claims["sub"] = .string(user.sub)
            claims["aud"] = .string(client.clientID)
            claims["azp"] = .string(client.clientID)
            claims["exp"] = .int(now + client.idTokenTTL)
            claims["iat"] = .int(now)
            claims["at_hash"] = .string(Self.tokenHash(accessToken, algorithm: algorithm))
            if let authTime = authorization.authTime { claims["auth_time"] = .int(authTime) }
            if let nonce = authorization.nonce { claims["nonce"] = .string(nonce) }
            if let sid = authorization.sid { claims["sid"] = .string(sid) }
            if shape.layout != .standard { shape.shapeIDToken(&claims, for: authorization) }
            claims.merge(overrides.idTokenClaims) { _, override in override }
            let value = try await keys.sign(claims, algorithm: algorithm)
            idToken = value
            issued.append(record(.idToken, value, authorization, now: now, ttl: client.idTokenTTL, jti: nil, refreshToken: refreshToken))
        }
        await store.insert(issued)

        return TokenResponse(
            accessToken: accessToken,
            expiresIn: accessTokenTTL,
            scope: authorization.scope.isEmpty ? nil : authorization.scope.joined(separator: " "),
            refreshToken: refreshToken,
            idToken: idToken
        )
    }

    private func record(
        _ kind: TokenKind, _ value: String, _ authorization: Authorization, now: Int, ttl: Int, jti: String?, refreshToken: String?,
        scope: [String]? = nil, claims: [String: ClaimValue] = [:]
    ) -> IssuedToken {
        IssuedToken(
            kind: kind,
            value: value,
            clientID: authorization.client.clientID,
            sub: authorization.user?.sub,
            scope: scope ?? authorization.scope,
            audience: kind == .idToken ? [authorization.client.clientID] : authorization.audience,
            jti: jti,
            authTime: authorization.authTime,
            sid: authorization.sid,
            issuedAt: now,
            expiresAt: now + ttl,
            grantID: authorization.grantID,
            refreshToken: refreshToken,
            claims: claims
        )
    }

    /// A JWT `aud`: a string for one audience, an array for several.
    static func audienceClaim(_ audience: [String]) -> ClaimValue {
        audience.count == 1 ? .string(audience[0]) : .array(audience.map { .string($0) })
    }

    /// OIDC Core §3.1.3.6 `at_hash` (and §3.3.2.11 `c_hash`): "the base64url encoding of the left-most half of the
    /// hash of the octets of the ASCII representation of the access_token value, where the hash algorithm used is the
    /// hash algorithm used in the alg Header Parameter of the ID Token's JOSE Header".
    ///
    /// RS256 and ES256 hash with SHA-256. EdDSA names no hash of its own; for Ed25519 the OpenID Connect working group
    /// settled on SHA-512, the hash Ed25519 itself uses (OpenID Connect Token Hash Algorithms), so its left half is 32 bytes.
    package static func tokenHash(_ token: String, algorithm: MockIdPConfiguration.SigningAlgorithm) -> String {
        switch algorithm {
        case .rs256, .es256: SHA256.hash(data: Array(token.utf8)).prefix(16).base64URLEncoded
        case .eddsa: SHA512.hash(data: Array(token.utf8)).prefix(32).base64URLEncoded
        }
    }
}
