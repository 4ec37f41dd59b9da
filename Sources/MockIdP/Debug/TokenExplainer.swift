#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import JWTKit

/// "Why is this token rejected?": decodes any token string and makes, one by one, the checks a resource server makes
/// (RFC 9068 §4 for access tokens, OpenID Connect Core §3.1.3.7 for ID tokens), each with what it found and the rule.
/// Never throws: malformed input is explained, not refused.
struct TokenExplainer: Sendable {
    let state: IdPState
    /// The server's other issuers, by name (`root` for the root issuer), whose keys a token may carry.
    let others: [(name: String, keys: SigningKeys)]
    /// The issuer's request log, to name the request that used or revoked a token.
    var requests: [LoggedRequest] = []

    /// Longer than any token MockIdP issues by far; beyond it nothing is decoded.
    static let maximumLength = 16 * 1024

    func explain(_ input: String, expecting: TokenExpectations) async -> TokenExplanation {
        var report = Report(requests: requests)
        var token = Substring(input).trimmingCharacters(in: " \t\r\n")
        if token.lowercased().hasPrefix("bearer ") { token = token.dropFirst(7).trimmingCharacters(in: " ") }
        guard token.utf8.count <= Self.maximumLength else {
            report.check("format", false, "the input is \(token.utf8.count) bytes, longer than the \(Self.maximumLength) explained; no token MockIdP issues comes near", "RFC 7515 §7.1")
            return report.finish(format: "malformed")
        }
        guard !token.isEmpty else {
            report.check("format", false, "the input is empty: paste the token itself (the access_token, id_token or refresh_token value)", "RFC 6750 §2.1")
            return report.finish(format: "malformed")
        }
        let now = state.clock.now
        let record = await state.store.token(String(token))
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        if parts.count != 3 {
            if let record {
                report.check("format", true, "an opaque \(record.kind.rawValue): its meaning is this issuer's record, not its content", "RFC 6749 §1.5")
                report.issued(record, now: now, expecting: expecting)
                return report.finish(format: "opaque")
            }
            let shape = parts.count == 5 ? "5 dot-separated parts, a JWE (encrypted), which MockIdP never issues" : "\(parts.count) dot-separated part(s), where a JWS has 3"
            report.check("format", false, "not a JWT (\(shape)), and not a token this issuer issued", "RFC 7515 §7.1")
            return report.finish(format: "opaque")
        }
        let header: [String: ClaimValue]
        let claims: [String: ClaimValue]
        switch (Self.decode(parts[0], "header"), Self.decode(parts[1], "payload")) {
        case (.failure(let problem), _), (_, .failure(let problem)):
            report.check("format", false, problem, "RFC 7515 §7.1, RFC 7519 §7.2")
            return report.finish(format: "malformed")
        case (.success(let decodedHeader), .success(let decodedClaims)):
            header = decodedHeader
            claims = decodedClaims
        }
        report.header = header
        report.claims = claims
        report.check("format", true, "a compact JWS: header, payload and signature", "RFC 7515 §7.1")
        await checkSignature(String(token), header: header, into: &report)
        if let record {
            report.issued(record, now: now, expecting: expecting)
        } else {
            report.check(
                "issued", false,
                "this issuer has no record of it: another issuer's token, one made elsewhere, or one forgotten by DELETE /debug or after its retention",
                "RFC 7662 §2.2"
            )
        }
        Self.checkTimes(claims, now: now, into: &report)
        checkClaims(header: header, claims: claims, record: record, expecting: expecting, into: &report)
        return report.finish(format: "jwt")
    }

    private enum Decoded {
        case success([String: ClaimValue])
        case failure(String)
    }

    private static func decode(_ part: Substring, _ name: String) -> Decoded {
        guard let data = String(part).base64URLDecoded else { return .failure("the \(name) is not base64url (RFC 4648 §5, no padding)") }
        guard let value = try? JSONDecoder().decode(ClaimValue.self, from: data) else {
            return .failure("the \(name) decodes to bytes that are not JSON: \(String(decoding: data.prefix(40), as: UTF8.self).debugDescription)")
        }
        guard let object = value.objectValue else { return .failure("the \(name) is JSON but not an object (\(value.typeName))") }
        return .success(object)
    }

    // MARK: Signature

    private func checkSignature(_ token: String, header: [String: ClaimValue], into report: inout Report) async {
        let alg = header["alg"]?.stringValue
        let kid = header["kid"]?.stringValue
        func signature(_ verified: Bool, _ key: String, issuer: String? = nil, _ detail: String, _ rule: String = "RFC 7515 §5.2") {
            report.signature = TokenSignatureCheck(verified: verified, kid: kid, alg: alg, key: key, issuer: issuer)
            report.check("signature", verified, detail, rule)
        }
        if alg == nil || alg?.lowercased() == "none" {
            return signature(false, "none", "alg is \(alg.map { "\"\($0)\"" } ?? "missing"): an unsigned token is never accepted", "RFC 8725 §3.1")
        }
        let keys = (try? await state.keys.publishedKIDs()).map { _ in state.keys.madeKeys } ?? []
        if let index = keys.firstIndex(where: { $0.kid == kid }) {
            let which = index == 0 ? "current" : keys[index].algorithm == state.keys.algorithm ? "previous" : "other_algorithm"
            let role = [
                "current": "the active signing key", "previous": "the previous key, still published after a rotation",
                "other_algorithm": "this issuer's \(keys[index].algorithm.rawValue) key",
            ][which]!
            guard let collection = try? await state.keys.collection() else { return signature(false, which, "the keys cannot be read") }
            if (try? await collection.verify(token, as: JWTClaims.self)) != nil {
                return signature(true, which, "verifies with \(role) (kid \(kid ?? ""))")
            }
            return signature(false, which, "does not verify with \(role) (kid \(kid ?? "")): the token was changed after signing, or alg \(alg ?? "") is not that key's")
        }
        for other in others {
            guard other.keys.madeKeys.contains(where: { $0.kid == kid }), let collection = other.keys.madeCollection() else { continue }
            let verified = (try? await collection.verify(token, as: JWTClaims.self)) != nil
            return signature(
                false, "another_issuer", issuer: other.name,
                "signed by issuer \(other.name)'s key (kid \(kid ?? "")\(verified ? ", and it verifies there" : "")): this issuer's JWKS does not have it; ask that issuer"
            )
        }
        if kid == nil {
            return signature(false, "none", "no kid in the header: RFC 9068 tokens name their key, and this issuer's JWKS has several", "RFC 7515 §4.1.4")
        }
        signature(
            false, "unknown_kid",
            "kid \(kid!) is not in this issuer's JWKS (\(keys.map(\.kid).joined(separator: ", "))): another server's token, or a key rotated out (a key stays published for one rotation)",
            "RFC 7517 §4.5"
        )
    }

    // MARK: Claims

    private static func checkTimes(_ claims: [String: ClaimValue], now: Int, into report: inout Report) {
        switch claims["exp"] {
        case .int(let exp)?:
            if now < exp {
                report.check("exp", true, "expires in \(Duration(seconds: exp - now)) (exp \(exp), server clock \(now))", "RFC 7519 §4.1.4")
            } else {
                report.check("exp", false, "expired \(Duration(seconds: now - exp)) ago (exp \(exp), server clock \(now))", "RFC 7519 §4.1.4")
            }
        case nil:
            report.check("exp", false, "no exp claim: RFC 9068 access tokens and ID tokens must have one", "RFC 9068 §2.2")
        default:
            report.check("exp", false, "exp is not a number of seconds", "RFC 7519 §4.1.4")
        }
        if case .int(let nbf)? = claims["nbf"], now < nbf {
            report.check("nbf", false, "not valid for another \(Duration(seconds: nbf - now)) (nbf \(nbf))", "RFC 7519 §4.1.5")
        }
    }

    private func checkClaims(
        header: [String: ClaimValue], claims: [String: ClaimValue], record: IssuedToken?, expecting: TokenExpectations, into report: inout Report
    ) {
        let expectedIssuer = expecting.issuer ?? state.issuer.issuer
        let iss = claims["iss"]?.stringValue
        if iss == expectedIssuer {
            report.check("iss", true, "iss is \(expectedIssuer)", "RFC 9068 §4")
        } else {
            report.check(
                "iss", false, "iss is \(iss.map { "\"\($0)\"" } ?? "missing"), expected exactly \"\(expectedIssuer)\" (no trailing-slash or host leniency)",
                "RFC 9068 §4, OpenID Connect Core §3.1.3.7"
            )
        }
        let typ = header["typ"]?.stringValue
        let isAccessType = typ.map { ["at+jwt", "application/at+jwt"].contains($0.lowercased()) } ?? false
        let expectedType = expecting.tokenType ?? record?.kind.rawValue ?? (isAccessType ? "access_token" : nil)
        switch expectedType {
        case "access_token":
            if isAccessType {
                report.check("typ", true, "typ is \(typ!): an RFC 9068 access token", "RFC 9068 §4")
            } else {
                let what = claims["nonce"] != nil || claims["at_hash"] != nil || typ == "JWT" ? "; this looks like an ID token, which is for the client, never for an API" : ""
                report.check("typ", false, "typ is \(typ.map { "\"\($0)\"" } ?? "missing"), and a resource server must reject all but at+jwt\(what)", "RFC 9068 §4")
            }
        case "id_token":
            if isAccessType {
                report.check("typ", false, "typ is \(typ!): an access token presented as an ID token", "RFC 9068 §2.1, OpenID Connect Core §3.1.3.7")
            } else {
                report.check("typ", true, "typ is \(typ ?? "absent"): not an access token", "OpenID Connect Core §3.1.3.7")
            }
        default:
            break
        }
        let audiences: [String] =
            switch claims["aud"] {
            case .string(let one)?: [one]
            case .array(let many)?: many.compactMap(\.stringValue)
            default: []
            }
        if let audience = expecting.audience {
            if audiences.contains(audience) {
                report.check("aud", true, "aud contains \(audience)", "RFC 9068 §4, RFC 7519 §4.1.3")
            } else {
                report.check(
                    "aud", false,
                    "aud is \(audiences.isEmpty ? "missing" : audiences.joined(separator: ", ")), not \(audience): ask for it with resource=\(audience) (RFC 8707), or set the client's audience",
                    "RFC 9068 §4, RFC 7519 §4.1.3"
                )
            }
        }
        if let scopes = expecting.scopes, !scopes.isEmpty {
            let granted = Set((claims["scope"]?.stringValue ?? claims["scp"]?.stringValue ?? "").split(separator: " ").map(String.init))
            let missing = scopes.filter { !granted.contains($0) }
            if missing.isEmpty {
                report.check("scope", true, "grants \(scopes.joined(separator: " "))", "RFC 9068 §2.2.3")
            } else {
                report.check(
                    "scope", false,
                    "lacks \(missing.joined(separator: " ")) (it grants \(granted.isEmpty ? "no scope" : granted.sorted().joined(separator: " "))): the API answers 403 insufficient_scope",
                    "RFC 6750 §3.1, RFC 9068 §2.2.3"
                )
            }
        }
    }

    /// The checks so far, and what was decoded.
    private struct Report {
        let requests: [LoggedRequest]
        var header: [String: ClaimValue]?
        var claims: [String: ClaimValue]?
        var signature: TokenSignatureCheck?
        var record: IssuedTokenInfo?
        var checks: [TokenCheck] = []

        mutating func check(_ name: String, _ passed: Bool, _ detail: String, _ rule: String) {
            checks.append(TokenCheck(name: name, passed: passed, detail: detail, rule: rule))
        }

        mutating func issued(_ token: IssuedToken, now: Int, expecting: TokenExpectations) {
            let status = token.status(at: now)
            record = IssuedTokenInfo(token, now: now)
            let who = "issued by this issuer to \(token.clientID)\(token.sub.map { " for \($0)" } ?? "") \(Duration(seconds: max(0, now - token.issuedAt))) ago"
            check("issued", true, who, "RFC 7662 §2.2")
            switch status {
            case .active:
                check("status", true, "active: expires in \(Duration(seconds: token.expiresAt - now))", "RFC 7662 §2.2")
            case .expired:
                check("status", false, "expired \(Duration(seconds: now - token.expiresAt)) ago (at \(token.expiresAt), server clock \(now))", "RFC 7519 §4.1.4")
            case .used:
                check(
                    "status", false,
                    "used \(Duration(seconds: now - (token.usedAt ?? now))) ago\(by(token.usedBy)): a rotated refresh token is spent, and presenting it again revokes its whole family",
                    "RFC 9700 §4.14.2"
                )
            case .revoked:
                check(
                    "status", false,
                    "revoked \(Duration(seconds: now - (token.revokedAt ?? now))) ago (at \(token.revokedAt ?? now))\(by(token.revokedBy, revoking: true))",
                    "RFC 7009 §2"
                )
            }
        }

        /// Which logged request did it, in words: ` by request 7 (POST /revoke, client budgetify)`.
        func by(_ id: Int?, revoking: Bool = false) -> String {
            guard let id else {
                return revoking ? ", outside any logged request (the Swift API, or /debug's own controls)" : ""
            }
            guard let entry = requests.first(where: { $0.id == id }) else {
                return " by request \(id), no longer in the request log"
            }
            var what = "\(entry.method) \(entry.path)"
            if let grantType = entry.grantType { what += ", \(grantType)" }
            if let clientID = entry.clientID { what += ", client \(clientID)" }
            if let error = entry.error { what += ", answered \(error)" }
            var cause = ""
            if revoking {
                if entry.error == "invalid_grant", entry.grantType == "authorization_code" {
                    cause = ": the code it was issued from was presented again (RFC 6749 §4.1.2)"
                } else if entry.error == "invalid_grant", entry.grantType == "refresh_token" {
                    cause = ": a rotated refresh token of its family was presented again (RFC 9700 §4.14.2)"
                } else if entry.path.hasSuffix("revoke") {
                    cause = ": token revocation (RFC 7009 §2.1)"
                } else if entry.path.hasSuffix("end_session") || entry.path.hasSuffix("logout") {
                    cause = ": the user's session ended (OpenID Connect RP-Initiated Logout 1.0 §2)"
                } else if entry.method == "DELETE" {
                    cause = ": its client's registration was deleted (RFC 7592 §2.3)"
                }
            }
            return " by request \(id) (\(what))\(cause); GET /debug/flows shows it in its flow"
        }

        func finish(format: String) -> TokenExplanation {
            let failed = checks.first { !$0.passed }
            return TokenExplanation(
                format: format, header: header, claims: claims, signature: signature, issued: record, checks: checks,
                verdict: failed == nil ? "accepted" : "rejected",
                summary: failed.map { "rejected by \($0.name): \($0.detail) (\($0.rule))" } ?? "accepted: every check passes"
            )
        }
    }
}

/// Seconds in words: `45 s`, `4 min 10 s`, `2 h 5 min`, `3 d 4 h`.
private struct Duration: CustomStringConvertible {
    let seconds: Int
    var description: String {
        let s = max(0, seconds)
        if s < 60 { return "\(s) s" }
        if s < 3600 { return s % 60 == 0 ? "\(s / 60) min" : "\(s / 60) min \(s % 60) s" }
        if s < 86_400 { return (s % 3600) / 60 == 0 ? "\(s / 3600) h" : "\(s / 3600) h \((s % 3600) / 60) min" }
        return (s % 86_400) / 3600 == 0 ? "\(s / 86_400) d" : "\(s / 86_400) d \((s % 86_400) / 3600) h"
    }
}
