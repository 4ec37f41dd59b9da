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
/// - Throws: `MockIdPFixtureError` for invalid fixtures, the bind error (e.g. address in use), or what `body` throws.
public func withMockIdP<T: Sendable>(
    _ configuration: MockIdPConfiguration = MockIdPConfiguration(),
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
            throw MockIdPStartError(.stoppedBeforeReady, "the server stopped before it was ready")
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
