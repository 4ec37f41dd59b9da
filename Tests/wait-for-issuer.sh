# Sourced by the scripts that start mock-idp in the background: waits for its "issuer: URL" line.
#
#   issuer=$(wait_for_issuer STDOUT_FILE STDERR_FILE SECONDS LABEL)
#
# Prints the URL once the line is in STDOUT_FILE. After SECONDS without it, prints "LABEL: mock-idp printed no issuer
# line" and STDERR_FILE to standard error and fails.
wait_for_issuer() {
    local stdout=$1 stderr=$2 seconds=$3 label=$4 issuer=
    for _ in $(seq 1 $((seconds * 10))); do
        issuer=$(sed -n 's/^issuer: //p' "$stdout" 2>/dev/null)
        [[ -n "$issuer" ]] && break
        sleep 0.1
    done
    if [[ -z "$issuer" ]]; then
        echo "$label: mock-idp printed no issuer line within $seconds s" >&2
        cat "$stderr" >&2
        return 1
    fi
    echo "$issuer"
}
