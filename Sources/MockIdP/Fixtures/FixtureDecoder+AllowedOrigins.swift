extension FixtureDecoder.Entry {
    /// `allowed_origins`: the string `"*"` or an array of origins (`["*"]` alone means `"*"` too); whether each
    /// entry is an origin is `FixtureValidator`'s to say, so that Swift values get the same checks.
    mutating func allowedOrigins(_ key: String) -> AllowedOrigins? {
        guard let value = object[key], value != .null else { return nil }
        switch value {
        case .string("*"):
            return .any
        case .array:
            let origins = strings(key) ?? []
            return origins == ["*"] ? .any : .origins(origins)
        default:
            problem(key, #"expected "*" or an array of origins such as ["http://localhost:5173"], found \#(value.jsonText)"#)
            return nil
        }
    }
}
