#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The decoded header and payload of a compact JWS, unverified (for display).
package struct JWTParts {
    package let header: [String: ClaimValue]
    package let claims: [String: ClaimValue]

    package init?(_ token: String) {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3,
            let headerData = String(parts[0]).base64URLDecoded,
            let payloadData = String(parts[1]).base64URLDecoded,
            let header = try? JSONDecoder().decode([String: ClaimValue].self, from: headerData),
            let claims = try? JSONDecoder().decode([String: ClaimValue].self, from: payloadData)
        else { return nil }
        self.header = header
        self.claims = claims
    }
}
