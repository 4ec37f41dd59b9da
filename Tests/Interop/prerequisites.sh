#!/usr/bin/env bash
# What the interop suite needs beyond Swift, checked (and installed where it can) before anything is built:
#
#   bash Tests/Interop/prerequisites.sh
#
# - python3, with the venv module and ensurepip (for Tests/Interop/.venv): Debian's python3-venv package;
# - node (the README's Node helper is run by test_readme_node_helper.py): Debian's nodejs package;
# - chromedriver and a headless Chromium (the browser tests): Debian's chromium and chromium-driver packages.
#
# Missing packages are installed with apt-get when this runs as root (as CI does). Otherwise it names them: a
# missing venv module or node stops it (exit status 1); a missing chromedriver only warns, since the browser tests
# then skip locally (and fail on CI).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

if ! command -v python3 >/dev/null 2>&1; then
    echo "prerequisites.sh: python3 is not on PATH; install python3 (Debian: apt-get install python3 python3-venv)" >&2
    exit 1
fi

venv_works() {
    [[ -x Tests/Interop/.venv/bin/python ]] || python3 -c 'import ensurepip, venv' >/dev/null 2>&1
}

packages=()
venv_works || packages+=(python3-venv)
command -v node >/dev/null 2>&1 || packages+=(nodejs)
command -v chromedriver >/dev/null 2>&1 || packages+=(chromium chromium-driver)

if ((${#packages[@]} > 0)); then
    if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null 2>&1; then
        echo "prerequisites.sh: installing ${packages[*]} with apt-get" >&2
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${packages[@]}" >&2
    else
        echo "prerequisites.sh: missing, not installed (needs root and apt-get): ${packages[*]}" >&2
    fi
fi

status=0
if ! venv_works; then
    echo "prerequisites.sh: 'python3 -m venv' cannot make a venv with pip ($(command -v python3) has no ensurepip);" \
        "on Debian or Ubuntu, install the python3-venv package" >&2
    status=1
fi
if ! command -v node >/dev/null 2>&1; then
    echo "prerequisites.sh: node is not on PATH; install Node.js 18 or later (Debian: the nodejs package)" >&2
    status=1
fi
if ! command -v chromedriver >/dev/null 2>&1; then
    echo "prerequisites.sh: chromedriver is not on PATH; the browser tests will be skipped" \
        "(install Debian's chromium and chromium-driver)" >&2
fi
exit "$status"
