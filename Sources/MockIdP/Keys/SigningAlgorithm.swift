extension MockIdPConfiguration {
    /// The algorithms MockIdP signs with (`--signing-alg`).
    public enum SigningAlgorithm: String, Sendable, CaseIterable {
        /// RSA-2048 with SHA-256: the default, what every client supports.
        case rs256 = "RS256"
        /// ECDSA P-256 with SHA-256: about 15 times cheaper to sign.
        case es256 = "ES256"
        /// Ed25519.
        case eddsa = "EdDSA"
    }
}

/// Inside the library the algorithm goes by its short name.
typealias SigningAlgorithm = MockIdPConfiguration.SigningAlgorithm
