import Hummingbird
import HTTPTypes
import NIOCore

/// An authorization response or error, delivered to a redirect URI that was already validated.
struct AuthorizationResponse: ResponseGenerator, Sendable {
    let redirectURI: String
    let mode: ResponseMode
    let parameters: [(String, String)]

    func response(from request: Request, context: some RequestContext) throws -> Response {
        switch mode {
        case .query:
            let separator = redirectURI.contains("?") ? "&" : "?"
            return redirect(to: redirectURI + separator + FormParameters.encode(parameters))
        case .fragment:
            return redirect(to: redirectURI + "#" + FormParameters.encode(parameters))
        case .formPost:
            let inputs = parameters.map { #"<input type="hidden" name="\#(HTML.escape($0.0))" value="\#(HTML.escape($0.1))">"# }
            let html = HTML.page(
                title: "Submitting…",
                body: #"<form method="post" action="\#(HTML.escape(redirectURI))">\#(inputs.joined())<noscript><button type="submit">Continue</button></noscript></form>"#
                    + "<script>document.forms[0].submit()</script>"
            )
            return HTML.response(html, headers: [.cacheControl: "no-store"])
        }
    }

    private func redirect(to location: String) -> Response {
        Response(status: .found, headers: [.location: location, .cacheControl: "no-store"])
    }
}
