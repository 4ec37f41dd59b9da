"""Run the real mock-idp binary from pytest.

`running_mock_idp()` starts the binary on a free port, waits for its `issuer: URL` line, and afterwards stops it
with SIGTERM and checks that it exits 0. The `mock_idp` fixture wraps it for a whole test session.

To use the pattern in another project, copy everything above "Fixtures of this suite" (the oauth_helpers import
is not needed there), set MOCK_IDP_BIN to the binary (or put mock-idp on PATH) and FIXTURES_DIR to your fixtures.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import pathlib
import selectors
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator

import pytest

from oauth_helpers import DebugAPI, HTTPSession

READY_TIMEOUT = 30.0  # seconds to wait for the `issuer:` line
STOP_TIMEOUT = 10.0  # seconds to wait for a graceful exit after SIGTERM

# The fixtures shipped with this repository; in your project, your own fixtures directory.
FIXTURES_DIR = pathlib.Path(__file__).resolve().parents[2] / "fixtures"


def mock_idp_binary() -> str:
    """The binary under test: $MOCK_IDP_BIN, else `mock-idp` on PATH."""
    binary = os.environ.get("MOCK_IDP_BIN") or shutil.which("mock-idp")
    if not binary:
        pytest.fail("set MOCK_IDP_BIN to the mock-idp binary (or put mock-idp on PATH)", pytrace=False)
    return str(pathlib.Path(binary).resolve())


@dataclasses.dataclass
class MockIdP:
    """A running mock-idp process."""

    issuer: str
    process: subprocess.Popen
    stderr_path: pathlib.Path

    def url(self, path: str) -> str:
        """An endpoint URL, e.g. `idp.url("/token")`."""
        return self.issuer + path

    @property
    def stderr(self) -> str:
        """What the server has logged so far."""
        return self.stderr_path.read_text(encoding="utf-8", errors="replace")


def read_line(process: subprocess.Popen, timeout: float, *, name: str = "the process") -> str:
    """The first line of `process`'s stdout, or an error if the process exits or stays silent for `timeout` seconds."""
    deadline = time.monotonic() + timeout
    buffer = b""
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        while b"\n" not in buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"{name} printed no line within {timeout:.0f} s (so far: {buffer!r})")
            if selector.select(remaining):
                chunk = os.read(process.stdout.fileno(), 4096)
                if not chunk:
                    process.wait(timeout=STOP_TIMEOUT)
                    raise RuntimeError(f"{name} exited with code {process.returncode} before printing a line")
                buffer += chunk
    return buffer.split(b"\n", 1)[0].decode()


def read_ready_line(process: subprocess.Popen, timeout: float = READY_TIMEOUT) -> str:
    """The issuer from the `issuer: URL` line, or an error if the process exits or stays silent."""
    line = read_line(process, timeout, name="mock-idp")
    if not line.startswith("issuer: "):
        raise RuntimeError(f"unexpected first line on stdout: {line!r}")
    return line.removeprefix("issuer: ")


def stop(process: subprocess.Popen) -> int:
    """Sends SIGTERM and returns the exit code; kills the process if it does not exit in time."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            raise AssertionError(f"mock-idp did not exit within {STOP_TIMEOUT:.0f} s of SIGTERM") from None
    return process.returncode


@contextlib.contextmanager
def running_mock_idp(
    *args: str, cwd: pathlib.Path, host: str = "127.0.0.1", env: dict[str, str] | None = None
) -> Iterator[MockIdP]:
    """Starts mock-idp on a free port with extra `args` (and environment variables `env`), in `cwd`; stops it with
    SIGTERM and expects exit code 0.

    stderr goes to `cwd/mock-idp.stderr`, so a chatty log can never fill a pipe and stall the server;
    it is shown when the server fails to start or exits with an error.
    """
    stderr_path = cwd / "mock-idp.stderr"

    def log() -> str:
        return "--- mock-idp stderr ---\n" + stderr_path.read_text(errors="replace")[:8000]

    command = [mock_idp_binary(), "--host", host, "--port", "0", *args]
    with stderr_path.open("wb") as stderr:
        process = subprocess.Popen(
            command,
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=stderr,
            env={**os.environ, **env} if env else None,
        )
    try:
        try:
            issuer = read_ready_line(process)
        except Exception as error:
            stop(process)
            raise RuntimeError(f"{error}\n{log()}") from None
        try:
            yield MockIdP(issuer=issuer, process=process, stderr_path=stderr_path)
        except BaseException as error:
            # The test failed: say whether the server died under it (a crash, say), without masking the failure.
            code = stop(process)
            if code != 0 and hasattr(error, "add_note"):
                error.add_note(f"mock-idp exited with code {code}\n{log()}")
            raise
        code = stop(process)
        assert code == 0, f"mock-idp exited with code {code} after SIGTERM\n{log()}"
    finally:
        process.stdout.close()


@pytest.fixture(scope="session")
def mock_idp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MockIdP]:
    """One mock-idp for the whole test session, serving FIXTURES_DIR."""
    with running_mock_idp("--fixtures", str(FIXTURES_DIR), cwd=tmp_path_factory.mktemp("mock-idp")) as idp:
        yield idp


# --- Fixtures of this suite -------------------------------------------------------------------------------------


@pytest.fixture
def http() -> Iterator[HTTPSession]:
    """A plain HTTP client for requests a library would not send."""
    with HTTPSession() as session:
        yield session


@pytest.fixture(scope="session")
def discovery(mock_idp: MockIdP) -> dict:
    """The OpenID Provider Metadata of the session's server."""
    with HTTPSession() as session:
        response = session.get(mock_idp.url("/.well-known/openid-configuration"))
    response.raise_for_status()
    return response.json()


@pytest.fixture(scope="session")
def jwks(discovery: dict) -> dict:
    """The server's JWK Set, fetched from `jwks_uri`."""
    with HTTPSession() as session:
        response = session.get(discovery["jwks_uri"])
    response.raise_for_status()
    return response.json()


def metadata(idp: MockIdP) -> dict:
    """The OpenID Provider Metadata of a running server."""
    with HTTPSession() as session:
        response = session.get(idp.url("/.well-known/openid-configuration"))
    response.raise_for_status()
    return response.json()


@pytest.fixture
def fresh_idp(tmp_path: pathlib.Path) -> Iterator[MockIdP]:
    """A mock-idp of this test's own, serving FIXTURES_DIR: for tests that move the clock, rotate keys, reset what
    was issued or add fixtures, so that the session's server stays as every other test expects it."""
    with running_mock_idp("--fixtures", str(FIXTURES_DIR), cwd=tmp_path) as idp:
        yield idp


@pytest.fixture
def fresh_discovery(fresh_idp: MockIdP) -> dict:
    return metadata(fresh_idp)


@pytest.fixture
def fresh_debug(fresh_idp: MockIdP) -> Iterator[DebugAPI]:
    """/debug of `fresh_idp`."""
    with DebugAPI(fresh_idp.issuer) as debug:
        yield debug
