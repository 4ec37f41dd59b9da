#!/usr/bin/env bash
# The whole test suite: Swift tests in-process (plain, then under ThreadSanitizer), a consumer package that depends
# on MockIdP by git URL and runs the README's Swift examples, the self-contained binary's check, then the interop
# suite (real OAuth clients and a headless browser against that binary).
# It installs what it needs: the interop suite's prerequisites are checked (and installed) first, before half an
# hour of Swift builds.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== prerequisites (python3 venv, node, chromium and chromedriver)"
bash Tests/Interop/prerequisites.sh

echo "== every public declaration documented"
python3 Tests/Tools/undocumented-public.py

echo "== swift test"
swift test 2>&1

echo "== swift test under ThreadSanitizer (a build of its own, in .build-tsan)"
swift test --sanitize=thread --scratch-path .build-tsan 2>&1

echo "== consumer package (git URL dependency)"
bash Tests/consumer-package.sh 2>&1

echo "== fuzzing (libFuzzer, bounded)"
bash Tests/fuzz.sh

echo "== self-contained release binary"
binary=$(bash Tests/Release/static-binary.sh | tail -n 1)

echo "== interop (Authlib, Selenium and the release binary)"
MOCK_IDP_BIN="$binary" bash Tests/Interop/run.sh
