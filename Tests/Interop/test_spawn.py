"""The binary as a test runner in any language spawns it: readiness, `--exit-on-stdin-close` (also when the parent
crashes), and `--issuer` for a server reached by another name.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import pathlib
import signal
import socket
import subprocess
import sys
import time
import urllib.parse

import pytest

from conftest import FIXTURES_DIR, STOP_TIMEOUT, mock_idp_binary, read_line, read_ready_line, stop
from oauth_helpers import (
    BUDGETIFY,
    HTTPSession,
    authorization_request,
    authorize,
    check_access_token,
    check_id_token,
    oauth_session,
    redirect_parameters,
)

EXIT_DEADLINE = 5.0  # seconds for mock-idp to notice that its stdin closed and exit
POLL_INTERVAL = 0.05

# A parent process as another language's test runner would be: it spawns mock-idp with a pipe as stdin, says where it
# is, and then blocks (until its own stdin closes) so that the test can kill it as a crash would.
PARENT = r"""
import subprocess, sys
binary, fixtures, stderr_path = sys.argv[1:4]
with open(stderr_path, "wb") as stderr:
    child = subprocess.Popen(
        [binary, "--port", "0", "--fixtures", fixtures, "--exit-on-stdin-close"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=stderr,
    )
line = child.stdout.readline().decode().strip()
print(f"pid {child.pid} {line}", flush=True)
sys.stdin.read()
"""


def port_of(issuer: str) -> int:
    return urllib.parse.urlsplit(issuer).port


def port_is_free(port: int) -> bool:
    """Nothing listens on 127.0.0.1:`port` any more."""
    with socket.socket() as probe:
        probe.settimeout(1.0)
        return probe.connect_ex(("127.0.0.1", port)) != 0


def wait_for(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() >= deadline:
            raise AssertionError(f"{what} within {timeout:.0f} s")
        time.sleep(POLL_INTERVAL)


def spawn(*args: str, cwd: pathlib.Path, stdin=subprocess.PIPE) -> tuple[subprocess.Popen, str]:
    """Starts mock-idp on a free port as a spawning test runner does; returns (process, issuer)."""
    with (cwd / "mock-idp.stderr").open("ab") as stderr:
        process = subprocess.Popen(
            [mock_idp_binary(), "--port", "0", "--fixtures", str(FIXTURES_DIR), *args],
            cwd=cwd,
            stdin=stdin,
            stdout=subprocess.PIPE,
            stderr=stderr,
        )
    try:
        return process, read_ready_line(process)
    except BaseException:
        stop(process)
        process.stdout.close()
        raise


@contextlib.contextmanager
def child_subreaper() -> None:
    """On Linux, makes this process adopt orphaned descendants (PR_SET_CHILD_SUBREAPER), so that a grandchild whose
    parent was killed can be waited for, and its exit status read; elsewhere does nothing."""
    libc = None
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError):
            libc = ctypes.CDLL(None, use_errno=True)
    pr_set_child_subreaper = 36
    enabled = libc is not None and libc.prctl(pr_set_child_subreaper, 1, 0, 0, 0) == 0
    try:
        yield enabled
    finally:
        if enabled:
            libc.prctl(pr_set_child_subreaper, 0, 0, 0, 0)


def test_healthz_answers_once_the_ready_line_is_out(tmp_path):
    process, issuer = spawn("--exit-on-stdin-close", cwd=tmp_path)
    try:
        with HTTPSession() as http:
            response = http.get(issuer + "/healthz")
        assert response.status_code == 200
        assert response.headers["Content-Type"].startswith("application/json")
        assert response.json() == {"status": "ok"}
    finally:
        process.stdin.close()
        assert process.wait(timeout=STOP_TIMEOUT) == 0
        process.stdout.close()


def test_exit_on_stdin_close(tmp_path):
    process, issuer = spawn("--exit-on-stdin-close", cwd=tmp_path)
    try:
        with HTTPSession() as http:
            assert http.get(issuer + "/healthz").status_code == 200
        process.stdin.close()
        assert process.wait(timeout=EXIT_DEADLINE) == 0, "mock-idp exits gracefully, status 0"
        assert port_is_free(port_of(issuer))
        assert process.stdout.read() == b"", "stdout carries the ready line and nothing else"
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        process.stdout.close()
    assert "issuer:" not in (tmp_path / "mock-idp.stderr").read_text()


def test_input_on_stdin_is_ignored(tmp_path):
    """Only the end of stdin matters: whatever a runner writes to the pipe does not stop the server."""
    process, issuer = spawn("--exit-on-stdin-close", cwd=tmp_path)
    try:
        process.stdin.write(b"q\nquit\n\x04" + b"x" * 100_000)
        process.stdin.flush()
        with HTTPSession() as http:
            assert http.get(issuer + "/healthz").status_code == 200
        assert process.poll() is None
        process.stdin.close()
        assert process.wait(timeout=EXIT_DEADLINE) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        process.stdout.close()


def test_a_crashed_parent_leaves_no_server_behind(tmp_path):
    """The parent that spawned mock-idp is SIGKILLed: the pipe it held as mock-idp's stdin closes, and mock-idp exits
    by itself, freeing its port."""
    stderr_path = tmp_path / "mock-idp.stderr"
    with child_subreaper() as adopting:
        parent = subprocess.Popen(
            [sys.executable, "-c", PARENT, mock_idp_binary(), str(FIXTURES_DIR), str(stderr_path)],
            cwd=tmp_path,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )
        pid = None
        try:
            words = read_line(parent, timeout=30).split()
            assert words[0] == "pid" and words[2] == "issuer:", words
            pid, issuer = int(words[1]), words[3]
            with HTTPSession() as http:
                assert http.get(issuer + "/healthz").json() == {"status": "ok"}

            parent.send_signal(signal.SIGKILL)
            assert parent.wait(timeout=STOP_TIMEOUT) == -signal.SIGKILL

            if adopting:
                # mock-idp is now this process's child: its exit status can be read.
                status = []

                def reaped() -> bool:
                    done, code = os.waitpid(pid, os.WNOHANG)
                    if done:
                        status.append(os.waitstatus_to_exitcode(code))
                    return bool(done)

                wait_for(reaped, EXIT_DEADLINE, "the orphaned mock-idp did not exit")
                assert status == [0], f"mock-idp exited with {status}\n{stderr_path.read_text()[:4000]}"
            else:
                wait_for(lambda: has_exited(pid), EXIT_DEADLINE, "the orphaned mock-idp did not exit")
            pid = None
            wait_for(lambda: port_is_free(port_of(issuer)), EXIT_DEADLINE, f"{issuer} is still listening")
        finally:
            if parent.poll() is None:
                parent.kill()
                parent.wait()
            parent.stdin.close()
            parent.stdout.close()
            if pid is not None and not has_exited(pid):
                os.kill(pid, signal.SIGKILL)  # the mock-idp this test started, left behind by a failure
                if adopting:
                    with contextlib.suppress(ChildProcessError):
                        os.waitpid(pid, 0)


def has_exited(pid: int) -> bool:
    """Whether process `pid` has terminated: gone, or a zombie nobody reaped yet."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] in ("Z", "X")
    except FileNotFoundError:
        return True
    except OSError:
        pass
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


# --- --issuer: the name clients use, whatever the server binds --------------------------------------------------------

ISSUER = "http://idp.example:9999"


@pytest.fixture
def behind_another_name(tmp_path):
    """mock-idp with --issuer ISSUER, listening on a free port of 127.0.0.1; yields (process, real base URL).

    The ready line names the issuer, not the port, so a port is picked first; taken in between, another is tried.
    """
    for _ in range(5):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        stderr_path = tmp_path / f"mock-idp-{port}.stderr"
        with stderr_path.open("wb") as stderr:
            process = subprocess.Popen(
                [mock_idp_binary(), "--port", str(port), "--issuer", ISSUER, "--fixtures", str(FIXTURES_DIR)],
                cwd=tmp_path,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=stderr,
            )
        try:
            ready = read_ready_line(process)
        except RuntimeError:
            process.stdout.close()
            if "already in use" in stderr_path.read_text():
                continue
            raise
        try:
            assert ready == ISSUER, "the ready line names the issuer"
            yield f"http://127.0.0.1:{port}"
        finally:
            code = stop(process)
            process.stdout.close()
        assert code == 0
        return
    pytest.fail("no free port could be bound in 5 tries")


def test_issuer_option_names_every_url_while_listening_on_the_real_port(behind_another_name):
    real = behind_another_name

    def local(url: str) -> str:
        """What a test does when idp.example resolves to this machine: the same path, at the real address."""
        assert url.startswith(ISSUER + "/"), url
        return real + url.removeprefix(ISSUER)

    with HTTPSession() as http:
        discovery = http.get(real + "/.well-known/openid-configuration").json()
        assert discovery["issuer"] == ISSUER
        endpoints = {key: value for key, value in discovery.items() if key.endswith("_endpoint") or key == "jwks_uri"}
        assert set(endpoints) == {
            "authorization_endpoint",
            "token_endpoint",
            "userinfo_endpoint",
            "jwks_uri",
            "introspection_endpoint",
            "revocation_endpoint",
            "device_authorization_endpoint",
            "end_session_endpoint",
            "registration_endpoint",
        }
        for key, url in endpoints.items():
            assert url.startswith(ISSUER + "/"), (key, url)
        device = http.post(local(discovery["device_authorization_endpoint"]), data={"client_id": "budgetify-tv"}).json()
        assert device["verification_uri"] == ISSUER + "/device"
        jwks = http.get(local(discovery["jwks_uri"])).json()

    reachable = {key: local(url) for key, url in endpoints.items()}
    with oauth_session(dict(discovery, **reachable), BUDGETIFY) as client:
        request = authorization_request(client, dict(discovery, **reachable))
        callback = redirect_parameters(authorize(client, request.url), BUDGETIFY["redirect_uri"])
        assert callback["iss"] == ISSUER  # RFC 9207 §2
        assert callback["state"] == request.state
        token = client.fetch_token(code=callback["code"], code_verifier=request.code_verifier)

    access = check_access_token(token["access_token"], jwks, issuer=ISSUER, client=BUDGETIFY, sub="alice")
    assert access["iss"] == ISSUER
    id_claims = check_id_token(
        token["id_token"],
        jwks,
        issuer=ISSUER,
        client=BUDGETIFY,
        nonce=request.nonce,
        access_token=token["access_token"],
    )
    assert id_claims["iss"] == ISSUER

    with HTTPSession() as http:
        info = http.post(
            reachable["introspection_endpoint"],
            data={"token": token["access_token"]},
            auth=("reconciler", "reconciler-secret"),
        ).json()
        assert info["active"] is True and info["iss"] == ISSUER
        claims = http.get(reachable["userinfo_endpoint"], headers={"Authorization": f"Bearer {token['access_token']}"})
        assert claims.json()["sub"] == "alice"
