#if canImport(Glibc)
/// glibc's `mallopt(3)`, which the Glibc module does not export (it lives in <malloc.h>).
@_silgen_name("mallopt")
private func mallopt(_ parameter: Int32, _ value: Int32) -> Int32

/// glibc's `malloc_trim(3)`, likewise in <malloc.h>.
@_silgen_name("malloc_trim")
private func mallocTrim(_ pad: Int) -> Int32

/// Lets the memory of purged tokens go back to the system from every malloc arena, not only the main one.
///
/// glibc raises its mmap and trim thresholds as large blocks are freed (up to 32 and 64 MiB), and `malloc_trim`,
/// which a large purge calls, never shrinks the top of a thread's arena. After 100,000 tokens were issued and purged,
/// 10 to 50 MiB stayed resident in the worker threads' arenas, varying from run to run. Fixed thresholds (which also
/// stop the raising) bring it back to about 6 MiB of heap every time, at no measurable cost in throughput.
enum MallocTuning {
    static func apply() {
        _ = mallopt(-3, 256 * 1024)  // M_MMAP_THRESHOLD: blocks from 256 KiB get their own mapping, unmapped when freed
        _ = mallopt(-1, 1024 * 1024)  // M_TRIM_THRESHOLD: an arena keeps at most 1 MiB free at its top
    }

    /// Hands freed pages back to the system, so that after a large purge memory returns near idle (RSS, not just heap).
    /// MockIdP's store calls it (`MockIdPConfiguration.afterLargePurge`).
    @Sendable static func trim() {
        _ = mallocTrim(0)
    }
}
#else
enum MallocTuning {
    static func apply() {}
    @Sendable static func trim() {}
}
#endif
