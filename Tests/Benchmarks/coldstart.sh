#!/usr/bin/env bash
# Cold start of mock-idp, launch to discovery answering 200: a thin wrapper over coldstart.py.
#
#   bash Tests/Benchmarks/coldstart.sh [--binary PATH] [--runs N] [--warmup N] [--fixtures DIR] [--json]
#
# The default binary is the release build: swift build -c release --product mock-idp
set -euo pipefail
exec python3 "$(dirname "${BASH_SOURCE[0]}")/coldstart.py" "$@"
