import Logging

/// Everything the endpoints share: fixtures, keys, issued state, the clock and the issuer.
struct AuthorizationServer: Sendable {
    let directory: Directory
    let keys: SigningKeys
    let store: InMemoryStore
    let clock: ServerClock
    let issuer: IssuerState
    let scripts: ScriptedResponses
    let requestLog: RequestLog
    /// Show the user chooser on every authorization request, not only on prompt=login / select_account.
    let alwaysShowLoginPage: Bool
    let logger: Logger

    /// RFC 6749 §4.1.2: "A maximum authorization code lifetime of 10 minutes is RECOMMENDED"; MockIdP is stricter.
    static let codeLifetime = 60

    /// The fixtures as they stand now (runtime additions included).
    var registry: Registry { directory.registry }

    var tokens: TokenService {
        TokenService(keys: keys, store: store, clock: clock, issuer: issuer, registry: registry)
    }
}
