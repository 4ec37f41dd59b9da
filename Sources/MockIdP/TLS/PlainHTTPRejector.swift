import NIOCore

/// The first handler of an HTTPS connection: it looks at the first byte the client sends.
///
/// A TLS connection starts with a handshake record, content type 22 (0x16; RFC 8446 § 5.1). Then this handler steps
/// aside and TLS proceeds. Anything else (`GET / HTTP/1.1`, …) is a client speaking plain HTTP to the HTTPS port: it
/// gets `400 Bad Request` with a one-line text naming the https URL, and the connection closes. The output side closes
/// once the answer is written (so the client reads it, then sees the end), and the whole connection a second later at
/// the latest, whatever the client does.
final class PlainHTTPRejector: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundOut = ByteBuffer

    static let tlsHandshakeRecord: UInt8 = 0x16
    static let lingerTime = TimeAmount.seconds(1)

    private let issuer: String
    private var rejecting = false

    init(issuer: String) {
        self.issuer = issuer
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !rejecting else { return }  // the rest of the plain-HTTP request: dropped
        let buffer = unwrapInboundIn(data)
        guard let first = buffer.getInteger(at: buffer.readerIndex, as: UInt8.self) else { return }
        if first == Self.tlsHandshakeRecord {
            context.fireChannelRead(data)
            context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
            return
        }
        rejecting = true
        let text = "This MockIdP port speaks HTTPS, not plain HTTP: use \(issuer)\n"
        var response = context.channel.allocator.buffer(capacity: 160 + text.utf8.count)
        response.writeString(
            "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: \(text.utf8.count)\r\nConnection: close\r\n\r\n"
        )
        response.writeString(text)
        context.writeAndFlush(wrapOutboundOut(response), promise: nil)
        // These operations start here and travel towards the socket, past no TLS handler: the answer goes out as is.
        context.close(mode: .output, promise: nil)
        let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
        context.eventLoop.scheduleTask(in: Self.lingerTime) {
            bound.value.close(promise: nil)
        }
    }
}
