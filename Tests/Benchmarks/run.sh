#!/usr/bin/env bash
# MockIdP's benchmark: builds the release binaries and the benchmark tool, then measures every figure.
#
#   bash Tests/Benchmarks/run.sh [--duration 15] [--tokens 100000] [--algorithms RS256,ES256] [--runs 20] [--json FILE]
#
# Builds the tuned release binaries (Tests/Release/release-binary.sh), one --static-swift-stdlib (in .build-release)
# and one with the Swift runtime linked dynamically ("plain", in .build-plain), then mock-idp-bench (in
# Tests/Benchmarks/Sources; the package declares it only when MOCK_IDP_BENCHMARKS=1; built in .build, without the
# release toolset), and runs `mock-idp-bench all --static BIN --plain BIN ARGS...` from the repository root; ARGS are
# this script's arguments (mock-idp-bench all --help lists them; --skip-tls leaves out HTTPS beside HTTP). About 7
# minutes with the defaults. Needs wrk
# (Debian: apt-get install wrk) and openssl; loopback only, every load bounded in time. It measures and prints the
# figures against their targets; it fails only when a step fails.
#
# The other two measurements run the built tool directly (built by this script, or by
# `MOCK_IDP_BENCHMARKS=1 swift build -c release --product mock-idp-bench`):
#
#   .build/release/mock-idp-bench load --binary .build-release/release/mock-idp [--duration 60] [--signing-alg RS256]
#   .build/release/mock-idp-bench coldstart --binary BIN [--runs 20]
#   .build/release/mock-idp-bench issuers --binary BIN [--runs 20] [--load-runs 3]   (1, 10 and 100 issuers)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

source Tests/Release/release-binary.sh

static_bin="$(release_build --product mock-idp --static-swift-stdlib)/mock-idp"
plain_bin="$(release_build --scratch-path .build-plain --product mock-idp)/mock-idp"
export MOCK_IDP_BENCHMARKS=1
swift build -c release --product mock-idp-bench >&2
bench="$(swift build -c release --show-bin-path)/mock-idp-bench"
exec "$bench" all --static "$static_bin" --plain "$plain_bin" "$@"
