#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Turns the JSON of one fixture file into typed values, collecting every type problem with its file, entry and field.
struct FixtureDecoder {
    let file: String
    private(set) var problems: [MockIdPFixtureError.Problem] = []

    init(file: String) {
        self.file = file
    }

    /// Parses `data` as a JSON array of objects; malformed JSON is reported with the parser's line and column.
    /// An element that is not an object is reported and comes back as `nil`, so indices stay aligned.
    mutating func entries(of data: Data, what: String) -> [(index: Int, object: [String: ClaimValue]?)] {
        // Strict RFC 8259 first (the decoder tolerates trailing commas, and its errors say nowhere where).
        if let syntax = JSONSyntaxError.locate(in: Array(data)) {
            problems.append(.init(file: file, code: .malformedJSON, reason: "malformed JSON: \(syntax)"))
            return []
        }
        let value: ClaimValue
        do {
            value = try JSONDecoder().decode(ClaimValue.self, from: data)
        } catch {
            problems.append(.init(file: file, code: .malformedJSON, reason: "malformed JSON: \(error)"))
            return []
        }
        guard case .array(let elements) = value else {
            problems.append(.init(file: file, code: .wrongType, reason: "expected a JSON array of \(what), found \(value.typeName)"))
            return []
        }
        return elements.enumerated().map { index, element in
            if element.objectValue == nil {
                problems.append(.init(file: file, index: index, code: .wrongType, reason: "expected an object, found \(element.typeName)"))
            }
            return (index, element.objectValue)
        }
    }

    /// Reads the fields of one entry, noting problems against `entry` and rejecting unknown fields.
    struct Entry {
        let object: [String: ClaimValue]
        let index: Int
        let idField: String
        var problems: [MockIdPFixtureError.Problem] = []
        let file: String

        init(file: String, index: Int, object: [String: ClaimValue], idField: String, allowed: Set<String>) {
            self.file = file
            self.object = object
            self.index = index
            self.idField = idField
            for key in object.keys.sorted() where !allowed.contains(key) {
                problem(key, code: .unknownField, "unknown field (allowed: \(allowed.sorted().joined(separator: ", ")))")
            }
        }

        mutating func problem(_ field: String?, code: MockIdPFixtureError.Code = .wrongType, _ reason: String) {
            problems.append(
                .init(file: file, index: index, idField: idField, id: object[idField]?.stringValue, field: field, code: code, reason: reason)
            )
        }

        mutating func string(_ key: String, required: Bool = false) -> String? {
            guard let value = object[key], value != .null else {
                if required { problem(key, code: .missingField, "required field is missing") }
                return nil
            }
            guard let string = value.stringValue else {
                problem(key, "expected a string, found \(value.typeName)")
                return nil
            }
            if string.isEmpty {
                problem(key, code: .invalidValue, "must not be empty")
                return nil
            }
            return string
        }

        mutating func strings(_ key: String) -> [String]? {
            guard let value = object[key], value != .null else { return nil }
            guard case .array(let elements) = value else {
                problem(key, "expected an array of strings, found \(value.typeName)")
                return nil
            }
            var result: [String] = []
            for (index, element) in elements.enumerated() {
                if let string = element.stringValue {
                    result.append(string)
                } else {
                    problem("\(key)[\(index)]", "expected a string, found \(element.typeName)")
                }
            }
            return result
        }

        /// A string or an array of strings (the shape of a JWT `aud`).
        mutating func stringOrStrings(_ key: String) -> [String]? {
            if let value = object[key], let string = value.stringValue { return [string] }
            return strings(key)
        }

        /// The case of `Value` that `name` names; an unknown name is a problem that lists the known ones.
        mutating func named<Value: RawRepresentable<String> & CaseIterable>(_: Value.Type, _ name: String, field: String, what: String) -> Value? {
            if let value = Value(rawValue: name) { return value }
            let known = Value.allCases.map(\.rawValue).joined(separator: ", ")
            problem(field, code: .invalidValue, "unknown \(what) \"\(name)\" (known: \(known))")
            return nil
        }

        /// `true` or `false`; `nil` when absent.
        mutating func bool(_ key: String) -> Bool? {
            guard let value = object[key], value != .null else { return nil }
            guard case .bool(let bool) = value else {
                problem(key, "expected true or false, found \(value.typeName)")
                return nil
            }
            return bool
        }

        mutating func positiveInt(_ key: String) -> Int? {
            guard let value = object[key], value != .null else { return nil }
            guard case .int(let int) = value, int > 0, int <= Client.maximumTTL else {
                problem(key, code: .invalidValue, "expected a positive whole number of seconds up to \(Client.maximumTTL) (ten years), found \(value.jsonText)")
                return nil
            }
            return int
        }

        /// A whole number of seconds in `range` (the device flow's polling interval: 0 allowed).
        mutating func seconds(_ key: String, in range: ClosedRange<Int>) -> Int? {
            guard let value = object[key], value != .null else { return nil }
            guard case .int(let int) = value, range.contains(int) else {
                problem(key, code: .invalidValue, "expected a whole number of seconds from \(range.lowerBound) to \(range.upperBound), found \(value.jsonText)")
                return nil
            }
            return int
        }

        /// An object of string arrays, e.g. `{"budgetify": ["viewer"]}`.
        mutating func roles(_ key: String) -> [String: [String]] {
            var roles: [String: [String]] = [:]
            for (name, value) in claims(key).sorted(by: { $0.key < $1.key }) {
                guard case .array(let values) = value, values.allSatisfy({ $0.stringValue != nil }) else {
                    problem("\(key).\(name)", "expected an array of role names, found \(value.typeName)")
                    continue
                }
                roles[name] = values.compactMap(\.stringValue)
            }
            return roles
        }

        /// A JSON object, kept whole (a JWK Set); `nil` when absent.
        mutating func object(_ key: String) -> [String: ClaimValue]? {
            guard let value = object[key], value != .null else { return nil }
            guard let object = value.objectValue else {
                problem(key, "expected an object, found \(value.typeName)")
                return nil
            }
            return object
        }

        mutating func claims(_ key: String) -> [String: ClaimValue] {
            guard let value = object[key], value != .null else { return [:] }
            guard let claims = value.objectValue else {
                problem(key, "expected an object of claims, found \(value.typeName)")
                return [:]
            }
            return claims
        }
    }

    mutating func users(from data: Data) -> [User] {
        let allowed: Set = ["sub", "username", "password", "claims", "access_token_claims", "realm_roles", "client_roles"]
        return entries(of: data, what: "users").map { index, object in
            guard let object else { return User(sub: "") }
            var entry = Entry(file: file, index: index, object: object, idField: "sub", allowed: allowed)
            defer { problems += entry.problems }
            return User(
                sub: entry.string("sub", required: true) ?? "",
                username: entry.string("username"),
                password: entry.string("password"),
                claims: entry.claims("claims"),
                accessTokenClaims: entry.claims("access_token_claims"),
                realmRoles: entry.strings("realm_roles") ?? [],
                clientRoles: entry.roles("client_roles")
            )
        }
    }

    mutating func clients(from data: Data) -> [Client] {
        let allowed: Set = [
            "client_id", "client_secret", "redirect_uris", "post_logout_redirect_uris", "grant_types", "scopes",
            "token_endpoint_auth_method", "access_token_ttl", "refresh_token_ttl", "id_token_ttl", "audience",
            "id_token_signed_response_alg", "access_token_claims", "device_poll_interval", "allowed_origins",
            "token_exchange_trusted_issuers", "jwks", "jwks_uri", "token_endpoint_auth_signing_alg", "consent",
        ]
        return entries(of: data, what: "clients").map { index, object in
            guard let object else { return Client(clientID: "") }
            var entry = Entry(file: file, index: index, object: object, idField: "client_id", allowed: allowed)
            defer { problems += entry.problems }
            let clientID = entry.string("client_id", required: true)
            var grantTypes: [GrantType]?
            if let names = entry.strings("grant_types") {
                grantTypes = names.enumerated().compactMap { index, name in
                    entry.named(GrantType.self, name, field: "grant_types[\(index)]", what: "grant type")
                }
            }
            let authMethod = entry.string("token_endpoint_auth_method").flatMap { name in
                entry.named(TokenEndpointAuthMethod.self, name, field: "token_endpoint_auth_method", what: "method")
            }
            let idTokenAlgorithm = entry.string("id_token_signed_response_alg").flatMap { name in
                entry.named(SigningAlgorithm.self, name, field: "id_token_signed_response_alg", what: "algorithm")
            }
            let assertionAlgorithm = entry.string("token_endpoint_auth_signing_alg").flatMap { name in
                entry.named(AssertionSigningAlgorithm.self, name, field: "token_endpoint_auth_signing_alg", what: "algorithm")
            }
            return Client(
                clientID: clientID ?? "",
                clientSecret: entry.string("client_secret"),
                redirectURIs: entry.strings("redirect_uris") ?? [],
                postLogoutRedirectURIs: entry.strings("post_logout_redirect_uris") ?? [],
                grantTypes: grantTypes ?? [.authorizationCode, .refreshToken],
                scopes: entry.strings("scopes"),
                tokenEndpointAuthMethod: authMethod,
                accessTokenTTL: entry.positiveInt("access_token_ttl") ?? Client.defaultAccessTokenTTL,
                refreshTokenTTL: entry.positiveInt("refresh_token_ttl") ?? Client.defaultRefreshTokenTTL,
                idTokenTTL: entry.positiveInt("id_token_ttl") ?? Client.defaultIDTokenTTL,
                audience: entry.stringOrStrings("audience"),
                idTokenSignedResponseAlg: idTokenAlgorithm,
                accessTokenClaims: entry.claims("access_token_claims"),
                devicePollInterval: entry.seconds("device_poll_interval", in: 0...Client.maximumDevicePollInterval) ?? Client.defaultDevicePollInterval,
                allowedOrigins: entry.allowedOrigins("allowed_origins"),
                tokenExchangeTrustedIssuers: entry.trustedIssuers("token_exchange_trusted_issuers"),
                jwks: entry.object("jwks"),
                jwksURI: entry.string("jwks_uri"),
                tokenEndpointAuthSigningAlg: assertionAlgorithm,
                requiresConsent: entry.bool("consent") ?? false
            )
        }
    }

    mutating func scopes(from data: Data) -> [Scope] {
        let allowed: Set = ["name", "description", "claims", "access_token_claims"]
        return entries(of: data, what: "scopes").map { index, object in
            guard let object else { return Scope(name: "") }
            var entry = Entry(file: file, index: index, object: object, idField: "name", allowed: allowed)
            defer { problems += entry.problems }
            return Scope(
                name: entry.string("name", required: true) ?? "", description: entry.string("description"), claims: entry.strings("claims") ?? [],
                accessTokenClaims: entry.strings("access_token_claims") ?? []
            )
        }
    }
}
