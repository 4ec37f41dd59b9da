import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// One bounded `GET` over HTTP/1.1: connect, send, read the whole response or give up. No redirect is followed (a 3xx
/// is an error naming its `Location`), a body past the size limit is an error as soon as it is seen, and the whole
/// exchange has one deadline. HTTPS verifies the server against the system's trust roots.
enum HTTPFetch {
    /// What a fetch read.
    struct Response: Sendable {
        /// The status code, 200 (anything else is an error).
        let status: Int
        /// The `Cache-Control` header values.
        let cacheControl: [String]
        /// The `Expires` header.
        let expires: String?
        /// The `Date` header.
        let date: String?
        /// The body.
        let body: [UInt8]
    }

    /// - Throws: `RemoteDocumentError` for every way the fetch can fail.
    static func get(_ url: RemoteURL, raw: String, limits: RemoteDocuments.Limits, trust: FetchTrust) async throws(RemoteDocumentError) -> Response {
        @Sendable func fail(_ reason: String) -> RemoteDocumentError { RemoteDocumentError(url: raw, reason: reason) }
        let tls: NIOSSLContext?
        if url.isHTTPS {
            do {
                tls = try trust.context()
            } catch {
                throw fail("no TLS client context: \(error)")
            }
        } else {
            tls = nil
        }
        let group = MultiThreadedEventLoopGroup.singleton
        let promise = group.next().makePromise(of: Response.self)
        let timeout = TimeAmount.milliseconds(Int64(limits.timeoutMilliseconds))
        let bootstrap = ClientBootstrap(group: group)
            .connectTimeout(timeout)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls {
                        let handler = try NIOSSLClientHandler(context: tls, serverHostname: url.hostIsAddress ? nil : url.host)
                        try channel.pipeline.syncOperations.addHandler(handler)
                    }
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(ResponseReader(promise: promise, maximumBytes: limits.maximumBytes, url: raw))
                }
            }
        let channel: any Channel
        do {
            channel = try await bootstrap.connect(host: url.host, port: url.port).get()
        } catch {
            promise.fail(fail("cannot connect to \(url.authority): \(Self.describe(error))"))
            throw fail("cannot connect to \(url.authority): \(Self.describe(error))")
        }
        let deadline = channel.eventLoop.scheduleTask(in: timeout) {
            promise.fail(fail("no complete response within \(limits.timeoutMilliseconds) ms"))
            channel.close(promise: nil)
        }
        var head = HTTPRequestHead(version: .http1_1, method: .GET, uri: url.target)
        head.headers.add(name: "Host", value: url.authority)
        head.headers.add(name: "Accept", value: "application/json")
        head.headers.add(name: "User-Agent", value: "MockIdP")
        head.headers.add(name: "Connection", value: "close")
        channel.write(HTTPClientRequestPart.head(head), promise: nil)
        channel.writeAndFlush(HTTPClientRequestPart.end(nil), promise: nil)
        do {
            let response = try await promise.futureResult.get()
            deadline.cancel()
            channel.close(promise: nil)
            return response
        } catch let error as RemoteDocumentError {
            deadline.cancel()
            channel.close(promise: nil)
            throw error
        } catch {
            deadline.cancel()
            channel.close(promise: nil)
            throw fail(Self.describe(error))
        }
    }

    private static func describe(_ error: any Error) -> String {
        if let error = error as? RemoteDocumentError { return error.reason }
        return String(describing: error)
    }
}

/// Collects one response, failing the promise at the first sign it is unfit: a status other than 200, a body too large.
private final class ResponseReader: ChannelInboundHandler {
    typealias InboundIn = HTTPClientResponsePart

    private let promise: EventLoopPromise<HTTPFetch.Response>
    private let maximumBytes: Int
    private let url: String
    private var head: HTTPResponseHead?
    private var body: [UInt8] = []

    init(promise: EventLoopPromise<HTTPFetch.Response>, maximumBytes: Int, url: String) {
        self.promise = promise
        self.maximumBytes = maximumBytes
        self.url = url
    }

    private func fail(_ context: ChannelHandlerContext, _ reason: String) {
        promise.fail(RemoteDocumentError(url: url, reason: reason))
        context.close(promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            let status = Int(head.status.code)
            if (300..<400).contains(status) {
                let location = head.headers.first(name: "Location").map { " to \($0)" } ?? ""
                return fail(context, "answered \(status), a redirect\(location); redirects are not followed")
            }
            guard status == 200 else { return fail(context, "answered HTTP \(status), not 200") }
            if let length = head.headers.first(name: "Content-Length").flatMap(Int.init), length > maximumBytes {
                return fail(context, "the document is \(length) bytes, more than the \(maximumBytes) bytes accepted")
            }
            self.head = head
        case .body(let buffer):
            guard body.count + buffer.readableBytes <= maximumBytes else {
                return fail(context, "the document is larger than the \(maximumBytes) bytes accepted")
            }
            body.append(contentsOf: buffer.readableBytesView)
        case .end:
            guard let head else { return }
            promise.succeed(
                HTTPFetch.Response(
                    status: Int(head.status.code),
                    cacheControl: head.headers[canonicalForm: "Cache-Control"].map(String.init),
                    expires: head.headers.first(name: "Expires"),
                    date: head.headers.first(name: "Date"),
                    body: body
                )
            )
            context.close(promise: nil)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail(context, "\(error)")
    }

    func channelInactive(context: ChannelHandlerContext) {
        promise.fail(RemoteDocumentError(url: url, reason: "the connection closed before the response ended"))
        context.fireChannelInactive()
    }
}
