#!/usr/bin/env bash
# Instructions per request, counted by callgrind: a figure that does not move with the machine's load, for comparing
# two versions of the code where req/s on this shared VM drifts by 10 to 20 % from minute to minute.
#
#   bash Tests/Benchmarks/instructions.sh [SECONDS]
#
# Builds the static release binary and runs it under callgrind: client_credentials token requests (wrk, 1 thread,
# 4 connections, SECONDS, default 10) after a warm-up, then likewise GET /healthz requests, and prints the
# instructions per request outside libcrypto (whose RSA and SHA code takes its plain x86-64 path under valgrind, so
# its count says nothing of the real one). About two minutes. Needs valgrind and wrk.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
source Tests/Release/release-binary.sh

seconds=${1:-10}
binary="$(release_build --product mock-idp --static-swift-stdlib)/mock-idp"
workdir=$(mktemp -d)
trap 'rm -rf "$workdir"' EXIT
# valgrind 3.19 cannot read DWARF 5; the symbol table is all callgrind needs.
objcopy --strip-debug "$binary" "$workdir/mock-idp"
printf 'wrk.method = "GET"\nwrk.path = "/healthz"\n' >"$workdir/health.lua"

# run OUT SCRIPT DURATION: one server under callgrind, a 2 s warm-up of SCRIPT, then DURATION seconds more of it
# (none for 0); prints the requests of that second part.
run() {
    local out=$1 script=$2 duration=$3 issuer
    valgrind --tool=callgrind --callgrind-out-file="$out" "$workdir/mock-idp" --port 0 >"$workdir/stdout" 2>"$workdir/stderr" &
    local pid=$!
    issuer=$(wait_for_issuer "$workdir/stdout" "$workdir/stderr" 60 "instructions.sh")
    wrk -t1 -c4 -d2s -s "$script" "$issuer" >/dev/null
    if ((duration > 0)); then
        wrk -t1 -c4 -d"${duration}s" -s "$script" "$issuer" | sed -n 's/^ *\([0-9]*\) requests in.*/\1/p'
    else
        echo 0
    fi
    kill -INT "$pid"
    wait "$pid" || true
}

# measure LABEL SCRIPT: the instructions of a run with the measured part, less those of a run without it (start-up,
# warm-up, shutdown), over the requests of that part. (callgrind_control --zero would spare the second run, but
# callgrind then charges what follows to each thread's first frame, not to the functions that ran.)
measure() {
    local label=$1 script=$2 requests
    run "$workdir/base.$label" "$script" 0 >/dev/null
    requests=$(run "$workdir/load.$label" "$script" "$seconds")
    python3 Tests/Benchmarks/callgrind_outside_libcrypto.py "$label" "$requests" "$workdir/base.$label" "$workdir/load.$label"
}

measure client_credentials Tests/Benchmarks/client_credentials.lua
measure health "$workdir/health.lua"
