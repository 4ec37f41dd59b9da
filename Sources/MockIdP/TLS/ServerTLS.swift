#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Crypto
import NIOSSL
import SwiftASN1
import X509

/// What an HTTPS server needs, resolved once before it listens: the TLS context, and the CA clients should trust
/// when MockIdP generated the certificate.
struct ServerTLS: Sendable {
    /// Shared by every connection: building it parses the certificate and key once.
    let context: NIOSSLContext
    /// The CA certificate (PEM) when MockIdP generated the server certificate; `nil` for a certificate brought in files.
    let caCertificatePEM: String?
    /// Where the CA certificate was written, when MockIdP generated one.
    let caCertificateFile: String?
    /// The CA file was MockIdP's own choice (under the temporary directory), so it is removed when the server stops.
    let removesCAFileOnStop: Bool

    /// Generates or loads the certificate and builds the TLS context.
    ///
    /// - Parameter hosts: the names the generated certificate must cover (bound host, issuer host); `localhost`,
    ///   `127.0.0.1` and `::1` are always added.
    /// - Throws: `MockIdPTLSError` naming the file that is missing, unreadable, not PEM or whose key does not match.
    static func make(_ tls: MockIdPConfiguration.TLS, hosts: [String]) throws(MockIdPTLSError) -> ServerTLS {
        switch tls {
        case .generated(let requestedFile):
            return try generated(caCertificateFile: requestedFile, hosts: hosts)
        case .files(let certificateFile, let keyFile):
            let material = try TLSFiles.load(certificate: certificateFile, privateKey: keyFile)
            let context = try makeContext(chain: material.chain, key: material.key, file: keyFile, role: TLSFiles.keyRole)
            return ServerTLS(context: context, caCertificatePEM: nil, caCertificateFile: nil, removesCAFileOnStop: false)
        }
    }

    private static func generated(caCertificateFile requestedFile: String?, hosts: [String]) throws(MockIdPTLSError) -> ServerTLS {
        // Absolute, so that the path logged and printed (`tls-ca: PATH`) works from any directory.
        var file = requestedFile ?? defaultCAFile()
        if !file.hasPrefix("/") { file = FileManager.default.currentDirectoryPath + "/" + file }
        let role = "CA certificate output"
        let authority: LocalCertificateAuthority
        let caPEM: String
        let chain: [NIOSSLCertificate]
        let key: NIOSSLPrivateKey
        do {
            authority = try LocalCertificateAuthority.generate(hosts: ["localhost", "127.0.0.1", "::1"] + hosts)
            caPEM = try authority.caCertificatePEM()
            chain = [try NIOSSLCertificate(bytes: Array(try authority.serverCertificate.serializeAsPEM().pemString.utf8), format: .pem)]
            key = try NIOSSLPrivateKey(bytes: Array(authority.serverKey.pemRepresentation.utf8), format: .pem)
        } catch {
            throw MockIdPTLSError(.invalid, role: role, file: file, "could not generate the certificate: \(error)")
        }
        do {
            try Data(caPEM.utf8).write(to: URL(filePath: file))
        } catch {
            throw MockIdPTLSError(.unwritable, role: role, file: file, "cannot write the CA certificate: \(error)")
        }
        let context = try makeContext(chain: chain, key: key, file: file, role: role)
        return ServerTLS(context: context, caCertificatePEM: caPEM, caCertificateFile: file, removesCAFileOnStop: requestedFile == nil)
    }

    /// TLS 1.2 and later, HTTP/1.1 offered by ALPN, no client certificates asked for.
    private static func makeContext(
        chain: [NIOSSLCertificate],
        key: NIOSSLPrivateKey,
        file: String,
        role: String
    ) throws(MockIdPTLSError) -> NIOSSLContext {
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain.map { .certificate($0) },
            privateKey: .privateKey(key)
        )
        configuration.minimumTLSVersion = .tlsv12
        configuration.applicationProtocols = ["http/1.1"]
        do {
            return try NIOSSLContext(configuration: configuration)
        } catch {
            throw MockIdPTLSError(.invalid, role: role, file: file, "the TLS library refused it: \(error)")
        }
    }

    /// `$TMPDIR/mock-idp-ca-PID-RANDOM.pem` (or under `/tmp`): one file per server, even with several in one process.
    static func defaultCAFile() -> String {
        var directory = ProcessInfo.processInfo.environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        while directory.count > 1 && directory.hasSuffix("/") { directory.removeLast() }
        let suffix = (0..<4).map { _ in String(UInt8.random(in: 0...255), radix: 16) }.joined()
        return "\(directory)/mock-idp-ca-\(ProcessInfo.processInfo.processIdentifier)-\(suffix).pem"
    }

    /// Removes the CA file if MockIdP chose where it went.
    func removeOwnCAFile() {
        guard removesCAFileOnStop, let caCertificateFile else { return }
        try? FileManager.default.removeItem(atPath: caCertificateFile)
    }
}
