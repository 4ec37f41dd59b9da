import Hummingbird
import HTTPTypes
import NIOCore

/// How an authorization response reaches the client (OAuth 2.0 Multiple Response Types §2.1, Form Post Response Mode).
enum ResponseMode: String, Sendable, CaseIterable {
    case query
    case fragment
    case formPost = "form_post"
}

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

/// Small helpers for the few HTML pages MockIdP serves; no external assets, so they work offline.
enum HTML {
    static func escape(_ text: String) -> String {
        var output = ""
        output.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": output += "&amp;"
            case "<": output += "&lt;"
            case ">": output += "&gt;"
            case "\"": output += "&quot;"
            case "'": output += "&#39;"
            default: output.append(character)
            }
        }
        return output
    }

    static func page(title: String, body: String, style: String = "") -> String {
        """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><title>\(escape(title)) · MockIdP</title>
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <style>body{font-family:system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;color:#1d2733}
        code{background:#eef1f5;padding:.1rem .3rem;border-radius:3px}\(style)</style></head>
        <body>\(body)</body></html>
        """
    }

    static func response(_ html: String, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        var headers = headers
        headers[.contentType] = "text/html; charset=utf-8"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: html)))
    }
}
