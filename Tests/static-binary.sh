#!/usr/bin/env bash
# Builds the self-contained binary and checks it: no libswift* library linked, and it starts and answers discovery.
#
#   bash Tests/static-binary.sh        # prints the binary's path on its last line
set -euo pipefail
cd "$(dirname "$0")/.."
source Tests/release-binary.sh

binary="$(release_build --product mock-idp --static-swift-stdlib)/mock-idp"

if ldd "$binary" | grep -q 'libswift\|libFoundation\|libicu'; then
    echo "static-binary: $binary still links Swift runtime libraries:" >&2
    ldd "$binary" >&2
    exit 1
fi

workdir=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$workdir"' EXIT
(cd "$workdir" && exec "$binary" --port 0 >"$workdir/out" 2>"$workdir/err") &
pid=$!
issuer=$(wait_for_issuer "$workdir/out" "$workdir/err" 5 "static-binary ($binary)")
python3 - "$issuer" <<'PY' >&2
import json, sys, urllib.request
issuer = sys.argv[1]
with urllib.request.urlopen(issuer + "/.well-known/openid-configuration", timeout=10) as response:
    assert json.load(response)["issuer"] == issuer
print(f"static-binary: ok, self-contained and serving {issuer}")
PY
kill -TERM "$pid"
wait "$pid"
echo "$binary"
