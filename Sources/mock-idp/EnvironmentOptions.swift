#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import MockIdP

/// Every flag's environment variable, for compose files and CI: `MOCK_IDP_` and the flag's name in upper case, dashes
/// as underscores (`--log-level` is `MOCK_IDP_LOG_LEVEL`). A flag on the command line wins over its variable.
///
/// The variables become arguments before ArgumentParser sees any, so a variable's value is parsed and validated
/// exactly like the flag's, and an error names the variable it came from.
enum EnvironmentOptions {
    struct Option {
        /// `--port`.
        let flag: String
        /// `false` for an on/off flag (its variable is `1`/`true`/`yes`/`on` or `0`/`false`/`no`/`off`).
        let takesValue: Bool

        var variable: String {
            "MOCK_IDP_" + String(flag.dropFirst(2).map { $0 == "-" ? "_" : Character($0.uppercased()) })
        }
    }

    /// Every flag of `mock-idp`: `Tests/Interop/test_cli.py` checks that `--help` lists each with its variable.
    static let options: [Option] = [
        Option(flag: "--host", takesValue: true),
        Option(flag: "--port", takesValue: true),
        Option(flag: "--fixtures", takesValue: true),
        Option(flag: "--issuer", takesValue: true),
        Option(flag: "--signing-alg", takesValue: true),
        Option(flag: "--log-level", takesValue: true),
        Option(flag: "--exit-on-stdin-close", takesValue: false),
        Option(flag: "--login-page", takesValue: false),
        Option(flag: "--consent-page", takesValue: false),
        Option(flag: "--backchannel-dynamic", takesValue: false),
        Option(flag: "--trust-forwarded-headers", takesValue: false),
        Option(flag: "--tls", takesValue: false),
        Option(flag: "--tls-cert", takesValue: true),
        Option(flag: "--tls-key", takesValue: true),
        Option(flag: "--tls-ca-out", takesValue: true),
        Option(flag: "--layout", takesValue: true),
        Option(flag: "--issuers-on-demand", takesValue: false),
        Option(flag: "--registration-token", takesValue: true),
        Option(flag: "--fetch-ca-file", takesValue: true),
    ]

    /// The variables holding a fixture file's JSON inline, by file name.
    static let inlineFixtures: [(variable: String, file: String)] = [
        ("MOCK_IDP_USERS", "users.json"), ("MOCK_IDP_CLIENTS", "clients.json"), ("MOCK_IDP_SCOPES", "scopes.json"),
    ]

    /// A variable that is set to something its flag cannot take.
    struct Problem: Error, CustomStringConvertible {
        let description: String
    }

    /// The arguments: the command line's, then `--flag value` for each variable that is set and whose flag the command
    /// line does not name. Also returns which flag came from which variable, for error messages.
    static func arguments(commandLine: [String], environment: (String) -> String?) throws(Problem) -> (arguments: [String], sources: [String: String]) {
        var arguments = commandLine
        var sources: [String: String] = [:]
        for option in options {
            guard let value = environment(option.variable) else { continue }
            let named = commandLine.contains { $0 == option.flag || $0.hasPrefix(option.flag + "=") }
            if named { continue }
            if option.takesValue {
                arguments.append(option.flag + "=" + value)
            } else {
                switch value.lowercased() {
                case "1", "true", "yes", "on": arguments.append(option.flag)
                case "0", "false", "no", "off", "": break
                default:
                    throw Problem(description: "\(option.variable)=\(value): expected 1, true, yes or on (or 0, false, no, off) for \(option.flag)")
                }
            }
            sources[option.flag] = option.variable + "=" + value
        }
        return (arguments, sources)
    }

    /// The fixture files given inline by `MOCK_IDP_USERS` and its siblings, keyed by file name.
    static func inlineFixtureFiles(environment: (String) -> String?) -> [String: FixtureLoader.InlineFile] {
        var files: [String: FixtureLoader.InlineFile] = [:]
        for (variable, file) in inlineFixtures {
            if let json = environment(variable) { files[file] = FixtureLoader.InlineFile(label: variable, json: json) }
        }
        return files
    }

    /// The process's environment variable `name`, if set.
    static func processEnvironment(_ name: String) -> String? {
        getenv(name).map { String(cString: $0) }
    }
}
