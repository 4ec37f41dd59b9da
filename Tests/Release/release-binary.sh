# Sourced by the scripts that build the tuned release binary and start it (static-binary.sh, link-order.sh,
# Benchmarks/run.sh, Benchmarks/instructions.sh, Interop/run.sh), from the repository root.

# Builds the tuned release binary, progress on standard error, and prints the directory the products went to. The
# tuning lives in Tests/Release/release-toolset.json, not in Package.swift, so a plain `swift build -c release` gives
# a standard position-independent executable. With the toolset, on Linux:
# - every function has its own section, and lld (`-use-ld=lld`) lays out first the functions that start-up and
#   serving run, in the order of Tests/Release/link-order.txt (`--symbol-ordering-file`, a path relative to the
#   package root, where the link runs), so they share few pages: about 6 MiB less idle RSS;
# - the executable exports no symbols (the static Swift runtime's link arguments export all of them) and is
#   position-dependent (`-Xclang-linker -no-pie`), so start-up applies no relocations: 3 to 4 MiB less. ASLR of the
#   executable's own code is the price, acceptable for a loopback test tool.
# The toolset applies to everything the build links, so build only mock-idp with it.
#
# The build goes to .build-release (another scratch path with `--scratch-path DIR` first), so that it and the plain
# build in .build (`swift run -c release mock-idp`) do not throw each other's away. lld's "symbol ordering file: no
# such symbol" warnings, one per name of link-order.txt no input defines, are counted into one line; link_order_missing
# gives the same count from the binary, whether or not this build relinked it.
#
#   binary="$(release_build --product mock-idp --static-swift-stdlib)/mock-idp"
release_build() {
    local scratch=.build-release
    if [[ "${1:-}" == --scratch-path ]]; then
        scratch=$2
        shift 2
    fi
    local build=(swift build -c release --toolset Tests/Release/release-toolset.json --scratch-path "$scratch" "$@")
    local bin
    bin=$("${build[@]}" --show-bin-path) || return
    # SwiftPM does not know that the link reads link-order.txt: relink once the file is newer than the binary.
    if [[ -e "$bin/mock-idp" && Tests/Release/link-order.txt -nt "$bin/mock-idp" ]]; then
        rm -f "$bin/mock-idp"
    fi
    # "unable to order discarded symbol": a local function of which another object's copy is kept; harmless.
    "${build[@]}" 2>&1 | awk '
        /symbol ordering file: no such symbol/ { missing++; next }
        /unable to order discarded symbol/ { discarded++; next }
        { print; fflush() }
        END {
            if (missing) print "release_build: lld found no symbol for " missing " names of Tests/Release/link-order.txt"
            if (discarded) print "release_build: " discarded " names of Tests/Release/link-order.txt name discarded copies of kept local functions"
        }
    ' >&2
    local status=("${PIPESTATUS[@]}")
    ((status[0] == 0)) || return "${status[0]}"
    echo "$bin"
}

# How many names of Tests/Release/link-order.txt the binary does not define: code renamed, moved or removed since
# the file was generated, then how many names it holds. It reads the binary's symbol table (nm), so it needs no
# fresh link.
#
#   read -r missing total < <(link_order_missing BINARY)
link_order_missing() {
    python3 - "$1" Tests/Release/link-order.txt <<'PY'
import subprocess, sys

binary, order_file = sys.argv[1:]
defined = set()
for line in subprocess.run(["nm", "--defined-only", binary], check=True, capture_output=True, text=True).stdout.splitlines():
    fields = line.split()
    if fields:
        defined.add(fields[-1])
names = [line.strip() for line in open(order_file) if line.strip() and not line.startswith("#")]
print(sum(name not in defined for name in names), len(names))
PY
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
