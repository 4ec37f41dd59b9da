import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The few requests the benchmark makes itself (discovery, /debug/clock, introspection), over a blocking socket:
/// HTTP/1.1, one request per connection (`Connection: close`), the response read to the end of the stream.
/// The server is always on a loopback IPv4 address, which is all this supports.
struct HTTPProbe {
    /// How long a request may take unless the caller says otherwise.
    static let requestLimit: Duration = .seconds(30)

    let issuer: String
    private let address: in_addr
    private let port: UInt16
    private let host: String
    private let basePath: String

    /// Requests go to paths under `issuer`, an `http://IPV4:PORT[/PATH]` URL.
    init(issuer: String) throws {
        guard let url = URL(string: issuer), url.scheme == "http", let host = url.host, let port = url.port,
            let port = UInt16(exactly: port)
        else {
            throw BenchError("the issuer \(issuer) is not an http://HOST:PORT URL")
        }
        var address = in_addr()
        guard inet_pton(AF_INET, host, &address) == 1 else {
            throw BenchError("the issuer's host \(host) is not an IPv4 address")
        }
        self.issuer = issuer
        self.address = address
        self.port = port
        self.host = "\(host):\(port)"
        basePath = url.path.hasSuffix("/") ? String(url.path.dropLast()) : url.path
    }

    func get(_ path: String, timeout: Duration = requestLimit) throws -> HTTPResponse {
        try send("GET", path, deadline: Deadline(after: timeout))
    }

    func postJSON(_ path: String, _ json: String) throws -> HTTPResponse {
        try send(
            "POST", path, headers: ["Content-Type: application/json"], body: Array(json.utf8),
            deadline: Deadline(after: Self.requestLimit)
        )
    }

    /// POSTs `fields` form-encoded, with HTTP Basic client authentication when `client` is given.
    func postForm(
        _ path: String, _ fields: KeyValuePairs<String, String>, client: (id: String, secret: String)? = nil
    ) throws -> HTTPResponse {
        var headers = ["Content-Type: application/x-www-form-urlencoded"]
        if let client {
            headers.append("Authorization: Basic " + Data("\(client.id):\(client.secret)".utf8).base64EncodedString())
        }
        let body = fields.map { "\(Self.formEncoded($0.key))=\(Self.formEncoded($0.value))" }.joined(separator: "&")
        return try send("POST", path, headers: headers, body: Array(body.utf8), deadline: Deadline(after: Self.requestLimit))
    }

    private static let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    private static func formEncoded(_ value: String) -> String {
        value.addingPercentEncoding(withAllowedCharacters: unreserved) ?? value
    }

    private func send(
        _ method: String, _ path: String, headers: [String] = [], body: [UInt8] = [], deadline: Deadline
    ) throws -> HTTPResponse {
        let what = "\(method) \(issuer)\(path)"
        let socket = openTCPSocket()
        guard socket >= 0 else { throw BenchError.system("\(what): socket") }
        defer { close(socket) }

        // SO_SNDTIMEO bounds connect (on Linux) and send; the reads below poll against the deadline.
        // At least a microsecond: a zero timeval means no limit at all.
        let microseconds = max(Int(deadline.remaining.seconds * 1_000_000), 1)
        var limit = timeval(tv_sec: microseconds / 1_000_000, tv_usec: .init(microseconds % 1_000_000))
        setsockopt(socket, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        var target = sockaddr_in()
        target.sin_family = sa_family_t(AF_INET)
        target.sin_port = port.bigEndian
        target.sin_addr = address
        let connected = withUnsafePointer(to: &target) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw BenchError.system("\(what): connect") }

        var head = "\(method) \(basePath)\(path) HTTP/1.1\r\nHost: \(host)\r\nConnection: close\r\n"
        for header in headers { head += header + "\r\n" }
        if method != "GET" { head += "Content-Length: \(body.count)\r\n" }
        let request = Array((head + "\r\n").utf8) + body
        var sent = 0
        while sent < request.count {
            let count = request[sent...].withUnsafeBytes { sendWithoutSIGPIPE(socket, $0) }
            if count < 0 {
                if errno == EINTR { continue }
                throw BenchError.system("\(what): send")
            }
            sent += count
        }

        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            guard !deadline.hasPassed else { throw BenchError("\(what): no complete response \(deadline.within)") }
            var readable = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
            let ready = poll(&readable, 1, Int32(deadline.remaining.milliseconds.rounded(.up)))
            if ready < 0 && errno != EINTR { throw BenchError.system("\(what): poll") }
            guard ready > 0 else { continue }
            let count = recv(socket, &chunk, chunk.count, 0)
            if count < 0 {
                if errno == EINTR { continue }
                throw BenchError.system("\(what): recv")
            }
            if count == 0 { break }
            received += chunk[..<count]
        }
        do {
            return try HTTPResponse(parsing: received)
        } catch {
            throw BenchError("\(what): \(error)")
        }
    }
}

/// A TCP socket (IPv4) whose writes never raise SIGPIPE, or -1.
private func openTCPSocket() -> Int32 {
    #if canImport(Glibc)
    return socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    #elseif canImport(Darwin)
    // Darwin has no MSG_NOSIGNAL: the socket itself is told not to raise SIGPIPE.
    let descriptor = socket(AF_INET, SOCK_STREAM, 0)
    var on: Int32 = 1
    if descriptor >= 0 {
        setsockopt(descriptor, SOL_SOCKET, SO_NOSIGPIPE, &on, socklen_t(MemoryLayout<Int32>.size))
    }
    return descriptor
    #else
    return socket(AF_INET, SOCK_STREAM, 0)
    #endif
}

/// `send` that fails with EPIPE instead of raising SIGPIPE when the server has closed the connection.
private func sendWithoutSIGPIPE(_ socket: Int32, _ bytes: UnsafeRawBufferPointer) -> Int {
    #if canImport(Darwin)
    return send(socket, bytes.baseAddress, bytes.count, 0)
    #else
    return send(socket, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL))
    #endif
}

/// A response's status and body (`Content-Length` framed or read to the end; chunked bodies are refused).
struct HTTPResponse {
    let status: Int
    let body: [UInt8]

    var text: String { String(decoding: body, as: UTF8.self) }

    init(parsing bytes: [UInt8]) throws {
        guard let separator = bytes.firstRange(of: Array("\r\n\r\n".utf8)) else {
            throw BenchError(bytes.isEmpty ? "connection closed without a response" : "incomplete response head")
        }
        let lines = String(decoding: bytes[..<separator.lowerBound], as: UTF8.self).components(separatedBy: "\r\n")
        let statusLine = lines[0].split(separator: " ")
        guard statusLine.count >= 2, statusLine[0].hasPrefix("HTTP/1."), let status = Int(statusLine[1]) else {
            throw BenchError("malformed status line \(lines[0].debugDescription)")
        }
        var body = Array(bytes[separator.upperBound...])
        for line in lines.dropFirst() {
            let parts = line.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            guard parts.count == 2 else { continue }
            if parts[0] == "transfer-encoding" && parts[1].contains("chunked") {
                throw BenchError("chunked response bodies are not supported")
            }
            if parts[0] == "content-length", let length = Int(parts[1]) {
                guard body.count >= length else { throw BenchError("response body shorter than its Content-Length") }
                body = Array(body.prefix(length))
            }
        }
        self.status = status
        self.body = body
    }
}
