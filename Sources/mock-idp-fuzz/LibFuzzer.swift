#if FUZZING
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import MockIdP

/// libFuzzer's driver (compiler-rt, linked in by `-sanitize=fuzzer`). SwiftPM renames an executable's `main`, which
/// keeps libFuzzer's own `main` out of the link, so this executable starts the driver itself.
@_silgen_name("LLVMFuzzerRunDriver")
private func runDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

/// The target the driver's callback runs. The callback is a C function pointer and cannot capture it, so it is
/// written once, before the driver starts, and only read afterwards (libFuzzer calls back on one thread).
nonisolated(unsafe) private var selectedTarget: FuzzTargets.Target?

enum LibFuzzer {
    /// Runs libFuzzer's driver on `target` with this process's arguments, less the target's name if it came first
    /// (libFuzzer takes every argument that is not a flag for a corpus directory or an input).
    static func run(_ target: FuzzTargets.Target, skippingFirstArgument: Bool) -> Never {
        selectedTarget = target
        // The copies libFuzzer starts get only its arguments: they find the target here.
        setenv(MockIdPFuzz.targetVariable, target.name, 1)
        let skipped = skippingFirstArgument ? 1 : 0
        let count = Int(CommandLine.argc) - skipped
        let argv = UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>.allocate(capacity: count + 1)
        argv[0] = CommandLine.unsafeArgv[0]
        for index in 1..<max(count, 1) { argv[index] = CommandLine.unsafeArgv[index + skipped] }
        argv[count] = nil
        var argc = CInt(count)
        var arguments = argv
        let status = runDriver(&argc, &arguments) { data, size in
            selectedTarget?.run(UnsafeRawBufferPointer(start: data, count: size))
            return 0
        }
        exit(status)
    }
}
#endif
