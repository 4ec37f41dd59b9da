import HTTPTypes
import HummingbirdTesting
import Testing

@testable import MockIdP

@Suite struct CodeFlowSmokeTests {
    @Test("a confidential client gets tokens for a code, and the ID token carries the nonce")
    func codeFlow() async throws {
        try await withTestIdP { idp in
            let code = try await idp.code(extra: [("nonce", "n-123")])
            let response = try await idp.redeem(code)
            #expect(response.status == .ok)
            let body = try json(response)
            let idToken = try #require(body["id_token"] as? String)
            let claims = try jwtPayload(idToken)
            #expect(claims["nonce"] as? String == "n-123")
            #expect(claims["iss"] as? String == testIssuer)
        }
    }
}
