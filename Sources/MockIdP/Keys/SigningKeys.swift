import Crypto
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import JWTKit
import Synchronization
import _CryptoExtras

/// The keys MockIdP signs tokens with, and their public JWK Set, encoded once per change.
///
/// Tokens are signed with the configured algorithm's active key. An RS256 key is always published beside it:
/// OpenID Connect Discovery §3 says RS256 MUST be among `id_token_signing_alg_values_supported`, and it is what a
/// client that registers no `id_token_signed_response_alg` expects (OpenID Connect Registration §2). A client's
/// `id_token_signed_response_alg` picks the key of its ID tokens; a key for an algorithm a client names is published
/// once that client is registered.
///
/// `rotate()` makes a new key of the configured algorithm active and keeps the previous one published (and
/// verifiable) until the next rotation, so clients' JWKS refresh can be tested.
final class SigningKeys: Sendable {
    /// A private signing key of one of the supported algorithms.
    enum PrivateKey: Sendable {
        /// The PEM is kept for an `RS256Backend`.
        case rsa(JWTKit.Insecure.RSA.PrivateKey, pem: String)
        case ecdsa(ES256PrivateKey)
        case eddsa(EdDSA.PrivateKey)

        var algorithm: SigningAlgorithm {
            switch self {
            case .rsa: .rs256
            case .ecdsa: .es256
            case .eddsa: .eddsa
            }
        }
    }

    typealias PublishedKey = (key: PrivateKey, jwk: PublicJWK)

    struct State: Sendable {
        /// The configured algorithm's published keys, the active one first; at most two.
        var rotating: [PublishedKey]
        /// One key for each other algorithm that is published (RS256 always, others as clients ask).
        var others: [PublishedKey]
        var collection: JWTKeyCollection
        var jwksJSON: Data
        /// The backend's signers for the published RSA keys, by kid.
        var rs256Signers: [String: any RS256Signer]

        /// Every published key: the active one first.
        var published: [PublishedKey] { rotating + others }

        /// The key that signs for `algorithm`, if one is published.
        func signingKey(_ algorithm: SigningAlgorithm) -> PublishedKey? {
            if rotating[0].key.algorithm == algorithm { return rotating[0] }
            return others.first { $0.key.algorithm == algorithm }
        }
    }

    /// `nil` until the first keys exist: an issuer whose RSA key is generated waits for it until first needed.
    private let state: Mutex<State?>
    /// Makes the first keys, once, for the first caller that needs them; `nil` when they were made at once.
    private let firstKeys: Mutex<FirstKeys?>

    /// Deferred first keys: how to make them, then the one task making them, which every waiting caller shares.
    private enum FirstKeys {
        case waiting(@Sendable () async throws -> State)
        case making(Task<State, any Error>)
    }
    /// The configured algorithm: access tokens, and ID tokens of clients that name none.
    let algorithm: SigningAlgorithm
    /// Signs RS256 instead of jwt-kit where it can; `nil` in the library unless the embedder injects one.
    let rs256Backend: (any RS256Backend)?

    private init(algorithm: SigningAlgorithm, rs256Backend: (any RS256Backend)?, state: State?, firstKeys: FirstKeys?) {
        self.algorithm = algorithm
        self.rs256Backend = rs256Backend
        self.state = Mutex(state)
        self.firstKeys = Mutex(firstKeys)
    }

    /// The first keys: for RS256 the shipped development key (RSA generation takes 0.1 to 0.3 s) unless
    /// `builtInRSAKey` is false; ES256 and EdDSA keys are generated, which takes microseconds.
    ///
    /// - Parameters:
    ///   - algorithm: the configured algorithm.
    ///   - alsoPublishing: algorithms clients name in `id_token_signed_response_alg`.
    ///   - rs256Backend: signs RS256 where it can (the `mock-idp` binary's OpenSSL); `nil` signs with jwt-kit.
    ///   - builtInRSAKey: sign RS256 with the shipped key; when false (an issuer beside the root, which must not share
    ///     the root's key), an RSA key is generated when a token, the JWKS or a verification first needs one, so
    ///     that a server with many issuers starts as fast as one with a single issuer.
    static func make(
        _ algorithm: SigningAlgorithm, alsoPublishing: Set<SigningAlgorithm> = [], rs256Backend: (any RS256Backend)? = nil,
        builtInRSAKey: Bool = true
    ) async throws -> SigningKeys {
        let algorithms = [algorithm] + SigningAlgorithm.allCases.filter { $0 != algorithm && ($0 == .rs256 || alsoPublishing.contains($0)) }
        @Sendable func firstState() async throws -> State {
            let keys = try algorithms.map { try publish(builtInRSAKey ? firstKey($0) : generate($0)) }
            return try await makeState(rotating: [keys[0]], others: Array(keys.dropFirst()), rs256Backend: rs256Backend)
        }
        if builtInRSAKey || !algorithms.contains(.rs256) {
            return SigningKeys(algorithm: algorithm, rs256Backend: rs256Backend, state: try await firstState(), firstKeys: nil)
        }
        return SigningKeys(algorithm: algorithm, rs256Backend: rs256Backend, state: nil, firstKeys: .waiting(firstState))
    }

    /// The keys now; the first caller of a deferred set waits for them to be made.
    private func current() async throws -> State {
        if let state = state.withLock({ $0 }) { return state }
        let task = firstKeys.withLock { (first: inout FirstKeys?) -> Task<State, any Error>? in
            switch first {
            case .waiting(let make):
                let task = Task { try await make() }
                first = .making(task)
                return task
            case .making(let task): return task
            case nil: return nil
            }
        }
        guard let task else { throw UnpublishedAlgorithm(algorithm: algorithm) }
        let made = try await task.value
        return state.withLock { state in
            if state == nil { state = made }
            return state!
        }
    }

    private static func firstKey(_ algorithm: SigningAlgorithm) throws -> PrivateKey {
        switch algorithm {
        case .rs256: .rsa(try JWTKit.Insecure.RSA.PrivateKey(pem: BuiltInSigningKey.rsaPEM), pem: BuiltInSigningKey.rsaPEM)
        default: try generate(algorithm)
        }
    }

    private static func generate(_ algorithm: SigningAlgorithm) throws -> PrivateKey {
        switch algorithm {
        case .rs256:
            try {
                let key = try _RSA.Signing.PrivateKey(keySize: .bits2048)
                return .rsa(try JWTKit.Insecure.RSA.PrivateKey(backing: key), pem: key.pemRepresentation)
            }()
        case .es256: .ecdsa(ES256PrivateKey())
        case .eddsa: .eddsa(try EdDSA.PrivateKey(curve: .ed25519))
        }
    }

    private static func publish(_ key: PrivateKey) throws -> PublishedKey {
        var jwk: PublicJWK
        switch key {
        case .rsa(let rsa, _):
            let primitives = try rsa.publicKey.getKeyPrimitives()
            jwk = PublicJWK(kty: "RSA", alg: "RS256", kid: "", n: primitives.modulus.base64URLEncoded, e: primitives.publicExponent.base64URLEncoded)
        case .ecdsa(let ecdsa):
            let parameters = ecdsa.parameters
            jwk = PublicJWK(kty: "EC", alg: "ES256", kid: "", crv: "P-256", x: parameters?.x, y: parameters?.y)
        case .eddsa(let eddsa):
            jwk = PublicJWK(kty: "OKP", alg: "EdDSA", kid: "", crv: "Ed25519", x: eddsa.publicKey.rawRepresentation.base64URLEncoded)
        }
        jwk.kid = thumbprint(of: jwk)
        return (key, jwk)
    }

    private static func makeState(rotating: [PublishedKey], others: [PublishedKey], rs256Backend: (any RS256Backend)?) async throws -> State {
        let collection = JWTKeyCollection()
        var rs256Signers: [String: any RS256Signer] = [:]
        for (key, jwk) in rotating + others {
            let kid = JWKIdentifier(string: jwk.kid)
            switch key {
            case .rsa(let rsa, let pem):
                await collection.add(rsa: rsa, digestAlgorithm: .sha256, kid: kid, serializer: claimsSerializer)
                rs256Signers[jwk.kid] = rs256Backend?.signer(pem: pem)
            case .ecdsa(let ecdsa): await collection.add(ecdsa: ecdsa, kid: kid, serializer: claimsSerializer)
            case .eddsa(let eddsa): await collection.add(eddsa: eddsa, kid: kid, serializer: claimsSerializer)
            }
        }
        let jwksJSON = try JSONEncoder().encode(JWKSet(keys: (rotating + others).map(\.jwk)))
        return State(rotating: rotating, others: others, collection: collection, jwksJSON: jwksJSON, rs256Signers: rs256Signers)
    }

    /// Verifies signatures: every published key.
    func collection() async throws -> JWTKeyCollection { try await current().collection }
    func activeKID() async throws -> String { try await current().rotating[0].jwk.kid }
    func jwksJSON() async throws -> Data { try await current().jwksJSON }
    /// The published key ids, active first.
    func publishedKIDs() async throws -> [String] { try await current().published.map(\.jwk.kid) }
    /// The published keys' ids and algorithms, the active one first; none while deferred first keys are not made yet
    /// (asking never makes them).
    var madeKeys: [(kid: String, algorithm: SigningAlgorithm)] {
        state.withLock { $0?.published.map { ($0.jwk.kid, $0.key.algorithm) } ?? [] }
    }

    /// The key collection when the keys exist; `nil` while deferred first keys are not made yet.
    func madeCollection() -> JWTKeyCollection? { state.withLock { $0?.collection } }
    /// The algorithms tokens can be signed with: the configured one first, then RS256 and any a client asked for.
    func publishedAlgorithms() async throws -> [SigningAlgorithm] {
        let state = try await current()
        return [state.rotating[0].key.algorithm] + state.others.map(\.key.algorithm)
    }

    /// Generates a new key of the configured algorithm and makes it active. The previously active key stays
    /// published (and verifying) until the next rotation; the one before it is dropped. Keys of other algorithms stay.
    @discardableResult
    func rotate() async throws -> String {
        let fresh = try Self.publish(Self.generate(algorithm))
        let now = try await current()
        let next = try await Self.makeState(rotating: [fresh, now.rotating[0]], others: now.others, rs256Backend: rs256Backend)
        state.withLock { $0 = next }
        return fresh.jwk.kid
    }

    /// Publishes a key for each of `algorithms` that has none yet (a client registered at runtime names it).
    func publish(_ algorithms: Set<SigningAlgorithm>) async throws {
        let now = try await current()
        let missing = algorithms.filter { now.signingKey($0) == nil }
        guard !missing.isEmpty else { return }
        let added = try SigningAlgorithm.allCases.filter(missing.contains).map { try Self.publish(Self.firstKey($0)) }
        let next = try await Self.makeState(rotating: now.rotating, others: now.others + added, rs256Backend: rs256Backend)
        state.withLock { $0 = next }
    }

    /// RFC 7638 JWK thumbprint: SHA-256 over the required members in lexicographic order, base64url.
    static func thumbprint(of jwk: PublicJWK) -> String {
        let canonical: String
        if jwk.kty == "RSA" {
            canonical = #"{"e":"\#(jwk.e ?? "")","kty":"RSA","n":"\#(jwk.n ?? "")"}"#
        } else if jwk.kty == "OKP" {
            canonical = #"{"crv":"\#(jwk.crv ?? "")","kty":"OKP","x":"\#(jwk.x ?? "")"}"#
        } else {
            canonical = #"{"crv":"\#(jwk.crv ?? "")","kty":"\#(jwk.kty)","x":"\#(jwk.x ?? "")","y":"\#(jwk.y ?? "")"}"#
        }
        return SHA256.hash(data: Data(canonical.utf8)).base64URLEncoded
    }

    /// Claims are written by `JSONWriter`, with sorted keys, so a token's payload reads the same in /debug every time.
    static var claimsSerializer: DefaultJWTSerializer { DefaultJWTSerializer(jsonEncoder: ClaimsJSONEncoder()) }

    /// jwt-kit's encoder for headers and payloads: `JWTClaims` through `JSONWriter`, anything else (the header)
    /// through one JSONEncoder with sorted keys, made once rather than per token.
    private struct ClaimsJSONEncoder: JWTJSONEncoder {
        private static let headerEncoder: JSONEncoder = {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            return encoder
        }()

        func encode<T: Encodable>(_ value: T) throws -> Data {
            if let claims = value as? JWTClaims { return Data(JSONWriter.encode(claims.claims)) }
            return try Self.headerEncoder.encode(value)
        }
    }

    /// Signs `claims` with the active key of `algorithm` (the configured one by default). `type` is the JOSE `typ`
    /// header: `at+jwt` for access tokens (RFC 9068 §2.1).
    func sign(_ claims: [String: ClaimValue], type: String = "JWT", algorithm: SigningAlgorithm? = nil) async throws -> String {
        var header = JWTHeader()
        header.typ = type
        let algorithm = algorithm ?? self.algorithm
        var keys = state.withLock { state in
            state.map { state in
                let kid = state.signingKey(algorithm)?.jwk.kid
                return (state.collection, kid, kid.flatMap { state.rs256Signers[$0] })
            }
        }
        if keys == nil {
            let state = try await current()
            let kid = state.signingKey(algorithm)?.jwk.kid
            keys = (state.collection, kid, kid.flatMap { state.rs256Signers[$0] })
        }
        guard let (collection, kid, signer) = keys else { throw UnpublishedAlgorithm(algorithm: algorithm) }
        guard let kid else { throw UnpublishedAlgorithm(algorithm: algorithm) }
        if let signer {
            let header = #"{"alg":"RS256","kid":"\#(kid)","typ":"\#(type)"}"#
            if let token = try Self.compactJWS(claims, header: header, signer: signer) { return token }
        }
        return try await collection.sign(JWTClaims(claims: claims), kid: JWKIdentifier(string: kid), header: header)
    }

    /// A token was to be signed with an algorithm no published key has (a bug: keys are published as clients are registered).
    struct UnpublishedAlgorithm: Error, CustomStringConvertible {
        let algorithm: SigningAlgorithm
        var description: String { "no \(algorithm.rawValue) signing key is published" }
    }

    /// JWS compact serialization (RFC 7515 §7.1), as jwt-kit writes it: the header (its members sorted, as jwt-kit
    /// sorts them) and the sorted claims, base64url, then the signature over both. The header's values are a key
    /// thumbprint and a fixed `typ`, so they need no escaping.
    /// `nil` when the backend turns out to be unable to sign.
    private static func compactJWS(_ claims: [String: ClaimValue], header: String, signer: any RS256Signer) throws -> String? {
        let payload = JSONWriter.encode(claims)
        let signingInput = header.utf8.base64URLEncoded + "." + payload.base64URLEncoded
        guard let signature = try signer.sign(Array(signingInput.utf8)) else { return nil }
        return signingInput + "." + signature.base64URLEncoded
    }
}
