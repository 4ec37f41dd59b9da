import HTTPTypes
import HummingbirdTesting
import Testing

@testable import MockIdP

@Suite struct ClientCredentialsGrantTests {
    @Test("reconciler gets an access token for itself: sub is its client_id, aud its audience, no refresh or ID token")
    func accessTokenForClient() async throws {
        try await withTestIdP { idp in
            let response = try await idp.tokenRequest("client_credentials", as: .reconciler)
            #expect(response.status == .ok)
            #expect(response.headers[.cacheControl] == "no-store")
            let body = try json(response)
            #expect(body["token_type"] as? String == "Bearer")
            #expect(body["expires_in"] as? Int == 300)
            #expect(body["scope"] as? String == "transactions:read transactions:write")
            #expect(body["refresh_token"] == nil)
            #expect(body["id_token"] == nil)

            let claims = try jwtPayload(try #require(body["access_token"] as? String))
            #expect(claims["sub"] as? String == "reconciler")
            #expect(claims["client_id"] as? String == "reconciler")
            #expect(claims["aud"] as? String == "https://api.alpha-bank.example")
            #expect(claims["iss"] as? String == testIssuer)
            let iat = try #require(claims["iat"] as? Int)
            #expect(claims["exp"] as? Int == iat + 300)
            #expect(claims["auth_time"] == nil)
        }
    }

    @Test("a requested scope within the client's scopes is granted as asked")
    func scopeSubset() async throws {
        try await withTestIdP { idp in
            let response = try await idp.tokenRequest("client_credentials", [("scope", "transactions:read")], as: .reconciler)
            #expect(response.status == .ok)
            let body = try json(response)
            #expect(body["scope"] as? String == "transactions:read")
            #expect(try jwtPayload(try #require(body["access_token"] as? String))["scope"] as? String == "transactions:read")
        }
    }

    @Test("a scope the client may not request (openid for reconciler) is invalid_scope")
    func scopeOutsideClient() async throws {
        try await withTestIdP { idp in
            let response = try await idp.tokenRequest("client_credentials", [("scope", "openid")], as: .reconciler)
            #expect(response.status == .badRequest)
            #expect(try errorCode(response) == "invalid_scope")
        }
    }

    @Test("a public client that does not list the grant (budgetify-spa) gets unauthorized_client")
    func publicClientRefused() async throws {
        try await withTestIdP { idp in
            let response = try await idp.tokenRequest("client_credentials", as: .budgetifySPA)
            #expect(response.status == .badRequest)
            #expect(try errorCode(response) == "unauthorized_client")
        }
    }

    @Test("a resource parameter (RFC 8707) becomes the access token's aud")
    func resourceSetsAudience() async throws {
        try await withTestIdP { idp in
            let response = try await idp.tokenRequest("client_credentials", [("resource", "https://ledger.alpha-bank.example/")], as: .reconciler)
            #expect(response.status == .ok)
            let claims = try jwtPayload(try #require(try json(response)["access_token"] as? String))
            #expect(claims["aud"] as? String == "https://ledger.alpha-bank.example/")
        }
    }

    @Test("two resource parameters give an array aud, in the order asked")
    func twoResources() async throws {
        try await withTestIdP { idp in
            let response = try await idp.tokenRequest(
                "client_credentials",
                [("resource", "https://ledger.alpha-bank.example/"), ("resource", "https://payments.alpha-bank.example/")],
                as: .reconciler
            )
            #expect(response.status == .ok)
            let claims = try jwtPayload(try #require(try json(response)["access_token"] as? String))
            #expect(claims["aud"] as? [String] == ["https://ledger.alpha-bank.example/", "https://payments.alpha-bank.example/"])
        }
    }

    @Test("a resource with a fragment is invalid_target (RFC 8707 §2)")
    func resourceWithFragment() async throws {
        try await withTestIdP { idp in
            let response = try await idp.tokenRequest(
                "client_credentials", [("resource", "https://ledger.alpha-bank.example/#accounts")], as: .reconciler
            )
            #expect(response.status == .badRequest)
            #expect(try errorCode(response) == "invalid_target")
        }
    }

    @Test("a relative resource is invalid_target (RFC 8707 §2)")
    func relativeResource() async throws {
        try await withTestIdP { idp in
            let response = try await idp.tokenRequest("client_credentials", [("resource", "/ledger")], as: .reconciler)
            #expect(response.status == .badRequest)
            #expect(try errorCode(response) == "invalid_target")
        }
    }
}
