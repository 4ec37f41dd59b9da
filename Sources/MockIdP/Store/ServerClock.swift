#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Synchronization

/// Wall-clock time in whole seconds, plus an offset that /debug/clock moves forward.
/// Every expiry (codes, tokens, device codes) is judged by this clock, so tests of expiry need no sleeping.
final class ServerClock: Sendable {
    private let offset = Mutex(0)

    init() {}

    /// Seconds since 1970 as MockIdP sees them.
    var now: Int { Int(Date().timeIntervalSince1970) + offset.withLock { $0 } }

    var offsetSeconds: Int { offset.withLock { $0 } }

    func advance(by seconds: Int) {
        offset.withLock { $0 += seconds }
    }

    func reset() {
        offset.withLock { $0 = 0 }
    }
}
