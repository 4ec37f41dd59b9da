#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import NIOSSL
import SwiftASN1
import X509

/// A certificate chain and private key read from PEM files, each problem reported with the file it is in.
enum TLSFiles {
    static let certificateRole = "TLS certificate"
    static let keyRole = "TLS private key"

    /// Reads and parses both files, and checks that the key is the certificate's.
    ///
    /// - Throws: `MockIdPTLSError` naming the file: missing, unreadable, not PEM, or a key that does not match.
    static func load(certificate certificateFile: String, privateKey keyFile: String) throws(MockIdPTLSError) -> (chain: [NIOSSLCertificate], key: NIOSSLPrivateKey) {
        let certificateBytes = try read(certificateFile, role: certificateRole)
        let keyBytes = try read(keyFile, role: keyRole)

        let chain: [NIOSSLCertificate]
        do {
            chain = try NIOSSLCertificate.fromPEMBytes(certificateBytes)
        } catch {
            chain = []
        }
        guard !chain.isEmpty else {
            throw MockIdPTLSError(.notPEM, role: certificateRole, file: certificateFile, "not a PEM certificate (expected -----BEGIN CERTIFICATE-----)")
        }
        let keyText = String(decoding: keyBytes, as: UTF8.self)
        let key: NIOSSLPrivateKey
        do {
            guard keyText.contains("PRIVATE KEY-----") else { throw NIOSSLError.failedToLoadPrivateKey }
            key = try NIOSSLPrivateKey(bytes: keyBytes, format: .pem)
        } catch {
            throw MockIdPTLSError(.notPEM, role: keyRole, file: keyFile, "not an unencrypted PEM private key (expected -----BEGIN PRIVATE KEY----- or -----BEGIN EC/RSA PRIVATE KEY-----)")
        }
        if let matches = keyMatches(certificateDER: (try? chain[0].toDERBytes()) ?? [], keyText: keyText), !matches {
            throw MockIdPTLSError(.keyMismatch, role: keyRole, file: keyFile, "the private key does not match the certificate in \(certificateFile)")
        }
        return (chain, key)
    }

    /// Whether the key's public half is the certificate's public key; `nil` when swift-certificates cannot read the
    /// key (the TLS library then makes the same check, with a less specific message).
    static func keyMatches(certificateDER: [UInt8], keyText: String) -> Bool? {
        guard let certificate = try? Certificate(derEncoded: certificateDER),
            let documents = try? PEMDocument.parseMultiple(pemString: keyText),
            let document = documents.first(where: { $0.discriminator.hasSuffix("PRIVATE KEY") }),
            let key = try? Certificate.PrivateKey(pemDocument: document)
        else { return nil }
        return key.publicKey == certificate.publicKey
    }

    /// The file's bytes, or an error that says whether it is missing or unreadable.
    static func read(_ path: String, role: String) throws(MockIdPTLSError) -> [UInt8] {
        var isDirectory = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw MockIdPTLSError(.missing, role: role, file: path, "the file does not exist")
        }
        if isDirectory {
            throw MockIdPTLSError(.unreadable, role: role, file: path, "is a directory, not a file")
        }
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw MockIdPTLSError(.unreadable, role: role, file: path, "cannot read the file: permission denied")
        }
        do {
            return Array(try Data(contentsOf: URL(filePath: path)))
        } catch {
            throw MockIdPTLSError(.unreadable, role: role, file: path, "cannot read the file: \(error)")
        }
    }
}
