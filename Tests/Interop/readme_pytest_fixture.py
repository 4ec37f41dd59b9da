# conftest.py: a fresh MockIdP for each test, on a free port, gone when the test ends (even if pytest crashes).
# It runs mock-idp from PATH (in a clone of MockIdP: `swift build -c release --product mock-idp`, then
# `export PATH="$PWD/.build/release:$PATH"`), or the binary MOCK_IDP_BIN names.
import os
import subprocess

import pytest


@pytest.fixture
def mock_idp():
    process = subprocess.Popen(
        [os.environ.get("MOCK_IDP_BIN", "mock-idp"), "--port", "0", "--exit-on-stdin-close"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    line = process.stdout.readline()  # "issuer: http://127.0.0.1:PORT", printed once it listens
    assert line.startswith("issuer: "), line
    yield line.removeprefix("issuer: ").strip()
    process.stdin.close()  # mock-idp exits when its stdin closes
    assert process.wait(timeout=10) == 0
