#!/usr/bin/env python3
"""Cold start of mock-idp: from process launch to the discovery document answering 200.

Each run starts the binary with --port 0 in an empty temporary directory (so it serves the built-in fixtures,
unless --fixtures is given), reads its `issuer: URL` line, GETs /.well-known/openid-configuration until it
answers 200, then stops the process. The clock runs from just before the launch to that first 200.

    python3 Tests/Benchmarks/coldstart.py [--binary PATH] [--runs N] [--warmup N] [--fixtures DIR] [--json]

The default binary is the release build, .build/release/mock-idp (swift build -c release --product mock-idp).
A measurement, not a test: it exits non-zero only when the binary cannot be run or never answers.
Python standard library only.
"""

from __future__ import annotations

import argparse
import http.client
import json
import math
import os
import pathlib
import selectors
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse

REPO_ROOT = pathlib.Path(__file__).resolve().parents[2]
DEFAULT_BINARY = REPO_ROOT / ".build" / "release" / "mock-idp"
READY_TIMEOUT = 30.0  # seconds from launch to the first 200
STOP_TIMEOUT = 10.0  # seconds to exit after SIGTERM


class StartError(Exception):
    pass


def read_issuer(process: subprocess.Popen, deadline: float) -> str:
    """The URL from the `issuer: URL` line on stdout."""
    buffer = b""
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        while b"\n" not in buffer:
            remaining = deadline - time.perf_counter()
            if remaining <= 0:
                raise StartError("no `issuer:` line in time")
            if selector.select(remaining):
                chunk = os.read(process.stdout.fileno(), 4096)
                if not chunk:
                    raise StartError(f"exited with code {process.wait()} before printing `issuer:`")
                buffer += chunk
    line = buffer.split(b"\n", 1)[0].decode()
    if not line.startswith("issuer: "):
        raise StartError(f"unexpected first line: {line!r}")
    return line.removeprefix("issuer: ")


def wait_for_discovery(issuer: str, deadline: float) -> None:
    """Polls the discovery document until it answers 200."""
    url = urllib.parse.urlsplit(issuer)
    path = url.path.rstrip("/") + "/.well-known/openid-configuration"
    while True:
        remaining = deadline - time.perf_counter()
        if remaining <= 0:
            raise StartError("discovery did not answer 200 in time")
        connection = http.client.HTTPConnection(url.hostname, url.port, timeout=remaining)
        try:
            connection.request("GET", path)
            response = connection.getresponse()
            response.read()
            if response.status == 200:
                return
        except (ConnectionError, OSError):
            pass
        finally:
            connection.close()
        time.sleep(0.001)


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def measure_once(binary: pathlib.Path, fixtures: pathlib.Path | None) -> float:
    """Milliseconds from launch to the first 200 from discovery."""
    with tempfile.TemporaryDirectory(prefix="mock-idp-coldstart-") as directory:
        command = [str(binary), "--host", "127.0.0.1", "--port", "0"]
        if fixtures is not None:
            command += ["--fixtures", str(fixtures)]
        stderr_path = pathlib.Path(directory) / "stderr.log"
        with stderr_path.open("wb") as stderr:
            start = time.perf_counter()
            process = subprocess.Popen(
                command, cwd=directory, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=stderr
            )
        try:
            deadline = start + READY_TIMEOUT
            issuer = read_issuer(process, deadline)
            wait_for_discovery(issuer, deadline)
            elapsed = time.perf_counter() - start
        except StartError as error:
            stop(process)
            log = stderr_path.read_text(errors="replace").strip()
            raise StartError(f"{binary}: {error}" + (f"\n{log}" if log else "")) from None
        finally:
            stop(process)
            process.stdout.close()
    return elapsed * 1000


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def main() -> int:
    parser = argparse.ArgumentParser(description="Cold start of mock-idp: launch to discovery answering 200.")
    parser.add_argument(
        "--binary",
        type=pathlib.Path,
        default=DEFAULT_BINARY,
        help=f"the mock-idp binary (default: {DEFAULT_BINARY.relative_to(REPO_ROOT)})",
    )
    parser.add_argument("--runs", type=int, default=20, help="measured runs (default: 20)")
    parser.add_argument(
        "--warmup",
        type=int,
        default=1,
        help="runs before measuring, not counted, to load the binary into the page cache (default: 1)",
    )
    parser.add_argument("--fixtures", type=pathlib.Path, help="a fixtures directory (default: the built-in fixtures)")
    parser.add_argument("--json", action="store_true", help="print the results as one JSON object")
    args = parser.parse_args()

    if args.runs < 1 or args.warmup < 0:
        parser.error("--runs must be at least 1 and --warmup at least 0")
    binary = args.binary.resolve()
    if not (binary.is_file() and os.access(binary, os.X_OK)):
        hint = " (build it: swift build -c release --product mock-idp)" if args.binary == DEFAULT_BINARY else ""
        print(f"coldstart: {binary} is not an executable file{hint}", file=sys.stderr)
        return 2
    fixtures = args.fixtures.resolve() if args.fixtures else None

    try:
        for _ in range(args.warmup):
            measure_once(binary, fixtures)
        samples = [measure_once(binary, fixtures) for _ in range(args.runs)]
    except StartError as error:
        print(f"coldstart: {error}", file=sys.stderr)
        return 1

    results = {
        "binary": str(binary),
        "runs": args.runs,
        "median_ms": statistics.median(samples),
        "p90_ms": percentile(samples, 0.9),
        "min_ms": min(samples),
        "max_ms": max(samples),
    }
    if args.json:
        print(json.dumps(results))
    else:
        print(f"mock-idp cold start, launch to discovery 200: {binary}")
        print(f"runs: {args.runs} (after {args.warmup} warm-up)")
        for name in ("median", "p90", "min", "max"):
            print(f"{name + ':':<8}{results[name + '_ms']:8.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
