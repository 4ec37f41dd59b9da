/// The server clock as `/debug/clock` shows it.
public struct ServerClockReading: Sendable, Hashable {
    /// Seconds since 1970 as MockIdP sees them: wall-clock time plus `offsetSeconds`.
    public var now: Int
    /// How far the clock has been moved forward.
    public var offsetSeconds: Int

    /// A reading of `now` with `offsetSeconds`.
    public init(now: Int, offsetSeconds: Int) {
        self.now = now
        self.offsetSeconds = offsetSeconds
    }
}
