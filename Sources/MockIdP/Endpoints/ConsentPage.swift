import Hummingbird

/// The consent page: with `--consent-page`, `prompt=consent` or a client's `"consent": true`, the signed-in user sees
/// the client and each requested scope with its description, as a checkbox list. Allow grants the checked scopes only
/// (a partial grant, RFC 6749 §3.3), Deny answers `access_denied` to the client.
///
/// The form re-submits the original authorization request to the authorization endpoint with the signed-in user
/// (`mockidp_user`) and the decision (`mockidp_consent=allow|deny`, one `mockidp_consent_scope` per checked box), so
/// every check runs again on the way back and the decision is validated like any other input.
///
/// `openid` is no checkbox: an ID token needs it (OIDC Core §3.1.2.1), so the page shows it as required and Allow always
/// grants it when it was requested.
enum ConsentPage {
    static let decisionParameter = "mockidp_consent"
    /// One per checked box; `FormParameters.repeatableNames` lets it repeat.
    static let scopeParameter = "mockidp_consent_scope"
    /// Granted with Allow whenever requested: no ID token without it (OIDC Core §3.1.2.1).
    static let fixedScope = "openid"

    /// The scopes a decision posted from the page grants, in the order requested; `nil` when the request carries none.
    ///
    /// - Throws: `access_denied` for Deny, and for Allow with no scope checked (of a request that asked for some);
    ///   `invalid_request` for a decision that is neither, a checked scope that was not requested (a forged one never
    ///   widens the grant), a scope checked twice, or checked scopes without a decision.
    static func decision(_ form: FormParameters, requested: [String]) throws(OAuthError) -> [String]? {
        let checked = form.all(scopeParameter)
        guard let decision = form[decisionParameter] else {
            if !checked.isEmpty {
                throw OAuthError(.invalidRequest, "\(scopeParameter) was sent without \(decisionParameter)=allow")
            }
            return nil
        }
        switch decision {
        case "deny":
            throw OAuthError(.accessDenied, "the user denied consent on MockIdP's consent page")
        case "allow":
            var seen = Set<String>()
            for scope in checked {
                guard requested.contains(scope) else {
                    throw OAuthError(.invalidRequest, "\(scopeParameter) \"\(scope)\" was not requested: consent grants only requested scopes")
                }
                guard seen.insert(scope).inserted else {
                    throw OAuthError(.invalidRequest, "\(scopeParameter) \"\(scope)\" was sent more than once")
                }
            }
            let granted = requested.filter { $0 == fixedScope || seen.contains($0) }
            if granted.isEmpty && !requested.isEmpty {
                throw OAuthError(.accessDenied, "the user allowed none of the requested scopes on MockIdP's consent page")
            }
            return granted
        default:
            throw OAuthError(.invalidRequest, "\(decisionParameter) must be allow or deny, not \"\(decision)\"")
        }
    }

    /// The page for `user`, asking for `scopes` on behalf of `client`.
    ///
    /// - Parameters:
    ///   - clientName: the `client_name` the client registered (RFC 7591 §2), shown beside its `client_id`.
    ///   - authorizePath: the authorization endpoint's path, whose last segment the form posts to.
    static func response(
        form: FormParameters, client: Client, clientName: String?, user: User, scopes: [String], registry: Registry, authorizePath: String
    ) -> Response {
        let hidden = AuthorizationPageForm.hiddenInputs(form) + AuthorizationPageForm.hiddenInput(LoginChooserPage.userParameter, user.sub)
        let action = AuthorizationPageForm.action(authorizePath: authorizePath)
        let clientID = "<code>\(HTML.escape(client.clientID))</code>"
        let title = clientName.map { "<strong>\(HTML.escape($0))</strong> (\(clientID))" } ?? clientID
        let name = user.claims["name"]?.stringValue ?? user.username
        let email = user.claims["email"]?.stringValue.map { " · \(HTML.escape($0))" } ?? ""
        var rows = ""
        for (index, scope) in scopes.enumerated() {
            let description = registry.scopesByName[scope]?.description.map(HTML.escape) ?? #"<span class="none">no description in scopes.json</span>"#
            let id = "scope-\(index)"
            let box =
                scope == fixedScope
                ? #"<input type="checkbox" id="\#(id)" checked disabled>"# + AuthorizationPageForm.hiddenInput(scopeParameter, scope)
                : #"<input type="checkbox" name="\#(scopeParameter)" value="\#(HTML.escape(scope))" id="\#(id)" checked>"#
            let required = scope == fixedScope ? #" <small class="required">required to sign you in</small>"# : ""
            rows += """
                <li class="scope" data-scope="\(HTML.escape(scope))">\(box)
                <label for="\(id)"><code>\(HTML.escape(scope))</code>\(required)<br><span class="description">\(description)</span></label></li>
                """
        }
        if scopes.isEmpty { rows = #"<li class="none">No scope was requested.</li>"# }
        let body = """
            <h1>Allow \(title) to access your account?</h1>
            <p class="user" id="signed-in-user">Signed in as <strong>\(HTML.escape(name))</strong>
            <small>\(HTML.escape(user.username)) · sub \(HTML.escape(user.sub))\(email)</small></p>
            <form method="post" action="\(action)" id="consent">\(hidden)
            <p>\(clientID) asks for these scopes. Uncheck what it should not get: Allow grants only the checked ones.</p>
            <ul class="scopes">\(rows)</ul>
            <button type="submit" name="\(decisionParameter)" value="allow" id="allow">Allow</button>
            <button type="submit" name="\(decisionParameter)" value="deny" id="deny">Deny</button>
            </form>
            """
        let style = """
            .user{padding:.6rem .9rem;border:1px solid #9aa6b4;border-radius:6px;background:#f5f7fa}
            .scopes{list-style:none;padding:0}.scope{display:flex;gap:.6rem;align-items:flex-start;margin:.5rem 0;padding:.5rem .9rem;
            border:1px solid #d5dbe3;border-radius:6px}.scope input{margin-top:.3rem}.scope label{cursor:pointer}
            .description{color:#4a5968}.none{color:#8592a1;font-style:italic}.required{color:#4a5968}
            #allow{padding:.4rem 1.2rem;border:1px solid #1f6f43;color:#fff;background:#1f7a4a;border-radius:4px;cursor:pointer;margin-right:.5rem}
            #deny{padding:.4rem 1rem;border:1px solid #c62828;color:#c62828;background:#fff;border-radius:4px;cursor:pointer}
            """
        return HTML.response(HTML.page(title: "Consent", body: body, style: style), headers: [.cacheControl: "no-store"])
    }
}
