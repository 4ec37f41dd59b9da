import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@testable import MockIdP

/// One issuer's state is a value: a process can make several, and the router can mount each under a path prefix
/// with its own fixtures, keys, store, clock, scripts, request log and /debug.
@Suite struct MountedIssuerTests {
    @Test("two issuers mounted under path prefixes in one router share nothing")
    func twoIssuersShareNothing() async throws {
        let configuration = MockIdPConfiguration(issuer: "http://idp.test", issuers: [.init("alpha"), .init("partner")])
        try await withTestIssuers(configuration) { idp, issuers in
            let alpha = try #require(issuers.entry(named: "alpha")).issuer
            let partner = try #require(issuers.entry(named: "partner")).issuer
            for name in ["alpha", "partner"] {
                let document = try json(try await idp.get("/\(name)/.well-known/openid-configuration"))
                #expect(document["issuer"] as? String == "http://idp.test/\(name)")
                #expect(document["token_endpoint"] as? String == "http://idp.test/\(name)/token")
            }

            let form = [("grant_type", "client_credentials"), ("client_id", "reconciler"), ("client_secret", "reconciler-secret")]
            let issued = try json(try await idp.post("/alpha/token", form: form))
            let token = try #require(issued["access_token"] as? String)
            #expect(try jwtPayload(token)["iss"] as? String == "http://idp.test/alpha")
            #expect(try jwtHeader(token)["alg"] as? String == "RS256")

            // Issued state, request log and clock are the issuer's own.
            #expect((try json(try await idp.get("/debug"))["tokens"] as? [Any])?.isEmpty == true, "the root issuer issued nothing")
            #expect((try json(try await idp.get("/alpha/debug"))["tokens"] as? [Any])?.count == 1)
            #expect((try json(try await idp.get("/partner/debug"))["tokens"] as? [Any])?.isEmpty == true)
            let discovery = "/.well-known/openid-configuration"
            #expect(try jsonArray(try await idp.get("/alpha/debug/requests")).map { $0["path"] as? String } == ["/alpha/token", "/alpha" + discovery])
            #expect(try jsonArray(try await idp.get("/partner/debug/requests")).map { $0["path"] as? String } == ["/partner" + discovery])
            #expect(try await idp.postJSON("/partner/debug/clock", #"{"advance_seconds": 3600}"#).status == .ok)
            #expect(alpha.state.clock.offsetSeconds == 0)
            #expect(partner.state.clock.offsetSeconds == 3600)

            // A token of one issuer is unknown to the other's userinfo.
            #expect(try await idp.get("/partner/userinfo", headers: [.authorization: "Bearer \(token)"]).status == .unauthorized)
            let partnerToken = try #require(try json(try await idp.post("/partner/token", form: form))["access_token"] as? String)
            #expect(try jwtHeader(partnerToken)["kid"] as? String != jwtHeader(token)["kid"] as? String, "each issuer signs with its own key")
        }
    }
}
