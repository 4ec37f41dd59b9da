#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// "Sign in as anyone": a subject typed on the user chooser (with optional claims as a JSON object), or named by
/// `login_hint=sub:NAME`, signs in as a user who need not be seeded.
///
/// Such an ad-hoc user becomes a runtime user of the issuer (as if added through `POST /debug/users`, username = sub),
/// so every later grant, userinfo and introspection resolves it by `sub`; `DELETE /debug/fixtures` removes it.
/// A subject that is a seeded user's `sub` signs in as that user, and may not be given claims.
enum AdHocSignIn {
    /// The chooser form's field for the typed subject.
    static let subjectParameter = "mockidp_sub"
    /// The chooser form's field for the typed claims (a JSON object, or blank).
    static let claimsParameter = "mockidp_claims"
    /// `login_hint=sub:NAME` names a subject rather than a seeded user.
    static let loginHintPrefix = "sub:"
    /// OIDC Core §2: `sub` "MUST NOT exceed 255 ASCII characters in length".
    static let maximumSubjectLength = 255

    /// Claims MockIdP sets in the ID token itself (OIDC Core §2, §3.1.3.6), or registered JWT claims (RFC 7519 §4.1),
    /// refused as typed claims. The fixtures' own rule (`FixtureValidator`) refuses `sub`, `iss`, `aud`, `exp` and `iat`.
    static let reservedClaims: Set<String> = ["sub", "iss", "aud", "exp", "iat", "nbf", "jti", "auth_time", "nonce", "at_hash", "azp", "sid"]

    /// Why a typed subject or its claims cannot sign in, in words for the page (or an `invalid_request`).
    struct Problem: Error {
        let message: String
    }

    /// The user that `subject` signs in as, with `claims` (the textarea's text; blank means none), registered in `registry`.
    ///
    /// A seeded user's `sub` signs in as that user (an error if claims were given); an existing runtime user's `sub` has
    /// its claims replaced when claims are given, and is signed in unchanged otherwise; any other subject is added.
    /// Surrounding spaces and line breaks of `subject` are dropped (a typing slip, never part of a sub).
    static func signIn(subject typed: String, claims claimsText: String?, in registry: LiveRegistry) throws(Problem) -> User {
        let subject = trimmed(typed)
        try checkSubject(subject)
        let text = claimsText.map(trimmed) ?? ""
        if let seeded = registry.original.user(sub: subject) {
            guard text.isEmpty else {
                throw Problem(message: "\"\(subject)\" is a seeded user's sub: sign in as that user without claims, or type another subject")
            }
            return seeded
        }
        if text.isEmpty, let existing = registry.registry.user(sub: subject) { return existing }
        let user = try decodeUser(sub: subject, claims: text.isEmpty ? nil : text)
        do {
            return try registry.addOrReplaceClaims(user)
        } catch {
            throw Problem(message: describe(error.problems))
        }
    }

    /// `text` without leading and trailing whitespace (a CRLF from a textarea included).
    private static func trimmed(_ text: String) -> String {
        var text = Substring(text)
        while text.first?.isWhitespace == true { text = text.dropFirst() }
        while text.last?.isWhitespace == true { text = text.dropLast() }
        return String(text)
    }

    /// The subject rules: non-empty, at most 255 characters, no control characters.
    static func checkSubject(_ subject: String) throws(Problem) {
        if subject.isEmpty { throw Problem(message: "the subject (sub) must not be empty") }
        if subject.count > maximumSubjectLength {
            throw Problem(message: "the subject (sub) must be at most \(maximumSubjectLength) characters; this one has \(subject.count)")
        }
        if subject.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            throw Problem(message: "the subject (sub) must not contain control characters (tabs, line breaks …)")
        }
    }

    /// The user `{"sub": sub, "claims": claims}`, decoded by the fixtures' own user decoding so that the same rules apply.
    private static func decodeUser(sub: String, claims text: String?) throws(Problem) -> User {
        var entry: [String: ClaimValue] = ["sub": .string(sub)]
        if let text {
            let bytes = Array(text.utf8)
            if let syntax = JSONSyntaxError.locate(in: bytes) { throw Problem(message: "the claims are not valid JSON: \(syntax)") }
            guard let claims = try? JSONDecoder().decode(ClaimValue.self, from: Data(bytes)) else {
                throw Problem(message: "the claims are not valid JSON")
            }
            guard let object = claims.objectValue else {
                throw Problem(message: "the claims must be a JSON object, like {\"name\": \"Erin\"}; found \(claims.typeName)")
            }
            let reserved = object.keys.filter(reservedClaims.contains).sorted()
            if !reserved.isEmpty {
                let names = reserved.map { "\"\($0)\"" }.joined(separator: ", ")
                throw Problem(message: "\(names) \(reserved.count == 1 ? "is" : "are") set by MockIdP and cannot be a typed claim")
            }
            entry["claims"] = claims
        }
        var decoder = FixtureDecoder(file: FixtureValidator.usersFile)
        guard let data = try? JSONEncoder().encode(ClaimValue.array([.object(entry)])) else {
            throw Problem(message: "the claims could not be read")
        }
        let users = decoder.users(from: data)
        let problems = decoder.problems + FixtureValidator.userProblems(users)
        guard problems.isEmpty, users.count == 1 else { throw Problem(message: describe(problems)) }
        return users[0]
    }

    /// Fixture problems as the page says them: the field and the reason, without the file and index of a request of one.
    private static func describe(_ problems: [MockIdPFixtureError.Problem]) -> String {
        guard !problems.isEmpty else { return "the subject and claims were refused" }
        return problems.map { problem in (problem.field.map { "\($0): " } ?? "") + problem.reason }.joined(separator: "; ")
    }
}
