package import JWTKit

/// A JWT payload of any shape. MockIdP checks validity against its own records, so `verify` checks nothing.
package struct JWTClaims: JWTPayload, Equatable {
    package var claims: [String: ClaimValue]

    package init(claims: [String: ClaimValue]) {
        self.claims = claims
    }

    package init(from decoder: any Decoder) throws {
        self.claims = try decoder.singleValueContainer().decode([String: ClaimValue].self)
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(claims)
    }

    package func verify(using algorithm: some JWTAlgorithm) async throws {}
}
