import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import MockIdP
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite struct ConcurrentServersTests {
    @Test("20 servers start concurrently in one process, each serves a flow, and stopping them leaks no ports or descriptors")
    func twentyServers() async throws {
        // Warm up once so that lazily created shared resources (event loops, thread pools) are not counted as leaks.
        try await withMockIdP { idp in _ = try await httpGet(port: idp.port, path: "/healthz") }
        let descriptorsBefore = openDescriptors()

        let ports = try await withThrowingTaskGroup(of: Int.self) { group in
            for index in 0..<20 {
                group.addTask {
                    try await withMockIdP { idp in
                        let discovery = try await httpGet(port: idp.port, path: "/.well-known/openid-configuration")
                        #expect(discovery.contains("\"issuer\" : \"\(idp.issuer)\""))
                        let tokens = try await idp.mintTokens(clientID: "budgetify", sub: index.isMultiple(of: 2) ? "alice" : "bob")
                        #expect(!tokens.accessToken.isEmpty)
                        return idp.port
                    }
                }
            }
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(Set(ports).count == 20)

        // Every port is free again: binding each one succeeds.
        for port in ports {
            #expect(canBind(port: port), "port \(port) is still held")
        }
        let descriptorsAfter = openDescriptors()
        // 20 servers each hold a listening socket and event-loop registrations: a leak shows as 20 or more.
        // A little slack covers other suites that run in parallel and open a file or a socket meanwhile.
        #expect(descriptorsAfter <= descriptorsBefore + 6, "open descriptors grew from \(descriptorsBefore) to \(descriptorsAfter)")
    }

    @Test("MockIdPServer.start and stop work from separate set-up and tear-down steps")
    func startAndStop() async throws {
        let started = try await MockIdPServer.start()
        let port = started.idp.port
        let discovery = try await fetchDiscovery(started.idp.discoveryURL)
        #expect(discovery["issuer"] as? String == started.idp.issuer)
        try await started.stop()
        #expect(canBind(port: port))
    }
}

func fetchDiscovery(_ url: String) async throws -> [String: Any] {
    let (data, _) = try await URLSession.shared.data(from: try #require(URL(string: url)))
    return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
}

/// A GET with `Connection: close` on a session of its own, invalidated afterwards: no client-side pool to blur a
/// descriptor count. (URLSession runs on its own threads; a blocking socket here would starve the servers' tasks.)
func httpGet(port: Int, path: String) async throws -> String {
    let session = URLSession(configuration: .ephemeral)
    defer { session.finishTasksAndInvalidate() }
    var request = URLRequest(url: try #require(URL(string: "http://127.0.0.1:\(port)\(path)")))
    request.setValue("close", forHTTPHeaderField: "Connection")
    let (data, _) = try await session.data(for: request)
    return String(decoding: data, as: UTF8.self)
}

/// The number of open file descriptors of this process.
func openDescriptors() -> Int {
    (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count) ?? 0
}

/// Whether a TCP socket can bind 127.0.0.1:port, i.e. nothing listens there any more.
func canBind(port: Int) -> Bool {
    let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard descriptor >= 0 else { return false }
    defer { close(descriptor) }
    var reuse: Int32 = 1
    setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &reuse, socklen_t(MemoryLayout<Int32>.size))
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let result = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    return result == 0
}
