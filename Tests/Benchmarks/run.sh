#!/usr/bin/env bash
# MockIdP's benchmark: builds the release binaries and the benchmark tool, then measures every figure.
#
#   bash Tests/Benchmarks/run.sh [--duration 15] [--tokens 100000] [--algorithms RS256,ES256] [--runs 20] [--json FILE]
#
# Builds the --static-swift-stdlib release binary (in .build), the plain release binary (in .build-plain) and
# mock-idp-bench, then runs `mock-idp-bench all --static BIN --plain BIN ARGS...` from the repository root; ARGS are
# this script's arguments (mock-idp-bench all --help lists them). About 5 minutes with the defaults. Needs wrk
# (Debian: apt-get install wrk) and openssl; loopback only, every load bounded in time. It measures and prints the
# figures against their targets; it fails only when a step fails.
#
# The other two measurements run the built tool directly:
#
#   .build/release/mock-idp-bench load --binary .build/release/mock-idp [--duration 60] [--signing-alg RS256]
#   .build/release/mock-idp-bench coldstart --binary BIN [--runs 20]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

source Tests/release-binary.sh

static_bin="$(release_build --product mock-idp --static-swift-stdlib)/mock-idp"
plain_bin="$(release_build --product mock-idp --scratch-path .build-plain)/mock-idp"
bench="$(release_build --product mock-idp-bench)/mock-idp-bench"
exec "$bench" all --static "$static_bin" --plain "$plain_bin" "$@"
