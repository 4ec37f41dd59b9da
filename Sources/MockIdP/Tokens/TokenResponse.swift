#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Hummingbird
import HTTPTypes
import NIOCore

/// A successful token response (RFC 6749 §5.1; RFC 8693 §2.2.1 for token exchange).
struct TokenResponse: Sendable, ResponseGenerator {
    var accessToken: String
    /// `Bearer`; RFC 8693 §2.2.1: `N_A` when the issued token "is not an access token or usable as an access token".
    var tokenType = "Bearer"
    /// RFC 8693 §2.2.1 `issued_token_type` (a §3 token type identifier), for token exchange only.
    var issuedTokenType: String?
    var expiresIn: Int
    var scope: String?
    var refreshToken: String?
    var idToken: String?

    init(accessToken: String, expiresIn: Int, scope: String?, refreshToken: String?, idToken: String?) {
        self.accessToken = accessToken
        self.expiresIn = expiresIn
        self.scope = scope
        self.refreshToken = refreshToken
        self.idToken = idToken
    }

    /// RFC 6749 §5.1: "The authorization server MUST include the HTTP "Cache-Control" response header field with a value of "no-store"".
    func response(from request: Request, context: some RequestContext) throws -> Response {
        Response.json(object: jsonObject, headers: [.cacheControl: "no-store", HTTPField.Name("Pragma")!: "no-cache"])
    }

    /// The response's members, named as RFC 6749 §5.1 names them.
    var jsonObject: [String: ClaimValue] {
        var object: [String: ClaimValue] = [
            "access_token": .string(accessToken),
            "token_type": .string(tokenType),
            "expires_in": .int(expiresIn),
        ]
        if let scope { object["scope"] = .string(scope) }
        if let refreshToken { object["refresh_token"] = .string(refreshToken) }
        if let idToken { object["id_token"] = .string(idToken) }
        if let issuedTokenType { object["issued_token_type"] = .string(issuedTokenType) }
        return object
    }
}
