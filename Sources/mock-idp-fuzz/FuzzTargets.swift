/// Entry points for `mock-idp-fuzz`, the libFuzzer harness (Tests/fuzz.sh): one per surface that parses bytes from outside.
///
/// libFuzzer notices nothing but crashes, so each entry point checks what its parser promises (a value that
/// round-trips, or the documented error, as `HostileInputTests` expects) and traps when a promise is broken.
/// They read MockIdP's internals through `package` access; the regression tests replay the corpus through them;
/// nothing else should call them.
enum FuzzTargets {
    /// One fuzzed surface.
    struct Target: Sendable {
        /// The name `mock-idp-fuzz` and Tests/fuzz.sh know it by, also its seed directory's: Tests/Fuzz/corpus/<name>.
        let name: String
        let summary: String
        /// libFuzzer's `-max_len`: room for the largest seed and some growth, not so much that runs slow down.
        let maxLength: Int
        let body: @Sendable ([UInt8]) -> Void

        /// Runs one input; traps if the surface breaks one of its promises on it.
        func run(_ bytes: UnsafeRawBufferPointer) {
            body(Array(bytes))
        }
    }

    static let all: [Target] = [
        Target(
            name: "form", summary: "form bodies and query strings: FormParameters, rejectDuplicates, encode round trip",
            maxLength: 1024, body: form
        ),
        Target(
            name: "client-auth", summary: "Authorization headers and client credentials: Basic, Bearer, ClientAuthentication",
            maxLength: 1024, body: clientAuthentication
        ),
        Target(
            name: "client-assertion",
            summary: "JWT client assertions and client JWK Sets: ClientAssertion parsing, claim checks, signatures; ClientJWK",
            maxLength: 2048, body: clientAssertion
        ),
        Target(
            name: "token", summary: "presented tokens: JWTParts, JWTKit parsing, base64url, token hash, PKCE",
            maxLength: 2048, body: presentedToken
        ),
        Target(
            name: "fixtures", summary: "fixture files: FixtureLoader.decode, JSONSyntaxError.locate, Registry",
            maxLength: 8192, body: fixtures
        ),
        Target(
            name: "urls", summary: "redirect URIs and hosts: RedirectURI.problem and isRegistered (loopback ports), RequestOrigin.isHost",
            maxLength: 512, body: urls
        ),
        Target(
            name: "origin", summary: "Origin headers, allowed_origins entries and redirect URIs' origins: WebOrigin",
            maxLength: 256, body: origin
        ),
        Target(
            name: "registration", summary: "Dynamic Client Registration metadata: RegistrationEndpoint.check and client, Registry",
            maxLength: 4096, body: registration
        ),
        Target(
            name: "fetch", summary: "fetched URLs and caching headers: RemoteURL, ClientIDMetadataDocument.problem, CacheFreshness, HTTPDate",
            maxLength: 1024, body: fetch
        ),
    ]

    static func target(named name: String) -> Target? {
        all.first { $0.name == name }
    }
}

/// Traps when `condition` is false: libFuzzer records only crashes, so a broken invariant has to be one.
func fuzzCheck(_ condition: Bool, _ message: @autoclosure () -> String, file: StaticString = #fileID, line: UInt = #line) {
    if !condition {
        fatalError("fuzz invariant violated: \(message())", file: file, line: line)
    }
}

/// A fuzz input whose first byte picks how the rest is shaped (its value modulo the number of modes), so that one
/// target reaches raw bytes as well as inputs built to get past the first checks. Seeds start with an ASCII digit,
/// which is its own mode: the code of `0`, 48, is a multiple of 2, 3 and 4.
struct FuzzInput {
    let mode: Int
    let rest: ArraySlice<UInt8>

    init(_ bytes: [UInt8], modes: Int) {
        mode = Int(bytes.first ?? 0) % modes
        rest = bytes.dropFirst()
    }

    /// `rest` cut at its first `count - 1` newlines; missing pieces are empty.
    func pieces(_ count: Int) -> [ArraySlice<UInt8>] {
        var pieces = rest.split(separator: UInt8(ascii: "\n"), maxSplits: count - 1, omittingEmptySubsequences: false)
        while pieces.count < count { pieces.append([]) }
        return pieces
    }
}

extension Collection<UInt8> {
    /// For invariant messages: bytes as hex, so that a failure can be turned into a test of its own.
    var fuzzHex: String {
        let digits = Array("0123456789abcdef")
        return String(flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 0x0F)]] })
    }
}
