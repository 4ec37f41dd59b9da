import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

@testable import MockIdP

@Suite struct InspectorPageTests {
    /// GET /debug as a browser asks for it.
    static func page(_ idp: TestIdP, _ filters: [(String, String)] = []) async throws -> TestResponse {
        try await idp.get("/debug", filters, headers: [.accept: "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"])
    }

    @Test("with Accept: text/html, GET /debug is an HTML page")
    func html() async throws {
        try await withTestIdP { idp in
            let response = try await Self.page(idp)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType]?.hasPrefix("text/html") == true)
            let page = text(response)
            #expect(page.hasPrefix("<!doctype html>"))
            #expect(page.contains("MockIdP inspector"))
            #expect((try? JSONSerialization.jsonObject(with: Data(response.body.readableBytesView))) == nil)
        }
    }

    @Test("the page lists the tokens of a flow with their decoded header and payload, statuses and the code")
    func listsFlow() async throws {
        try await withTestIdP { idp in
            let issued = try await idp.codeFlowTokens(scope: "openid profile")
            let accessToken = try #require(issued["access_token"] as? String)
            let refreshToken = try #require(issued["refresh_token"] as? String)
            #expect(try await idp.revoke(refreshToken).status == .ok)
            _ = try await idp.code()

            let page = htmlUnescaped(text(try await Self.page(idp)))
            #expect(page.contains(accessToken))
            #expect(page.contains(refreshToken))
            #expect(page.contains(#""sub" : "alice""#) || page.contains(#""sub":"alice""#), "no decoded payload with sub alice")
            #expect(page.contains(#""typ" : "at+jwt""#) || page.contains(#""typ":"at+jwt""#), "no decoded header with typ at+jwt")
            #expect(page.contains(#""name" : "Alice Andersen""#) || page.contains(#""name":"Alice Andersen""#))
            for section in ["access token", "id token", "refresh token"] {
                #expect(page.contains(section), "no \(section) card")
            }
            #expect(page.contains(#"<span class="status revoked">revoked</span>"#))
            #expect(page.contains(#"<span class="status used">used</span>"#))
            #expect(page.contains(#"<span class="status active">active</span>"#))
            #expect(page.contains("<h2>Authorization codes</h2>"))
            #expect(page.contains("budgetify"))
        }
    }

    @Test("the page shows expired entries once the clock has moved, and says so")
    func expired() async throws {
        try await withTestIdP { idp in
            _ = try await idp.codeFlowTokens()
            try await idp.advanceClock(by: 3600)

            let page = text(try await Self.page(idp))
            #expect(page.contains(#"<span class="status expired">expired</span>"#))
            #expect(page.contains("clock advanced 3600 s"))
        }
    }

    @Test("the page shows the request log, with errors")
    func requestLog() async throws {
        try await withTestIdP { idp in
            let response = try await idp.tokenRequest("client_credentials", as: ClientCredentials(clientID: "reconciler", secret: "wrong"))
            let description = try oauthError(response).description

            let page = text(try await Self.page(idp))
            #expect(page.contains("<h2>Recent requests</h2>"))
            #expect(page.contains(#"<tr class="request" id="request-"#))
            #expect(page.contains("POST /token"))
            #expect(page.contains("client_credentials"))
            #expect(page.contains("invalid_client"))
            #expect(page.contains(HTML.escape(description)))
            #expect(page.contains(">401<"))
        }
    }

    @Test("the page has the reset and advance-clock buttons, wired to the /debug routes")
    func buttons() async throws {
        try await withTestIdP { idp in
            let page = text(try await Self.page(idp))
            #expect(page.contains(#"<button id="reset""#))
            #expect(page.contains("act(&#39;DELETE&#39;,&#39;/debug&#39;)") || page.contains("act('DELETE','/debug')"))
            #expect(page.contains(#"<button id="advance""#))
            #expect(page.contains("/debug/clock"))
            #expect(page.contains("advance_seconds"))
        }
    }

    @Test("hostile claim values are HTML-escaped in the page")
    func escapesHostileValues() async throws {
        try await withTestIdP { idp in
            let hostile = #"<script>alert("x")</script><img src=x onerror=alert(1)>"#
            _ = try await idp.mint(
                #"{"client_id": "budgetify", "sub": "alice", "scope": "openid", "claims": {"note": "<script>alert(\"x\")</script><img src=x onerror=alert(1)>"}}"#
            )
            _ = try await idp.postJSON("/debug/users", #"{"sub": "<b>mallory</b>", "username": "mallory"}"#)
            _ = try await idp.mint(#"{"client_id": "budgetify", "sub": "mallory", "scope": "openid"}"#)

            let page = text(try await Self.page(idp))
            #expect(!page.contains("<script>alert"))
            #expect(!page.contains("<img src=x"))
            #expect(!page.contains("<b>mallory</b>"))
            #expect(page.contains("&lt;script&gt;alert("))
            #expect(page.contains("&lt;b&gt;mallory&lt;/b&gt;"))
            // Unescaped, the decoded payload carries the value as issued.
            #expect(htmlUnescaped(page).contains(hostile.replacing("\"", with: #"\""#)))
        }
    }

    @Test("a hostile request parameter is HTML-escaped in the request log")
    func escapesRequestLog() async throws {
        try await withTestIdP { idp in
            _ = try await idp.post("/token", form: [("grant_type", "<script>alert(1)</script>"), ("client_id", "<i>x</i>")])

            let page = text(try await Self.page(idp))
            #expect(!page.contains("<script>alert(1)"))
            #expect(!page.contains("<i>x</i>"))
            #expect(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        }
    }

    @Test("filters apply to the page too")
    func filters() async throws {
        try await withTestIdP { idp in
            let budgetify = try #require(try await idp.codeFlowTokens()["access_token"] as? String)
            let spa = try #require(try await idp.spaTokens()["access_token"] as? String)

            let page = text(try await Self.page(idp, [("client_id", "budgetify-spa")]))
            #expect(page.contains(spa))
            #expect(!page.contains(budgetify))
        }
    }

    @Test("Accept: application/json, */* or no Accept gets JSON", arguments: ["application/json", "*/*", "application/json, text/html", nil])
    func jsonOtherwise(accept: String?) async throws {
        try await withTestIdP { idp in
            _ = try await idp.codeFlowTokens()
            var headers: HTTPFields = [:]
            if let accept { headers[.accept] = accept }

            let response = try await idp.get("/debug", headers: headers)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType]?.hasPrefix("application/json") == true)
            let body = try json(response)
            #expect(try #require(body["tokens"] as? [Any]).count == 3)
        }
    }
}
