import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// What the figures were measured on.
struct Machine: Codable {
    let cores: Int
    let cpu: String
    let kernel: String

    static func current() -> Machine {
        let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let model = cpuinfo.split(separator: "\n").first { $0.hasPrefix("model name") }?
            .split(separator: ":", maxSplits: 1).last?.trimmingCharacters(in: .whitespaces)
        var names = utsname()
        uname(&names)
        func text<T>(_ field: T) -> String {
            withUnsafeBytes(of: field) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        }
        return Machine(
            cores: ProcessInfo.processInfo.activeProcessorCount,
            cpu: model ?? "unknown CPU",
            kernel: "\(text(names.sysname)) \(text(names.release)) \(text(names.machine))"
        )
    }

    var summary: String { "\(cores) cores, \(cpu), \(kernel)" }
}
