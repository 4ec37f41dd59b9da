import ServiceLifecycle

/// A MockIdP started with `MockIdPServer.start(_:)`, for test frameworks whose set-up and tear-down are separate calls
/// (XCTest's `setUp` / `tearDown`). Prefer `withMockIdP(_:_:)`, which cannot leak a server.
public final class StartedMockIdP: Sendable {
    /// The running server's controls and endpoint URLs.
    public let idp: RunningMockIdP
    private let group: ServiceGroup
    private let task: Task<Void, any Error>

    init(idp: RunningMockIdP, group: ServiceGroup, task: Task<Void, any Error>) {
        self.idp = idp
        self.group = group
        self.task = task
    }

    /// Shuts the server down gracefully and waits until its port is closed.
    public func stop() async throws {
        await group.triggerGracefulShutdown()
        try await task.value
    }
}
