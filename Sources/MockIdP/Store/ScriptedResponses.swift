import HTTPTypes
import Synchronization

/// What a test scripted for an upcoming response (`POST /debug/next`): one-shot, taken in order.
struct ScriptedResponse: Sendable {
    /// Where it answers: the token endpoint (the default), the authorization endpoint, or the device verification step.
    var step: ScriptedStep = .token
    /// Match only this client; `nil` matches any.
    var clientID: String?
    /// Match only this grant type; `nil` matches any.
    var grantType: String?
    var overrides = TokenOverrides()
    /// An error to answer instead of tokens (at the authorization endpoint: to redirect with).
    var error: OAuthError?
    /// At the authorization endpoint or device verification: how the user's part ends, when not with an error.
    var outcome = ScriptedOutcome()

    func matches(clientID: String, grantType: String) -> Bool {
        step == .token && (self.clientID.map { $0 == clientID } ?? true) && (self.grantType.map { $0 == grantType } ?? true)
    }
}

/// Where a scripted response answers.
enum ScriptedStep: String, Sendable, CaseIterable {
    /// The token endpoint (RFC 6749 §3.2).
    case token
    /// The authorization endpoint (RFC 6749 §3.1).
    case authorize
    /// The device verification page (RFC 8628 §3.3).
    case device
}

/// How a scripted authorization (or device verification) ends when it is no error: as whom the user signs in, which
/// of the requested scopes they grant, and how long the step takes.
struct ScriptedOutcome: Sendable {
    /// A user's sub or username, or an ad-hoc subject (with `claims`); `nil`: the usual sign-in.
    var sub: String?
    /// The ad-hoc subject's claims.
    var claims: [String: ClaimValue]?
    /// The scopes the user grants (a partial grant: those of the request in this list); `nil`: all requested.
    var scope: [String]?
    /// How long the step waits before it answers, in milliseconds.
    var delayMilliseconds = 0
}

/// The queue of scripted responses.
final class ScriptedResponses: Sendable {
    private let queue = Mutex<[ScriptedResponse]>([])

    init() {}

    func enqueue(_ response: ScriptedResponse) -> Int {
        queue.withLock {
            $0.append(response)
            return $0.count
        }
    }

    /// Removes and returns the first script for `step` matching `clientID` that `condition` accepts, if any.
    func take(_ step: ScriptedStep, clientID: String, where condition: (ScriptedResponse) -> Bool = { _ in true }) -> ScriptedResponse? {
        queue.withLock { queue in
            guard let index = queue.firstIndex(where: { $0.step == step && ($0.clientID.map { $0 == clientID } ?? true) && condition($0) }) else {
                return nil
            }
            return queue.remove(at: index)
        }
    }

    /// Removes and returns the first scripted response matching the request, if any.
    func take(clientID: String, grantType: String) -> ScriptedResponse? {
        queue.withLock { queue in
            guard let index = queue.firstIndex(where: { $0.matches(clientID: clientID, grantType: grantType) }) else { return nil }
            return queue.remove(at: index)
        }
    }

    var pending: [ScriptedResponse] { queue.withLock { $0 } }

    func clear() {
        queue.withLock { $0 = [] }
    }
}
