import NIOSSL
import Synchronization

/// Whom an HTTPS fetch trusts: the system's roots, and the CA certificates `MockIdPConfiguration.fetchCAFiles` names.
/// The TLS context is made at the first HTTPS fetch, not at start: loading the system's roots costs milliseconds that
/// a server which never fetches should not pay.
final class FetchTrust: Sendable {
    /// The role a CA file has in `MockIdPTLSError`.
    static let role = "fetch CA certificate"

    private let certificates: [NIOSSLCertificate]
    private let made = Mutex<NIOSSLContext?>(nil)

    init(certificates: [NIOSSLCertificate]) {
        self.certificates = certificates
    }

    /// The certificates in `files`, read now.
    ///
    /// - Throws: `MockIdPTLSError` naming a file that is missing, unreadable or holds no PEM certificate.
    static func certificates(_ files: [String]) throws(MockIdPTLSError) -> [NIOSSLCertificate] {
        var certificates: [NIOSSLCertificate] = []
        for file in files {
            let bytes = try TLSFiles.read(file, role: role)
            let found = (try? NIOSSLCertificate.fromPEMBytes(bytes)) ?? []
            guard !found.isEmpty else {
                throw MockIdPTLSError(.notPEM, role: role, file: file, "not a PEM certificate (expected -----BEGIN CERTIFICATE-----)")
            }
            certificates += found
        }
        return certificates
    }

    /// The client TLS context, made once.
    func context() throws -> NIOSSLContext {
        try made.withLock { made in
            if let made { return made }
            var configuration = TLSConfiguration.makeClientConfiguration()
            if !certificates.isEmpty { configuration.additionalTrustRoots = [.certificates(certificates)] }
            let context = try NIOSSLContext(configuration: configuration)
            made = context
            return context
        }
    }
}
