import Logging

/// Everything the endpoints share: fixtures, keys, issued state, the clock and the issuer.
struct AuthorizationServer: Sendable {
    let registry: Registry
    let keys: SigningKeys
    let store: InMemoryStore
    let clock: ServerClock
    let issuer: IssuerState
    let logger: Logger

    /// RFC 6749 §4.1.2: "A maximum authorization code lifetime of 10 minutes is RECOMMENDED"; MockIdP is stricter.
    static let codeLifetime = 60

    var tokens: TokenService {
        TokenService(keys: keys, store: store, clock: clock, issuer: issuer, registry: registry)
    }
}
