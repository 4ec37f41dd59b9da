import HTTPTypes
import Hummingbird

/// The origin (`scheme://host[:port]`) a request came in on: what `--backchannel-dynamic` advertises back-channel
/// endpoints under, so that a container reaching MockIdP as `mock-idp:8080` is sent there, not to the browser's name.
///
/// The `Host` header names it (RFC 9110 §7.2). Behind a proxy, with `trustForwarded`, RFC 7239 `Forwarded` (its first
/// element: the one the proxy nearest the client added) and then `X-Forwarded-Proto` / `X-Forwarded-Host` override it;
/// without, they are ignored, so that no client can make discovery name a host of its choosing through them.
/// A malformed value names no origin at all (the caller falls back to the issuer's), never a crash.
package enum RequestOrigin {
    static func of(_ request: Request, trustForwarded: Bool, defaultScheme: String) -> String? {
        var scheme = defaultScheme
        // HTTP/1's Host header arrives as the request's authority; a field of that name, if one is left, says the same.
        var host = request.headers[.hostHeader] ?? request.head.authority
        if trustForwarded {
            if let forwarded = request.headers[values: .forwarded].first, let element = forwardedElement(forwarded) {
                if let proto = element.proto { scheme = proto }
                if let forwardedHost = element.host { host = forwardedHost }
            } else {
                if let proto = firstListValue(request.headers[.xForwardedProto]) { scheme = proto }
                if let forwardedHost = firstListValue(request.headers[.xForwardedHost]) { host = forwardedHost }
            }
        }
        scheme = scheme.lowercased()
        guard scheme == "http" || scheme == "https", let host, isHost(host) else { return nil }
        return scheme + "://" + host.lowercased()
    }

    /// The first member of a comma-separated header (`X-Forwarded-Host: a, b` names the first proxy's view), trimmed.
    private static func firstListValue(_ value: String?) -> String? {
        guard let value, let first = value.split(separator: ",", omittingEmptySubsequences: false).first else { return nil }
        let trimmed = first.trimmingCharacters(in: " \t")
        return trimmed.isEmpty ? nil : String(trimmed)
    }

    /// RFC 7239 §4: `Forwarded: for=192.0.2.60;proto=http;host=example.com, for=…` — the first element's `proto` and
    /// `host`, each a token or a quoted string. `nil` when the element is malformed.
    private static func forwardedElement(_ value: String) -> (proto: String?, host: String?)? {
        var proto: String?
        var host: String?
        // The first element ends at the first comma outside a quoted string.
        var element = Substring(value)
        var inQuotes = false
        for index in value.indices {
            let character = value[index]
            if character == "\"" { inQuotes.toggle() }
            if character == ",", !inQuotes {
                element = value[..<index]
                break
            }
        }
        for pair in element.split(separator: ";") {
            guard let equals = pair.firstIndex(of: "=") else { return nil }
            let name = pair[..<equals].trimmingCharacters(in: " \t").lowercased()
            var parameter = Substring(pair[pair.index(after: equals)...].trimmingCharacters(in: " \t"))
            if parameter.hasPrefix("\"") {
                guard parameter.count >= 2, parameter.hasSuffix("\"") else { return nil }
                parameter = parameter.dropFirst().dropLast()
            }
            if name == "proto" { proto = String(parameter) }
            if name == "host" { host = String(parameter) }
        }
        return (proto, host)
    }

    /// A host and optional port as `Host` carries them (RFC 9110 §7.2, RFC 3986 §3.2.2): a name or IPv4 address of
    /// letters, digits, `-`, `.` and `_`, or a bracketed IPv6 address; then `:` and digits. Nothing else is echoed.
    package static func isHost(_ value: String) -> Bool {
        guard !value.isEmpty, value.utf8.count <= 262 else { return false }
        var rest = Substring(value)
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else { return false }
            let address = rest[rest.index(after: rest.startIndex)..<close]
            guard !address.isEmpty, address.allSatisfy({ $0.isHexDigit || $0 == ":" || $0 == "." }) else { return false }
            rest = rest[rest.index(after: close)...]
        } else {
            let end = rest.firstIndex(of: ":") ?? rest.endIndex
            let name = rest[..<end]
            guard !name.isEmpty, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "." || $0 == "_") }) else {
                return false
            }
            rest = rest[end...]
        }
        if rest.isEmpty { return true }
        let port = rest.dropFirst()
        return rest.first == ":" && !port.isEmpty && port.count <= 5 && port.allSatisfy { $0.isASCII && $0.isNumber }
    }
}

extension HTTPField.Name {
    /// RFC 9110 §7.2 (HTTPTypes carries it as `HTTPRequest.authority`).
    static let hostHeader = Self("Host")!
    /// RFC 7239 §4.
    static let forwarded = Self("Forwarded")!
    /// The de-facto header of the scheme a proxy was reached on.
    static let xForwardedProto = Self("X-Forwarded-Proto")!
    /// The de-facto header of the host a proxy was reached on.
    static let xForwardedHost = Self("X-Forwarded-Host")!
}
