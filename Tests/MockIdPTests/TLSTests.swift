import Crypto
import Foundation
@testable import MockIdP
import NIOCore
import NIOPosix
import NIOSSL
import SwiftASN1
import Testing
import X509

@Suite struct TLSTests {
    // MARK: The generated certificate

    @Test("the generated server certificate names localhost, 127.0.0.1, ::1 and the given hosts, and the CA signed it")
    func generatedCertificate() throws {
        let authority = try LocalCertificateAuthority.generate(hosts: ["localhost", "127.0.0.1", "::1", "idp.example", "[::1]"])
        let server = authority.serverCertificate
        let ca = authority.caCertificate
        let names = try #require(try server.extensions.subjectAlternativeNames)
        #expect(names.contains(.dnsName("localhost")))
        #expect(names.contains(.dnsName("idp.example")))
        let addresses = names.compactMap { name -> [UInt8]? in
            if case .ipAddress(let bytes) = name { return Array(bytes.bytes) }
            return nil
        }
        #expect(addresses == [[127, 0, 0, 1], [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]], "::1 once, though given twice")
        #expect(try ca.extensions.basicConstraints == .isCertificateAuthority(maxPathLength: 0))
        #expect(try server.extensions.basicConstraints == .notCertificateAuthority)
        #expect(try server.extensions.extendedKeyUsage?.contains(.serverAuth) == true)
        #expect(server.issuer == ca.subject)
        #expect(ca.publicKey.isValidSignature(server.signature, for: server))
        #expect(server.publicKey == Certificate.PublicKey(authority.serverKey.publicKey))
        #expect(try server.extensions.authorityKeyIdentifier?.keyIdentifier == ca.extensions.subjectKeyIdentifier?.keyIdentifier)
        #expect(server.notValidAfter.timeIntervalSince(server.notValidBefore) > 29 * 24 * 3600)
    }

    @Test("under TLS the issuer is https://, with the issuer's host added to the certificate")
    func httpsIssuer() {
        var configuration = MockIdPConfiguration(host: "127.0.0.1", port: 0)
        #expect(configuration.issuer(boundPort: 8443) == "http://127.0.0.1:8443")
        configuration.tls = .generated()
        #expect(configuration.issuer(boundPort: 8443) == "https://127.0.0.1:8443")
        configuration.host = "::1"
        #expect(configuration.issuer(boundPort: 8443) == "https://[::1]:8443")
        configuration.issuer = "https://user@idp.example:9443/realms/a"
        #expect(configuration.tlsCertificateHosts == ["::1", "idp.example"])
        configuration.host = "0.0.0.0"
        #expect(configuration.tlsCertificateHosts == ["idp.example"])
        #expect(MockIdPConfiguration.host(ofURL: "https://[fd00::1]:443") == "fd00::1")
        #expect(MockIdPConfiguration.host(ofURL: "not a url") == nil)
    }

    // MARK: A running HTTPS server

    @Test("withMockIdP(tls: .generated()) serves HTTPS trusted through its CA, and /debug/ca.pem serves that CA")
    func servesHTTPS() async throws {
        let caFile = try await withMockIdP(MockIdPConfiguration(tls: .generated())) { idp in
            #expect(idp.issuer == "https://127.0.0.1:\(idp.port)")
            #expect(idp.tokenEndpoint == idp.issuer + "/token")
            let pem = try #require(idp.caCertificatePEM)
            let file = try #require(idp.caCertificateFile)
            #expect(try String(contentsOfFile: file, encoding: .utf8) == pem)

            let health = try await httpsRequest(port: idp.port, path: "/healthz", trusting: pem)
            #expect(health.hasPrefix("HTTP/1.1 200"))
            #expect(health.hasSuffix(#"{"status":"ok"}"#))
            let served = try await httpsRequest(port: idp.port, path: "/debug/ca.pem", trusting: pem)
            #expect(served.lowercased().contains("content-type: application/x-pem-file"))
            #expect(served.hasSuffix(pem))
            return file
        }
        #expect(!FileManager.default.fileExists(atPath: caFile), "the CA file MockIdP placed itself is removed when it stops")
    }

    @Test("a client that does not trust the CA is refused; plain HTTP to the port gets a 400 naming the https URL")
    func untrustedAndPlainHTTP() async throws {
        try await withMockIdP(MockIdPConfiguration(tls: .generated())) { idp in
            let otherCA = try LocalCertificateAuthority.generate(hosts: ["localhost"]).caCertificatePEM()
            await #expect(throws: (any Error).self) {
                _ = try await httpsRequest(port: idp.port, path: "/healthz", trusting: otherCA)
            }
            let plain = try await plainRequest(port: idp.port, "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            #expect(plain.hasPrefix("HTTP/1.1 400 Bad Request\r\n"))
            #expect(plain.hasSuffix("This MockIdP port speaks HTTPS, not plain HTTP: use \(idp.issuer)\n"))
        }
    }

    @Test("/debug/ca.pem is a 404 JSON error without TLS")
    func caWithoutTLS() async throws {
        try await withMockIdP { idp in
            #expect(idp.caCertificatePEM == nil && idp.caCertificateFile == nil)
            let response = try await plainRequest(port: idp.port, "GET /debug/ca.pem HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            #expect(response.hasPrefix("HTTP/1.1 404"))
            #expect(response.contains(#""error":"not_found""#))
        }
    }

    // MARK: A certificate brought in files

    @Test("a certificate and key in PEM files are served; MockIdP has no CA to offer then")
    func bringYourOwn() async throws {
        let directory = try TemporaryFiles()
        defer { directory.remove() }
        let authority = try LocalCertificateAuthority.generate(hosts: ["localhost", "127.0.0.1"])
        let certificate = try directory.write("cert.pem", authority.serverCertificate.serializeAsPEM().pemString)
        let key = try directory.write("key.pem", authority.serverKey.pemRepresentation)
        try await withMockIdP(MockIdPConfiguration(tls: .files(certificate: certificate, privateKey: key))) { idp in
            #expect(idp.issuer.hasPrefix("https://"))
            #expect(idp.caCertificatePEM == nil)
            let response = try await httpsRequest(port: idp.port, path: "/debug/ca.pem", trusting: try authority.caCertificatePEM())
            #expect(response.hasPrefix("HTTP/1.1 404"))
            #expect(response.contains("--tls-cert"))
        }
    }

    @Test("a missing, unreadable or non-PEM file, or a key of another certificate, throws MockIdPTLSError naming the file")
    func badFiles() async throws {
        let directory = try TemporaryFiles()
        defer { directory.remove() }
        let first = try LocalCertificateAuthority.generate(hosts: ["localhost"])
        let second = try LocalCertificateAuthority.generate(hosts: ["localhost"])
        let certificate = try directory.write("cert.pem", first.serverCertificate.serializeAsPEM().pemString)
        let otherKey = try directory.write("other.key", second.serverKey.pemRepresentation)
        let text = try directory.write("notes.txt", "not PEM at all\n")
        let missing = directory.url.appending(path: "missing.pem").path
        let cases: [(MockIdPConfiguration.TLS, MockIdPTLSError.Code, String)] = [
            (.files(certificate: missing, privateKey: otherKey), .missing, missing),
            (.files(certificate: certificate, privateKey: missing), .missing, missing),
            (.files(certificate: directory.url.path, privateKey: otherKey), .unreadable, directory.url.path),
            (.files(certificate: text, privateKey: otherKey), .notPEM, text),
            (.files(certificate: certificate, privateKey: text), .notPEM, text),
            (.files(certificate: certificate, privateKey: certificate), .notPEM, certificate),
            (.files(certificate: certificate, privateKey: otherKey), .keyMismatch, otherKey),
            (.generated(caCertificateFile: missing + "/ca.pem"), .unwritable, missing + "/ca.pem"),
        ]
        for (tls, code, file) in cases {
            let error = await #expect(throws: MockIdPTLSError.self) {
                try await withMockIdP(MockIdPConfiguration(tls: tls)) { _ in }
            }
            #expect(error?.code == code, "\(tls)")
            #expect(error?.file == file)
            #expect(error.map { "\($0)".contains(file) && !"\($0)".contains("\n") } == true, "\(String(describing: error))")
        }
    }
}

// MARK: Helpers

/// A GET over TLS with NIOSSL, trusting only `pem`, with `Connection: close`; the whole response as text.
func httpsRequest(port: Int, path: String, trusting pem: String) async throws -> String {
    var configuration = TLSConfiguration.makeClientConfiguration()
    configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(Array(pem.utf8)))
    let context = try NIOSSLContext(configuration: configuration)
    let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
        .connect(host: "127.0.0.1", port: port) { channel in
            channel.eventLoop.makeCompletedFuture {
                try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: context, serverHostname: "localhost"))
                return try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
            }
        }
    return try await exchange(channel, "GET \(path) HTTP/1.1\r\nHost: localhost:\(port)\r\nConnection: close\r\n\r\n")
}

/// Sends `request` as is over plain TCP; the whole response as text.
func plainRequest(port: Int, _ request: String) async throws -> String {
    let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
        .connect(host: "127.0.0.1", port: port) { channel in
            channel.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel) }
        }
    return try await exchange(channel, request)
}

private func exchange(_ channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>, _ request: String) async throws -> String {
    try await channel.executeThenClose { inbound, outbound in
        try await outbound.write(ByteBuffer(string: request))
        var response = ""
        do {
            for try await chunk in inbound { response += String(buffer: chunk) }
        } catch NIOSSLError.uncleanShutdown where !response.isEmpty {
            // The response was complete (Connection: close); the server closed without close_notify.
        }
        return response
    }
}

/// A temporary directory for certificate files.
struct TemporaryFiles {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appending(path: "mock-idp-tls-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func write(_ name: String, _ text: String) throws -> String {
        let file = url.appending(path: name)
        try Data(text.utf8).write(to: file)
        return file.path
    }

    func remove() { try? FileManager.default.removeItem(at: url) }
}
