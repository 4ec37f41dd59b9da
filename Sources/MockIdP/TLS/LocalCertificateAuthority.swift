#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Crypto
import SwiftASN1
import X509

/// A certificate authority generated at start, and the server certificate it signs.
///
/// Both keys are P-256: generating them and signing the two certificates costs well under a millisecond, where an
/// RSA-2048 key would cost 0.1 to 0.3 s of every start. Both certificates are valid from an hour before start (for
/// clients whose clock runs behind) for 30 days.
struct LocalCertificateAuthority: Sendable {
    /// The CA certificate, for clients to trust.
    let caCertificate: Certificate
    /// The server certificate, signed by the CA.
    let serverCertificate: Certificate
    /// The server certificate's private key.
    let serverKey: P256.Signing.PrivateKey

    static let validity: TimeInterval = 30 * 24 * 3600

    /// Generates a CA and a server certificate for `hosts` (DNS names and IPv4 or IPv6 addresses).
    static func generate(hosts: [String], now: Date = Date()) throws -> LocalCertificateAuthority {
        let notBefore = now.addingTimeInterval(-3600)
        let notAfter = now.addingTimeInterval(validity)

        let caKey = P256.Signing.PrivateKey()
        let caPublicKey = Certificate.PublicKey(caKey.publicKey)
        let caName = try DistinguishedName {
            OrganizationName("MockIdP")
            CommonName("MockIdP local CA")
        }
        let caKeyIdentifier = SubjectKeyIdentifier(hash: caPublicKey)
        let caCertificate = try Certificate(
            version: .v3,
            serialNumber: Certificate.SerialNumber(),
            publicKey: caPublicKey,
            notValidBefore: notBefore,
            notValidAfter: notAfter,
            issuer: caName,
            subject: caName,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
                Critical(KeyUsage(keyCertSign: true, cRLSign: true))
                caKeyIdentifier
            },
            issuerPrivateKey: Certificate.PrivateKey(caKey)
        )

        let serverKey = P256.Signing.PrivateKey()
        let serverPublicKey = Certificate.PublicKey(serverKey.publicKey)
        let serverCertificate = try Certificate(
            version: .v3,
            serialNumber: Certificate.SerialNumber(),
            publicKey: serverPublicKey,
            notValidBefore: notBefore,
            notValidAfter: notAfter,
            issuer: caName,
            subject: try DistinguishedName {
                OrganizationName("MockIdP")
                CommonName(hosts.first ?? "localhost")
            },
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true))
                try ExtendedKeyUsage([.serverAuth])
                SubjectAlternativeNames(Self.subjectAlternativeNames(hosts))
                SubjectKeyIdentifier(hash: serverPublicKey)
                AuthorityKeyIdentifier(keyIdentifier: caKeyIdentifier.keyIdentifier)
            },
            issuerPrivateKey: Certificate.PrivateKey(caKey)
        )
        return LocalCertificateAuthority(caCertificate: caCertificate, serverCertificate: serverCertificate, serverKey: serverKey)
    }

    /// One name per distinct host: an IP address entry for an address (RFC 5280 § 4.2.1.6: "the IP address MUST be
    /// stored in the octet string in network byte order"), a DNS name entry for anything else.
    static func subjectAlternativeNames(_ hosts: [String]) -> [GeneralName] {
        var seen = Set<String>()
        var names: [GeneralName] = []
        for host in hosts {
            let host = Self.bare(host)
            guard !host.isEmpty, seen.insert(host).inserted else { continue }
            if let address = IPAddressBytes.parse(host) {
                names.append(.ipAddress(ASN1OctetString(contentBytes: ArraySlice(address))))
            } else {
                names.append(.dnsName(host))
            }
        }
        return names
    }

    /// A host without IPv6 brackets, lowercased.
    static func bare(_ host: String) -> String {
        var host = host.lowercased()
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return host
    }

    /// The CA certificate as PEM text.
    func caCertificatePEM() throws -> String { try caCertificate.serializeAsPEM().pemString }
}
