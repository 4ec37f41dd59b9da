import HTTPTypes
import HummingbirdTesting
import Testing

@testable import MockIdP

@Suite struct DeviceCodeGrantTests {
    /// A device authorization's codes.
    struct Device {
        let deviceCode: String
        let userCode: String
        let verificationURIComplete: String
    }

    private func start(_ idp: TestIdP, scope: String = "openid profile", extra: [(String, String)] = []) async throws -> Device {
        let body = try await idp.startDeviceAuthorization(scope: scope, extra: extra)
        return Device(
            deviceCode: try #require(body["device_code"] as? String),
            userCode: try #require(body["user_code"] as? String),
            verificationURIComplete: try #require(body["verification_uri_complete"] as? String)
        )
    }

    @Test("the device authorization response has a device code, an XXXX-XXXX user code, verification URIs, expires_in and interval 5")
    func authorizationResponse() async throws {
        try await withTestIdP { idp in
            let response = try await idp.post("/device_authorization", form: [("scope", "openid profile")], as: .budgetifyTV)
            #expect(response.status == .ok)
            #expect(response.headers[.cacheControl] == "no-store")
            let body = try json(response)
            let deviceCode = try #require(body["device_code"] as? String)
            #expect(!deviceCode.isEmpty)
            let userCode = try #require(body["user_code"] as? String)
            #expect(userCode.wholeMatch(of: #/[A-Z]{4}-[A-Z]{4}/#) != nil, "user_code \(userCode)")
            #expect(body["verification_uri"] as? String == "\(testIssuer)/device")
            let complete = try #require(body["verification_uri_complete"] as? String)
            #expect(complete.hasPrefix("\(testIssuer)/device?"))
            #expect(complete.contains(userCode))
            #expect(body["expires_in"] as? Int == 600)
            #expect(body["interval"] as? Int == 5)
        }
    }

    @Test("a client's device_poll_interval is advertised and is what slow_down enforces; 0 lets a test poll at once")
    func configuredInterval() async throws {
        let fast = Client(clientID: "fast-tv", grantTypes: [.deviceCode], devicePollInterval: 0)
        let slow = Client(clientID: "slow-tv", grantTypes: [.deviceCode], devicePollInterval: 2)
        try await withTestIdP(fixtures: try builtInFixtures(adding: [fast, slow])) { idp in
            let fastClient = ClientCredentials(clientID: "fast-tv", secret: nil)
            let started = try await idp.startDeviceAuthorization(as: fastClient)
            #expect(started["interval"] as? Int == 0)
            let deviceCode = try #require(started["device_code"] as? String)
            for _ in 0..<3 {
                #expect(try errorCode(try await idp.pollDevice(deviceCode, as: fastClient)) == "authorization_pending")
            }

            let slowClient = ClientCredentials(clientID: "slow-tv", secret: nil)
            let slowStart = try await idp.startDeviceAuthorization(as: slowClient)
            #expect(slowStart["interval"] as? Int == 2)
            let slowCode = try #require(slowStart["device_code"] as? String)
            #expect(try errorCode(try await idp.pollDevice(slowCode, as: slowClient)) == "authorization_pending")
            idp.state.clock.advance(by: 2)
            #expect(try errorCode(try await idp.pollDevice(slowCode, as: slowClient)) == "authorization_pending")
            #expect(try errorCode(try await idp.pollDevice(slowCode, as: slowClient)) == "slow_down")
        }
    }

    @Test("device_poll_interval must be a whole number of seconds from 0 to 3600")
    func intervalValidation() throws {
        for bad in ["-1", "3601", "1.5", "\"5\""] {
            let problem = try FixtureLoaderTests.onlyProblem(
                clients: #"[{"client_id": "tv", "grant_types": ["urn:ietf:params:oauth:grant-type:device_code"], "device_poll_interval": \#(bad)}]"#
            )
            #expect(problem.field == "device_poll_interval", "\(bad)")
            #expect(problem.entry == #"index 0 (client_id "tv")"#)
        }
    }

    @Test("polling before the user approves gives authorization_pending")
    func pending() async throws {
        try await withTestIdP { idp in
            let device = try await start(idp)

            let response = try await idp.pollDevice(device.deviceCode)
            #expect(response.status == .badRequest)
            #expect(try errorCode(response) == "authorization_pending")
        }
    }

    @Test("an immediate second poll gives slow_down, and the interval grows: 6 s later is still too soon")
    func slowDownGrowsInterval() async throws {
        try await withTestIdP { idp in
            let device = try await start(idp)
            #expect(try errorCode(try await idp.pollDevice(device.deviceCode)) == "authorization_pending")
            #expect(try errorCode(try await idp.pollDevice(device.deviceCode)) == "slow_down")

            // RFC 8628 §3.5: after slow_down the interval is 5 s longer, so 6 s no longer suffices.
            idp.state.clock.advance(by: 6)
            #expect(try errorCode(try await idp.pollDevice(device.deviceCode)) == "slow_down")
        }
    }

    @Test("after slow_down, a poll 10 s later gets authorization_pending again")
    func slowDownThenPending() async throws {
        try await withTestIdP { idp in
            let device = try await start(idp)
            #expect(try errorCode(try await idp.pollDevice(device.deviceCode)) == "authorization_pending")
            #expect(try errorCode(try await idp.pollDevice(device.deviceCode)) == "slow_down")

            idp.state.clock.advance(by: 10)
            #expect(try errorCode(try await idp.pollDevice(device.deviceCode)) == "authorization_pending")
        }
    }

    @Test("opening verification_uri_complete approves as the first user, and the next poll gets tokens for alice")
    func approveAsFirstUser() async throws {
        try await withTestIdP { idp in
            let device = try await start(idp)
            #expect(try errorCode(try await idp.pollDevice(device.deviceCode)) == "authorization_pending")

            try #require(device.verificationURIComplete.hasPrefix(testIssuer))
            let page = try await idp.get(String(device.verificationURIComplete.dropFirst(testIssuer.count)))
            #expect(page.status == .ok)
            #expect(page.headers[.contentType]?.hasPrefix("text/html") == true)

            idp.state.clock.advance(by: 5)
            let response = try await idp.pollDevice(device.deviceCode)
            #expect(response.status == .ok)
            let body = try json(response)
            #expect(body["scope"] as? String == "openid profile")
            #expect(body["refresh_token"] is String)
            let access = try jwtPayload(try #require(body["access_token"] as? String))
            #expect(access["sub"] as? String == "alice")
            #expect(access["client_id"] as? String == "budgetify-tv")
            #expect(access["aud"] as? String == "https://api.alpha-bank.example")
            let id = try jwtPayload(try #require(body["id_token"] as? String))
            #expect(id["sub"] as? String == "alice")
            #expect(id["aud"] as? String == "budgetify-tv")
        }
    }

    @Test("with login_hint, the verification page approves as that user")
    func approveAsLoginHint() async throws {
        try await withTestIdP { idp in
            let device = try await start(idp)

            let page = try await idp.openVerificationPage(userCode: device.userCode, extra: [("login_hint", "carol")])
            #expect(page.status == .ok)

            let response = try await idp.pollDevice(device.deviceCode)
            #expect(response.status == .ok)
            let access = try jwtPayload(try #require(try json(response)["access_token"] as? String))
            #expect(access["sub"] as? String == "7d0b2f9e-carol")
        }
    }

    @Test("the user code is case-insensitive and its dash optional")
    func looseUserCode() async throws {
        try await withTestIdP { idp in
            let device = try await start(idp)
            let typed = device.userCode.lowercased().replacing("-", with: "")

            let page = try await idp.openVerificationPage(userCode: typed, extra: [("login_hint", "bob")])
            #expect(page.status == .ok)

            let response = try await idp.pollDevice(device.deviceCode)
            #expect(response.status == .ok)
            let access = try jwtPayload(try #require(try json(response)["access_token"] as? String))
            #expect(access["sub"] as? String == "bob")
        }
    }

    @Test("a device code exchanged once is invalid_grant the second time")
    func secondExchange() async throws {
        try await withTestIdP { idp in
            let device = try await start(idp)
            #expect(try await idp.openVerificationPage(userCode: device.userCode).status == .ok)
            #expect(try await idp.pollDevice(device.deviceCode).status == .ok)

            idp.state.clock.advance(by: 5)
            let again = try await idp.pollDevice(device.deviceCode)
            #expect(again.status == .badRequest)
            #expect(try errorCode(again) == "invalid_grant")
        }
    }

    @Test("after 600 s the device code is expired_token, and the user code can no longer be approved")
    func expiry() async throws {
        try await withTestIdP { idp in
            let device = try await start(idp)
            idp.state.clock.advance(by: 601)

            let response = try await idp.pollDevice(device.deviceCode)
            #expect(response.status == .badRequest)
            #expect(try errorCode(response) == "expired_token")
            #expect(try await idp.openVerificationPage(userCode: device.userCode).status == .badRequest)
        }
    }

    @Test("action=deny on the verification page makes the next poll access_denied")
    func deny() async throws {
        try await withTestIdP { idp in
            let device = try await start(idp)

            let page = try await idp.openVerificationPage(userCode: device.userCode, extra: [("action", "deny")])
            #expect(page.status == .ok)

            let response = try await idp.pollDevice(device.deviceCode)
            #expect(response.status == .badRequest)
            #expect(try errorCode(response) == "access_denied")
        }
    }

    @Test("an unknown user code gets a 400 HTML page")
    func unknownUserCode() async throws {
        try await withTestIdP { idp in
            _ = try await start(idp)

            let page = try await idp.openVerificationPage(userCode: "AAAA-AAAA")
            #expect(page.status == .badRequest)
            #expect(page.headers[.contentType]?.hasPrefix("text/html") == true)
            #expect(page.headers[.location] == nil)
        }
    }

    @Test("a client without the device grant (planner) gets unauthorized_client at both endpoints")
    func clientWithoutGrant() async throws {
        try await withTestIdP { idp in
            let authorization = try await idp.post("/device_authorization", form: [("scope", "openid")], as: .planner)
            #expect(authorization.status == .badRequest)
            #expect(try errorCode(authorization) == "unauthorized_client")

            let device = try await start(idp)
            let poll = try await idp.pollDevice(device.deviceCode, as: .planner)
            #expect(poll.status == .badRequest)
            #expect(try errorCode(poll) == "unauthorized_client")
        }
    }

    @Test("a device code polled by another client is invalid_grant, and its own client still gets the tokens")
    func anotherClient() async throws {
        try await withTestIdP { idp in
            let device = try await start(idp)
            #expect(try await idp.openVerificationPage(userCode: device.userCode).status == .ok)

            let stolen = try await idp.pollDevice(device.deviceCode, as: .budgetify)
            #expect(stolen.status == .badRequest)
            #expect(try errorCode(stolen) == "invalid_grant")

            #expect(try await idp.pollDevice(device.deviceCode).status == .ok)
        }
    }
}
