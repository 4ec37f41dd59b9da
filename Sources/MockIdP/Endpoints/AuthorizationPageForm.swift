/// What the authorization endpoint's pages (the user chooser, the consent page) carry through their forms: the original
/// authorization request as hidden inputs, so that a choice re-submits it to the authorization endpoint and every check
/// runs again on the way back.
enum AuthorizationPageForm {
    /// MockIdP's own page parameters: each page adds those it needs itself, and none is carried from one page to the next.
    static let ownParameters: Set = [
        LoginChooserPage.userParameter, LoginChooserPage.actionParameter, AdHocSignIn.subjectParameter, AdHocSignIn.claimsParameter,
        ConsentPage.decisionParameter, ConsentPage.scopeParameter,
    ]

    /// The request's parameters as hidden inputs, HTML-escaped, each repeatable one (`resource`) once per value.
    static func hiddenInputs(_ form: FormParameters) -> String {
        let single = form.values.sorted { $0.key < $1.key }
            .filter { !ownParameters.contains($0.key) && !FormParameters.repeatableNames.contains($0.key) }
            .map { hiddenInput($0.key, $0.value) }
        let repeated = FormParameters.repeatableNames.subtracting(ownParameters).sorted().flatMap { name in
            form.all(name).map { hiddenInput(name, $0) }
        }
        return (single + repeated).joined()
    }

    static func hiddenInput(_ name: String, _ value: String) -> String {
        #"<input type="hidden" name="\#(HTML.escape(name))" value="\#(HTML.escape(value))">"#
    }

    /// Where the page's forms post: the authorization endpoint's last path segment, relative to the page (which is
    /// served at that path).
    static func action(authorizePath: String) -> String {
        HTML.escape(String(authorizePath.split(separator: "/").last ?? "authorize"))
    }
}
