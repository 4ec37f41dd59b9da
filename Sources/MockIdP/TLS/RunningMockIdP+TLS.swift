extension RunningMockIdP {
    /// The CA certificate (PEM) that signed the HTTPS certificate MockIdP generated (`tls: .generated()`), for your
    /// client to trust; `nil` for plain HTTP or a certificate you brought. The same text as `GET /debug/ca.pem`.
    public var caCertificatePEM: String? { controls.tls?.caCertificatePEM }

    /// Where that CA certificate was written, e.g. for `NODE_EXTRA_CA_CERTS` or `SSL_CERT_FILE`; `nil` without one.
    public var caCertificateFile: String? { controls.tls?.caCertificateFile }
}

extension MockIdPServer {
    /// The CA certificate (PEM) that signed the HTTPS certificate MockIdP generated; `nil` for plain HTTP or a
    /// certificate you brought. Set from `init`, before the server listens.
    public var caCertificatePEM: String? { mounted.controls.tls?.caCertificatePEM }

    /// Where that CA certificate was written; `nil` without one.
    public var caCertificateFile: String? { mounted.controls.tls?.caCertificateFile }
}
