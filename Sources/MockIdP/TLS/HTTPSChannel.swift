import HummingbirdCore
import Logging
import NIOCore
import NIOSSL

/// The child channel of an HTTPS server: a plain-HTTP guard, then TLS, then the base channel (HTTP/1.1).
///
/// HummingbirdTLS's `TLSChannel` puts TLS first; this one puts `PlainHTTPRejector` in front of it, so that a client
/// speaking plain HTTP to the port gets a readable 400 instead of TLS alert bytes or a hang.
struct HTTPSChannel<Base: ServerChildChannel>: ServerChildChannel {
    typealias Value = Base.Value

    let base: Base
    let context: NIOSSLContext
    /// The https URL a plain-HTTP client is told to use; read per connection, since it is final only once bound.
    let issuer: IssuerState

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.addHandler(PlainHTTPRejector(issuer: issuer.issuer))
            try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: context))
        }.flatMap {
            base.setup(channel: channel, logger: logger)
        }
    }

    func handle(value: Value, logger: Logger) async {
        await base.handle(value: value, logger: logger)
    }
}

extension HTTPServerBuilder {
    /// HTTP/1.1 over TLS, with plain HTTP to the port answered by a 400 naming the https URL.
    static func https(_ configuration: HTTP1Channel.Configuration, tls: ServerTLS, issuer: IssuerState) -> HTTPServerBuilder {
        HTTPServerBuilder { responder in
            HTTPSChannel(base: HTTP1Channel(responder: responder, configuration: configuration), context: tls.context, issuer: issuer)
        }
    }
}
