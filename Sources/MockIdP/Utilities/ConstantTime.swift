import Crypto

/// Compares two secrets in time that depends only on their lengths' digests, not on where they differ.
func constantTimeEquals(_ a: String, _ b: String) -> Bool {
    let left = SHA256.hash(data: Array(a.utf8))
    let right = SHA256.hash(data: Array(b.utf8))
    var difference: UInt8 = 0
    for (x, y) in zip(left, right) { difference |= x ^ y }
    return difference == 0
}
