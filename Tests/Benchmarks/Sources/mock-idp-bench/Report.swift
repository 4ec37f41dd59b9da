import Foundation

/// What the figures are held against.
enum Targets {
    static let coldStartStaticMs = 20.0
    static let coldStartPlainMs = 50.0
    /// client_credentials issuance as a fraction of the `openssl speed` signing ceiling.
    static let fractionOfCeiling = 0.70
    static let flowsPerSecond = 1000.0
    static let idleStaticMiB = 20.0
    /// After the purge RSS must return near idle, which this tool takes as at most twice the idle RSS (if the purge
    /// handed no pages back it would stay where the tokens took it: several times idle after 100,000 tokens).
    static let nearIdleFactor = 2.0
}

/// Everything `all` measured, as written by `--json`.
struct BenchmarkResults: Codable {
    let machine: Machine
    let coldStartStatic: ColdStartFigures
    let coldStartPlain: ColdStartFigures
    let signing: [AlgorithmFigures]
    let tls: TLSFigures?
    let summary: [SummaryRow]
}

/// One line of the summary: a figure against its target.
struct SummaryRow: Codable {
    let figure: String
    let measured: String
    let target: String
    let ratio: String
    /// "met", "not met" (with the failures that void a throughput figure), or "—" for a figure without a target.
    let verdict: String
    /// Whether the target is met; nil for a figure without a target.
    let met: Bool?
}

/// The summary rows of one signing algorithm.
struct AlgorithmRows {
    let issuance: SummaryRow
    let flows: SummaryRow
    let idle: SummaryRow
    let afterTokens: SummaryRow
    let afterPurge: SummaryRow

    var all: [SummaryRow] { [issuance, flows, idle, afterTokens, afterPurge] }
}

/// The printed report: sections as the figures come in, then the summary table. Progress notes go to standard error.
enum Report {
    static func progress(_ note: String) {
        FileHandle.standardError.write(Data("… \(note)\n".utf8))
    }

    static func header(_ machine: Machine, staticBinary: URL, plainBinary: URL) {
        print("mock-idp benchmark")
        print("machine: \(machine.summary)")
        print("static binary: \(staticBinary.path)")
        print("plain binary:  \(plainBinary.path)")
    }

    static func coldStartRow(_ binary: String, _ figures: ColdStartFigures, targetMs: Double) -> SummaryRow {
        row(
            "cold start, \(binary) (median)", measured: "\(decimal(figures.medianMs)) ms", target: "< \(grouped(targetMs)) ms",
            ratio: times(figures.medianMs / targetMs), met: figures.medianMs < targetMs
        )
    }

    static func coldStartSection(_ binaries: [(name: String, figures: ColdStartFigures, row: SummaryRow)]) {
        let runs = binaries[0].figures.runs
        print("\ncold start, launch to discovery answering 200 (\(runs) runs after \(ColdStart.warmUpRuns) warm-up)")
        for (name, figures, row) in binaries {
            print("  \(name): median \(row.measured), p90 \(decimal(figures.p90Ms)) ms (\(assessment(row)))")
        }
    }

    static func rows(_ figures: AlgorithmFigures) -> AlgorithmRows {
        let name = figures.algorithm.rawValue
        let issuance = figures.clientCredentials
        let flows = figures.flows
        let memory = figures.memory
        let issuanceFailures = failures([(issuance.non200Responses, "non-200"), (issuance.socketErrors, "socket errors")])
        let flowFailures = failures([(flows.failedResponses, "failed responses"), (flows.socketErrors, "socket errors")])
        let purgeRatio = memory.afterPurgeMiB / memory.idleMiB
        // The ceiling is a target only where the signature is the cost that bounds issuance: RSA. An ECDSA or EdDSA
        // signature is a small part of a request, so their ratio is shown for comparison, with no verdict.
        let ceilingIsTarget = figures.algorithm == .rs256
        return AlgorithmRows(
            issuance: row(
                "\(name) client_credentials", measured: "\(grouped(issuance.requestsPerSecond)) req/s",
                target: ceilingIsTarget
                    ? "≥ \(percent(Targets.fractionOfCeiling)) of \(grouped(figures.opensslSignsPerSecond)) sign/s"
                    : "— (ceiling \(grouped(figures.opensslSignsPerSecond)) sign/s)",
                ratio: "\(percent(figures.ratioToCeiling)) of ceiling",
                met: ceilingIsTarget ? figures.ratioToCeiling >= Targets.fractionOfCeiling : nil, failures: issuanceFailures
            ),
            flows: row(
                "\(name) code + PKCE flows", measured: "\(grouped(flows.flowsPerSecond)) flows/s",
                target: "≥ \(grouped(Targets.flowsPerSecond))/s", ratio: times(flows.flowsPerSecond / Targets.flowsPerSecond),
                met: flows.flowsPerSecond >= Targets.flowsPerSecond, failures: flowFailures
            ),
            idle: row(
                "\(name) RSS idle", measured: "\(decimal(memory.idleMiB)) MiB", target: "≤ \(grouped(Targets.idleStaticMiB)) MiB",
                ratio: times(memory.idleMiB / Targets.idleStaticMiB), met: memory.idleMiB <= Targets.idleStaticMiB
            ),
            afterTokens: row(
                "\(name) RSS after \(grouped(Double(memory.tokensIssued))) tokens", measured: "\(decimal(memory.afterTokensMiB)) MiB",
                target: "—", ratio: times(memory.afterTokensMiB / memory.idleMiB) + " idle", met: nil
            ),
            afterPurge: row(
                "\(name) RSS after purge", measured: "\(decimal(memory.afterPurgeMiB)) MiB",
                target: "near idle, ≤ \(times(Targets.nearIdleFactor)) idle", ratio: times(purgeRatio) + " idle",
                met: purgeRatio <= Targets.nearIdleFactor
            )
        )
    }

    static func algorithmSection(_ figures: AlgorithmFigures, rows: AlgorithmRows) {
        let issuance = figures.clientCredentials
        let flows = figures.flows
        let memory = figures.memory
        print("\n\(figures.algorithm.rawValue), static binary")
        print(
            "  ceiling, openssl speed -multi \(figures.opensslProcesses) \(figures.opensslSpeedTest): "
                + "\(grouped(figures.opensslSignsPerSecond)) sign/s, the mean of "
                + figures.opensslRuns.map(grouped).joined(separator: " (before the load) and ") + " (after)"
        )
        print(
            "  client_credentials: \(grouped(issuance.requestsPerSecond)) req/s, p99 \(milliseconds(issuance.p99Ms)), "
                + "\(issuance.non200Responses) non-200, \(issuance.socketErrors) socket errors (\(assessment(rows.issuance)))"
        )
        print(
            "  authorization code + PKCE flows: \(grouped(flows.flowsPerSecond)) flows/s "
                + "(\(grouped(Double(flows.flowsCompleted))) flows), p99 \(milliseconds(flows.p99Ms)), "
                + "\(flows.failedResponses) failed responses, \(flows.socketErrors) socket errors (\(assessment(rows.flows)))"
        )
        print("  RSS idle, 0.5 s after start: \(decimal(memory.idleMiB)) MiB (\(assessment(rows.idle)))")
        print(
            "  RSS after \(grouped(Double(memory.tokensIssued))) tokens: \(decimal(memory.afterTokensMiB)) MiB "
                + "(\(rows.afterTokens.ratio))"
        )
        print(
            "  RSS after the clock passed their expiry and retention (purged): \(decimal(memory.afterPurgeMiB)) MiB "
                + "(\(assessment(rows.afterPurge)))"
        )
    }

    static func summaryTable(_ rows: [SummaryRow]) {
        let header = SummaryRow(figure: "figure", measured: "measured", target: "target", ratio: "ratio", verdict: "verdict", met: nil)
        let columns: [KeyPath<SummaryRow, String>] = [\.figure, \.measured, \.target, \.ratio, \.verdict]
        let widths = columns.map { column in ([header] + rows).map { $0[keyPath: column].count }.max() ?? 0 }
        // Every column but the last padded to its width.
        func line(_ cells: [String]) -> String {
            zip(cells.dropLast(), widths).map { $0 + String(repeating: " ", count: $1 - $0.count) }.joined(separator: "  ")
                + "  " + cells[cells.count - 1]
        }
        print("\nsummary")
        print(line(columns.map { header[keyPath: $0] }))
        print(line(widths.map { String(repeating: "-", count: $0) }))
        for row in rows { print(line(columns.map { row[keyPath: $0] })) }
    }

    static func writeJSON(_ results: BenchmarkResults, to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try encoder.encode(results).write(to: URL(fileURLWithPath: path))
    }

    // MARK: Formatting

    /// One decimal: "16.5".
    static func decimal(_ value: Double, width: Int = 0) -> String {
        String(format: "%\(width).1f", value)
    }

    /// Rounded, with thousands separators: "100,000" (for the non-negative figures here).
    static func grouped(_ value: Double) -> String {
        let digits = String(Int(value.rounded()))
        var result = ""
        for (index, digit) in digits.enumerated() {
            if index > 0 && (digits.count - index).isMultiple(of: 3) { result.append(",") }
            result.append(digit)
        }
        return result
    }

    /// "0.89×"; whole factors without decimals ("2×").
    fileprivate static func times(_ ratio: Double) -> String {
        ratio == ratio.rounded() ? "\(Int(ratio))×" : String(format: "%.2f×", ratio)
    }

    private static func percent(_ fraction: Double) -> String { "\(Int((fraction * 100).rounded())) %" }

    fileprivate static func milliseconds(_ value: Double?) -> String { value.map { "\(decimal($0)) ms" } ?? "n/a" }

    /// "12 non-200, 3 socket errors" for the non-zero counts, nil when there are none.
    fileprivate static func failures(_ counts: [(Int, String)]) -> String? {
        let nonZero = counts.filter { $0.0 > 0 }.map { "\($0.0) \($0.1)" }
        return nonZero.isEmpty ? nil : nonZero.joined(separator: ", ")
    }

    /// A row whose verdict follows from `met`. A throughput with failures in it is no measure of success: its
    /// target is not met, whatever the rate, and the verdict says why.
    fileprivate static func row(
        _ figure: String, measured: String, target: String, ratio: String, met: Bool?, failures: String? = nil
    ) -> SummaryRow {
        let met = failures == nil ? met : false
        let verdict = switch met {
        case nil: "—"
        case true?: "met"
        case false?: failures.map { "not met (\($0))" } ?? "not met"
        }
        return SummaryRow(figure: figure, measured: measured, target: target, ratio: ratio, verdict: verdict, met: met)
    }

    /// "target ≤ 20 MiB: 1.20×, not met", for the sections.
    private static func assessment(_ row: SummaryRow) -> String { "target \(row.target): \(row.ratio), \(row.verdict)" }
}

// MARK: HTTPS beside HTTP

extension Report {
    static func tlsRows(_ figures: TLSFigures) -> [SummaryRow] {
        let ready = figures.https.readyLine.medianMs
        var rows = [
            row(
                "cold start, static --tls (ready line)", measured: "\(decimal(ready)) ms",
                target: "< \(grouped(Targets.coldStartStaticMs)) ms", ratio: times(ready / Targets.coldStartStaticMs),
                met: ready < Targets.coldStartStaticMs
            ),
            row(
                "RSS idle, static --tls", measured: "\(decimal(figures.idleHTTPSMiB)) MiB",
                target: "≤ \(grouped(Targets.idleStaticMiB)) MiB", ratio: times(figures.idleHTTPSMiB / Targets.idleStaticMiB),
                met: figures.idleHTTPSMiB <= Targets.idleStaticMiB
            ),
        ]
        for issuance in figures.issuance {
            let failures = failures([
                (issuance.https.non200Responses + issuance.http.non200Responses, "non-200"),
                (issuance.https.socketErrors + issuance.http.socketErrors, "socket errors"),
            ])
            rows.append(
                row(
                    "\(issuance.algorithm.rawValue) client_credentials HTTPS", measured: "\(grouped(issuance.https.requestsPerSecond)) req/s",
                    target: "— (HTTP \(grouped(issuance.http.requestsPerSecond)) req/s)", ratio: times(issuance.ratio) + " HTTP",
                    met: failures == nil ? nil : false, failures: failures
                )
            )
        }
        return rows
    }

    static func tlsSection(_ figures: TLSFigures, binary: String = "static binary") {
        let runs = figures.http.readyLine.runs
        print("\nHTTPS (--tls, certificate generated at start) beside HTTP, \(binary)")
        print("  cold start (\(runs) launches each after \(ColdStart.warmUpRuns) warm-up, alternating):")
        for (label, keyPath) in [
            ("launch to the ready line", \TransportColdStart.readyLine), ("launch to curl's first 200 from discovery", \.firstResponseByCurl),
        ] {
            let http = figures.http[keyPath: keyPath]
            let https = figures.https[keyPath: keyPath]
            print(
                "    \(label): HTTP median \(decimal(http.medianMs)) ms (p90 \(decimal(http.p90Ms))), "
                    + "HTTPS median \(decimal(https.medianMs)) ms (p90 \(decimal(https.p90Ms))): "
                    + String(format: "%+.1f ms", https.medianMs - http.medianMs)
            )
        }
        print(
            "  RSS idle, 0.5 s after start: HTTP \(decimal(figures.idleHTTPMiB)) MiB, HTTPS \(decimal(figures.idleHTTPSMiB)) MiB"
        )
        for issuance in figures.issuance {
            print(
                "  \(issuance.algorithm.rawValue) client_credentials, keep-alive (\(Wrk.connections) connections): "
                    + "HTTP \(grouped(issuance.http.requestsPerSecond)) req/s (p99 \(milliseconds(issuance.http.p99Ms))), "
                    + "HTTPS \(grouped(issuance.https.requestsPerSecond)) req/s (p99 \(milliseconds(issuance.https.p99Ms))): "
                    + "HTTPS/HTTP \(times(issuance.ratio)); "
                    + "\(issuance.https.non200Responses + issuance.http.non200Responses) non-200, "
                    + "\(issuance.https.socketErrors + issuance.http.socketErrors) socket errors"
            )
        }
    }
}
