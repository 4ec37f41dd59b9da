#!/usr/bin/env bash
# Builds the self-contained, tuned release binary (release-binary.sh) and checks it: the link order is not stale,
# no libswift* library is linked, and it starts and answers discovery.
#
#   bash Tests/Release/static-binary.sh        # prints the binary's path on its last line
set -euo pipefail
cd "$(dirname "$0")/../.."
source Tests/Release/release-binary.sh

binary="$(release_build --product mock-idp --static-swift-stdlib)/mock-idp"

# The link order is stale once code on the start-up and serving paths has been renamed or moved: lld skips the names
# it no longer finds, and those functions land among the code that is never run, each taking its neighbours' pages
# with it into memory. Measured (idle RSS of this binary, 15.0 MiB with a fresh file): leaving out a random 1, 2, 4
# and 8 % of the names cost 0.4, 0.9, 1.6 and 2.3 MiB, and a real stale file (4 % missing after a refactor, whose
# new functions were in no order at all) cost 2.3 MiB. Up to 2 % keeps idle RSS within about 1 MiB of the fresh
# figure, well under the 20 MiB target with room for ES256 keys (about 1.3 MiB more) and run-to-run noise.
max_stale_percent=2
read -r missing total < <(link_order_missing "$binary")
echo "static-binary: $missing of the $total names in Tests/Release/link-order.txt are not in the binary" >&2
if ((missing * 100 > total * max_stale_percent)); then
    echo "static-binary: the link order is stale ($missing of $total names missing, over $max_stale_percent %):" \
        "regenerate with bash Tests/Release/link-order.sh" >&2
    exit 1
fi

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
