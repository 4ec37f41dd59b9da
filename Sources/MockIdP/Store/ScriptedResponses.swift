import HTTPTypes
import Synchronization

/// What a test scripted for an upcoming token-endpoint response (`POST /debug/next`): one-shot, taken in order.
struct ScriptedResponse: Sendable {
    /// Match only this client; `nil` matches any.
    var clientID: String?
    /// Match only this grant type; `nil` matches any.
    var grantType: String?
    var overrides = TokenOverrides()
    /// An error to answer instead of tokens.
    var error: OAuthError?

    func matches(clientID: String, grantType: String) -> Bool {
        (self.clientID.map { $0 == clientID } ?? true) && (self.grantType.map { $0 == grantType } ?? true)
    }
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
