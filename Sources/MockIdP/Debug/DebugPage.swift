#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The browser inspector at `GET /debug` (Accept: text/html): plain server-rendered HTML and a little JavaScript,
/// no external assets, so it works offline.
enum DebugPage {
    /// - Parameter debugPath: the issuer's /debug (`/debug`, `/realms/alpha-bank/debug`), which the buttons call.
    static func render(
        snapshot: IssuedSnapshot, requests: [LoggedRequest], keys: [String], debugPath: String = "/debug", flows: [MockIdPFlow] = []
    ) -> String {
        let debugPath = HTML.escape(debugPath)
        let offset = snapshot.offsetSeconds == 0 ? "" : " (clock advanced \(snapshot.offsetSeconds) s)"
        var body = """
            <header data-server-now="\(snapshot.now)"><h1>MockIdP inspector</h1>
            <p class="meta">Server time <time data-epoch="\(snapshot.now)">\(snapshot.now)</time>\(offset) · \(snapshot.codes.count) code(s), \(snapshot.tokens.count) token(s) ·
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
        body += flowSection(flows, now: snapshot.now)
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
                body += "<tr class=\"request\" id=\"request-\(entry.id)\"><td><time data-epoch=\"\(entry.time)\">\(entry.time)</time> <small>#\(entry.id)</small></td><td>\(HTML.escape(entry.method)) \(HTML.escape(entry.path))"
                body += entry.grantType.map { " <small>\(HTML.escape($0))</small>" } ?? ""
                body += "</td><td>\(HTML.escape(entry.clientID ?? ""))</td><td class=\"http\(entry.status / 100)xx\">\(entry.status)</td><td>\(error)</td></tr>"
            }
            body += "</table>"
        }
        body += script
        return HTML.page(title: "Inspector", body: body, style: style)
    }

    /// The anchor of a token's card: the end of its value (a JWT's signature), which differs between tokens.
    static func anchor(ofToken value: String) -> String {
        "token-" + String(value.suffix(16).map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : "_" })
    }

    private static func tokenCard(_ token: IssuedTokenInfo, now: Int) -> String {
        let flowLink = token.lineage.flow.map { " <a class=\"flow-link\" href=\"#flow-\(HTML.escape($0))\">its flow</a>" } ?? ""
        var card = """
            <section class="token \(token.type)" id="\(anchor(ofToken: token.token))"><div class="row"><strong>\(token.type.replacing("_", with: " "))</strong>
            <span class="status \(token.status.rawValue)">\(token.status.rawValue)</span>
            <span>client <code>\(HTML.escape(token.clientID))</code></span>
            <span>sub <code>\(HTML.escape(token.sub ?? "—"))</code></span>
            <span>\(expiry(token.expiresAt, now: now))</span>\(flowLink)</div>
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
        let text = left <= 0 ? "expired \(duration(-left)) ago" : "expires in \(duration(left))"
        return "<time data-epoch=\"\(expiresAt)\" data-relative=\"expiry\" title=\"\(expiresAt)\">\(text)</time>"
    }

    // MARK: Flows

    /// The flow timeline: one card per flow, newest first, each event in time order, with filters the page's script
    /// applies (client, user, status, text).
    private static func flowSection(_ flows: [MockIdPFlow], now: Int) -> String {
        var section = """
            <section class="flows"><h2>Flows</h2>
            <div class="actions filters"><label>client <input id="flow-client" size="14"></label>
            <label>user <input id="flow-user" size="12"></label>
            <label>status <select id="flow-status"><option value="">any</option><option>active</option><option>pending</option>\
            <option>failed</option><option>revoked</option><option>ended</option></select></label>
            <label>search <input id="flow-text" size="24" placeholder="error, path, parameter…"></label>
            <span id="flow-count"></span></div>
            """
        if flows.isEmpty {
            section += "<p class=\"empty\">No flows yet. Each authorization, device approval or client-credentials call starts one.</p>"
        }
        for flow in flows {
            let searchable = ([flow.id, flow.clientID ?? "", flow.sub ?? "", flow.scope ?? "", flow.grantType ?? ""]
                + flow.events.flatMap { event in
                    [event.summary, event.path ?? "", event.error ?? "", event.errorDescription ?? "", event.rule ?? ""]
                        + (event.parameters.map { Array($0.values) } ?? [])
                }).joined(separator: " ").lowercased()
            let failed = flow.failures > 0 || flow.status == "failed"
            section += """
                <section class="flow\(failed ? " has-failures" : "")" id="flow-\(HTML.escape(flow.id))" data-client="\(HTML.escape(flow.clientID ?? ""))" \
                data-user="\(HTML.escape(flow.sub ?? ""))" data-status="\(flow.status)" data-failed="\(failed ? "1" : "0")" data-text="\(HTML.escape(searchable))">
                <div class="row"><strong>\(HTML.escape(flow.grantType ?? "request"))</strong>
                <span class="status \(flow.status)">\(flow.status)</span>
                <span>client <code>\(HTML.escape(flow.clientID ?? "—"))</code></span><span>sub <code>\(HTML.escape(flow.sub ?? "—"))</code></span>
                <span>started <time data-epoch="\(flow.startedAt)">\(flow.startedAt)</time></span>\
                \(flow.failures > 0 ? "<span class=\"failures\">\(flow.failures) refused</span>" : "")</div>
                <div class="scope">\(HTML.escape(flow.scope ?? ""))</div><ol class="timeline">
                """
            for event in flow.events {
                let refused = (event.status ?? 0) >= 400 || event.error != nil
                section += "<li class=\"event \(refused ? "refused" : "ok")\"><time data-epoch=\"\(event.time)\">\(event.time)</time> "
                section += "<b>\(HTML.escape(event.kind.replacing("_", with: " ")))</b> "
                if let method = event.method, let path = event.path, let status = event.status {
                    let link = event.request.map { " <a href=\"#request-\($0)\">#\($0)</a>" } ?? ""
                    section += "<code>\(HTML.escape(method)) \(HTML.escape(path))</code> <span class=\"http\(status / 100)xx\">\(status)</span>\(link) "
                }
                section += "<span class=\"summary\">\(HTML.escape(event.summary))</span>"
                if let rule = event.rule { section += " <span class=\"rule\">\(HTML.escape(rule))</span>" }
                let tokens = event.tokens.filter { $0.type != "code" && $0.type != "device_code" }
                if !tokens.isEmpty {
                    section += "<div class=\"tokens\">" + tokens.map { token in
                        "<a href=\"#\(anchor(ofToken: token.value))\">\(HTML.escape(token.type.replacing("_", with: " "))) \(HTML.escape(token.action))</a>"
                    }.joined(separator: " · ") + "</div>"
                }
                if let parameters = event.parameters, !parameters.isEmpty {
                    let list = parameters.sorted { $0.key < $1.key }.map { "\(HTML.escape($0.key))=\(HTML.escape($0.value))" }.joined(separator: "\n")
                    section += "<details><summary>parameters</summary><pre>\(list)</pre></details>"
                }
                section += "</li>"
            }
            section += "</ol></section>"
        }
        return section + "</section>"
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
        // Times: local clock time and how long ago (or, for expiries, how long until), by the server's clock.
        const serverSkew = Number(document.querySelector('header[data-server-now]').dataset.serverNow) * 1000 - Date.now();
        function words(seconds) {
          const s = Math.abs(Math.round(seconds));
          if (s < 60) return s + ' s';
          if (s < 3600) return Math.round(s / 60) + ' min';
          if (s < 172800) return Math.round(s / 3600) + ' h';
          return Math.round(s / 86400) + ' d';
        }
        function renderTimes() {
          const now = (Date.now() + serverSkew) / 1000;
          for (const element of document.querySelectorAll('time[data-epoch]')) {
            const epoch = Number(element.dataset.epoch);
            const local = new Date(epoch * 1000).toLocaleString();
            const delta = epoch - now;
            const relative = element.dataset.relative === 'expiry'
              ? (delta > 0 ? 'expires in ' + words(delta) : 'expired ' + words(delta) + ' ago')
              : (Math.abs(delta) < 1 ? 'now' : delta < 0 ? words(delta) + ' ago' : 'in ' + words(delta));
            const text = element.dataset.relative === 'expiry' ? relative + ' (' + local + ')' : local + ' (' + relative + ')';
            if (element.textContent !== text) element.textContent = text;
            element.title = epoch + ' (epoch seconds, server clock)';
          }
        }
        // Flow filters: client, user, status and text, applied as they are typed.
        function applyFlowFilters() {
          const value = (id) => (document.getElementById(id) || {value: ''}).value.trim().toLowerCase();
          const client = value('flow-client'), user = value('flow-user'), status = value('flow-status'), text = value('flow-text');
          let shown = 0, all = 0;
          for (const flow of document.querySelectorAll('section.flow')) {
            all++;
            const data = flow.dataset;
            const keep = (!client || data.client.toLowerCase() === client) && (!user || data.user.toLowerCase() === user)
              && (!status || (status === 'failed' ? data.failed === '1' : data.status === status))
              && (!text || data.text.includes(text));
            flow.hidden = !keep;
            if (keep) shown++;
          }
          const count = document.getElementById('flow-count');
          const counted = shown === all ? all + ' flow(s)' : shown + ' of ' + all + ' flow(s)';
          if (count && count.textContent !== counted) count.textContent = counted;
        }
        document.addEventListener('input', (event) => { if (event.target.closest && event.target.closest('.filters')) applyFlowFilters(); });
        function refreshDerived() { renderTimes(); applyFlowFilters(); }
        refreshDerived();
        setInterval(renderTimes, 15000);
        // Parts of the page replaced later (a live update) get their times and filters too. Only added elements count:
        // the text these functions write themselves must not wake the observer again.
        new MutationObserver((changes) => {
          if (changes.some((change) => [...change.addedNodes].some((node) => node.nodeType === Node.ELEMENT_NODE))) refreshDerived();
        }).observe(document.body, {childList: true, subtree: true});
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
        .flow{border:1px solid #d5dbe3;border-left:4px solid #2e7d32;border-radius:6px;padding:.5rem .9rem;margin:.7rem 0}
        .flow.has-failures{border-left-color:#c62828}.failures{color:#c62828;font-weight:bold}
        .timeline{margin:.3rem 0;padding-left:1.2rem;font-size:.85rem}.timeline li{margin:.25rem 0}
        .timeline li.refused{color:#8e1b1b}.timeline li.refused .summary{font-weight:bold}
        .rule{background:#fdecea;border-radius:4px;padding:0 .3rem;font-size:.75rem}.tokens{font-size:.8rem;margin-left:1rem}
        .pending{background:#1565c0}.failed{background:#c62828}.ended{background:#6d6d6d}
        .timeline details pre{font-size:.75rem}time{white-space:nowrap}
        """
}
