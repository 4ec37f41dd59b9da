import Foundation

struct IssuanceFigures: Codable {
    let requestsPerSecond: Double
    let p99Ms: Double?
    let tokensIssued: Int
    let non200Responses: Int
    let socketErrors: Int
}

struct FlowFigures: Codable {
    let flowsPerSecond: Double
    let flowsCompleted: Int
    let p99Ms: Double?
    let failedResponses: Int
    let socketErrors: Int
}

struct MemoryFigures: Codable {
    let idleMiB: Double
    let tokensIssued: Int
    let afterTokensMiB: Double
    let afterPurgeMiB: Double
}

struct AlgorithmFigures: Codable {
    let algorithm: SigningAlgorithm
    let opensslSpeedTest: String
    /// `openssl speed -multi`: one process per core.
    let opensslProcesses: Int
    /// The mean of `opensslRuns`.
    let opensslSignsPerSecond: Double
    /// The ceiling measured right before and right after the client_credentials load: this VM's signing speed drifts
    /// by 10 to 20 % within minutes, and the mean of the two damps that.
    let opensslRuns: [Double]
    let clientCredentials: IssuanceFigures
    /// Issued requests per second over `opensslSignsPerSecond`.
    let ratioToCeiling: Double
    let flows: FlowFigures
    let memory: MemoryFigures
}

/// The figures of one signing algorithm, on the static binary: the `openssl speed` ceiling, client_credentials issuance
/// and complete authorization-code + PKCE flows on one server, then memory on a fresh one.
struct SigningBenchmark {
    let binary: URL
    let wrk: Wrk
    let openssl: OpenSSLSpeed
    /// Seconds of each wrk run.
    let duration: Int
    /// Tokens issued for the memory figure.
    let tokens: Int
    let cores: Int

    static let scripts = ["client_credentials.lua", "flows.lua"]

    /// A fixed PKCE pair for flows.lua: the verifier is arbitrary (43 to 128 unreserved characters) and the challenge is
    /// its S256 transform, `printf %s VERIFIER | openssl dgst -sha256 -binary | basenc --base64url | tr -d =`.
    static let codeVerifier = "mock-idp-bench-code-verifier-0123456789-abcdefghijklmnopqrstuvwxyz"
    static let codeChallenge = "aB5Gq_HYINO-ru5uPdZhXQnuIHXTWnhUCIbsA_H25gU"

    /// How far POST /debug/clock moves the server clock to purge the issued tokens: past their lifetime (one hour), the
    /// ten minutes expired entries are retained, and a second more.
    static let purgeAdvanceSeconds = 3600 + 600 + 1

    /// The longest the memory fill may run, however slow issuance was; the report shows the tokens actually issued.
    static let fillLimitSeconds = 600

    func measure(_ algorithm: SigningAlgorithm) throws -> AlgorithmFigures {
        func measureCeiling(_ when: String) throws -> Double {
            Report.progress("\(algorithm.rawValue): openssl speed \(algorithm.opensslSpeedTest) on \(cores) cores, \(when)")
            return try openssl.signsPerSecond(algorithm, processes: cores)
        }
        let arguments = ["--signing-alg", algorithm.rawValue]

        var ceilings = [try measureCeiling("before the load")]
        let (issuance, flows) = try ServerProcess.with(binary, arguments) { server in
            Report.progress("\(algorithm.rawValue): client_credentials, \(duration) s")
            let issuance = try issue(on: server, seconds: duration)
            // The server is idle meanwhile: it answers nothing until the next load.
            ceilings.append(try measureCeiling("after the load"))
            Report.progress("\(algorithm.rawValue): authorization code + PKCE flows, \(duration) s")
            return (issuance, try completeFlows(on: server))
        }
        let ceiling = ceilings.reduce(0, +) / Double(ceilings.count)
        let memory = try measureMemory(arguments: arguments, rate: issuance.requestsPerSecond, label: algorithm.rawValue)
        return AlgorithmFigures(
            algorithm: algorithm, opensslSpeedTest: algorithm.opensslSpeedTest, opensslProcesses: cores,
            opensslSignsPerSecond: ceiling, opensslRuns: ceilings,
            clientCredentials: issuance, ratioToCeiling: issuance.requestsPerSecond / ceiling, flows: flows, memory: memory
        )
    }

    /// client_credentials.lua for `seconds`; with `perThread`, each wrk thread stops after that many tokens.
    private func issue(on server: ServerProcess, seconds: Int, perThread: Int? = nil) throws -> IssuanceFigures {
        let output = try wrk.run(
            "client_credentials.lua", against: server.issuer, seconds: seconds, arguments: perThread.map { [String($0)] } ?? []
        )
        try server.ensureRunning()
        let figures = IssuanceFigures(
            requestsPerSecond: try output.requestsPerSecond, p99Ms: output.p99Milliseconds,
            tokensIssued: Int(try output.figure("tokens issued")), non200Responses: Int(try output.figure("non-200 responses")),
            socketErrors: output.socketErrors
        )
        guard figures.tokensIssued > 0 else {
            throw server.failure("issued no token to client_credentials.lua (\(figures.non200Responses) non-200 responses)")
        }
        return figures
    }

    private func completeFlows(on server: ServerProcess) throws -> FlowFigures {
        let output = try wrk.run(
            "flows.lua", against: server.issuer, seconds: duration, arguments: [Self.codeVerifier, Self.codeChallenge]
        )
        try server.ensureRunning()
        return FlowFigures(
            flowsPerSecond: try output.figure("flows per second"), flowsCompleted: Int(try output.figure("flows completed")),
            p99Ms: output.p99Milliseconds, failedResponses: Int(try output.figure("failed responses")),
            socketErrors: output.socketErrors
        )
    }

    /// RSS of a fresh server: idle (0.5 s after start), after `tokens` client_credentials tokens, and after the clock
    /// moved past their expiry and retention, which purges them. wrk runs for its whole duration even once every
    /// thread reached its share of the tokens and stopped, so the duration is sized from the measured issuance `rate`
    /// with half again as margin (capped at `fillLimitSeconds`).
    private func measureMemory(arguments: [String], rate: Double, label: String) throws -> MemoryFigures {
        try ServerProcess.with(binary, arguments) { server in
            Thread.sleep(forTimeInterval: 0.5)
            let idle = try server.residentMiB()

            let perThread = (tokens + Wrk.threads - 1) / Wrk.threads
            let seconds = min(Int(Double(tokens) / max(rate, 1) * 1.5) + 5, Self.fillLimitSeconds)
            Report.progress("\(label): memory, \(tokens) tokens, \(seconds) s")
            let filled = try issue(on: server, seconds: seconds, perThread: perThread)
            let afterTokens = try server.residentMiB()

            let clock = try server.probe.postJSON("/debug/clock", #"{"advance_seconds": \#(Self.purgeAdvanceSeconds)}"#)
            guard clock.status == 200 else {
                throw server.failure("answered \(clock.status) to POST /debug/clock: \(clock.text)")
            }
            Thread.sleep(forTimeInterval: 0.5)
            return MemoryFigures(
                idleMiB: idle, tokensIssued: filled.tokensIssued, afterTokensMiB: afterTokens,
                afterPurgeMiB: try server.residentMiB()
            )
        }
    }
}
