#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ServiceLifecycle

/// Returns when standard input reaches end of file, i.e. when the parent process that holds its other end exits,
/// even by crashing. Run with `.gracefullyShutdownGroup`, so that a dead test runner never leaves a server behind.
///
/// It polls without blocking (every 100 ms), so it needs no thread of its own and stops at once on shutdown.
struct StandardInputWatcher: Service {
    func run() async throws {
        var buffer = [UInt8](repeating: 0, count: 4096)
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            var descriptor = pollfd(fd: STDIN_FILENO, events: Int16(POLLIN), revents: 0)
            let ready = poll(&descriptor, 1, 0)
            if ready > 0 {
                if descriptor.revents & Int16(POLLIN) != 0 {
                    // Input is discarded; a read of 0 bytes is end of file.
                    let count = buffer.withUnsafeMutableBytes { read(STDIN_FILENO, $0.baseAddress, $0.count) }
                    if count == 0 { return }
                    if count > 0 { continue }
                }
                if descriptor.revents & Int16(POLLHUP | POLLERR | POLLNVAL) != 0 { return }
            }
            try? await Task.sleep(for: .milliseconds(100))
        }
    }
}
