#!/usr/bin/env bash
# The whole test suite: Swift tests in-process, then the interop suite (a real OAuth client against the release binary).
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== swift test"
swift test 2>&1

echo "== interop (Authlib against the release binary)"
bash Tests/Interop/run.sh
