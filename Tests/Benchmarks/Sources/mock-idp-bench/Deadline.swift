/// The moment a blocking step gives up, so that a server that never answers fails the step with a message instead of
/// hanging the benchmark.
struct Deadline {
    let instant: ContinuousClock.Instant
    /// How long it allowed, for messages.
    let limit: Duration

    init(after limit: Duration) {
        instant = .now + limit
        self.limit = limit
    }

    /// Time left, never negative.
    var remaining: Duration { max(instant - .now, .zero) }

    var hasPassed: Bool { ContinuousClock.now >= instant }

    /// "within 30 s" (the limits here are whole seconds).
    var within: String { "within \(limit.components.seconds) s" }
}

extension Duration {
    var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }

    var milliseconds: Double { seconds * 1000 }
}
