/// The rule of the specifications behind an error MockIdP answered: what /debug's request log and flow timeline cite
/// next to a refused request, so that a developer reads why, not only what.
enum ErrorRule {
    /// The section that defines `error` at this endpoint, refined by what the description says was wrong.
    static func rule(for error: String, description: String, kind: RequestKind) -> String? {
        cited(in: description) ?? table(error, description.lowercased(), kind)
    }

    /// A section the description names itself, as many of MockIdP's do: "… (RFC 7636 §4.1)".
    static func cited(in description: String) -> String? {
        // Each parenthesised part that starts with a specification's name and names a section.
        for part in description.split(separator: "(").dropFirst() {
            guard let end = part.firstIndex(of: ")") else { continue }
            let inside = part[..<end]
            if (inside.hasPrefix("RFC ") || inside.hasPrefix("OpenID Connect ")) && inside.contains("§") { return String(inside) }
        }
        return nil
    }

    private static func table(_ error: String, _ text: String, _ kind: RequestKind) -> String? {
        switch kind {
        case .authorization:
            switch error {
            case "login_required", "consent_required", "interaction_required", "account_selection_required":
                return "OpenID Connect Core §3.1.2.6"
            case "request_not_supported", "request_uri_not_supported":
                return "OpenID Connect Core §6"
            case "invalid_target": return "RFC 8707 §2"
            case "invalid_scope": return "RFC 6749 §3.3, §4.1.2.1"
            case "invalid_request":
                if text.contains("redirect_uri") { return "RFC 6749 §3.1.2.3, §4.1.2.1 (never redirected to)" }
                if text.contains("code_challenge") || text.contains("pkce") { return "RFC 7636 §4.4.1" }
                if text.contains("nonce") { return "OpenID Connect Core §3.1.2.1" }
                if text.contains("client_id") || text.contains("client") { return "RFC 6749 §4.1.2.1 (never redirected to)" }
                return "RFC 6749 §4.1.2.1"
            default: return "RFC 6749 §4.1.2.1"
            }
        case .token:
            switch error {
            case "authorization_pending", "slow_down", "expired_token": return "RFC 8628 §3.5"
            case "access_denied": return text.contains("device") || text.contains("user") ? "RFC 8628 §3.5" : "RFC 6749 §5.2"
            case "invalid_target": return "RFC 8707 §2"
            case "invalid_client":
                return text.contains("assertion") || text.contains("jwt") ? "RFC 7523 §3, RFC 6749 §5.2" : "RFC 6749 §5.2"
            case "invalid_grant":
                if text.contains("code_verifier") || text.contains("pkce") { return "RFC 7636 §4.6" }
                if text.contains("redirect_uri") { return "RFC 6749 §4.1.3" }
                if text.contains("refresh token") && (text.contains("reuse") || text.contains("used") || text.contains("rotated")) {
                    return "RFC 9700 §4.14.2"
                }
                if text.contains("code") && (text.contains("used") || text.contains("replay")) { return "RFC 6749 §4.1.2" }
                if text.contains("assertion") { return "RFC 7523 §3" }
                if text.contains("subject_token") || text.contains("actor_token") { return "RFC 8693 §2.2.2" }
                return "RFC 6749 §5.2"
            case "invalid_request":
                if text.contains("subject_token") || text.contains("actor_token") || text.contains("token type") { return "RFC 8693 §2.2.2" }
                if text.contains("code_verifier") { return "RFC 7636 §4.5" }
                return "RFC 6749 §5.2"
            default: return "RFC 6749 §5.2"
            }
        case .userinfo: return "RFC 6750 §3.1"
        case .introspection: return "RFC 7662 §2.3"
        case .revocation: return "RFC 7009 §2.2.1"
        case .deviceAuthorization: return "RFC 8628 §3.2, RFC 6749 §5.2"
        case .deviceVerification: return "RFC 8628 §3.3"
        case .logout:
            return text.contains("post_logout_redirect_uri") ? "OpenID Connect RP-Initiated Logout 1.0 §3" : "OpenID Connect RP-Initiated Logout 1.0 §2"
        case .registration:
            return error == "invalid_token" ? "RFC 7592 §2" : "RFC 7591 §3.2.2"
        case .discovery, .other: return nil
        }
    }
}
