import ServiceLifecycle

extension MockIdPServer {
    /// Starts a MockIdP and returns once it is listening. Call `stop()` when done.
    ///
    /// ```swift
    /// override func setUp() async throws { started = try await MockIdPServer.start() }
    /// override func tearDown() async throws { try await started.stop() }
    /// ```
    public static func start(_ configuration: MockIdPConfiguration = MockIdPConfiguration()) async throws -> StartedMockIdP {
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
            throw MockIdPStartError(.stoppedBeforeReady, "the server stopped before it was ready")
        }
        return StartedMockIdP(idp: server.controls, group: group, task: task)
    }
}
