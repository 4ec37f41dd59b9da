import Foundation

/// Cold start of one way of serving (HTTP, or HTTPS with `--tls`), measured two ways in the same launches.
struct TransportColdStart: Codable {
    /// Launch to the `issuer:` line, which the server prints once it listens: with `--tls`, after generating the CA
    /// and the server certificate and building the TLS context.
    let readyLine: ColdStartFigures
    /// Launch to curl's first 200 from discovery (curl started after the ready line; its own start-up included), so
    /// that HTTPS, with its handshake, is measured by the same client as HTTP.
    let firstResponseByCurl: ColdStartFigures
}

/// client_credentials over HTTP and over HTTPS, one server each, one after the other.
struct TransportIssuance: Codable {
    let algorithm: SigningAlgorithm
    let http: IssuanceFigures
    let https: IssuanceFigures
    /// HTTPS req/s over HTTP req/s.
    var ratio: Double { https.requestsPerSecond / http.requestsPerSecond }
}

struct TLSFigures: Codable {
    let http: TransportColdStart
    let https: TransportColdStart
    let idleHTTPMiB: Double
    let idleHTTPSMiB: Double
    let issuance: [TransportIssuance]
}

/// `--tls` beside plain HTTP on the static binary: cold start and idle RSS, then client_credentials with keep-alive
/// (wrk holds its 32 connections open; Debian's wrk speaks TLS and checks no certificate).
struct TLSBenchmark {
    let binary: URL
    let wrk: Wrk
    let curl: URL
    let duration: Int
    let runs: Int

    init(binary: URL, wrk: Wrk, duration: Int, runs: Int) throws {
        guard let curl = ChildProcess.find("curl") else { throw BenchError("curl is not installed or not on PATH") }
        self.binary = binary
        self.wrk = wrk
        self.curl = curl
        self.duration = duration
        self.runs = runs
    }

    func measure(_ algorithms: [SigningAlgorithm]) throws -> TLSFigures {
        Report.progress("HTTPS: cold start with and without --tls, \(runs + ColdStart.warmUpRuns) launches each, interleaved")
        let (http, https) = try coldStarts()
        Report.progress("HTTPS: idle RSS with and without --tls")
        let idleHTTP = try idleMiB([])
        let idleHTTPS = try idleMiB(["--tls"])
        var issuance: [TransportIssuance] = []
        for algorithm in algorithms {
            let arguments = ["--signing-alg", algorithm.rawValue]
            Report.progress("HTTPS: \(algorithm.rawValue) client_credentials over HTTP, \(duration) s")
            let overHTTP = try issue(arguments)
            Report.progress("HTTPS: \(algorithm.rawValue) client_credentials over HTTPS, \(duration) s")
            let overHTTPS = try issue(arguments + ["--tls"])
            issuance.append(TransportIssuance(algorithm: algorithm, http: overHTTP, https: overHTTPS))
        }
        return TLSFigures(http: http, https: https, idleHTTPMiB: idleHTTP, idleHTTPSMiB: idleHTTPS, issuance: issuance)
    }

    /// Alternating launches (HTTP, HTTPS, HTTP, …), so that the machine's drift weighs on both alike.
    private func coldStarts() throws -> (http: TransportColdStart, https: TransportColdStart) {
        for _ in 0..<ColdStart.warmUpRuns {
            _ = try coldStartOnce(tls: false)
            _ = try coldStartOnce(tls: true)
        }
        var samples: [Bool: [(ready: Double, first: Double)]] = [false: [], true: []]
        for _ in 0..<runs {
            for tls in [false, true] { samples[tls]!.append(try coldStartOnce(tls: tls)) }
        }
        func figures(_ tls: Bool) -> TransportColdStart {
            let values = samples[tls]!
            return TransportColdStart(
                readyLine: ColdStart.summarize(binary, values.map(\.ready)),
                firstResponseByCurl: ColdStart.summarize(binary, values.map(\.first))
            )
        }
        return (figures(false), figures(true))
    }

    private func coldStartOnce(tls: Bool) throws -> (ready: Double, first: Double) {
        let directory = try TemporaryDirectory(prefix: "mock-idp-tls")
        defer { directory.remove() }
        let caFile = directory.url.appendingPathComponent("ca.pem").path
        let server = try ServerProcess(binary: binary, arguments: tls ? ["--tls", "--tls-ca-out", caFile] : [])
        defer { server.stop() }
        let ready = (server.ready - server.launched).milliseconds
        let deadline = Deadline(after: ServerProcess.startLimit)
        var arguments = ["-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "10"]
        if tls { arguments += ["--cacert", caFile] }
        arguments.append(server.issuer + "/.well-known/openid-configuration")
        while true {
            let status = try ChildProcess.output(of: curl, arguments, limit: .seconds(15))
            if status == "200" { return (ready, (ContinuousClock.now - server.launched).milliseconds) }
            guard !deadline.hasPassed else {
                throw server.failure("curl got \(status.debugDescription) from discovery \(deadline.within) of its launch")
            }
        }
    }

    private func idleMiB(_ arguments: [String]) throws -> Double {
        try ServerProcess.with(binary, arguments) { server in
            Thread.sleep(forTimeInterval: 0.5)
            return try server.residentMiB()
        }
    }

    private func issue(_ arguments: [String]) throws -> IssuanceFigures {
        try ServerProcess.with(binary, arguments) { server in
            let output = try wrk.run("client_credentials.lua", against: server.issuer, seconds: duration)
            try server.ensureRunning()
            let figures = IssuanceFigures(
                requestsPerSecond: try output.requestsPerSecond, p99Ms: output.p99Milliseconds,
                tokensIssued: Int(try output.figure("tokens issued")), non200Responses: Int(try output.figure("non-200 responses")),
                socketErrors: output.socketErrors
            )
            guard figures.tokensIssued > 0 else {
                throw server.failure("issued no token to client_credentials.lua over \(server.issuer)")
            }
            return figures
        }
    }
}
