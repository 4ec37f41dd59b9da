import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@testable import MockIdP

@Suite struct DebugClockTests {
    /// Wall-clock seconds since 1970.
    static func wallClock() -> Int { Int(Date().timeIntervalSince1970) }

    @Test("GET /debug/clock shows the current time and offset 0")
    func read() async throws {
        try await withTestIdP { idp in
            let before = Self.wallClock()
            let response = try await idp.get("/debug/clock")
            let after = Self.wallClock()

            #expect(response.status == .ok)
            #expect(response.headers[.contentType]?.hasPrefix("application/json") == true)
            let body = try json(response)
            #expect(Set(body.keys) == ["now", "offset_seconds"])
            let now = try #require(body["now"] as? Int)
            #expect((before...after).contains(now))
            #expect(body["offset_seconds"] as? Int == 0)
        }
    }

    @Test("POST /debug/clock moves now forward by advance_seconds, and advances add up")
    func advance() async throws {
        try await withTestIdP { idp in
            let before = Self.wallClock()
            let response = try await idp.postJSON("/debug/clock", #"{"advance_seconds": 3600}"#)
            let after = Self.wallClock()

            #expect(response.status == .ok)
            let body = try json(response)
            #expect(body["offset_seconds"] as? Int == 3600)
            #expect((before + 3600...after + 3600).contains(try #require(body["now"] as? Int)))

            let again = try json(try await idp.postJSON("/debug/clock", #"{"advance_seconds": 90}"#))
            #expect(again["offset_seconds"] as? Int == 3690)
            let read = try json(try await idp.get("/debug/clock"))
            #expect(read["offset_seconds"] as? Int == 3690)
            #expect(try #require(read["now"] as? Int) >= before + 3690)
            // GET /debug reports the same clock.
            #expect(try await idp.issued()["offset_seconds"] as? Int == 3690)
        }
    }

    @Test("advancing by 0 is accepted and changes nothing")
    func advanceByZero() async throws {
        try await withTestIdP { idp in
            let response = try await idp.postJSON("/debug/clock", #"{"advance_seconds": 0}"#)
            #expect(response.status == .ok)
            #expect(try json(response)["offset_seconds"] as? Int == 0)
        }
    }

    @Test("DELETE /debug/clock resets the offset to 0 and now to the wall clock")
    func reset() async throws {
        try await withTestIdP { idp in
            try await idp.advanceClock(by: 86400)

            let before = Self.wallClock()
            let response = try await idp.sendDelete("/debug/clock")
            let after = Self.wallClock()
            #expect(response.status == .ok)
            let body = try json(response)
            #expect(body["offset_seconds"] as? Int == 0)
            #expect((before...after).contains(try #require(body["now"] as? Int)))
            #expect(try json(try await idp.get("/debug/clock"))["offset_seconds"] as? Int == 0)
        }
    }

    @Test(
        "a bad POST /debug/clock body is a 400 with a message, and the clock does not move",
        arguments: [
            #"{"advance_seconds": -1}"#,
            #"{"advance_seconds": 1.5}"#,
            #"{"advance_seconds": "10"}"#,
            #"{"advance_seconds": true}"#,
            #"{"advance_seconds": 315360001}"#,
            #"{}"#,
            #"{"seconds": 10}"#,
            #"{"advance_seconds": 10, "reason": "test"}"#,
            #"{"advance_seconds": 10"#,
            #"advance_seconds=10"#,
            #"[{"advance_seconds": 10}]"#,
            #"10"#,
        ]
    )
    func badBody(body: String) async throws {
        try await withTestIdP { idp in
            let response = try await idp.postJSON("/debug/clock", body)
            try expectDebugError(response)
            #expect(try json(try await idp.get("/debug/clock"))["offset_seconds"] as? Int == 0)
        }
    }

    @Test("the 400 messages say what is wrong")
    func messages() async throws {
        try await withTestIdP { idp in
            let negative = try expectDebugError(try await idp.postJSON("/debug/clock", #"{"advance_seconds": -5}"#))
            #expect(negative.contains("advance_seconds"))
            let fraction = try expectDebugError(try await idp.postJSON("/debug/clock", #"{"advance_seconds": 1.5}"#))
            #expect(fraction.contains("whole number"), "\(fraction)")
            let string = try expectDebugError(try await idp.postJSON("/debug/clock", #"{"advance_seconds": "10"}"#))
            #expect(string.contains("advance_seconds"), "\(string)")
            let missing = try expectDebugError(try await idp.postJSON("/debug/clock", "{}"))
            #expect(missing.contains("advance_seconds is missing"), "\(missing)")
            let unknown = try expectDebugError(try await idp.postJSON("/debug/clock", #"{"seconds": 10}"#))
            #expect(unknown.contains("unknown field \"seconds\""), "\(unknown)")
            let invalid = try expectDebugError(try await idp.postJSON("/debug/clock", "{"))
            #expect(invalid.contains("not valid JSON"), "\(invalid)")
            let array = try expectDebugError(try await idp.postJSON("/debug/clock", "[]"))
            #expect(array.contains("must be a JSON object"), "\(array)")
        }
    }

    // MARK: The clock drives expiry

    @Test("an authorization code is refused with invalid_grant once the clock is 61 s on")
    func codeExpiry() async throws {
        try await withTestIdP { idp in
            let code = try await idp.code()
            try await idp.advanceClock(by: 61)

            let response = try await idp.redeem(code)
            #expect(response.status == .badRequest)
            #expect(try errorCode(response) == "invalid_grant")
        }
    }

    @Test("an authorization code redeems when the clock is moved less than its lifetime")
    func codeNotYetExpired() async throws {
        try await withTestIdP { idp in
            let code = try await idp.code()
            try await idp.advanceClock(by: 30)

            #expect(try await idp.redeem(code).status == .ok)
        }
    }

    @Test("an access token is 401 at userinfo once the clock passes its TTL, and works again after DELETE /debug/clock")
    func userinfoExpiry() async throws {
        try await withTestIdP { idp in
            let accessToken = try await idp.accessToken()
            try await idp.advanceClock(by: 3000)
            #expect(try await idp.userInfoStatus(accessToken) == .ok)

            try await idp.advanceClock(by: 600)
            let response = try await idp.userinfo(accessToken)
            #expect(response.status == .unauthorized)
            #expect(response.headers[.wwwAuthenticate]?.contains("invalid_token") == true)

            _ = try await idp.sendDelete("/debug/clock")
            #expect(try await idp.userInfoStatus(accessToken) == .ok)
        }
    }

    @Test("a client's shorter access_token_ttl is followed too: budgetify-spa's 900 s token is 401 after 900 s")
    func shorterTTL() async throws {
        try await withTestIdP { idp in
            let accessToken = try #require(try await idp.spaTokens()["access_token"] as? String)
            try await idp.advanceClock(by: 900)

            #expect(try await idp.userInfoStatus(accessToken) == .unauthorized)
        }
    }

    @Test("an access token introspects as inactive once the clock passes its TTL")
    func introspectionExpiry() async throws {
        try await withTestIdP { idp in
            let accessToken = try await idp.accessToken()
            #expect(try json(try await idp.introspect(accessToken))["active"] as? Bool == true)

            try await idp.advanceClock(by: 3600)
            try expectInactive(try await idp.introspect(accessToken))
        }
    }

    @Test("a refresh token is refused with invalid_grant once the clock passes refresh_token_ttl")
    func refreshExpiry() async throws {
        try await withTestIdP { idp in
            let refreshToken = try #require(try await idp.codeFlowTokens()["refresh_token"] as? String)
            try await idp.advanceClock(by: 86400)

            let response = try await idp.refresh(refreshToken)
            #expect(response.status == .badRequest)
            #expect(try errorCode(response) == "invalid_grant")
        }
    }

    @Test("a device code is refused with expired_token once the clock passes its 600 s lifetime")
    func deviceCodeExpiry() async throws {
        try await withTestIdP { idp in
            let device = try await idp.startDeviceAuthorization()
            let deviceCode = try #require(device["device_code"] as? String)
            try await idp.advanceClock(by: 600)

            let response = try await idp.pollDevice(deviceCode)
            #expect(response.status == .badRequest)
            #expect(try errorCode(response) == "expired_token")
        }
    }

    @Test("an approved device code is still redeemable when the clock is moved less than its lifetime")
    func deviceCodeNotYetExpired() async throws {
        try await withTestIdP { idp in
            let device = try await idp.startDeviceAuthorization()
            let deviceCode = try #require(device["device_code"] as? String)
            let userCode = try #require(device["user_code"] as? String)
            #expect(try await idp.openVerificationPage(userCode: userCode).status == .ok)
            try await idp.advanceClock(by: 500)

            #expect(try await idp.pollDevice(deviceCode).status == .ok)
        }
    }
}
