import Crypto
import Synchronization

/// Unguessable identifiers for codes, refresh tokens, `jti`s and grants: 256 bits from a CSPRNG, base64url.
///
/// The bytes come from BoringSSL's generator (seeded by the system's), drawn 4 KiB at a time: each draw costs a
/// system call for fresh entropy, once per token before (a few percent of a token's CPU under load). MockIdP never
/// forks, so a buffer in memory is as good as a draw per token.
func randomToken(bytes count: Int = 32) -> String {
    RandomBytes.shared.withLock { $0.take(count) }.base64URLEncoded
}

private struct RandomBytes: ~Copyable {
    static let shared = Mutex(RandomBytes())
    static let batch = 4096

    private var pool: [UInt8] = []
    private var used = 0

    mutating func take(_ count: Int) -> [UInt8] {
        guard count <= Self.batch else { return Self.draw(count) }
        if used + count > pool.count {
            pool = Self.draw(Self.batch)
            used = 0
        }
        defer { used += count }
        return Array(pool[used..<used + count])
    }

    private static func draw(_ count: Int) -> [UInt8] {
        SymmetricKey(size: SymmetricKeySize(bitCount: count * 8)).withUnsafeBytes { Array($0) }
    }
}
