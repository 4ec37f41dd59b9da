import HTTPTypes
import HummingbirdTesting
import Testing

@testable import MockIdP

/// One issuer behind two names (docker-compose, proxies): `--backchannel-dynamic` and `--trust-forwarded-headers`.
@Suite struct BackchannelDynamicTests {
    static let backchannelFields = [
        "token_endpoint", "jwks_uri", "userinfo_endpoint", "introspection_endpoint", "revocation_endpoint", "device_authorization_endpoint",
    ]
    static let frontchannelFields = ["authorization_endpoint", "end_session_endpoint"]

    func discovery(_ idp: TestIdP, headers: HTTPFields, path: String = "/.well-known/openid-configuration") async throws -> [String: Any] {
        let response = try await idp.get(path, headers: headers)
        try #require(response.status == .ok)
        return try json(response)
    }

    @Test("fetched as mock-idp:8080, discovery names the back-channel endpoints there and keeps the issuer for the browser's", arguments: [
        "/.well-known/openid-configuration", "/.well-known/oauth-authorization-server",
    ])
    func otherHost(path: String) async throws {
        try await withConfiguredTestIdP(issuer: "http://localhost:8080", backchannelDynamic: true) { idp in
            let document = try await discovery(idp, headers: [.hostHeader: "mock-idp:8080"], path: path)
            #expect(document["issuer"] as? String == "http://localhost:8080")
            for field in Self.backchannelFields {
                #expect((document[field] as? String)?.hasPrefix("http://mock-idp:8080/") == true, "\(field): \(document[field] ?? "-")")
            }
            #expect(document["token_endpoint"] as? String == "http://mock-idp:8080/token")
            for field in Self.frontchannelFields {
                #expect((document[field] as? String)?.hasPrefix("http://localhost:8080/") == true, "\(field)")
            }
            // Tokens name the issuer, whichever host they were asked for on.
            let response = try await idp.post(
                "/token", form: [("grant_type", "client_credentials")], headers: [.hostHeader: "mock-idp:8080", .authorization: basic("reconciler", "reconciler-secret")]
            )
            #expect(try jwtPayload(try #require(try json(response)["access_token"] as? String))["iss"] as? String == "http://localhost:8080")
        }
    }

    @Test("fetched through the issuer's own host, or with a malformed Host, discovery is the issuer's", arguments: [
        "localhost:8080", "LOCALHOST:8080", "mock idp:8080", "evil.example/x", "a@b", "[zz::1]:80", "host:99999x", "host:",
    ])
    func issuersOwn(host: String) async throws {
        try await withConfiguredTestIdP(issuer: "http://localhost:8080", backchannelDynamic: true) { idp in
            let document = try await discovery(idp, headers: [.hostHeader: host])
            #expect(document["token_endpoint"] as? String == "http://localhost:8080/token")
        }
    }

    @Test("without --backchannel-dynamic another Host changes nothing")
    func off() async throws {
        try await withConfiguredTestIdP(issuer: "http://localhost:8080") { idp in
            let document = try await discovery(idp, headers: [.hostHeader: "mock-idp:8080"])
            #expect(document["token_endpoint"] as? String == "http://localhost:8080/token")
        }
    }

    @Test("an issuer with a path keeps it under the other host")
    func issuerPath() async throws {
        try await withConfiguredTestIdP(issuer: "http://localhost:8080/alpha", backchannelDynamic: true) { idp in
            let document = try await discovery(idp, headers: [.hostHeader: "mock-idp:8080"])
            #expect(document["jwks_uri"] as? String == "http://mock-idp:8080/alpha/jwks")
        }
    }

    @Test("forwarded headers are ignored unless trusted")
    func forwardedIgnored() async throws {
        try await withConfiguredTestIdP(issuer: "http://localhost:8080", backchannelDynamic: true) { idp in
            let document = try await discovery(idp, headers: [.hostHeader: "localhost:8080", .xForwardedHost: "attacker.example", .forwarded: "host=attacker.example"])
            #expect(document["token_endpoint"] as? String == "http://localhost:8080/token")
        }
    }

    @Test("trusted: Forwarded (RFC 7239) wins over X-Forwarded-*, which win over Host; a bad scheme names no origin")
    func forwardedTrusted() async throws {
        try await withConfiguredTestIdP(issuer: "http://localhost:8080", backchannelDynamic: true, trustForwardedHeaders: true) { idp in
            var document = try await discovery(idp, headers: [.hostHeader: "mock-idp:8080", .xForwardedProto: "https", .xForwardedHost: "idp.internal, proxy2"])
            #expect(document["token_endpoint"] as? String == "https://idp.internal/token")
            document = try await discovery(
                idp, headers: [.hostHeader: "mock-idp:8080", .forwarded: #"for=192.0.2.60;proto=https;host="api.internal:8443", for=10.0.0.1"#, .xForwardedHost: "x"]
            )
            #expect(document["token_endpoint"] as? String == "https://api.internal:8443/token")
            // A malformed Forwarded element is ignored (never a 5xx): X-Forwarded-*, then Host, name the origin.
            document = try await discovery(idp, headers: [.hostHeader: "mock-idp:8080", .forwarded: #"host="unterminated"#])
            #expect(document["token_endpoint"] as? String == "http://mock-idp:8080/token")
            document = try await discovery(idp, headers: [.hostHeader: "mock-idp:8080", .forwarded: "proto=gopher;host=x"])
            #expect(document["token_endpoint"] as? String == "http://localhost:8080/token")
        }
    }

    @Test("RequestOrigin.isHost accepts names, IPv4, bracketed IPv6 with ports, and nothing else")
    func hostSyntax() {
        for good in ["mock-idp", "mock-idp:8080", "127.0.0.1:1", "[::1]:8080", "[fe80::1]", "my_host.local"] {
            #expect(RequestOrigin.isHost(good), "\(good)")
        }
        for bad in ["", "a b", "a/b", "a@b", "[::1", "[]", "host:", "host:123456", "host:8a", "hé.example", String(repeating: "a", count: 300)] {
            #expect(!RequestOrigin.isHost(bad), "\(bad)")
        }
    }
}
