import HTTPTypes
import HummingbirdTesting
import Testing

@testable import MockIdP

@Suite struct DiscoveryLifecycleTests {
    @Test("discovery lists the introspection, revocation, device authorization and end-session endpoints and every grant type")
    func lifecycleEndpointsAndGrants() async throws {
        try await withTestIdP { idp in
            let response = try await idp.get("/.well-known/openid-configuration")
            #expect(response.status == .ok)
            let document = try json(response)
            #expect(document["introspection_endpoint"] as? String == "\(testIssuer)/introspect")
            #expect(document["revocation_endpoint"] as? String == "\(testIssuer)/revoke")
            #expect(document["device_authorization_endpoint"] as? String == "\(testIssuer)/device_authorization")
            #expect(document["end_session_endpoint"] as? String == "\(testIssuer)/end_session")
            let grants = Set(try #require(document["grant_types_supported"] as? [String]))
            #expect(
                grants == [
                    "authorization_code", "refresh_token", "client_credentials", "password", "urn:ietf:params:oauth:grant-type:device_code",
                    "urn:ietf:params:oauth:grant-type:token-exchange",
                    "urn:ietf:params:oauth:grant-type:jwt-bearer",
                ]
            )
        }
    }

    @Test("the advertised lifecycle endpoints answer at the advertised paths")
    func advertisedEndpointsAnswer() async throws {
        try await withTestIdP { idp in
            let document = try json(try await idp.get("/.well-known/oauth-authorization-server"))
            func path(_ key: String) throws -> String {
                let url = try #require(document[key] as? String)
                try #require(url.hasPrefix(testIssuer))
                return String(url.dropFirst(testIssuer.count))
            }

            let token = try #require(try await idp.codeFlowTokens()["access_token"] as? String)
            let introspection = try await idp.post(try path("introspection_endpoint"), form: [("token", token)], as: .budgetify)
            #expect(try json(introspection)["active"] as? Bool == true)
            #expect(try await idp.post(try path("revocation_endpoint"), form: [("token", token)], as: .budgetify).status == .ok)
            #expect(try await idp.userInfoStatus(token) == .unauthorized)
            let device = try await idp.post(try path("device_authorization_endpoint"), form: [("scope", "openid")], as: .budgetifyTV)
            #expect(try json(device)["device_code"] is String)
            #expect(try await idp.get(try path("end_session_endpoint")).status == .ok)
        }
    }
}
