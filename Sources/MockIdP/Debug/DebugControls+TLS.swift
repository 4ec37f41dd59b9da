import HTTPTypes

extension DebugControls {
    /// The CA certificate (PEM) that signed the server certificate MockIdP generated.
    ///
    /// - Throws: `OAuthError` 404 `not_found` when the server speaks plain HTTP, or serves a certificate brought in
    ///   files (MockIdP then has no CA of its own to offer).
    func caCertificate() throws(OAuthError) -> String {
        guard let tls else {
            throw OAuthError(
                OAuthError.Code(rawValue: "not_found"),
                "this MockIdP serves plain HTTP: there is no CA certificate (start it with --tls)",
                status: .notFound
            )
        }
        guard let pem = tls.caCertificatePEM else {
            throw OAuthError(
                OAuthError.Code(rawValue: "not_found"),
                "this MockIdP serves the certificate it was given (--tls-cert): it has no CA certificate of its own",
                status: .notFound
            )
        }
        return pem
    }
}
