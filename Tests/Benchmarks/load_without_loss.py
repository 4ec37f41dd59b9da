#!/usr/bin/env python3
"""Load without loss: 60 s of mixed traffic at full speed, then every sampled token must still introspect as active.

    python3 Tests/Benchmarks/load_without_loss.py [--binary BIN] [--duration 60] [--signing-alg RS256]

Prints the wrk summary (requests by kind, socket errors, 5xx count) and the introspection check; exits 1 on any
5xx, socket error, or a sampled token that no longer introspects as active. Loopback only; bounded in time.
"""

from __future__ import annotations

import argparse
import base64
import json
import pathlib
import re
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import benchmark  # noqa: E402


def introspect(issuer: str, token: str) -> dict:
    request = urllib.request.Request(
        issuer + "/introspect",
        data=urllib.parse.urlencode({"token": token}).encode(),
        headers={"Authorization": "Basic " + base64.b64encode(b"reconciler:reconciler-secret").decode()},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", type=pathlib.Path, help="default: the static release build")
    parser.add_argument("--duration", type=int, default=60)
    parser.add_argument("--signing-alg", default="RS256")
    options = parser.parse_args()
    binary = (options.binary or benchmark.build(static=True)).resolve()
    server = benchmark.Server(binary, "--signing-alg", options.signing_alg)
    try:
        with tempfile.NamedTemporaryFile(suffix=".tokens") as sample:
            started = time.monotonic()
            command = ["wrk", "-t2", "-c32", f"-d{options.duration}s", "-s", str(HERE / "mixed.lua"), server.issuer, "--", sample.name]
            output = subprocess.run(command, capture_output=True, text=True, check=True, timeout=options.duration + 120).stdout
            print(output.strip())
            print(f"wall time: {time.monotonic() - started:.1f} s, server RSS after: {server.rss_mib():.1f} MiB")
            tokens = [line for line in pathlib.Path(sample.name).read_text().splitlines() if line]
        errors = int(re.search(r"5xx responses: (\d+)", output).group(1))
        socket_errors = "Socket errors" in output
        inactive = [token for token in tokens if not introspect(server.issuer, token).get("active")]
        print(f"sampled tokens introspected: {len(tokens)}, not active: {len(inactive)}")
    finally:
        server.stop()
    ok = errors == 0 and not socket_errors and not inactive and len(tokens) > 0
    print("load without loss:", "ok" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
