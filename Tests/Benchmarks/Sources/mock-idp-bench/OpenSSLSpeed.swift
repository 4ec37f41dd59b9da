import Foundation

/// The signing ceiling: signatures per second from `openssl speed -multi CORES -seconds 5 TEST`, on all cores at once,
/// which is what the server could reach if signing were all it did.
struct OpenSSLSpeed {
    static let secondsPerTest = 5

    let executable: URL

    /// Finds openssl, so its absence fails before any measurement.
    init() throws {
        guard let executable = ChildProcess.find("openssl") else {
            throw BenchError("openssl is not installed or not on PATH (Debian: apt-get install openssl)")
        }
        self.executable = executable
    }

    func signsPerSecond(_ algorithm: SigningAlgorithm, processes: Int) throws -> Double {
        let arguments = ["speed", "-multi", String(processes), "-seconds", String(Self.secondsPerTest), algorithm.opensslSpeedTest]
        // It runs a sign and a verify test, each `secondsPerTest` long, after generating the key.
        let output = try ChildProcess.output(of: executable, arguments, limit: .seconds(120))
        guard let rate = Self.signsPerSecond(in: output), rate > 0 else {
            throw BenchError("no sign/s figure in the output of `openssl \(arguments.joined(separator: " "))`:\n\(output)")
        }
        return rate
    }

    /// The summary's last line reads "rsa 2048 bits 0.000141s 0.000018s 7074.7 54807.3" or
    /// " 256 bits ecdsa (nistp256)   0.0000s   0.0001s  48787.9  15794.4": sign/s is the second-to-last rate.
    static func signsPerSecond(in output: String) -> Double? {
        let line = output.split(separator: "\n").last { line in
            let words = line.split(separator: " ")
            return zip(words, words.dropFirst()).contains { Int($0.0) != nil && $0.1 == "bits" }
        }
        let rates = line?.split(separator: " ").filter { $0.contains(".") }.compactMap { Double($0) } ?? []
        return rates.count >= 2 ? rates[rates.count - 2] : nil
    }
}
