# Sourced by the scripts that build the release binary and start it (static-binary.sh, link-order.sh,
# Benchmarks/run.sh), from the repository root.

# Builds in release with Tests/release-toolset.json (one section per function, which the link order in Package.swift
# needs; every release build takes it, so .build is not rebuilt between scripts), progress on standard error, and
# prints the directory the products went to.
#
#   binary="$(release_build --product mock-idp --static-swift-stdlib)/mock-idp"
release_build() {
    swift build -c release --toolset Tests/release-toolset.json "$@" >&2
    swift build -c release --toolset Tests/release-toolset.json "$@" --show-bin-path
}

# Waits for mock-idp's "issuer: URL" line.
#
#   issuer=$(wait_for_issuer STDOUT_FILE STDERR_FILE SECONDS LABEL)
#
# Prints the URL once the line is in STDOUT_FILE. After SECONDS without it, prints "LABEL: mock-idp printed no issuer
# line" and STDERR_FILE to standard error and fails.
wait_for_issuer() {
    local stdout=$1 stderr=$2 seconds=$3 label=$4 issuer=
    for _ in $(seq 1 $((seconds * 10))); do
        issuer=$(sed -n 's/^issuer: //p' "$stdout" 2>/dev/null)
        [[ -n "$issuer" ]] && break
        sleep 0.1
    done
    if [[ -z "$issuer" ]]; then
        echo "$label: mock-idp printed no issuer line within $seconds s" >&2
        cat "$stderr" >&2
        return 1
    fi
    echo "$issuer"
}
