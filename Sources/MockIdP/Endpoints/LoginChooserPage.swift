import Hummingbird

/// The user chooser: on `prompt=login`, `prompt=select_account` or with `--login-page`, the authorization request shows
/// the seeded users; one click signs in as that user, Deny answers `access_denied` to the client. Below the list, a form
/// signs in as any subject typed in, with optional claims as a JSON object (`AdHocSignIn`).
///
/// Each choice re-submits the original authorization request to the authorization endpoint, plus the choice, so every
/// check runs again on the way back.
enum LoginChooserPage {
    static let userParameter = "mockidp_user"
    static let actionParameter = "mockidp_action"

    /// The page; with `error` (a typed subject or its claims refused), a 400 showing it beside the typed values.
    ///
    /// - Parameter authorizePath: the authorization endpoint's path, whose last segment the forms post to (relative to
    ///   the page, which is served at that path).
    static func response(form: FormParameters, client: Client, users: [User], authorizePath: String, error: String? = nil) -> Response {
        let hidden = AuthorizationPageForm.hiddenInputs(form)
        let action = AuthorizationPageForm.action(authorizePath: authorizePath)
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
                <li><form method="post" action="\(action)">\(hidden)
                <button type="submit" name="\(userParameter)" value="\(HTML.escape(user.sub))" class="user" data-sub="\(HTML.escape(user.sub))">
                <strong>\(HTML.escape(name))</strong><br><small>\(HTML.escape(user.username)) · sub \(HTML.escape(user.sub))\(email)</small>
                </button></form></li>
                """
        }
        body += "</ul>\n" + adHocForm(form: form, action: action, hidden: hidden, error: error)
        body += """
            <form method="post" action="\(action)">\(hidden)
            <button type="submit" name="\(actionParameter)" value="deny" id="deny">Deny</button></form>
            """
        let style = """
            .users{list-style:none;padding:0}.users li{margin:.5rem 0}
            .user{width:100%;text-align:left;padding:.6rem .9rem;border:1px solid #9aa6b4;border-radius:6px;background:#f5f7fa;cursor:pointer}
            .adhoc{margin:1rem 0;padding:.6rem .9rem;border:1px dashed #9aa6b4;border-radius:6px}
            .adhoc label{display:block;margin:.4rem 0}.adhoc input,.adhoc textarea{width:100%;box-sizing:border-box;font-family:monospace}
            .adhoc .error{color:#c62828;font-weight:bold}
            #deny{padding:.4rem 1rem;border:1px solid #c62828;color:#c62828;background:#fff;border-radius:4px;cursor:pointer}
            """
        return HTML.response(
            HTML.page(title: "Sign in", body: body, style: style), status: error == nil ? .ok : .badRequest, headers: [.cacheControl: "no-store"]
        )
    }

    /// "Sign in as anyone": a subject and optional claims, kept as typed when the page comes back with `error`;
    /// `login_hint=sub:NAME` fills in the subject.
    private static func adHocForm(form: FormParameters, action: String, hidden: String, error: String?) -> String {
        let hintedSubject = form["login_hint"].flatMap { hint in
            hint.hasPrefix(AdHocSignIn.loginHintPrefix) ? String(hint.dropFirst(AdHocSignIn.loginHintPrefix.count)) : nil
        }
        let subject = form[AdHocSignIn.subjectParameter] ?? hintedSubject ?? ""
        let claims = form[AdHocSignIn.claimsParameter] ?? ""
        let message = error.map { #"<p class="error" id="adhoc-error" role="alert">\#(HTML.escape($0))</p>"# } ?? ""
        // A newline right after <textarea> is dropped by HTML parsers, so one is written to keep a typed leading newline.
        return """
            <form method="post" action="\(action)" class="adhoc" id="adhoc">\(hidden)
            <strong>Sign in as anyone</strong>\(message)
            <label for="mockidp_sub">Subject (<code>sub</code>)</label>
            <input type="text" name="\(AdHocSignIn.subjectParameter)" id="mockidp_sub" value="\(HTML.escape(subject))" required autocomplete="off">
            <label for="mockidp_claims">Claims (optional JSON object, released by the requested scopes)</label>
            <textarea name="\(AdHocSignIn.claimsParameter)" id="mockidp_claims" rows="5" placeholder='{"name": "Erin Example", "email": "erin@example.com"}'>
            \(HTML.escape(claims))</textarea>
            <button type="submit" id="adhoc-sign-in">Sign in as this subject</button></form>
            """
    }
}
