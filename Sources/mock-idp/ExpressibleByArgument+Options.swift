// The options' value types, parsed by ArgumentParser from their raw values, which it lists in --help and in errors.
// A conformance is as public as its type, so the import is public; this executable exports nothing else.
public import ArgumentParser
public import Logging
public import MockIdP

extension MockIdPConfiguration.SigningAlgorithm: ExpressibleByArgument {}

extension Logger.Level: @retroactive ExpressibleByArgument {}
