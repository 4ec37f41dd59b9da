#!/usr/bin/env bash
# The interoperability suite: Authlib, a real OAuth 2.0 / OpenID Connect client, against the mock-idp binary.
#
#   bash Tests/Interop/run.sh [PYTEST_ARGS...]
#
# Builds the self-contained, tuned release binary (Swift runtime linked statically, Tests/Release/release-binary.sh,
# in .build-release) first, unless MOCK_IDP_BIN names one already built:
#
#   MOCK_IDP_BIN=.build/debug/mock-idp bash Tests/Interop/run.sh -k code_flow
#
# Needs python3 with the venv module, node, and Swift unless MOCK_IDP_BIN is set. Python packages go into
# Tests/Interop/.venv, created on first use from requirements.txt. The browser tests drive headless Chromium through
# chromedriver. prerequisites.sh, run first, installs what is missing of these with apt-get (Debian's python3-venv,
# nodejs, chromium and chromium-driver; as root, as on CI); without chromedriver the browser tests are skipped
# locally and fail on CI.
set -euo pipefail

# A relative MOCK_IDP_BIN is relative to the caller's directory: make it absolute before leaving it.
if [[ -n "${MOCK_IDP_BIN:-}" ]]; then
    if [[ "$MOCK_IDP_BIN" != /* ]]; then
        MOCK_IDP_BIN="$PWD/$MOCK_IDP_BIN"
    fi
fi

cd "$(dirname "${BASH_SOURCE[0]}")/../.."

bash Tests/Interop/prerequisites.sh

if [[ -z "${MOCK_IDP_BIN:-}" ]]; then
    source Tests/Release/release-binary.sh
    MOCK_IDP_BIN="$(release_build --product mock-idp --static-swift-stdlib)/mock-idp"
fi
if [[ ! -x "$MOCK_IDP_BIN" ]]; then
    echo "run.sh: MOCK_IDP_BIN=$MOCK_IDP_BIN is not an executable file" >&2
    exit 1
fi
export MOCK_IDP_BIN

venv=Tests/Interop/.venv
if [[ ! -x "$venv/bin/python" ]]; then
    if ! python3 -m venv "$venv"; then
        rm -rf "$venv"
        echo "run.sh: 'python3 -m venv' failed; on Debian or Ubuntu, install the python3-venv package" >&2
        exit 1
    fi
fi
"$venv/bin/python" -m pip install -q --disable-pip-version-check -r Tests/Interop/requirements.txt

exec "$venv/bin/python" -m pytest -p no:cacheprovider Tests/Interop "$@"
