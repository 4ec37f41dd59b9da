"""The mock-idp command line: the ready line, signals, exit codes and messages, fixture discovery."""

from __future__ import annotations

import json
import pathlib
import re
import signal
import socket
import subprocess

import pytest

from conftest import FIXTURES_DIR, STOP_TIMEOUT, mock_idp_binary, read_ready_line, running_mock_idp, stop
from oauth_helpers import HTTPSession, redirect_parameters

EXIT_TIMEOUT = 30.0  # seconds for a process that is expected to exit on its own
VALIDATION_EXIT_CODE = 64  # ArgumentParser's exit code for a flag or value it refuses (EX_USAGE)


def run_to_exit(*args: str, cwd: pathlib.Path) -> subprocess.CompletedProcess:
    """Runs mock-idp with `args`, expecting it to exit by itself (subprocess.run kills it on timeout)."""
    return subprocess.run(
        [mock_idp_binary(), *args],
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=EXIT_TIMEOUT,
    )


@pytest.fixture
def launched(tmp_path):
    """Starts mock-idp with the given args, stderr to a file; kills whatever is still running afterwards."""
    processes = []

    def launch(*args: str, cwd: pathlib.Path = tmp_path) -> tuple[subprocess.Popen, pathlib.Path]:
        stderr_path = cwd / f"stderr-{len(processes)}.log"
        with stderr_path.open("wb") as stderr:
            process = subprocess.Popen(
                [mock_idp_binary(), *args], cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=stderr
            )
        processes.append(process)
        return process, stderr_path

    yield launch
    for process in processes:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=STOP_TIMEOUT)
        process.stdout.close()


def scope_names() -> list[str]:
    return [scope["name"] for scope in json.loads((FIXTURES_DIR / "scopes.json").read_text())]


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_ready_line_then_graceful_exit(launched, stop_signal):
    process, _ = launched("--host", "127.0.0.1", "--port", "0", "--fixtures", str(FIXTURES_DIR))
    issuer = read_ready_line(process)
    match = re.fullmatch(r"http://127\.0\.0\.1:(\d+)", issuer)
    assert match, issuer
    assert 0 < int(match.group(1)) < 65536

    # Once the line is out, the server answers at once.
    with HTTPSession() as http:
        assert http.get(issuer + "/healthz").status_code == 200
        assert http.get(issuer + "/.well-known/openid-configuration").json()["issuer"] == issuer

    process.send_signal(stop_signal)
    assert process.wait(timeout=STOP_TIMEOUT) == 0
    assert process.stdout.read() == b"", "stdout carries the ready line and nothing else"


def test_invalid_fixtures_exit_2_naming_every_problem(tmp_path):
    fixtures = tmp_path / "broken"
    fixtures.mkdir()
    (fixtures / "users.json").write_text('[{"sub": "x",}')  # malformed JSON
    (fixtures / "clients.json").write_text(
        json.dumps(
            [
                {"client_id": "dup", "redirect_uris": ["http://localhost:1/cb"], "scopes": ["openid"]},
                {"client_id": "dup", "redirect_uris": ["http://localhost:2/cb"], "scopes": ["openid"]},
                {
                    "client_id": "needs-scope",
                    "redirect_uris": ["http://localhost:3/cb"],
                    "scopes": ["openid", "undefined.scope"],
                },
            ]
        )
    )
    result = run_to_exit("--port", "0", "--fixtures", str(fixtures), cwd=tmp_path)

    assert result.returncode == 2, result.stderr
    assert "issuer:" not in result.stdout
    lines = result.stderr.splitlines()

    def problem(*parts: str) -> None:
        assert any(all(part in line for part in parts) for line in lines), f"no line with {parts} in:\n{result.stderr}"

    problem(str(fixtures / "users.json"), "malformed JSON", "line 1")
    problem(str(fixtures / "clients.json"), 'index 1 (client_id "dup")', 'field "client_id"', "duplicate")
    problem(str(fixtures / "clients.json"), 'index 2 (client_id "needs-scope")', 'field "scopes[1]"', "undefined.scope")
    assert "3 problems" in result.stderr


def test_missing_fixtures_directory_exits_2(tmp_path):
    missing = tmp_path / "no-such-dir"
    result = run_to_exit("--port", "0", "--fixtures", str(missing), cwd=tmp_path)
    assert result.returncode == 2
    assert str(missing) in result.stderr
    assert "not found" in result.stderr


def test_port_in_use(tmp_path):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        result = run_to_exit("--host", "127.0.0.1", "--port", str(port), cwd=tmp_path)
    assert result.returncode == 1
    assert "issuer:" not in result.stdout
    assert "already in use" in result.stderr, result.stderr


def test_port_held_by_another_mock_idp(tmp_path):
    with running_mock_idp(cwd=tmp_path) as first:
        port = first.issuer.rsplit(":", 1)[1]
        second = tmp_path / "second"
        second.mkdir()
        result = run_to_exit("--host", "127.0.0.1", "--port", port, cwd=second)
        assert result.returncode != 0
        assert "already in use" in result.stderr, result.stderr
        with HTTPSession() as http:
            assert http.get(first.url("/healthz")).status_code == 200


def test_binding_beyond_loopback_warns_about_debug(tmp_path):
    with running_mock_idp(cwd=tmp_path, host="0.0.0.0") as idp:
        # No request is sent: the warning is logged before the ready line, so it is on stderr already.
        assert re.fullmatch(r"http://localhost:\d+", idp.issuer), idp.issuer
        warnings = [line for line in idp.stderr.splitlines() if "/debug" in line]
        assert warnings, idp.stderr
        assert "warning" in warnings[0].lower()


def test_loopback_bind_does_not_warn(mock_idp):
    assert "/debug" not in mock_idp.stderr


def test_built_in_fixtures_without_a_fixtures_directory(tmp_path):
    """No --fixtures and no ./fixtures: the built-in fixtures, identical to the shipped fixtures/."""
    assert not (tmp_path / "fixtures").exists()
    with running_mock_idp(cwd=tmp_path) as idp, HTTPSession() as http:
        assert "built-in" in idp.stderr
        metadata = http.get(idp.url("/.well-known/openid-configuration")).json()
        assert metadata["scopes_supported"] == scope_names()

        # Every shipped client with a redirect URI, and every shipped user, is known.
        clients = json.loads((FIXTURES_DIR / "clients.json").read_text())
        users = json.loads((FIXTURES_DIR / "users.json").read_text())
        challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"  # RFC 7636 Appendix B
        for client in clients:
            for redirect_uri in client.get("redirect_uris", []):
                for user in users:
                    response = http.get(
                        metadata["authorization_endpoint"],
                        params={
                            "client_id": client["client_id"],
                            "redirect_uri": redirect_uri,
                            "response_type": "code",
                            "scope": "openid",
                            "login_hint": user["sub"],
                            "code_challenge": challenge,
                            "code_challenge_method": "S256",
                        },
                        allow_redirects=False,
                    )
                    callback = redirect_parameters(response, redirect_uri)
                    assert "code" in callback, (client["client_id"], user["sub"], callback)


def test_fixtures_directory_in_the_working_directory(tmp_path):
    """./fixtures is used when present; a file missing from it falls back to the built-in one."""
    scopes = json.loads((FIXTURES_DIR / "scopes.json").read_text())
    scopes.append({"name": "extra.scope", "description": "Only in this test"})
    (tmp_path / "fixtures").mkdir()
    (tmp_path / "fixtures" / "scopes.json").write_text(json.dumps(scopes))
    with running_mock_idp(cwd=tmp_path) as idp, HTTPSession() as http:
        metadata = http.get(idp.url("/.well-known/openid-configuration")).json()
        assert metadata["scopes_supported"] == scope_names() + ["extra.scope"]


def test_issuer_option(tmp_path, launched):
    """--issuer names the issuer everywhere, for a server reached by another name (a container, a proxy)."""
    with socket.socket() as probe:  # a free port, for a server that must be reached at a known one
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process, stderr_path = launched("--port", str(port), "--issuer", "http://idp.example.test:9443/")
    try:
        assert read_ready_line(process) == "http://idp.example.test:9443"
    except RuntimeError:
        if "already in use" in stderr_path.read_text():
            pytest.skip(f"port {port} was taken between picking and binding it")
        raise
    with HTTPSession() as http:
        metadata = http.get(f"http://127.0.0.1:{port}/.well-known/openid-configuration").json()
    assert metadata["issuer"] == "http://idp.example.test:9443"
    assert metadata["token_endpoint"] == "http://idp.example.test:9443/token"
    assert stop(process) == 0


@pytest.mark.parametrize(
    "args",
    [
        ["--port", "70000"],
        ["--port", "-1"],
        ["--log-level", "loud"],
        ["--signing-alg", "HS256"],
        ["--signing-alg", "rs256"],
        ["--issuer", "idp.example.test"],
        ["--no-such-option"],
    ],
)
def test_invalid_arguments(tmp_path, args):
    result = run_to_exit(*args, cwd=tmp_path)
    assert result.returncode == VALIDATION_EXIT_CODE, (result.returncode, result.stderr)
    assert "issuer:" not in result.stdout
    assert result.stderr.strip()


@pytest.mark.parametrize(
    ("option", "value", "valid"),
    [
        # Raw values, as ArgumentParser reads them: case matters.
        ("--signing-alg", "HS256", ["RS256", "ES256", "EdDSA"]),
        ("--signing-alg", "eddsa", ["RS256", "ES256", "EdDSA"]),
        ("--log-level", "loud", ["trace", "debug", "info", "notice", "warning", "error", "critical"]),
    ],
)
def test_invalid_enum_value_names_the_valid_ones(tmp_path, option, value, valid):
    result = run_to_exit(option, value, cwd=tmp_path)
    assert result.returncode == VALIDATION_EXIT_CODE, (result.returncode, result.stderr)
    # ArgumentParser's message: "Error: The value 'X' is invalid for '--option <option>'. Please provide one of
    # 'A', 'B' or 'C'." (or, for many values, one "  - A" line each), then its Help: and Usage: lines.
    assert "Error:" in result.stderr, result.stderr
    message = result.stderr[result.stderr.index("Error:") :].split("\nHelp:")[0].split("\nUsage:")[0]
    assert f"'{value}'" in message and option in message, message
    for name in valid:
        assert re.search(rf"'{name}'|- {name}$", message, re.MULTILINE), f"{name!r} not offered in:\n{message}"


def test_help(tmp_path):
    result = run_to_exit("--help", cwd=tmp_path)
    assert result.returncode == 0
    for option in ("--host", "--port", "--fixtures", "--issuer", "--log-level", "--signing-alg"):
        assert option in result.stdout
    for algorithm in ("RS256", "ES256", "EdDSA"):
        assert algorithm in result.stdout
