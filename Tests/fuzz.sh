#!/usr/bin/env bash
# Fuzzes MockIdP's parsers with libFuzzer for a bounded time: forms and query strings, Authorization headers and
# client authentication, JWT client assertions and client JWK Sets, presented tokens (JWTs), fixture files, origins,
# redirect URIs and hosts, registration metadata, fetched URLs
# (Sources/mock-idp-fuzz/ has the targets and the invariants each one checks).
#
# It builds mock-idp-fuzz with -sanitize=fuzzer in a scratch path of its own (.build-fuzz), then runs each target
# for FUZZ_SECONDS (default 30) from its seeds in Tests/Fuzz/corpus/<target>/, with Tests/Fuzz/<target>.dict as
# libFuzzer's dictionary. New corpus entries go to .build-fuzz/fuzz-work/corpus/<target>/ and crashing inputs to
# .build-fuzz/fuzz-work/artifacts/<target>/ (both git-ignored with .build-*/). It fails if any target crashes,
# printing the input in hex and its path, and ends with one line per target: runs, seconds, result.
#
#   FUZZ_SECONDS=30        seconds per target
#   FUZZ_TARGETS="form"    the targets to run (default: all, from `mock-idp-fuzz --list`)
#
# To reproduce a crash in a plain build, with the invariant's message and a debugger at hand:
#   swift run --scratch-path .build-fuzzplain mock-idp-fuzz <target> <crash file>
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${FUZZ_SECONDS:-30}
scratch=.build-fuzz
work=$scratch/fuzz-work

# The gold linker fails on -sanitize=fuzzer builds: link with the toolchain's lld, whose path is machine-specific.
mkdir -p "$scratch"
swift_bin=$(dirname "$(readlink -f "$(command -v swift)")")
printf '{"schemaVersion":"1.0","linker":{"path":"%s/ld.lld"}}\n' "$swift_bin" > "$scratch/lld-toolset.json"

build=(swift build -c release --product mock-idp-fuzz --scratch-path "$scratch"
    -Xswiftc -sanitize=fuzzer -Xswiftc -DFUZZING --toolset "$scratch/lld-toolset.json")
echo "building mock-idp-fuzz with -sanitize=fuzzer (in $scratch)"
if ! "${build[@]}" > "$scratch/fuzz-build.log" 2>&1; then
    cat "$scratch/fuzz-build.log"
    echo "fuzz.sh: the fuzzer build failed" >&2
    exit 1
fi
tail -n 1 "$scratch/fuzz-build.log"
fuzzer=$("${build[@]}" --show-bin-path)/mock-idp-fuzz
[[ -x "$fuzzer" ]] || { echo "fuzz.sh: no fuzzer binary at $fuzzer" >&2; exit 1; }

targets=${FUZZ_TARGETS:-$("$fuzzer" --list | cut -f1)}
summary=()
failed=0
for target in $targets; do
    max_len=$("$fuzzer" --list | awk -F '\t' -v t="$target" '$1 == t { print $2 }')
    [[ -n "$max_len" ]] || { echo "fuzz.sh: unknown target $target" >&2; exit 1; }
    seeds=Tests/Fuzz/corpus/$target
    corpus=$work/corpus/$target
    artifacts=$work/artifacts/$target
    log=$work/$target.log
    mkdir -p "$corpus" "$artifacts"
    # A dictionary gives the mutator the tokens the parser compares against, which coverage cannot show it.
    dict=()
    [[ -f Tests/Fuzz/$target.dict ]] && dict=(-dict="Tests/Fuzz/$target.dict")
    echo "== fuzz $target for ${seconds}s (seeds: $seeds, max_len $max_len)"
    status=0
    start=$SECONDS
    # The first directory receives new entries; the seeds are only read. -timeout catches a slow input (seconds).
    # Swift's backtracer would take the trap a broken invariant raises before libFuzzer, which then saves no input.
    SWIFT_BACKTRACE=enable=no "$fuzzer" "$target" -max_total_time="$seconds" -max_len="$max_len" -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="$artifacts/" "${dict[@]}" "$corpus" "$seeds" > "$log" 2>&1 || status=$?
    took=$((SECONDS - start))
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    if [[ $status -eq 0 ]]; then
        summary+=("$target: ${runs:-?} runs in $took s, ok (corpus $(ls "$corpus" | wc -l) entries)")
        continue
    fi
    failed=1
    # libFuzzer names the input crash-, timeout-, oom- or leak-<sha1>, and says which it wrote.
    artifact=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -n 1)
    echo "fuzz.sh: $target failed (exit $status); the end of its log ($log):"
    grep -v '^#[0-9]' "$log" | tail -n 30
    grep -m 1 'Fatal error' "$log" || true
    if [[ -n "$artifact" && -f "$artifact" ]]; then
        echo "crashing input: $artifact ($(wc -c < "$artifact") bytes), in hex:"
        od -An -v -tx1 "$artifact" | tr -d ' \n'
        echo
        echo "reproduce: swift run --scratch-path .build-fuzzplain mock-idp-fuzz $target $artifact"
        summary+=("$target: ${runs:-?} runs in $took s, CRASH: $artifact")
    else
        summary+=("$target: ${runs:-?} runs in $took s, FAILED (exit $status, no artifact; see $log)")
    fi
done

echo "== fuzz summary"
printf '%s\n' "${summary[@]}"
exit $failed
