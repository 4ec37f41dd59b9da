import Hummingbird

/// The user chooser: on `prompt=login`, `prompt=select_account` or with `--login-page`, the authorization request shows
/// the seeded users; one click signs in as that user, Deny answers `access_denied` to the client.
///
/// Each choice re-submits the original authorization request to the authorization endpoint, plus the choice, so every
/// check runs again on the way back.
enum LoginChooserPage {
    static let userParameter = "mockidp_user"
    static let actionParameter = "mockidp_action"

    /// - Parameter authorizePath: the authorization endpoint's path, whose last segment the forms post to (relative to
    ///   the page, which is served at that path).
    static func response(form: FormParameters, client: Client, users: [User], authorizePath: String) -> Response {
        let hidden = form.values.sorted { $0.key < $1.key }
            .filter { $0.key != userParameter && $0.key != actionParameter && !FormParameters.repeatableNames.contains($0.key) }
            .map { #"<input type="hidden" name="\#(HTML.escape($0.key))" value="\#(HTML.escape($0.value))">"# }
            .joined()
        let resources = form.all("resource").map { #"<input type="hidden" name="resource" value="\#(HTML.escape($0))">"# }.joined()
        let action = String(authorizePath.split(separator: "/").last ?? "authorize")
        var body = """
            <h1>Sign in to <code>\(HTML.escape(client.clientID))</code></h1>
            <p>MockIdP signs you in as the user you pick; no password needed.
            Requested scope: <code>\(HTML.escape(form["scope"] ?? (client.scopes ?? []).joined(separator: " ")))</code></p>
            <ul class="users">
            """
        for user in users {
            let name = user.claims["name"]?.stringValue ?? user.username
            let email = user.claims["email"]?.stringValue.map { " · \(HTML.escape($0))" } ?? ""
            body += """
                <li><form method="post" action="\(action)">\(hidden)\(resources)
                <button type="submit" name="\(userParameter)" value="\(HTML.escape(user.sub))" class="user" data-sub="\(HTML.escape(user.sub))">
                <strong>\(HTML.escape(name))</strong><br><small>\(HTML.escape(user.username)) · sub \(HTML.escape(user.sub))\(email)</small>
                </button></form></li>
                """
        }
        body += """
            </ul>
            <form method="post" action="\(action)">\(hidden)\(resources)
            <button type="submit" name="\(actionParameter)" value="deny" id="deny">Deny</button></form>
            """
        let style = """
            .users{list-style:none;padding:0}.users li{margin:.5rem 0}
            .user{width:100%;text-align:left;padding:.6rem .9rem;border:1px solid #9aa6b4;border-radius:6px;background:#f5f7fa;cursor:pointer}
            #deny{padding:.4rem 1rem;border:1px solid #c62828;color:#c62828;background:#fff;border-radius:4px;cursor:pointer}
            """
        return HTML.response(HTML.page(title: "Sign in", body: body, style: style), headers: [.cacheControl: "no-store"])
    }
}
