#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The browser inspector at `GET /debug` (Accept: text/html): plain server-rendered HTML and a little JavaScript,
/// no external assets, so it works offline.
enum DebugPage {
    /// - Parameter debugPath: the issuer's /debug (`/debug`, `/realms/alpha-bank/debug`), which the buttons call.
    static func render(snapshot: IssuedSnapshot, requests: [LoggedRequest], keys: [String], debugPath: String = "/debug") -> String {
        let debugPath = HTML.escape(debugPath)
        let offset = snapshot.offsetSeconds == 0 ? "" : " (clock advanced \(snapshot.offsetSeconds) s)"
        var body = """
            <header><h1>MockIdP inspector</h1>
            <p class="meta">Server time \(snapshot.now)\(offset) · \(snapshot.codes.count) code(s), \(snapshot.tokens.count) token(s) ·
            signing key <code>\(HTML.escape(keys.first ?? ""))</code></p>
            <div class="actions">
            <button id="reset" onclick="act('DELETE','\(debugPath)')">Reset issued codes and tokens</button>
            <label>Advance clock by <input id="seconds" type="number" min="0" value="3600" size="7"> s</label>
            <button id="advance" onclick="act('POST','\(debugPath)/clock',{advance_seconds:Number(document.getElementById('seconds').value)})">Advance</button>
            <button onclick="act('DELETE','\(debugPath)/clock')">Reset clock</button>
            <button onclick="location.reload()">Refresh</button>
            </div></header>
            <section class="explain"><h2>Why is this token rejected?</h2>
            <textarea id="explain-token" rows="3" placeholder="Paste an access, ID or refresh token"></textarea>
            <div class="actions"><label>expected audience <input id="explain-audience" size="28"></label>
            <label>scopes <input id="explain-scope" size="20"></label>
            <button id="explain" onclick="explainToken('\(debugPath)/explain')">Explain</button></div>
            <ol id="explain-checks"></ol><p id="explain-summary"></p></section>
            """
        body += "<h2>Tokens</h2>"
        if snapshot.tokens.isEmpty { body += "<p class=\"empty\">No tokens yet. Run a flow, or POST /debug/tokens.</p>" }
        for token in snapshot.tokens {
            body += tokenCard(token, now: snapshot.now)
        }
        body += "<h2>Authorization codes</h2>"
        if snapshot.codes.isEmpty {
            body += "<p class=\"empty\">No codes yet.</p>"
        } else {
            body += "<table><tr><th>code</th><th>client</th><th>sub</th><th>scope</th><th>status</th><th>expires</th></tr>"
            for code in snapshot.codes {
                body += "<tr class=\"code\"><td><code>\(HTML.escape(String(code.code.prefix(12))))…</code></td><td>\(HTML.escape(code.clientID))</td>"
                body += "<td>\(HTML.escape(code.sub))</td><td>\(HTML.escape(code.scope))</td>"
                body += "<td><span class=\"status \(code.status.rawValue)\">\(code.status.rawValue)</span></td><td>\(expiry(code.expiresAt, now: snapshot.now))</td></tr>"
            }
            body += "</table>"
        }
        if !snapshot.runtimeUsers.isEmpty {
            body += "<h2>Users added at runtime</h2><table><tr><th>sub</th><th>username</th><th>claims</th></tr>"
            for user in snapshot.runtimeUsers {
                let claims = String(decoding: JSONWriter.encode(user.claims), as: UTF8.self)
                body += "<tr class=\"runtime-user\"><td>\(HTML.escape(user.sub))</td><td>\(HTML.escape(user.username))</td><td><code>\(HTML.escape(claims))</code></td></tr>"
            }
            body += "</table>"
        }
        if !snapshot.runtimeClients.isEmpty {
            body += "<h2>Clients added at runtime</h2><table><tr><th>client_id</th><th>how</th><th>name</th><th>redirect_uris</th></tr>"
            for client in snapshot.runtimeClients {
                let name = client.metadata?["client_name"]?.stringValue ?? ""
                let redirects = client.metadata?["redirect_uris"]?.arrayValue?.compactMap(\.stringValue).joined(separator: " ") ?? ""
                body += "<tr class=\"runtime-client\"><td>\(HTML.escape(client.clientID))</td><td>\(client.registered ? "registered (RFC 7591)" : "POST /debug/clients")</td>"
                body += "<td>\(HTML.escape(name))</td><td>\(HTML.escape(redirects))</td></tr>"
            }
            body += "</table>"
        }
        if !snapshot.usedAssertions.isEmpty {
            body += "<h2>Used JWT assertions</h2><table><tr><th>jti</th><th>client_id</th><th>used</th><th>refused again until</th></tr>"
            for used in snapshot.usedAssertions {
                body += "<tr class=\"used-assertion\"><td>\(HTML.escape(used.jti))</td><td>\(HTML.escape(used.clientID))</td>"
                body += "<td>\(used.usedAt)</td><td>\(used.expiresAt)</td></tr>"
            }
            body += "</table>"
        }
        if !snapshot.fetchedDocuments.isEmpty {
            body += "<h2>Fetched documents</h2><table><tr><th>url</th><th>fetched</th><th>fresh until</th><th>document</th></tr>"
            for document in snapshot.fetchedDocuments {
                var writer = JSONWriter()
                if let value = document.document { writer.write(value) }
                let json = document.document == nil ? "(not JSON)" : String(decoding: writer.bytes, as: UTF8.self)
                body += "<tr class=\"fetched-document\"><td>\(HTML.escape(document.url))</td><td>\(document.fetchedAt)</td><td>\(document.freshUntil)</td>"
                body += "<td><code>\(HTML.escape(json))</code></td></tr>"
            }
            body += "</table>"
        }
        body += "<h2>Recent requests</h2>"
        if requests.isEmpty {
            body += "<p class=\"empty\">No requests yet.</p>"
        } else {
            body += "<table><tr><th>time</th><th>request</th><th>client</th><th>status</th><th>error</th></tr>"
            for entry in requests.prefix(100) {
                let error = entry.error.map { "<code>\(HTML.escape($0))</code> \(HTML.escape(entry.errorDescription ?? ""))" } ?? ""
                body += "<tr class=\"request\"><td>\(entry.time)</td><td>\(HTML.escape(entry.method)) \(HTML.escape(entry.path))"
                body += entry.grantType.map { " <small>\(HTML.escape($0))</small>" } ?? ""
                body += "</td><td>\(HTML.escape(entry.clientID ?? ""))</td><td class=\"http\(entry.status / 100)xx\">\(entry.status)</td><td>\(error)</td></tr>"
            }
            body += "</table>"
        }
        body += script
        return HTML.page(title: "Inspector", body: body, style: style)
    }

    private static func tokenCard(_ token: IssuedTokenInfo, now: Int) -> String {
        var card = """
            <section class="token \(token.type)"><div class="row"><strong>\(token.type.replacing("_", with: " "))</strong>
            <span class="status \(token.status.rawValue)">\(token.status.rawValue)</span>
            <span>client <code>\(HTML.escape(token.clientID))</code></span>
            <span>sub <code>\(HTML.escape(token.sub ?? "—"))</code></span>
            <span>\(expiry(token.expiresAt, now: now))</span></div>
            <div class="scope">\(HTML.escape(token.scope))</div>
            <details><summary>token</summary><pre class="raw">\(HTML.escape(token.token))</pre></details>
            """
        if let origin = token.exchangedFrom {
            let actor = origin.actorToken.map { _ in ", with an actor token (\(HTML.escape(origin.actorTokenType ?? "")))" } ?? ""
            card += """
                <div class="exchanged">exchanged (token exchange) from a \(HTML.escape(origin.subjectTokenType)) of \
                <code>\(HTML.escape(origin.subjectIssuer))</code>\(actor)
                <details><summary>subject token</summary><pre class="raw">\(HTML.escape(origin.subjectToken))</pre></details></div>
                """
        }
        if let header = token.header { card += "<div class=\"jwt\"><h4>header</h4><pre>\(HTML.escape(pretty(header)))</pre>" }
        if let claims = token.claims { card += "<h4>payload</h4><pre class=\"claims\">\(HTML.escape(pretty(claims)))</pre></div>" }
        return card + "</section>"
    }

    private static func expiry(_ expiresAt: Int, now: Int) -> String {
        let left = expiresAt - now
        if left <= 0 { return "expired \(duration(-left)) ago" }
        return "expires in \(duration(left))"
    }

    private static func duration(_ seconds: Int) -> String {
        if seconds < 120 { return "\(seconds) s" }
        if seconds < 7200 { return "\(seconds / 60) min" }
        if seconds < 172_800 { return "\(seconds / 3600) h" }
        return "\(seconds / 86400) d"
    }

    private static func pretty(_ object: [String: ClaimValue]) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return (try? String(decoding: encoder.encode(object), as: UTF8.self)) ?? ""
    }

    private static let script = """
        <script>
        async function act(method, path, body) {
          const options = {method, headers: {'Accept': 'application/json'}};
          if (body) { options.body = JSON.stringify(body); options.headers['Content-Type'] = 'application/json'; }
          const response = await fetch(path, options);
          if (!response.ok) { alert(await response.text()); }
          location.reload();
        }
        async function explainToken(path) {
          const value = (id) => document.getElementById(id).value.trim();
          const body = {token: value('explain-token')};
          if (value('explain-audience')) body.audience = value('explain-audience');
          if (value('explain-scope')) body.scope = value('explain-scope');
          const response = await fetch(path, {method: 'POST', headers: {'Content-Type': 'application/json'}, body: JSON.stringify(body)});
          const result = await response.json();
          const list = document.getElementById('explain-checks');
          list.replaceChildren();
          for (const check of result.checks || []) {
            const item = document.createElement('li');
            item.className = check.passed ? 'passed' : 'failed';
            item.textContent = (check.passed ? '✓ ' : '✗ ') + check.name + ': ' + check.detail + ' (' + check.rule + ')';
            list.append(item);
          }
          document.getElementById('explain-summary').textContent = result.summary || result.error_description || '';
        }
        </script>
        """

    private static let style = """
        body{max-width:72rem}
        header{border-bottom:1px solid #d5dbe3;margin-bottom:1rem}.meta{color:#55606e}
        .actions{display:flex;gap:.6rem;align-items:center;flex-wrap:wrap;margin:.8rem 0}
        button{padding:.35rem .8rem;border:1px solid #9aa6b4;border-radius:4px;background:#f5f7fa;cursor:pointer}
        .token{border:1px solid #d5dbe3;border-radius:6px;padding:.6rem .9rem;margin:.7rem 0}
        .row{display:flex;gap:1rem;flex-wrap:wrap;align-items:baseline}.scope{color:#55606e;margin:.3rem 0}
        .jwt{display:grid;grid-template-columns:1fr;gap:0}.jwt h4{margin:.4rem 0 .1rem;font-size:.8rem;color:#55606e}
        pre{background:#f5f7fa;padding:.5rem;overflow-x:auto;font-size:.8rem;margin:0}.raw{white-space:pre-wrap;word-break:break-all}
        .status{padding:.05rem .45rem;border-radius:9px;font-size:.8rem;color:#fff}
        .active{background:#2e7d32}.used{background:#6d6d6d}.expired{background:#b26a00}.revoked{background:#c62828}
        table{border-collapse:collapse;width:100%;font-size:.85rem}td,th{border-bottom:1px solid #e3e7ec;padding:.3rem;text-align:left}
        .http4xx,.http5xx{color:#c62828;font-weight:bold}.empty{color:#55606e}
        .explain textarea{width:100%;font-family:monospace;font-size:.8rem}.explain li{margin:.2rem 0}
        li.passed{color:#2e7d32}li.failed{color:#c62828;font-weight:bold}
        """
}
