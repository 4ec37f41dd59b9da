import ArgumentParser

/// The server's `--signing-alg` values.
enum SigningAlgorithm: String, CaseIterable, Codable, ExpressibleByArgument {
    case rs256 = "RS256"
    case es256 = "ES256"
    case edDSA = "EdDSA"

    /// The `openssl speed` test that signs the same way: the ceiling for issuing tokens signed with this algorithm.
    var opensslSpeedTest: String {
        switch self {
        case .rs256: "rsa2048"
        case .es256: "ecdsap256"
        case .edDSA: "ed25519"
        }
    }
}

/// A comma-separated list of signing algorithms, as `--algorithms RS256,ES256` takes it.
struct SigningAlgorithms: ExpressibleByArgument {
    let list: [SigningAlgorithm]

    init(_ list: [SigningAlgorithm]) {
        self.list = list
    }

    init?(argument: String) {
        let list = argument.split(separator: ",").map { SigningAlgorithm(rawValue: String($0)) }
        guard !list.isEmpty, !list.contains(nil) else { return nil }
        self.list = list.compactMap { $0 }
    }

    var defaultValueDescription: String { list.map(\.rawValue).joined(separator: ",") }
}
