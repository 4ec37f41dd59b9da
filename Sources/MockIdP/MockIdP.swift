import ServiceLifecycle
import Logging
import Synchronization

/// Runs a MockIdP for the duration of `body`, on a free loopback port unless `configuration` says otherwise.
///
/// The server is listening when `body` starts and is shut down gracefully when it returns or throws.
///
/// ```swift
/// try await withMockIdP { idp in
///     let tokens = try await idp.mintTokens(clientID: "budgetify", sub: "alice", scope: "openid profile")
///     // point your code at idp.issuer …
/// }
/// ```
///
/// - Parameters:
///   - configuration: defaults to the built-in fixtures on `127.0.0.1`, port 0.
///   - body: gets the running server.
/// - Returns: what `body` returns.
/// - Throws: `FixtureError` for invalid fixtures, the bind error (e.g. address in use), or what `body` throws.
public func withMockIdP<T: Sendable>(
    _ configuration: Configuration = Configuration(),
    _ body: @Sendable (RunningMockIdP) async throws -> T
) async throws -> T {
    let (ready, continuation) = AsyncStream.makeStream(of: Void.self)
    let server = try await MockIdPServer(configuration: configuration) { _ in
        continuation.yield()
        continuation.finish()
    }
    let group = ServiceGroup(configuration: .init(services: [server], logger: configuration.logger))
    return try await withThrowingTaskGroup(of: Void.self) { tasks in
        tasks.addTask {
            // If binding fails, onReady never fires: finishing the stream lets the error surface below.
            defer { continuation.finish() }
            try await group.run()
        }
        var iterator = ready.makeAsyncIterator()
        guard await iterator.next() != nil else {
            try await tasks.next()
            throw MockIdPStartError(reason: "the server stopped before it was ready")
        }
        let result: T
        do {
            result = try await body(server.controls)
        } catch {
            await group.triggerGracefulShutdown()
            try? await tasks.waitForAll()
            throw error
        }
        await group.triggerGracefulShutdown()
        try await tasks.waitForAll()
        return result
    }
}

/// MockIdP could not start.
public struct MockIdPStartError: Error, CustomStringConvertible {
    public var reason: String
    public var description: String { "MockIdP did not start: \(reason)" }
}

/// A MockIdP started with `MockIdP.start(_:)`, for test frameworks whose set-up and tear-down are separate calls
/// (XCTest's `setUp` / `tearDown`). Prefer `withMockIdP(_:_:)`, which cannot leak a server.
public final class StartedMockIdP: Sendable {
    /// The running server's controls and endpoint URLs.
    public let idp: RunningMockIdP
    private let group: ServiceGroup
    private let task: Task<Void, any Error>

    fileprivate init(idp: RunningMockIdP, group: ServiceGroup, task: Task<Void, any Error>) {
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

/// Starting MockIdP outside a structured scope.
public enum MockIdP {
    /// Starts a MockIdP and returns once it is listening. Call `stop()` when done.
    ///
    /// ```swift
    /// override func setUp() async throws { started = try await MockIdP.start() }
    /// override func tearDown() async throws { try await started.stop() }
    /// ```
    public static func start(_ configuration: Configuration = Configuration()) async throws -> StartedMockIdP {
        let (ready, continuation) = AsyncStream.makeStream(of: Void.self)
        let server = try await MockIdPServer(configuration: configuration) { _ in
            continuation.yield()
            continuation.finish()
        }
        let group = ServiceGroup(configuration: .init(services: [server], logger: configuration.logger))
        // The one unstructured task in the library: its handle is kept and awaited by `stop()`.
        let task = Task {
            defer { continuation.finish() }
            try await group.run()
        }
        var iterator = ready.makeAsyncIterator()
        guard await iterator.next() != nil else {
            try await task.value
            throw MockIdPStartError(reason: "the server stopped before it was ready")
        }
        return StartedMockIdP(idp: server.controls, group: group, task: task)
    }
}
