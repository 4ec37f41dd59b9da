extension FixtureDecoder.Entry {
    /// `token_exchange_trusted_issuers`: an array of `{"issuer": …, "jwks_uri": …}` or `{"issuer": …, "jwks": {…}}`
    /// objects. Types are checked here; whether the URLs and keys make sense is `FixtureValidator`'s to say, so that
    /// Swift values get the same checks.
    mutating func trustedIssuers(_ key: String) -> [TrustedIssuer] {
        guard let value = object[key], value != .null else { return [] }
        guard case .array(let elements) = value else {
            problem(key, #"expected an array of {"issuer": …, "jwks_uri": …} objects, found \#(value.typeName)"#)
            return []
        }
        let allowed: Set = ["issuer", "jwks_uri", "jwks"]
        var result: [TrustedIssuer] = []
        for (index, element) in elements.enumerated() {
            let field = "\(key)[\(index)]"
            guard let entry = element.objectValue else {
                problem(field, "expected an object, found \(element.typeName)")
                continue
            }
            for name in entry.keys.sorted() where !allowed.contains(name) {
                problem("\(field).\(name)", code: .unknownField, "unknown field (allowed: \(allowed.sorted().joined(separator: ", ")))")
            }
            var trusted = TrustedIssuer(issuer: "")
            switch entry["issuer"] {
            case .string(let issuer)?: trusted.issuer = issuer
            case nil, .null?: problem("\(field).issuer", code: .missingField, "required field is missing")
            case let other?: problem("\(field).issuer", "expected a string, found \(other.typeName)")
            }
            switch entry["jwks_uri"] {
            case .string(let uri)?: trusted.jwksURI = uri
            case nil, .null?: break
            case let other?: problem("\(field).jwks_uri", "expected a string, found \(other.typeName)")
            }
            switch entry["jwks"] {
            case .object(let jwks)?: trusted.jwks = jwks
            case nil, .null?: break
            case let other?:
                problem("\(field).jwks", #"expected a JWKS object ({"keys": […]}), found \#(other.typeName)"#)
                trusted.jwks = [:]  // reported here; not again as "no keys given"
            }
            result.append(trusted)
        }
        return result
    }
}
