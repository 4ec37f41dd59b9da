/// Unguessable identifiers for codes, refresh tokens, `jti`s and grants: 256 bits from the system's CSPRNG, base64url.
func randomToken(bytes count: Int = 32) -> String {
    var generator = SystemRandomNumberGenerator()
    return (0..<count).map { _ in UInt8.random(in: .min ... .max, using: &generator) }.base64URLEncoded
}
