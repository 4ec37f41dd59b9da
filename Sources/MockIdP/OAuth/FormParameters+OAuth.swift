extension FormParameters {
    /// `invalid_request` naming the first duplicated parameter among `names` (all when `nil`).
    package func rejectDuplicates(among names: Set<String>? = nil) throws(OAuthError) {
        if let name = duplicated.first(where: { names?.contains($0) ?? true }) {
            throw OAuthError(.invalidRequest, "parameter \"\(name)\" was sent more than once (RFC 6749 §3.1)")
        }
    }

    /// Parses a query string; malformed encoding is `invalid_request`.
    package static func oauth(query: String?) throws(OAuthError) -> FormParameters {
        do {
            return try FormParameters(query: query)
        } catch {
            throw OAuthError(error)
        }
    }

    /// Parses a form body; malformed encoding is `invalid_request`.
    package static func oauth(parsing bytes: some Collection<UInt8>) throws(OAuthError) -> FormParameters {
        do {
            return try FormParameters(parsing: bytes)
        } catch {
            throw OAuthError(error)
        }
    }
}

extension OAuthError {
    /// A form that cannot be read is the client's `invalid_request` (RFC 6749 §5.2).
    init(_ malformed: FormParameters.Malformed) {
        self.init(.invalidRequest, malformed.reason)
    }
}
