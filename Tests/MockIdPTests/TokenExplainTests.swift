import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@testable import MockIdP

/// `POST /debug/explain`: "why is this token rejected?".
@Suite struct TokenExplainTests {
    func explain(_ idp: TestIdP, _ body: [String: Any], at prefix: String = "") async throws -> [String: Any] {
        let data = try JSONSerialization.data(withJSONObject: body)
        let response = try await idp.send(.post, prefix + "/debug/explain", body: String(decoding: data, as: UTF8.self), contentType: "application/json")
        #expect(response.status == .ok, "\(text(response))")
        return try json(response)
    }

    /// The first failed check's name and detail.
    func failure(_ explanation: [String: Any]) -> (name: String, detail: String)? {
        let checks = explanation["checks"] as? [[String: Any]] ?? []
        return checks.first { $0["passed"] as? Bool == false }.map { ($0["name"] as? String ?? "", $0["detail"] as? String ?? "") }
    }

    func check(_ explanation: [String: Any], _ name: String) -> [String: Any]? {
        (explanation["checks"] as? [[String: Any]])?.first { $0["name"] as? String == name }
    }

    @Test("a good access token is accepted, with the key it verifies with and the record of its issue")
    func accepted() async throws {
        try await withTestIdP { idp in
            let token = try #require(try await idp.clientCredentials(at: IssuerPaths(idp.issuer))["access_token"] as? String)
            let explanation = try await explain(idp, ["token": "Bearer " + token, "audience": "https://api.alpha-bank.example", "scope": "transactions:read"])
            #expect(explanation["verdict"] as? String == "accepted", "\(explanation)")
            #expect(explanation["format"] as? String == "jwt")
            let signature = try #require(explanation["signature"] as? [String: Any])
            #expect(signature["verified"] as? Bool == true && signature["key"] as? String == "current")
            let issued = try #require(explanation["issued"] as? [String: Any])
            #expect(issued["client_id"] as? String == "reconciler" && issued["status"] as? String == "active")
            #expect((explanation["claims"] as? [String: Any])?["client_id"] as? String == "reconciler")
            #expect(check(explanation, "typ")?["rule"] as? String == "RFC 9068 §4")
        }
    }

    @Test("wrong audience, missing scope and another issuer are each named with their rule")
    func expectations() async throws {
        try await withTestIdP { idp in
            let token = try #require(try await idp.clientCredentials(at: IssuerPaths(idp.issuer))["access_token"] as? String)
            let audience = try await explain(idp, ["token": token, "audience": "https://payments.example"])
            #expect(failure(audience)?.name == "aud")
            #expect(failure(audience)?.detail.contains("resource=https://payments.example") == true)
            #expect(audience["verdict"] as? String == "rejected")
            let scope = try await explain(idp, ["token": token, "scope": "transactions:read payments:write"])
            #expect(failure(scope)?.name == "scope")
            #expect(failure(scope)?.detail.hasPrefix("lacks payments:write") == true)
            #expect(check(scope, "scope")?["rule"] as? String == "RFC 6750 §3.1, RFC 9068 §2.2.3")
            let issuer = try await explain(idp, ["token": token, "issuer": testIssuer + "/"])
            #expect(failure(issuer)?.name == "iss")
        }
    }

    @Test("an expired token says by how much; a revoked one when; a rotated refresh token that it is spent")
    func status() async throws {
        try await withTestIdP { idp in
            let tokens = try await idp.codeFlow(at: IssuerPaths(idp.issuer), scope: "openid offline_access")
            let access = try #require(tokens["access_token"] as? String)
            let refresh = try #require(tokens["refresh_token"] as? String)
            let rotated = try await idp.post("/token", form: [("grant_type", "refresh_token"), ("refresh_token", refresh)], headers: [.authorization: basic("budgetify", "budgetify-secret")])
            #expect(rotated.status == .ok)
            let spent = try await explain(idp, ["token": refresh])
            #expect(spent["format"] as? String == "opaque")
            #expect(failure(spent)?.name == "status")
            #expect(failure(spent)?.detail.contains("spent") == true)

            _ = try await idp.send(.post, "/debug/clock", body: #"{"advance_seconds": 3725}"#, contentType: "application/json")
            let expired = try await explain(idp, ["token": access])
            #expect(failure(expired)?.name == "status")
            #expect(failure(expired)?.detail.hasPrefix("expired 2 min") == true, "\(String(describing: failure(expired)))")
            #expect(check(expired, "exp")?["passed"] as? Bool == false)

            let newAccess = try #require(try json(rotated)["access_token"] as? String)
            let revoked = try await idp.post("/revoke", form: [("token", newAccess)], headers: [.authorization: basic("budgetify", "budgetify-secret")])
            #expect(revoked.status == .ok)
            let explanation = try await explain(idp, ["token": newAccess])
            #expect((explanation["issued"] as? [String: Any])?["status"] as? String == "revoked")
            #expect(check(explanation, "status")?["rule"] as? String == "RFC 7009 §2")
        }
    }

    @Test("an ID token sent to an API fails the typ check: RFC 9068 §4 wants at+jwt")
    func idTokenAsAccessToken() async throws {
        try await withTestIdP { idp in
            let idToken = try #require(try await idp.codeFlow(at: IssuerPaths(idp.issuer))["id_token"] as? String)
            let explanation = try await explain(idp, ["token": idToken, "token_type": "access_token"])
            #expect(failure(explanation)?.name == "typ")
            #expect(failure(explanation)?.detail.contains("looks like an ID token") == true)
            let asIDToken = try await explain(idp, ["token": idToken])
            #expect(asIDToken["verdict"] as? String == "accepted", "judged as what it was issued as: \(asIDToken)")
        }
    }

    @Test("after a rotation the old key is named previous; two rotations on, its kid is unknown")
    func rotation() async throws {
        try await withTestIdP { idp in
            let token = try #require(try await idp.clientCredentials(at: IssuerPaths(idp.issuer))["access_token"] as? String)
            _ = try await KeyRotationTests.rotate(idp)
            let previous = try await explain(idp, ["token": token])
            #expect((previous["signature"] as? [String: Any])?["key"] as? String == "previous")
            #expect(previous["verdict"] as? String == "accepted")
            _ = try await KeyRotationTests.rotate(idp)
            let gone = try await explain(idp, ["token": token])
            #expect((gone["signature"] as? [String: Any])?["key"] as? String == "unknown_kid")
            #expect(failure(gone)?.name == "signature")
        }
    }

    @Test("a token of another issuer of the server is recognised as that issuer's")
    func anotherIssuer() async throws {
        try await withTestIssuers(MockIdPConfiguration(issuer: testIssuer, issuers: [.init("partner")])) { idp, issuers in
            let token = try #require(try await idp.clientCredentials(at: IssuerPaths(try issuers.require("partner")))["access_token"] as? String)
            let explanation = try await explain(idp, ["token": token])
            let signature = try #require(explanation["signature"] as? [String: Any])
            #expect(signature["key"] as? String == "another_issuer")
            #expect(signature["issuer"] as? String == "partner")
            #expect(failure(explanation)?.name == "signature")
            let there = try await explain(idp, ["token": token], at: "/partner")
            #expect(there["verdict"] as? String == "accepted", "\(there)")
        }
    }

    @Test("a changed payload fails the signature; alg none is never accepted")
    func tampered() async throws {
        try await withTestIdP { idp in
            let token = try #require(try await idp.clientCredentials(at: IssuerPaths(idp.issuer))["access_token"] as? String)
            let parts = token.split(separator: ".")
            var claims = try jwtPayload(token)
            claims["scope"] = "everything"
            let forged = [String(parts[0]), Array(try JSONSerialization.data(withJSONObject: claims)).base64URLEncoded, String(parts[2])].joined(separator: ".")
            let explanation = try await explain(idp, ["token": forged])
            #expect(failure(explanation)?.name == "signature")
            #expect(failure(explanation)?.detail.contains("changed after signing") == true)

            let none = Array(#"{"alg":"none","typ":"at+jwt"}"#.utf8).base64URLEncoded + "." + String(parts[1]) + "."
            let unsigned = try await explain(idp, ["token": none])
            #expect((unsigned["signature"] as? [String: Any])?["key"] as? String == "none")
            #expect(check(unsigned, "signature")?["rule"] as? String == "RFC 8725 §3.1")
        }
    }

    @Test("malformed input is explained, never a 5xx", arguments: [
        ("", "the input is empty"),
        ("not-a-token", "not a JWT (1 dot-separated part(s), where a JWS has 3)"),
        ("a.b.c.d.e", "a JWE (encrypted)"),
        ("!!!.e30.sig", "the header is not base64url"),
        ("bm90IGpzb24.e30.sig", "the header decodes to bytes that are not JSON"),
        ("WzFd.e30.sig", "the header is JSON but not an object"),
        (String(repeating: "a", count: 20_000), "longer than the 16384 explained"),
    ])
    func malformed(token: String, detail: String) async throws {
        try await withTestIdP { idp in
            let explanation = try await explain(idp, ["token": token])
            #expect(explanation["verdict"] as? String == "rejected")
            #expect(failure(explanation)?.name == "format")
            #expect(failure(explanation)?.detail.contains(detail) == true, "\(failure(explanation).debugDescription)")
        }
    }

    @Test("a body without token, with an unknown field or a wrong token_type is a 400 saying so")
    func badRequests() async throws {
        try await withTestIdP { idp in
            for (body, reason) in [("{}", "token is missing"), (#"{"token": "x", "aud": "y"}"#, #"unknown field \"aud\""#), (#"{"token": "x", "token_type": "jwt"}"#, "token_type is access_token or id_token"), ("[1]", "must be a JSON object")] {
                let response = try await idp.send(.post, "/debug/explain", body: body, contentType: "application/json")
                #expect(response.status == .badRequest, "\(body)")
                #expect(text(response).contains(reason), "\(text(response))")
            }
        }
    }
}
