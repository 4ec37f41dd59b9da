// The options' value types, parsed by ArgumentParser from their raw values, which it lists in --help and in errors.
// A conformance is as public as its type, so the imports are public; this executable exports nothing else.
//
// Each conformance spells out its descriptions from the raw values: ArgumentParser's defaults reach them through
// `String(describing:)`, whose reflection costs start-up a few million instructions of protocol-conformance lookups.
public import ArgumentParser
public import Logging
public import MockIdP

extension MockIdPConfiguration.SigningAlgorithm: ExpressibleByArgument {
    public var defaultValueDescription: String { rawValue }
    public static var allValueStrings: [String] { allCases.map(\.rawValue) }
    public static var allValueDescriptions: [String: String] { [:] }
    public static var defaultCompletionKind: CompletionKind { .list(allValueStrings) }
}

extension Logger.Level: @retroactive ExpressibleByArgument {
    public var defaultValueDescription: String { rawValue }
    public static var allValueStrings: [String] { allCases.map(\.rawValue) }
    public static var allValueDescriptions: [String: String] { [:] }
    public static var defaultCompletionKind: CompletionKind { .list(allValueStrings) }
}

extension MockIdPConfiguration.Layout: ExpressibleByArgument {
    public var defaultValueDescription: String { rawValue }
    public static var allValueStrings: [String] { allCases.map(\.rawValue) }
    public static var allValueDescriptions: [String: String] { [:] }
    public static var defaultCompletionKind: CompletionKind { .list(allValueStrings) }
}
