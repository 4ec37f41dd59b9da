#!/usr/bin/env bash
# The whole test suite: Swift tests in-process (plain, then under ThreadSanitizer), the self-contained binary's
# check, then the interop suite (real OAuth clients and a headless browser against that binary).
# It installs what it needs.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== swift test"
swift test 2>&1

echo "== swift test under ThreadSanitizer (a build of its own, in .build-tsan)"
swift test --sanitize=thread --scratch-path .build-tsan 2>&1

echo "== fuzzing (libFuzzer, bounded)"
bash Tests/fuzz.sh

echo "== self-contained release binary"
binary=$(bash Tests/static-binary.sh | tail -n 1)

echo "== interop (Authlib, Selenium and the release binary)"
MOCK_IDP_BIN="$binary" bash Tests/Interop/run.sh
