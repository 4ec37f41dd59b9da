/// Where an issued code or token stands, as /debug reports it.
public enum IssuedState: String, Sendable, Codable, Hashable, CaseIterable {
    /// Usable: not expired, used or revoked.
    case active
    /// A redeemed code, a rotated refresh token, or an exchanged device code.
    case used
    /// Past its lifetime on the server clock.
    case expired
    /// Revoked (RFC 7009), by a code replay or a refresh-token reuse, or when its session ended.
    case revoked
}
