import Hummingbird
import HTTPTypes

/// An authorization request that cannot be answered by redirect (RFC 6749 §4.1.2.1): the client or redirect URI is
/// unknown, so the user sees this page and the browser goes nowhere.
struct AuthorizationPageError: HTTPResponseError, Sendable {
    let error: OAuthError

    var status: HTTPResponse.Status { error.status }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        RequestNote.error(error.code.rawValue, error.description)
        let body = """
            <h1>MockIdP cannot continue this sign-in</h1>
            <p><code>\(HTML.escape(error.code.rawValue))</code>: \(HTML.escape(error.description))</p>
            <p>MockIdP never redirects to a client or redirect URI it does not know (RFC 6749 §4.1.2.1).
            Check the request against <code>clients.json</code>.</p>
            """
        return HTML.response(HTML.page(title: "Authorization error", body: body), status: error.status, headers: [.cacheControl: "no-store"])
    }
}
