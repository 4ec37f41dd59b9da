import Crypto

/// Unguessable identifiers for codes, refresh tokens, `jti`s and grants: 256 bits from a CSPRNG, base64url.
///
/// The bytes come from BoringSSL's generator (seeded by the system's and fork-safe) in one call: drawing them from
/// `SystemRandomNumberGenerator` one by one took a system call for each.
func randomToken(bytes count: Int = 32) -> String {
    SymmetricKey(size: SymmetricKeySize(bitCount: count * 8)).withUnsafeBytes { Array($0) }.base64URLEncoded
}
