import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@testable import MockIdP

@Suite struct DebugRoutesTests {
    static let codeFields: Set = ["code", "client_id", "sub", "scope", "redirect_uri", "issued_at", "expires_at", "status"]
    static let tokenFields: Set = ["type", "token", "client_id", "sub", "scope", "issued_at", "expires_at", "status"]

    // MARK: Listing

    @Test("GET /debug lists an issued authorization code with every documented field")
    func listsCode() async throws {
        try await withTestIdP { idp in
            let code = try await idp.code()

            let response = try await idp.get("/debug")
            #expect(response.status == .ok)
            #expect(response.headers[.contentType]?.hasPrefix("application/json") == true)
            let body = try json(response)
            let now = try #require(body["now"] as? Int)
            #expect(body["offset_seconds"] as? Int == 0)
            #expect(try #require(body["tokens"] as? [Any]).isEmpty)
            let codes = try #require(body["codes"] as? [[String: Any]])
            try #require(codes.count == 1)
            let listed = codes[0]
            // Every documented field, and its lineage: the flow and the request that issued it (`used_by` once redeemed).
            #expect(Set(listed.keys) == Self.codeFields.union(["flow", "issued_by"]))
            #expect(listed["code"] as? String == code)
            #expect(listed["client_id"] as? String == "budgetify")
            #expect(listed["sub"] as? String == "alice")
            #expect(listed["scope"] as? String == "openid profile email")
            #expect(listed["redirect_uri"] as? String == "http://localhost:3000/callback")
            #expect(listed["status"] as? String == "active")
            let issuedAt = try #require(listed["issued_at"] as? Int)
            #expect(issuedAt <= now)
            #expect(listed["expires_at"] as? Int == issuedAt + 60)
        }
    }

    @Test("the tokens of one issuance are listed ID token, access token, refresh token, each with every documented field")
    func listsTokens() async throws {
        try await withTestIdP { idp in
            let issued = try await idp.codeFlowTokens(scope: "openid profile")
            let accessToken = try #require(issued["access_token"] as? String)
            let idToken = try #require(issued["id_token"] as? String)
            let refreshToken = try #require(issued["refresh_token"] as? String)

            let tokens = try await idp.issuedTokens()
            #expect(tokens.map { $0["type"] as? String } == ["id_token", "access_token", "refresh_token"])
            #expect(tokens.map { $0["token"] as? String } == [idToken, accessToken, refreshToken])
            for token in tokens {
                #expect(Set(token.keys).isSuperset(of: Self.tokenFields), "\(token.keys.sorted())")
                #expect(token["client_id"] as? String == "budgetify")
                #expect(token["sub"] as? String == "alice")
                #expect(token["scope"] as? String == "openid profile")
                #expect(token["status"] as? String == "active")
                #expect(token["issued_at"] is Int)
            }
            let ttls = try tokens.map { try #require($0["expires_at"] as? Int) - #require($0["issued_at"] as? Int) }
            #expect(ttls == [3600, 3600, 86400])
        }
    }

    @Test("a JWT's header and claims are decoded; a refresh token, not a JWT, has null claims and header")
    func decodedJWTs() async throws {
        try await withTestIdP { idp in
            let issued = try await idp.codeFlowTokens(scope: "openid profile")
            let accessToken = try #require(issued["access_token"] as? String)
            let idToken = try #require(issued["id_token"] as? String)
            let refreshToken = try #require(issued["refresh_token"] as? String)

            let access = try await idp.issuedToken(accessToken)
            let accessHeader = try #require(access["header"] as? [String: Any])
            #expect(accessHeader["typ"] as? String == "at+jwt")
            #expect(accessHeader["alg"] as? String == "RS256")
            #expect(accessHeader["kid"] as? String == (try jwtHeader(accessToken)["kid"] as? String))
            let accessClaims = try #require(access["claims"] as? [String: Any])
            let expectedAccess = try jwtPayload(accessToken)
            #expect(Set(accessClaims.keys) == Set(expectedAccess.keys))
            #expect(accessClaims["jti"] as? String == expectedAccess["jti"] as? String)
            #expect(accessClaims["sub"] as? String == "alice")
            #expect(accessClaims["client_id"] as? String == "budgetify")
            #expect(accessClaims["iss"] as? String == testIssuer)

            let id = try await idp.issuedToken(idToken)
            #expect((id["header"] as? [String: Any])?["typ"] as? String == "JWT")
            let idClaims = try #require(id["claims"] as? [String: Any])
            #expect(idClaims["aud"] as? String == "budgetify")
            #expect(idClaims["name"] as? String == "Alice Andersen")

            let refresh = try await idp.issuedToken(refreshToken)
            #expect(refresh["claims"] == nil || refresh["claims"] is NSNull, "\(refresh)")
            #expect(refresh["header"] == nil || refresh["header"] is NSNull, "\(refresh)")
        }
    }

    @Test("a client-credentials token is listed with sub null (its JWT sub is the client)")
    func clientCredentialsSubIsNull() async throws {
        try await withTestIdP { idp in
            let response = try await idp.tokenRequest("client_credentials", as: .reconciler)
            let accessToken = try #require(try json(response)["access_token"] as? String)

            let tokens = try await idp.issuedTokens()
            try #require(tokens.count == 1)
            let token = tokens[0]
            #expect(token["token"] as? String == accessToken)
            #expect(token["type"] as? String == "access_token")
            #expect(token["client_id"] as? String == "reconciler")
            #expect(isNull(token, "sub"), "sub must be listed as null: \(token)")
            #expect((token["claims"] as? [String: Any])?["sub"] as? String == "reconciler")
        }
    }

    @Test("entries from a later issuance come first")
    func newestFirst() async throws {
        try await withTestIdP { idp in
            let first = try await idp.codeFlowTokens(scope: "openid")
            try await idp.advanceClock(by: 5)
            let second = try await idp.codeFlowTokens(scope: "openid", extra: [("login_hint", "bob")])

            let body = try await idp.issued()
            let tokens = try #require(body["tokens"] as? [[String: Any]])
            #expect(tokens.map { $0["sub"] as? String } == ["bob", "bob", "bob", "alice", "alice", "alice"])
            #expect(tokens.first?["token"] as? String == second["id_token"] as? String)
            #expect(tokens.last?["token"] as? String == first["refresh_token"] as? String)
            let times = tokens.compactMap { $0["issued_at"] as? Int }
            #expect(times == times.sorted(by: >))
            let codes = try #require(body["codes"] as? [[String: Any]])
            #expect(codes.map { $0["sub"] as? String } == ["bob", "alice"])
        }
    }

    // MARK: Filters

    @Test("client_id keeps only that client's codes and tokens")
    func filterByClient() async throws {
        try await withTestIdP { idp in
            _ = try await idp.codeFlowTokens()
            _ = try await idp.spaTokens()

            let body = try await idp.issued([("client_id", "budgetify-spa")])
            let tokens = try #require(body["tokens"] as? [[String: Any]])
            let codes = try #require(body["codes"] as? [[String: Any]])
            #expect(!tokens.isEmpty)
            #expect(codes.count == 1)
            #expect(tokens.allSatisfy { $0["client_id"] as? String == "budgetify-spa" })
            #expect(codes.allSatisfy { $0["client_id"] as? String == "budgetify-spa" })
            #expect(try await idp.issuedTokens([("client_id", "budgetify")]).count == 3)
            #expect(try await idp.issuedTokens([("client_id", "planner")]).isEmpty)
        }
    }

    @Test("sub keeps only that user's codes and tokens")
    func filterBySub() async throws {
        try await withTestIdP { idp in
            _ = try await idp.codeFlowTokens()
            _ = try await idp.codeFlowTokens(extra: [("login_hint", "bob")])

            let body = try await idp.issued([("sub", "bob")])
            let tokens = try #require(body["tokens"] as? [[String: Any]])
            let codes = try #require(body["codes"] as? [[String: Any]])
            #expect(tokens.count == 3)
            #expect(codes.count == 1)
            #expect(tokens.allSatisfy { $0["sub"] as? String == "bob" })
            #expect(codes.allSatisfy { $0["sub"] as? String == "bob" })
        }
    }

    @Test("type keeps only codes, or only tokens of that type", arguments: ["code", "access_token", "refresh_token", "id_token"])
    func filterByType(type: String) async throws {
        try await withTestIdP { idp in
            _ = try await idp.codeFlowTokens()

            let body = try await idp.issued([("type", type)])
            let tokens = try #require(body["tokens"] as? [[String: Any]])
            let codes = try #require(body["codes"] as? [[String: Any]])
            if type == "code" {
                #expect(codes.count == 1)
                #expect(tokens.isEmpty)
            } else {
                #expect(codes.isEmpty)
                #expect(tokens.count == 1)
                #expect(tokens.first?["type"] as? String == type)
            }
        }
    }

    @Test("status keeps only entries in that state")
    func filterByStatus() async throws {
        try await withTestIdP { idp in
            _ = try await idp.codeFlowTokens()
            let pending = try await idp.code()

            let used = try await idp.issued([("status", "used")])
            #expect(try #require(used["tokens"] as? [Any]).isEmpty)
            let usedCodes = try #require(used["codes"] as? [[String: Any]])
            #expect(usedCodes.count == 1)
            #expect(usedCodes.first?["code"] as? String != pending)

            let active = try await idp.issued([("status", "active")])
            #expect(try #require(active["tokens"] as? [Any]).count == 3)
            #expect(try #require(active["codes"] as? [[String: Any]]).map { $0["code"] as? String } == [pending])

            let revoked = try await idp.issued([("status", "revoked")])
            #expect(try #require(revoked["tokens"] as? [Any]).isEmpty)
            #expect(try #require(revoked["codes"] as? [Any]).isEmpty)
        }
    }

    @Test("filters combine")
    func filtersCombine() async throws {
        try await withTestIdP { idp in
            _ = try await idp.codeFlowTokens()
            _ = try await idp.codeFlowTokens(extra: [("login_hint", "bob")])
            _ = try await idp.spaTokens()

            let tokens = try await idp.issuedTokens([("client_id", "budgetify"), ("sub", "bob"), ("type", "access_token"), ("status", "active")])
            #expect(tokens.count == 1)
            #expect(tokens.first?["sub"] as? String == "bob")
            #expect(tokens.first?["client_id"] as? String == "budgetify")
        }
    }

    @Test(
        "an unknown filter, a bad type or status, or a duplicated filter is a 400 JSON error",
        arguments: [
            [("user", "alice")],
            [("type", "jwt")],
            [("type", "device_code")],
            [("status", "valid")],
            [("status", "ACTIVE")],
            [("type", "code"), ("type", "code")],
            [("client_id", "budgetify"), ("client_id", "planner")],
        ]
    )
    func badFilters(filters: [(String, String)]) async throws {
        try await withTestIdP { idp in
            _ = try await idp.codeFlowTokens()

            let response = try await idp.get("/debug", filters)
            try expectDebugError(response)
        }
    }

    @Test("the 400 for an unknown filter names it and lists the filters")
    func unknownFilterMessage() async throws {
        try await withTestIdP { idp in
            let description = try expectDebugError(try await idp.get("/debug", [("user", "alice")]))
            #expect(description.contains("user"))
            for filter in ["client_id", "sub", "type", "status"] {
                #expect(description.contains(filter), "\(description)")
            }
        }
    }

    // MARK: Statuses

    @Test("a redeemed code is used; so is a rotated refresh token, while its successor is active")
    func usedStatuses() async throws {
        try await withTestIdP { idp in
            let code = try await idp.code()
            let first = try json(try await idp.redeem(code))
            let firstRefresh = try #require(first["refresh_token"] as? String)
            let rotated = try json(try await idp.refresh(firstRefresh))
            let secondRefresh = try #require(rotated["refresh_token"] as? String)

            let codes = try await idp.issuedCodes()
            #expect(codes.first { $0["code"] as? String == code }?["status"] as? String == "used")
            #expect(try await idp.issuedToken(firstRefresh)["status"] as? String == "used")
            #expect(try await idp.issuedToken(secondRefresh)["status"] as? String == "active")
        }
    }

    @Test("after POST /debug/clock past their lifetimes, an unredeemed code and then the tokens are expired; a used code stays used")
    func expiredStatuses() async throws {
        try await withTestIdP { idp in
            let unredeemed = try await idp.code()
            let issued = try await idp.codeFlowTokens()
            let accessToken = try #require(issued["access_token"] as? String)
            let idToken = try #require(issued["id_token"] as? String)
            let refreshToken = try #require(issued["refresh_token"] as? String)

            try await idp.advanceClock(by: 60)
            let codes = try await idp.issuedCodes()
            #expect(codes.count == 2)
            #expect(codes.first { $0["code"] as? String == unredeemed }?["status"] as? String == "expired")
            #expect(codes.first { $0["code"] as? String != unredeemed }?["status"] as? String == "used")
            #expect(try await idp.issuedTokens([("status", "expired")]).isEmpty)

            try await idp.advanceClock(by: 3540)
            #expect(try await idp.issuedToken(accessToken)["status"] as? String == "expired")
            #expect(try await idp.issuedToken(idToken)["status"] as? String == "expired")
            #expect(try await idp.issuedToken(refreshToken)["status"] as? String == "active")
            let expired = try await idp.issued([("status", "expired")])
            #expect(try #require(expired["tokens"] as? [Any]).count == 2)
            #expect(expired["offset_seconds"] as? Int == 3600)
        }
    }

    @Test("expired entries stay listed for 10 minutes of server clock after they expire, then are purged")
    func expiredRetention() async throws {
        try await withTestIdP { idp in
            let code = try await idp.code()

            try await idp.advanceClock(by: 60 + 540)
            #expect(try await idp.issuedCodes().map { $0["code"] as? String } == [code])

            try await idp.advanceClock(by: 61)
            #expect(try await idp.issuedCodes().isEmpty)
        }
    }

    @Test("a token revoked at /revoke is listed revoked; revoking the refresh token revokes its whole grant")
    func revokedStatuses() async throws {
        try await withTestIdP { idp in
            let first = try await idp.codeFlowTokens()
            let firstAccess = try #require(first["access_token"] as? String)
            let second = try await idp.codeFlowTokens()
            let secondRefresh = try #require(second["refresh_token"] as? String)

            #expect(try await idp.revoke(firstAccess).status == .ok)
            #expect(try await idp.issuedToken(firstAccess)["status"] as? String == "revoked")
            #expect(try await idp.issuedToken(try #require(first["refresh_token"] as? String))["status"] as? String == "active")

            #expect(try await idp.revoke(secondRefresh).status == .ok)
            for value in [second["access_token"], second["id_token"], second["refresh_token"]] {
                let token = try await idp.issuedToken(try #require(value as? String))
                #expect(token["status"] as? String == "revoked", "\(token["type"] ?? "")")
            }
            #expect(try await idp.issuedTokens([("status", "revoked")]).count == 4)
        }
    }

    // MARK: Reset

    @Test("DELETE /debug forgets codes, tokens, the request log and scripts; fixtures stay and a new flow works")
    func reset() async throws {
        try await withTestIdP { idp in
            let added = try await idp.postJSON("/debug/users", #"{"sub": "erin", "claims": {"name": "Erin"}}"#)
            try #require(added.status == .created)
            let old = try await idp.codeFlowTokens()
            _ = try await idp.code()
            _ = try await idp.tokenRequest("client_credentials", as: ClientCredentials(clientID: "reconciler", secret: "wrong"))
            _ = try await idp.postJSON("/debug/next", #"{"error": "temporarily_unavailable", "status": 503}"#)
            try #require(try await idp.loggedRequests().count > 0)

            let response = try await idp.sendDelete("/debug")
            #expect(response.status == .ok)
            #expect(try json(response)["reset"] as? Bool == true)

            let body = try await idp.issued()
            #expect(try #require(body["codes"] as? [Any]).isEmpty)
            #expect(try #require(body["tokens"] as? [Any]).isEmpty)
            #expect(try await idp.loggedRequests().isEmpty)
            #expect(try await idp.pendingScripts() == 0)

            // What was issued before is forgotten.
            #expect(try await idp.userInfoStatus(try #require(old["access_token"] as? String)) == .unauthorized)
            // The fixtures, runtime additions included, are still there.
            let fresh = try await idp.codeFlowTokens(scope: "openid profile")
            #expect(try jwtPayload(try #require(fresh["id_token"] as? String))["sub"] as? String == "alice")
            let erin = try await idp.codeFlowTokens(scope: "openid profile", extra: [("login_hint", "erin")])
            #expect(try jwtPayload(try #require(erin["id_token"] as? String))["name"] as? String == "Erin")
            #expect(try await idp.issuedTokens().count == 6)
        }
    }
}
