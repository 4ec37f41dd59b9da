"""Instructions per request outside libcrypto, from two callgrind profiles (instructions.sh).

    python3 callgrind_outside_libcrypto.py LABEL REQUESTS BASE_PROFILE LOAD_PROFILE

LOAD_PROFILE is a run that served REQUESTS more requests than BASE_PROFILE: the difference of their instructions
outside libcrypto, over REQUESTS, is the cost of one request.
"""
import re
import subprocess
import sys


def outside_libcrypto(profile):
    text = subprocess.run(
        ["callgrind_annotate", "--inclusive=no", "--threshold=100", profile], capture_output=True, text=True, check=True
    ).stdout
    total = 0
    for line in text.splitlines():
        match = re.match(r"\s*([\d,]+) \([^)]*\)\s+(.*)$", line)
        if match and "PROGRAM TOTALS" not in line and "libcrypto" not in match.group(2):
            total += int(match.group(1).replace(",", ""))
    return total


def main():
    label, requests, base, load = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    if requests <= 0:
        sys.exit(f"{label}: wrk served no request")
    per_request = (outside_libcrypto(load) - outside_libcrypto(base)) / requests
    print(f"{label}: {per_request:,.0f} instructions per request outside libcrypto ({requests} requests measured)")


main()
