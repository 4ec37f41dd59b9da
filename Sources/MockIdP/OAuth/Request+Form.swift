import Hummingbird
import HTTPTypes

extension Request {
    /// The request's form parameters: the query string for GET, the `application/x-www-form-urlencoded` body otherwise.
    ///
    /// - Throws: `invalid_request` for another content type, a body over `maxSize`, or malformed encoding.
    mutating func formParameters(maxSize: Int) async throws(OAuthError) -> FormParameters {
        let form = try await parseFormParameters(maxSize: maxSize)
        RequestNote.form(form)
        return form
    }

    private static let formContentType = "application/x-www-form-urlencoded"

    private mutating func parseFormParameters(maxSize: Int) async throws(OAuthError) -> FormParameters {
        if method == .get || method == .head {
            return try FormParameters.oauth(query: uri.query)
        }
        let buffer: ByteBuffer
        do {
            buffer = try await collectBody(upTo: maxSize)
        } catch {
            throw OAuthError(.invalidRequest, "request body is larger than \(maxSize) bytes", status: .contentTooLarge)
        }
        if buffer.readableBytes == 0 && headers[.contentType] == nil {
            return FormParameters()
        }
        guard let contentType = headers[.contentType],
            contentType == Self.formContentType
                || contentType.split(separator: ";").first?.trimmingCharacters(in: " ").lowercased() == Self.formContentType
        else {
            throw OAuthError(.invalidRequest, "expected Content-Type application/x-www-form-urlencoded, got \(headers[.contentType] ?? "none")")
        }
        return try FormParameters.oauth(parsing: buffer.readableBytesView)
    }
}

extension Request {
    /// The form of a request a browser sends to a page (authorization, device verification, logout): its errors are
    /// shown to the user as a page, never sent back as JSON or redirected (RFC 6749 §4.1.2.1).
    mutating func pageFormParameters(maxSize: Int) async throws(AuthorizationPageError) -> FormParameters {
        do {
            return try await formParameters(maxSize: maxSize)
        } catch {
            throw AuthorizationPageError(error: error)
        }
    }
}
