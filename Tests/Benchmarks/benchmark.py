#!/usr/bin/env python3
"""MockIdP's benchmark: cold start, token issuance against the signing ceiling, complete flows, memory.

    python3 Tests/Benchmarks/benchmark.py [--static BIN] [--plain BIN] [--duration 15] [--tokens 100000]

Without --static/--plain it builds both release binaries (the static one in .build, the plain one in
.build-plain). Needs wrk (Debian: apt-get install wrk) and openssl. Loopback only; every load is bounded in time
or count. It measures; it asserts nothing: the figures go into README.md's BENCHMARKS section by hand.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import pathlib
import platform
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(HERE))
import coldstart  # noqa: E402


def build(static: bool) -> pathlib.Path:
    flags = ["-c", "release", "--product", "mock-idp"]
    flags += ["--static-swift-stdlib"] if static else ["--scratch-path", ".build-plain"]
    subprocess.run(["swift", "build", *flags], cwd=ROOT, check=True, stdout=sys.stderr)
    path = subprocess.run(["swift", "build", *flags, "--show-bin-path"], cwd=ROOT, check=True, capture_output=True, text=True)
    return pathlib.Path(path.stdout.strip()) / "mock-idp"


def openssl_signs_per_second(algorithm: str) -> float:
    """`openssl speed -multi 2 ALG`: signatures per second on both cores, the ceiling for token issuance."""
    output = subprocess.run(
        ["openssl", "speed", "-multi", str(os.cpu_count() or 2), "-seconds", "5", algorithm],
        capture_output=True, text=True, check=True,
    ).stdout
    # The last line reads "rsa 2048 bits 0.000141s 0.000018s 7074.7 54807.3" or
    # " 256 bits ecdsa (nistp256)   0.0000s   0.0001s  48787.9  15794.4": sign/s is the second figure from the end.
    line = [l for l in output.splitlines() if re.search(r"\d+ bits", l)][-1]
    numbers = re.findall(r"\d+\.\d+", line)
    return float(numbers[-2])


class Server:
    def __init__(self, binary: pathlib.Path, *args: str):
        self.workdir = tempfile.mkdtemp()
        self.process = subprocess.Popen(
            [str(binary), "--port", "0", "--log-level", "error", *args],
            cwd=self.workdir, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
        )
        self.issuer = coldstart.read_issuer(self.process, time.monotonic() + 10)

    def rss_mib(self) -> float:
        status = pathlib.Path(f"/proc/{self.process.pid}/status").read_text()
        return int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) / 1024

    def post_json(self, path: str, body: dict) -> dict:
        request = urllib.request.Request(self.issuer + path, data=json.dumps(body).encode(), method="POST")
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.load(response)

    def stop(self) -> None:
        coldstart.stop(self.process)
        shutil.rmtree(self.workdir, ignore_errors=True)


def wrk(url: str, script: str, duration: int, *args: str, connections: int = 32) -> str:
    command = ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency", "-s", str(HERE / script), url]
    if args:
        command += ["--", *args]
    return subprocess.run(command, capture_output=True, text=True, check=True, timeout=duration + 120).stdout


def wrk_figures(output: str) -> dict:
    def number(pattern: str) -> float | None:
        match = re.search(pattern, output)
        return float(match.group(1)) if match else None

    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", output)
    scale = {"us": 0.001, "ms": 1, "s": 1000}
    return {
        "requests_per_second": number(r"Requests/sec:\s+([\d.]+)"),
        "p99_ms": float(p99.group(1)) * scale[p99.group(2)] if p99 else None,
        "non_200": number(r"non-200 responses: (\d+)"),
        "socket_errors": bool(re.search(r"Socket errors", output)),
        "flows_per_second": number(r"flows per second: ([\d.]+)"),
        "failed": number(r"failed responses: (\d+)"),
        "tokens_issued": number(r"tokens issued: (\d+)"),
    }


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def measure_algorithm(binary: pathlib.Path, algorithm: str, ceiling: float, duration: int, tokens: int) -> dict:
    result: dict = {"algorithm": algorithm, "openssl_signs_per_second": ceiling}
    server = Server(binary, "--signing-alg", algorithm)
    try:
        time.sleep(0.5)
        result["rss_idle_mib"] = server.rss_mib()
        issuance = wrk_figures(wrk(server.issuer, "client_credentials.lua", duration))
        result["client_credentials"] = issuance
        result["ratio_to_ceiling"] = issuance["requests_per_second"] / ceiling
        result["flows"] = wrk_figures(wrk(server.issuer, "flows.lua", duration, *pkce_pair()))
    finally:
        server.stop()

    # Memory: a fresh server, `tokens` tokens, then the clock past their expiry and retention, which purges them.
    server = Server(binary, "--signing-alg", algorithm)
    try:
        time.sleep(0.5)
        idle = server.rss_mib()
        per_thread = str(tokens // 2)
        # wrk runs for its whole duration even when the script stops its threads: size it from the measured rate.
        seconds = int(tokens / max(issuance["requests_per_second"] or 1, 1) * 1.5) + 5
        filled = wrk_figures(wrk(server.issuer, "client_credentials.lua", seconds, per_thread))
        result["memory"] = {"idle_mib": idle, "tokens": filled["tokens_issued"], "after_tokens_mib": server.rss_mib()}
        server.post_json("/debug/clock", {"advance_seconds": 3600 + 600 + 1})
        time.sleep(0.5)
        result["memory"]["after_purge_mib"] = server.rss_mib()
    finally:
        server.stop()
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--static", type=pathlib.Path, help="the --static-swift-stdlib release binary")
    parser.add_argument("--plain", type=pathlib.Path, help="the plain release binary")
    parser.add_argument("--duration", type=int, default=15, help="seconds of each wrk run (default 15)")
    parser.add_argument("--tokens", type=int, default=100_000, help="tokens issued for the memory figure (default 100000)")
    parser.add_argument("--algorithms", default="RS256,ES256", help="signing algorithms to measure (default RS256,ES256)")
    parser.add_argument("--json", type=pathlib.Path, help="also write the results to this file")
    options = parser.parse_args()
    if not shutil.which("wrk"):
        print("benchmark: wrk is not installed (apt-get install wrk)", file=sys.stderr)
        return 1

    static = (options.static or build(static=True)).resolve()
    plain = (options.plain or build(static=False)).resolve()
    cpu = re.search(r"model name\s*:\s*(.*)", pathlib.Path("/proc/cpuinfo").read_text())
    results: dict = {
        "machine": f"{os.cpu_count()} cores, {cpu.group(1) if cpu else platform.processor()}, {platform.platform()}",
        "cold_start_ms": {},
    }
    for name, binary in (("static", static), ("plain", plain)):
        samples = [coldstart.measure_once(binary, None) for _ in range(21)][1:]
        results["cold_start_ms"][name] = {
            "median": statistics.median(samples), "p90": coldstart.percentile(samples, 0.9),
        }
    ceilings = {"RS256": openssl_signs_per_second("rsa2048"), "ES256": openssl_signs_per_second("ecdsap256")}
    results["signing"] = [
        measure_algorithm(static, algorithm, ceilings.get(algorithm, float("nan")), options.duration, options.tokens)
        for algorithm in options.algorithms.split(",")
    ]
    text = json.dumps(results, indent=2)
    print(text)
    if options.json:
        options.json.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
