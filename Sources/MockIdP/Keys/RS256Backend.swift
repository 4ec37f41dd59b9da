/// Where RS256 signatures come from: the seam through which the `mock-idp` binary plugs in the system's OpenSSL.
///
/// The library signs RS256 with jwt-kit over swift-crypto and needs no backend. The binary injects one
/// (`MockIdPOpenSSL.SystemRSABackend`) through `MockIdPConfiguration.rs256Backend`, so that no process that embeds the
/// library `dlopen`s anything it did not ask for.
package protocol RS256Backend: Sendable {
    /// A signer for the RSA private key in `pem`; `nil` when this backend cannot sign with it (then jwt-kit signs).
    func signer(pem: String) -> (any RS256Signer)?
}

/// Signs with one RSA private key.
package protocol RS256Signer: Sendable {
    /// The RS256 signature (RSASSA-PKCS1-v1_5 with SHA-256, RFC 7518 §3.3) of `input`; `nil` when the backend turns out
    /// to be unable to sign after all, so that the caller signs with jwt-kit instead.
    func sign(_ input: [UInt8]) throws -> [UInt8]?
}
