import HTTPTypes
import HummingbirdTesting
import Testing

@testable import MockIdP

@Suite struct MalformedInputTests {
    /// A malformed request body, and the status each endpoint owes it.
    struct Body: Sendable, CustomTestStringConvertible {
        let name: String
        let bytes: [UInt8]
        let contentType: String?
        /// For /token (JSON errors).
        let apiStatus: HTTPResponse.Status
        /// For /userinfo (JSON errors); it reads a body only when the body declares a Content-Type (RFC 6750 §2.2).
        let userinfoStatus: HTTPResponse.Status
        /// For /authorize (the HTML error page).
        let pageStatus: HTTPResponse.Status

        var testDescription: String { name }

        init(
            _ name: String, _ body: String, contentType: String? = "application/x-www-form-urlencoded", api: HTTPResponse.Status = .badRequest,
            userinfo: HTTPResponse.Status? = nil, page: HTTPResponse.Status = .badRequest
        ) {
            self.init(name, Array(body.utf8), contentType: contentType, api: api, userinfo: userinfo, page: page)
        }

        init(
            _ name: String, _ bytes: [UInt8], contentType: String? = "application/x-www-form-urlencoded", api: HTTPResponse.Status = .badRequest,
            userinfo: HTTPResponse.Status? = nil, page: HTTPResponse.Status = .badRequest
        ) {
            self.name = name
            self.bytes = bytes
            self.contentType = contentType
            self.apiStatus = api
            self.userinfoStatus = userinfo ?? api
            self.pageStatus = page
        }
    }

    static let validForm = "grant_type=authorization_code&code=abc&client_id=budgetify&response_type=code"

    static let bodies: [Body] = [
        Body("wrong content type", validForm, contentType: "text/plain"),
        Body("multipart content type", validForm, contentType: "multipart/form-data; boundary=x"),
        Body("JSON body", #"{"grant_type": "authorization_code", "client_id": "budgetify"}"#, contentType: "application/json"),
        Body("form without content type", validForm, contentType: nil, userinfo: .unauthorized),
        Body("percent-encoded invalid UTF-8", "grant_type=%FF&client_id=budgetify"),
        Body("raw invalid UTF-8", [UInt8]("client_id=budgetify&grant_type=".utf8) + [0xC3, 0x28]),
        Body("bad percent-encoding", "grant_type=%zz&client_id=budgetify"),
        Body("truncated percent-encoding", "client_id=budgetify&grant_type=%4"),
        Body("100 KB body", "client_id=" + String(repeating: "x", count: 100 * 1024), api: .contentTooLarge, page: .contentTooLarge),
        Body("300 parameters", (0..<300).map { "p\($0)=v" }.joined(separator: "&")),
        Body("every byte value", (0...255).map { UInt8($0) }),
        Body("empty form", "", api: .unauthorized),
        Body("empty body without content type", "", contentType: nil, api: .unauthorized),
        Body("only separators", "&&&=&==&", api: .unauthorized),
    ]

    @Test("the token endpoint answers a malformed body with a 4xx JSON error", arguments: bodies)
    func token(body: Body) async throws {
        try await withTestIdP { idp in
            let response = try await idp.send(.post, "/token", body: body.bytes, contentType: body.contentType)
            #expect(response.status == body.apiStatus, "\(text(response))")
            #expect(response.headers[.contentType]?.hasPrefix("application/json") == true)
            #expect(try oauthError(response).error.isEmpty == false)
        }
    }

    @Test("the userinfo endpoint answers a malformed body with a 4xx JSON error", arguments: bodies)
    func userinfo(body: Body) async throws {
        try await withTestIdP { idp in
            let response = try await idp.send(.post, "/userinfo", body: body.bytes, contentType: body.contentType)
            #expect(response.status == body.userinfoStatus, "\(text(response))")
            if response.status == .unauthorized {
                // No token found: RFC 6750 §3.1's bare challenge, no error information.
                #expect(response.headers[.wwwAuthenticate] == #"Bearer realm="mock-idp""#)
            } else {
                #expect(response.headers[.contentType]?.hasPrefix("application/json") == true)
                #expect(try oauthError(response).error.isEmpty == false)
            }
        }
    }

    @Test("the authorization endpoint answers a malformed POST with its error page, never a redirect", arguments: bodies)
    func authorizePost(body: Body) async throws {
        try await withTestIdP { idp in
            let response = try await idp.send(.post, "/authorize", body: body.bytes, contentType: body.contentType)
            #expect(response.status == body.pageStatus)
            #expect(response.headers[.location] == nil)
            #expect(response.headers[.contentType]?.hasPrefix("text/html") == true)
        }
    }

    @Test(
        "the authorization endpoint answers a malformed query with its error page, never a redirect",
        arguments: [
            "response_type=code&client_id=%FF&redirect_uri=http%3A%2F%2Flocalhost%3A3000%2Fcallback",
            "response_type=code&client_id=budgetify&redirect_uri=http%3A%2F%2Flocalhost%3A3000%2Fcallback&state=%zz",
            "response_type=code&client_id=budgetify&redirect_uri=http%3A%2F%2Flocalhost%3A3000%2Fcallback&state=%E2%82",
            "client_id=budgetify&redirect_uri=http%3A%2F%2Flocalhost%3A3000%2Fcallback&" + (0..<300).map { "p\($0)=v" }.joined(separator: "&"),
            "&&&=&==&",
            "client_id=" + String(repeating: "x", count: 100 * 1024),
        ]
    )
    func authorizeQuery(query: String) async throws {
        try await withTestIdP { idp in
            let response = try await idp.client.execute(uri: "/authorize?" + query, method: .get, headers: [:], body: nil)
            #expect(response.status == .badRequest)
            #expect(response.headers[.location] == nil)
            #expect(response.headers[.contentType]?.hasPrefix("text/html") == true)
        }
    }

    @Test("a form Content-Type with a charset parameter is accepted")
    func contentTypeWithCharset() async throws {
        try await withTestIdP { idp in
            let code = try await idp.code()
            let form = FormParameters.encode([
                ("grant_type", "authorization_code"), ("code", code), ("redirect_uri", "http://localhost:3000/callback"),
                ("client_id", "budgetify"), ("client_secret", "budgetify-secret"),
            ])
            let response = try await idp.send(.post, "/token", body: form, contentType: "Application/X-WWW-Form-URLEncoded; charset=UTF-8")
            #expect(response.status == .ok)
        }
    }

    @Test(
        "a method an endpoint does not serve is a 4xx JSON error, never a 5xx",
        arguments: [
            (HTTPRequest.Method.put, "/token"), (.delete, "/token"), (.post, "/jwks"), (.post, "/.well-known/openid-configuration"),
            (.put, "/userinfo"), (.patch, "/authorize"), (.get, "/no-such-endpoint"),
        ]
    )
    func unservedMethod(method: HTTPRequest.Method, path: String) async throws {
        try await withTestIdP { idp in
            let response = try await idp.send(method, path, body: "a=b")
            #expect(response.status.code >= 400 && response.status.code < 500, "\(method) \(path) answered \(response.status)")
            #expect(response.headers[.contentType]?.hasPrefix("application/json") == true)
            #expect(try oauthError(response).error.isEmpty == false)
        }
    }

    @Test("an oversized or garbage Authorization header at the token endpoint is invalid_client")
    func garbageAuthorizationHeader() async throws {
        try await withTestIdP { idp in
            for header in ["Basic " + String(repeating: "QUFB", count: 4096), "\u{7F}\u{01}", "Basic ::::"] {
                let response = try await idp.post("/token", form: [("grant_type", "authorization_code"), ("code", "x")], headers: [.authorization: header])
                #expect(response.status == .unauthorized)
                #expect(try oauthError(response).error == "invalid_client")
            }
        }
    }
}
