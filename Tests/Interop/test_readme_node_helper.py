"""The Node helper README.md shows for Jest ("Use it in your tests") works as printed, run with node.

The helper (the Jest block up to its `module.exports` line) is copied out of README.md unchanged and driven by a small
script: against the real binary it resolves with the issuer and stops cleanly; for a binary that does not exist, and
for one that exits before it is ready (invalid fixtures), its promise rejects instead of hanging or crashing node on
an unhandled 'error' event. node must be installed (Tests/Interop/prerequisites.sh installs it): without it these
tests fail.
"""

from __future__ import annotations

import json
import os
import pathlib
import re
import shutil
import subprocess

import pytest

from conftest import mock_idp_binary

README = pathlib.Path(__file__).resolve().parents[2] / "README.md"
NODE_TIMEOUT = 30.0  # seconds; a helper that hangs fails here

# Starts the helper with the arguments given, fetches discovery, stops it; prints one JSON line saying what happened.
DRIVER = """
const { startMockIdP } = require("./mock-idp");
(async () => {
  let idp;
  try {
    idp = await startMockIdP(process.argv.slice(2));
  } catch (error) {
    console.log(JSON.stringify({ started: false, message: String(error && error.message), code: error && error.code }));
    return;
  }
  const metadata = await (await fetch(`${idp.issuer}/.well-known/openid-configuration`)).json();
  const exitCode = await idp.stop();
  console.log(JSON.stringify({ started: true, issuer: idp.issuer, metadataIssuer: metadata.issuer, exitCode }));
})();
"""


def readme_node_helper() -> str:
    """The README's Jest block, up to and including its `module.exports` line."""
    block = re.search(r"\*\*Jest\*\*.*?\n```js\n(.*?)\n```\n", README.read_text(), re.DOTALL)
    assert block, "README.md has no ```js block after **Jest**"
    helper, separator, _ = block.group(1).partition("module.exports = { startMockIdP };\n")
    assert separator, "README.md's Jest block does not export startMockIdP"
    return helper + separator


@pytest.fixture
def helper_dir(tmp_path: pathlib.Path) -> pathlib.Path:
    (tmp_path / "mock-idp.js").write_text(readme_node_helper())
    (tmp_path / "driver.js").write_text(DRIVER)
    return tmp_path


def run_driver(helper_dir: pathlib.Path, *args: str, binary: str) -> dict:
    node = shutil.which("node")
    if not node:
        pytest.fail("node is not on PATH (Tests/Interop/prerequisites.sh installs Debian's nodejs)", pytrace=False)
    env = dict(os.environ, MOCK_IDP_BIN=binary)
    result = subprocess.run(
        [node, "driver.js", *args], cwd=helper_dir, env=env, capture_output=True, text=True, timeout=NODE_TIMEOUT
    )
    assert result.returncode == 0, f"node exited with {result.returncode}\n{result.stdout}\n{result.stderr}"
    lines = result.stdout.strip().splitlines()
    assert lines, f"the driver printed nothing\n{result.stderr}"
    return json.loads(lines[-1])


def test_resolves_with_the_issuer_and_stops(helper_dir: pathlib.Path):
    outcome = run_driver(helper_dir, binary=mock_idp_binary())
    assert outcome["started"], outcome
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+", outcome["issuer"]), outcome
    assert outcome["metadataIssuer"] == outcome["issuer"]
    assert outcome["exitCode"] == 0


def test_rejects_when_the_binary_is_not_found(helper_dir: pathlib.Path, tmp_path: pathlib.Path):
    outcome = run_driver(helper_dir, binary=str(tmp_path / "no-such-dir" / "mock-idp"))
    assert not outcome["started"], outcome
    assert outcome["code"] == "ENOENT", outcome
    assert "ENOENT" in outcome["message"], outcome


def test_rejects_when_mock_idp_exits_before_it_is_ready(helper_dir: pathlib.Path, tmp_path: pathlib.Path):
    fixtures = tmp_path / "broken-fixtures"
    fixtures.mkdir()
    (fixtures / "clients.json").write_text('[{"client_id": "budgetify",]\n')
    outcome = run_driver(helper_dir, "--fixtures", str(fixtures), binary=mock_idp_binary())
    assert not outcome["started"], outcome
    assert "exited with code 2 before it was ready" in outcome["message"], outcome
