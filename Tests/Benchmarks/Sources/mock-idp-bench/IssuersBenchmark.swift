import Foundation

/// Cold start and idle RSS of a server with this many issuers (the root plus `issuers - 1` fixture subdirectories).
struct IssuersSize: Codable {
    let issuers: Int
    /// Launch to the first 200 from the root issuer's discovery.
    let coldStart: ColdStartFigures
    let idleMiB: Double
}

/// client_credentials req/s on one issuer and spread round-robin over ten, on the same server.
struct IssuersSpread: Codable {
    let single: [Double]
    let spread: [Double]

    var singleMedian: Double { Self.median(single) }
    var spreadMedian: Double { Self.median(spread) }
    /// The one-issuer runs' spread: their largest minus their smallest figure.
    var singleRange: Double { (single.max() ?? 0) - (single.min() ?? 0) }
    /// Whether the ten-issuer median lies within the one-issuer runs' range (widened by nothing).
    var withinSpread: Bool { spreadMedian >= (single.min() ?? 0) - singleRange / 2 && spreadMedian <= (single.max() ?? 0) + singleRange / 2 }

    private static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        let middle = sorted.count / 2
        return sorted.count.isMultiple(of: 2) ? (sorted[middle - 1] + sorted[middle]) / 2 : sorted[middle]
    }
}

/// Many issuers in one process (issue 14), on the release binary.
struct IssuersBenchmark {
    let binary: URL
    let wrk: Wrk
    let duration: Int
    let runs: Int
    let loadRuns: Int

    /// A fixtures directory with `count` standard issuer subdirectories, `issuer-1` …, each with an `issuer.json`.
    private func fixtures(_ count: Int) throws -> TemporaryDirectory {
        let directory = try TemporaryDirectory(prefix: "mock-idp-issuers")
        for index in 0..<count {
            let issuer = directory.url.appendingPathComponent("issuer-\(index + 1)", isDirectory: true)
            try FileManager.default.createDirectory(at: issuer, withIntermediateDirectories: true)
            try Data(#"{"layout": "standard"}"#.utf8).write(to: issuer.appendingPathComponent("issuer.json"))
        }
        return directory
    }

    func size(_ issuers: Int) throws -> IssuersSize {
        Report.progress("issuers: cold start and idle RSS with \(issuers) issuer(s), \(runs + ColdStart.warmUpRuns) launches")
        let directory = try fixtures(issuers - 1)
        defer { directory.remove() }
        let arguments = ["--fixtures", directory.url.path]
        for _ in 0..<ColdStart.warmUpRuns { _ = try ColdStart.measureOnce(binary, arguments: arguments) }
        let samples = try (0..<runs).map { _ in try ColdStart.measureOnce(binary, arguments: arguments) }
        let idle = try ServerProcess.with(binary, arguments) { server in
            Thread.sleep(forTimeInterval: 0.5)
            return try server.residentMiB()
        }
        return IssuersSize(issuers: issuers, coldStart: ColdStart.summarize(binary, samples), idleMiB: idle)
    }

    func spread() throws -> IssuersSpread {
        let directory = try fixtures(10)
        defer { directory.remove() }
        let mounts = (1...10).map { "/issuer-\($0)" }
        return try ServerProcess.with(binary, ["--fixtures", directory.url.path]) { server in
            // Each named issuer makes its RSA key on its first token: a short run first, unmeasured.
            Report.progress("issuers: warm-up over the 10 issuers")
            _ = try wrk.run("issuers_client_credentials.lua", against: server.issuer, seconds: 2, latency: false, arguments: mounts)
            var single: [Double] = []
            var spread: [Double] = []
            for run in 1...loadRuns {
                Report.progress("issuers: client_credentials on one issuer, run \(run), \(duration) s")
                single.append(try measure(server, mounts: []))
                Report.progress("issuers: client_credentials over 10 issuers, run \(run), \(duration) s")
                spread.append(try measure(server, mounts: mounts))
            }
            return IssuersSpread(single: single, spread: spread)
        }
    }

    private func measure(_ server: ServerProcess, mounts: [String]) throws -> Double {
        let output = try wrk.run("issuers_client_credentials.lua", against: server.issuer, seconds: duration, latency: false, arguments: mounts)
        try server.ensureRunning()
        guard try output.figure("non-200 responses") == 0, try output.figure("tokens issued") > 0 else {
            throw server.failure("client_credentials over \(mounts.isEmpty ? "the root" : "\(mounts.count) issuers") got non-200 responses")
        }
        return try output.requestsPerSecond
    }
}
