import Synchronization

/// The logged request being handled: the store stamps its id on what it issues, uses or revokes, and tells it which
/// grants and user it touched. /debug's flow timeline and token explanations say from that which request did what.
///
/// Carried in a task-local, so that grants and endpoints need not thread it through; `nil` outside a logged request
/// (the Swift API, /debug's own controls), where nothing is stamped.
final class RequestCause: Sendable {
    @TaskLocal static var current: RequestCause?

    /// The request's id in the issuer's request log.
    let id: Int

    struct Touched: Sendable {
        /// The grants (flows) the request touched, in the order it touched them.
        var grants: [String] = []
        /// The user of the first code or token it touched.
        var sub: String?
    }

    private let touched = Mutex(Touched())

    init(id: Int) {
        self.id = id
    }

    /// What the request touched so far.
    var read: Touched { touched.withLock { $0 } }

    /// Records that the current request touched `grantID`, for the user `sub`.
    static func touch(grant grantID: String, sub: String?) {
        current?.touched.withLock { touched in
            if !touched.grants.contains(grantID) { touched.grants.append(grantID) }
            if touched.sub == nil { touched.sub = sub }
        }
    }

    /// The current request's id, if one is being logged.
    static var id: Int? { current?.id }
}
