#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Synchronization

/// One request as /debug/requests shows it: enough to answer "why did my token request fail?", with secrets redacted.
public struct LoggedRequest: Sendable, Codable, Hashable {
    /// The request's number in the issuer's log, from 1, in the order requests arrived; what issued, used or revoked
    /// a code or token names it (`issued_by`, `revoked_by` in /debug).
    public var id: Int = 0
    /// Server-clock seconds since 1970.
    public var time: Int
    /// The HTTP method.
    public var method: String
    /// The path, without the query.
    public var path: String
    /// The client, from `client_id` or Basic credentials.
    public var clientID: String?
    /// The `grant_type`, at the token endpoint.
    public var grantType: String?
    /// The HTTP status of the answer.
    public var status: Int
    /// The OAuth `error` answered, if any.
    public var error: String?
    /// The `error_description` answered, if any.
    public var errorDescription: String?
    /// The request's parameters, with codes, tokens, secrets, passwords and verifiers replaced by `[redacted]`.
    public var parameters: [String: String]
    /// The flows (grants, as `GET /debug/flows` lists them) whose codes or tokens the request issued, presented, used
    /// or revoked; empty when it touched none (a refused client, a code MockIdP never issued).
    public var flows: [String] = []
    /// The user of the first code or token the request touched, if any.
    public var sub: String? = nil
    /// For a refused request, the rule of the specification that refused it (`RFC 6749 §5.2`).
    public var rule: String? = nil

    enum CodingKeys: String, CodingKey {
        case id, time, method, path, status, error, parameters, flows, sub, rule
        case clientID = "client_id"
        case grantType = "grant_type"
        case errorDescription = "error_description"
    }

    static let redacted: Set<String> = [
        "client_secret", "code", "code_verifier", "refresh_token", "access_token", "token", "password", "id_token_hint",
        "device_code", "assertion", "client_assertion",
    ]
}

/// A bounded ring buffer of recent requests.
final class RequestLog: Sendable {
    private struct Ring {
        var entries: [LoggedRequest] = []
        var next = 0
    }

    private let ring = Mutex(Ring())
    private let lastID = Atomic<Int>(0)
    let capacity: Int

    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    /// The id of the next request to arrive.
    func nextID() -> Int {
        lastID.wrappingAdd(1, ordering: .relaxed).newValue
    }

    func append(_ entry: LoggedRequest) {
        ring.withLock { ring in
            if ring.entries.count < capacity {
                ring.entries.append(entry)
            } else {
                ring.entries[ring.next] = entry
            }
            ring.next = (ring.next + 1) % capacity
        }
    }

    /// Newest first.
    var entries: [LoggedRequest] {
        ring.withLock { ring in
            guard ring.entries.count == capacity else { return ring.entries.reversed() }
            return Array((ring.entries[ring.next...] + ring.entries[..<ring.next]).reversed())
        }
    }

    func clear() {
        ring.withLock { $0 = Ring() }
    }
}
