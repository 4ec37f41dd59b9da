import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@testable import MockIdP

/// `GET /debug/flows`, `GET /debug/export` and which request did what: a flow's events, in order, as a developer reads
/// them to find the request that went wrong.
@Suite struct FlowTimelineTests {
    /// The flows, typed, as `GET /debug/flows` answers them.
    func flows(_ idp: TestIdP, _ query: [(String, String)] = []) async throws -> [MockIdPFlow] {
        let response = try await idp.get("/debug/flows", query)
        try #require(response.status == .ok, "GET /debug/flows: \(text(response))")
        return try JSONDecoder().decode(MockIdPFlows.self, from: Data(response.body.readableBytesView)).flows
    }

    @Test("a code flow's timeline: authorization, a refused redemption with its rule, the redemption, refresh, introspection, revocation")
    func codeFlow() async throws {
        try await withTestIdP { idp in
            let pkce = pkcePair()
            let code = try await idp.code(extra: [("code_challenge", pkce.challenge), ("code_challenge_method", "S256")])
            let wrongRedirect = try await idp.redeem(code, redirectURI: "http://localhost:3000/elsewhere", extra: [("code_verifier", pkce.verifier)])
            #expect(wrongRedirect.status == .badRequest)
            // The failed attempt spent the code (RFC 6749 §4.1.2: single use); the next code redeems.
            let second = try await idp.code(scope: "openid offline_access", extra: [("code_challenge", pkce.challenge), ("code_challenge_method", "S256")])
            let tokens = try json(try await idp.redeem(second, extra: [("code_verifier", pkce.verifier)]))
            let refreshToken = try #require(tokens["refresh_token"] as? String)
            let refreshed = try json(try await idp.refresh(refreshToken))
            let access = try #require(refreshed["access_token"] as? String)
            _ = try await idp.post("/introspect", form: [("token", access)], as: .budgetify)
            #expect(try await idp.post("/revoke", form: [("token", try #require(refreshed["refresh_token"] as? String))], as: .budgetify).status == .ok)

            let all = try await flows(idp)
            #expect(all.count == 2, "two codes, two grants: \(all.map(\.id))")
            let failed = try #require(all.first { $0.events.contains { $0.error != nil } })
            #expect(failed.status == "failed" && failed.failures == 1 && failed.sub == "alice" && failed.clientID == "budgetify")
            #expect(failed.events.map(\.kind) == ["authorization_request", "token_request"])
            let refusal = try #require(failed.events.last)
            #expect(refusal.error == "invalid_grant" && refusal.rule == "RFC 6749 §4.1.3", "the rule behind the refusal: \(refusal)")
            #expect(refusal.parameters?["code"] == "[redacted]", "parameters are redacted as in /debug/requests")

            let flow = try #require(all.first { $0.id != failed.id })
            #expect(flow.grantType == "authorization_code" && flow.status == "revoked" && flow.failures == 0)
            #expect(flow.events.map(\.kind) == ["authorization_request", "token_request", "token_request", "introspection", "revocation"])
            let redemption = flow.events[1]
            #expect(redemption.tokens.contains { $0.type == "code" && $0.action == "used" && $0.value == second })
            #expect(Set(redemption.tokens.filter { $0.action == "issued" }.map(\.type)) == ["access_token", "id_token", "refresh_token"])
            #expect(flow.events[2].summary.contains("refresh token rotated"), "\(flow.events[2].summary)")
            #expect(flow.events[2].tokens.contains { $0.value == refreshToken && $0.action == "used" })
            #expect(flow.events[4].tokens.filter { $0.action == "revoked" }.count >= 2, "revoking a refresh token revokes its grant (RFC 7009 §2.1)")
            let requestIDs = flow.events.compactMap(\.request)
            #expect(requestIDs == requestIDs.sorted(), "in the order the requests arrived")
            #expect(all.first?.id == flow.id, "the most recently changed flow first")
        }
    }

    @Test("codes and tokens name their flow and the requests that issued, used and revoked them; /debug/requests the flows they touched")
    func lineage() async throws {
        try await withTestIdP { idp in
            let tokens = try await idp.codeFlowTokens(scope: "openid offline_access")
            let refreshToken = try #require(tokens["refresh_token"] as? String)
            _ = try await idp.post("/revoke", form: [("token", refreshToken)], as: .budgetify)
            let snapshot = await idp.controls.snapshot()
            let refresh = try #require(snapshot.tokens.first { $0.token == refreshToken })
            let code = try #require(snapshot.codes.first)
            let requests = idp.controls.requests
            let revoke = try #require(requests.first { $0.path == "/revoke" })
            let redemption = try #require(requests.first { $0.path == "/token" })
            #expect(refresh.lineage.revokedBy == revoke.id && refresh.lineage.issuedBy == redemption.id)
            #expect(code.lineage.usedBy == redemption.id && code.lineage.flow == refresh.lineage.flow)
            #expect(revoke.flows == [try #require(refresh.lineage.flow)] && redemption.sub == "alice")
            let listed = try #require(try json(try await idp.get("/debug"))["tokens"] as? [[String: Any]])
            #expect(listed.first { $0["token"] as? String == refreshToken }?["revoked_by"] as? Int == revoke.id)
        }
    }

    @Test("a refused request that reaches no grant is a flow of its own, with the rule; a wrong secret still finds its code's flow")
    func refusedRequests() async throws {
        try await withTestIdP { idp in
            let unregistered = try await idp.get("/authorize", [
                ("response_type", "code"), ("client_id", "budgetify"), ("redirect_uri", "https://evil.example/cb"), ("scope", "openid"),
            ])
            #expect(unregistered.status == .badRequest)
            let code = try await idp.code()
            #expect(try await idp.redeem(code, secret: "wrong").status == .unauthorized)
            let all = try await flows(idp)
            let alone = try #require(all.first { $0.id.hasPrefix("request-") })
            #expect(alone.status == "failed" && alone.clientID == "budgetify")
            #expect(alone.events.first?.rule == "RFC 6749 §3.1.2.3, §4.1.2.1 (never redirected to)")
            let codeFlow = try #require(all.first { !$0.id.hasPrefix("request-") })
            #expect(codeFlow.status == "pending", "the code is still unredeemed")
            #expect(codeFlow.events.last?.error == "invalid_client" && codeFlow.events.last?.rule == "RFC 6749 §5.2")
        }
    }

    @Test("the user chooser's page belongs to the flow its answer starts")
    func chooserPage() async throws {
        try await withTestIdP { idp in
            let query = [
                ("response_type", "code"), ("client_id", "budgetify"), ("redirect_uri", "http://localhost:3000/callback"), ("scope", "openid"),
                ("state", "chosen"), ("prompt", "login"),
            ]
            #expect(try await idp.get("/authorize", query).status == .ok)
            #expect(try await idp.get("/authorize", query + [(LoginChooserPage.userParameter, "bob")]).status == .found)
            let all = try await flows(idp)
            #expect(all.count == 1)
            #expect(all.first?.events.map(\.status) == [200, 302] && all.first?.sub == "bob")
            #expect(all.first?.events.first?.summary.contains("page shown") == true)
        }
    }

    @Test("device flow and client credentials: one flow each, named by their grant")
    func otherGrants() async throws {
        try await withTestIdP { idp in
            let device = try json(try await idp.post("/device_authorization", form: [("scope", "openid")], as: .budgetifyTV))
            let deviceCode = try #require(device["device_code"] as? String)
            let pending = try await idp.tokenRequest(GrantType.deviceCode.rawValue, [("device_code", deviceCode)], as: .budgetifyTV)
            #expect(pending.status == .badRequest)
            _ = try await idp.tokenRequest("client_credentials", as: .reconciler)
            let all = try await flows(idp)
            let deviceFlow = try #require(all.first { $0.grantType == GrantType.deviceCode.rawValue })
            #expect(deviceFlow.status == "pending" && deviceFlow.events.map(\.kind) == ["device_authorization", "token_request"])
            #expect(deviceFlow.events.last?.error == "authorization_pending" && deviceFlow.events.last?.rule == "RFC 8628 §3.5")
            let own = try #require(all.first { $0.grantType == "client_credentials" })
            #expect(own.status == "active" && own.sub == nil && own.clientID == "reconciler")
        }
    }

    @Test("filters: client, user, status, text; an unknown filter or status is a 400 naming it")
    func filters() async throws {
        try await withTestIdP { idp in
            _ = try await idp.codeFlowTokens()
            _ = try await idp.tokenRequest("client_credentials", as: .reconciler)
            _ = try await idp.tokenRequest("client_credentials", as: ClientCredentials(clientID: "reconciler", secret: "nope"))
            #expect(try await flows(idp, [("client", "reconciler")]).count == 2)
            #expect(try await flows(idp, [("client_id", "budgetify")]).count == 1)
            #expect(try await flows(idp, [("user", "alice")]).map(\.clientID) == ["budgetify"])
            #expect(try await flows(idp, [("status", "failed")]).map(\.id).allSatisfy { $0.hasPrefix("request-") })
            #expect(try await flows(idp, [("status", "active")]).count == 2)
            #expect(try await flows(idp, [("q", "WRONG CLIENT_SECRET")]).count == 1, "text search, any case")
            #expect(try await flows(idp, [("limit", "1")]).count == 1)
            let unknown = try await idp.get("/debug/flows", [("colour", "red")])
            #expect(unknown.status == .badRequest && text(unknown).contains("colour"))
            let status = try await idp.get("/debug/flows", [("status", "weird")])
            #expect(status.status == .badRequest && text(status).contains("status must be one of"))
            #expect(try await idp.get("/debug/flows", [("limit", "0")]).status == .badRequest)
        }
    }

    @Test("GET /debug/export is the whole state in one document, the same the Swift API gives typed")
    func export() async throws {
        try await withTestIdP { idp in
            _ = try await idp.codeFlowTokens()
            let response = try await idp.get("/debug/export")
            #expect(response.status == .ok && response.headers[.cacheControl] == "no-store")
            let exported = try JSONDecoder().decode(MockIdPExport.self, from: Data(response.body.readableBytesView))
            #expect(exported.issuer == testIssuer)
            #expect(exported.snapshot.tokens.count == 3 && exported.snapshot.codes.count == 1)
            #expect(exported.requests.map(\.path) == ["/token", "/authorize"])
            #expect(exported.flows.count == 1 && exported.flows.first?.events.count == 2)
            let typed = await idp.controls.export()
            #expect(typed.snapshot.tokens == exported.snapshot.tokens && typed.flows == exported.flows)
        }
    }

    @Test("explain names the request that revoked a token, and why")
    func explainRevokedBy() async throws {
        try await withTestIdP { idp in
            let tokens = try await idp.codeFlowTokens(scope: "openid offline_access")
            let access = try #require(tokens["access_token"] as? String)
            _ = try await idp.post("/revoke", form: [("token", try #require(tokens["refresh_token"] as? String))], as: .budgetify)
            let revoke = try #require(idp.controls.requests.first { $0.path == "/revoke" })
            let explanation = await idp.controls.explain(access, expecting: TokenExpectations())
            let status = try #require(explanation.checks.first { $0.name == "status" })
            #expect(!status.passed)
            #expect(status.detail.contains("by request \(revoke.id) (POST /revoke, client budgetify)"), "\(status.detail)")
            #expect(status.detail.contains("RFC 7009 §2.1"))
            #expect(explanation.issued?.lineage.revokedBy == revoke.id)
        }
    }

    @Test("the inspector shows the timeline: a card per flow with its events, rules and links to its tokens")
    func inspectorPage() async throws {
        try await withTestIdP { idp in
            let tokens = try await idp.codeFlowTokens()
            _ = try await idp.tokenRequest("client_credentials", as: ClientCredentials(clientID: "reconciler", secret: "nope"))
            let page = text(try await idp.get("/debug", headers: [.accept: "text/html"]))
            #expect(page.contains("<h2>Flows</h2>") && page.contains("id=\"flow-client\"") && page.contains("id=\"flow-text\""))
            #expect(page.components(separatedBy: " data-status=\"").count - 1 == 2, "a card per flow")
            #expect(page.contains("RFC 6749 §5.2"), "the rule of the refused request")
            let access = try #require(tokens["access_token"] as? String)
            #expect(page.contains("href=\"#\(DebugPage.anchor(ofToken: access))\""), "the flow links to the token's card")
            #expect(page.contains("id=\"\(DebugPage.anchor(ofToken: access))\""))
            #expect(page.contains("<time data-epoch="), "times carry their epoch for the page's local rendering")
        }
    }
}
