"""Containers and proxies: configuration from the environment, and one issuer behind two names
(--backchannel-dynamic, --trust-forwarded-headers), as docker-compose needs without /etc/hosts."""

from __future__ import annotations

import json
import re
import socket
import subprocess

import pytest
import requests

from conftest import FIXTURES_DIR, mock_idp_binary, read_ready_line, running_mock_idp, stop
from oauth_helpers import RECONCILER, HTTPSession, code_flow, verify_jwt

EXIT_TIMEOUT = 30.0


def run_to_exit(*args: str, cwd, env: dict[str, str]) -> subprocess.CompletedProcess:
    import os

    return subprocess.run(
        [mock_idp_binary(), *args], cwd=cwd, stdin=subprocess.DEVNULL, capture_output=True, text=True,
        timeout=EXIT_TIMEOUT, env={**os.environ, **env},
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_help_names_every_flags_variable(tmp_path):
    """`mock-idp --help` lists each flag's environment variable next to it."""
    result = run_to_exit("--help", cwd=tmp_path, env={})
    assert result.returncode == 0
    flags = set(re.findall(r"^\s+(--[a-z-]+)", result.stdout, flags=re.MULTILINE)) - {"--help"}
    assert {"--port", "--host", "--issuer", "--fixtures", "--backchannel-dynamic", "--trust-forwarded-headers"} <= flags
    text = " ".join(result.stdout.split())
    for flag in flags:
        variable = "MOCK_IDP_" + flag.removeprefix("--").upper().replace("-", "_")
        assert f"(env: {variable})" in text, f"{flag}: {variable} not in --help"
    for variable in ["MOCK_IDP_USERS", "MOCK_IDP_CLIENTS", "MOCK_IDP_SCOPES"]:
        assert variable in text


def test_variables_configure_the_server_and_flags_win(tmp_path):
    port = free_port()
    env = {"MOCK_IDP_PORT": str(port), "MOCK_IDP_ISSUER": f"http://localhost:{port}", "MOCK_IDP_SIGNING_ALG": "ES256",
           "MOCK_IDP_LOGIN_PAGE": "true"}
    with running_mock_idp(cwd=tmp_path, env={"MOCK_IDP_PORT": str(port)}) as idp:  # it passes --port 0: the flag wins
        assert not idp.issuer.endswith(f":{port}"), idp.issuer
    # Without the flag, the variable's port is used.
    process = subprocess.Popen([mock_idp_binary()], cwd=tmp_path, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, env={**__import__("os").environ, **env})
    try:
        issuer = read_ready_line(process)
        assert issuer == f"http://localhost:{port}"
        with HTTPSession() as http:
            document = http.get(f"http://127.0.0.1:{port}/.well-known/openid-configuration").json()
            assert document["id_token_signing_alg_values_supported"][0] == "ES256"
            # MOCK_IDP_LOGIN_PAGE=true: the chooser shows even without prompt=login.
            page = http.get(f"http://127.0.0.1:{port}/authorize", params={
                "response_type": "code", "client_id": "budgetify", "redirect_uri": "http://localhost:3000/callback", "scope": "openid"})
            assert page.status_code == 200 and "<form" in page.text
    finally:
        assert stop(process) == 0
        process.stdout.close()


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"MOCK_IDP_PORT": "eighty"}, "MOCK_IDP_PORT=eighty"),
        ({"MOCK_IDP_SIGNING_ALG": "HS256"}, "MOCK_IDP_SIGNING_ALG=HS256"),
        ({"MOCK_IDP_LOGIN_PAGE": "maybe"}, "MOCK_IDP_LOGIN_PAGE=maybe"),
    ],
)
def test_a_bad_variable_is_named(tmp_path, env, message):
    result = run_to_exit(cwd=tmp_path, env=env)
    assert result.returncode != 0
    assert message in result.stderr, result.stderr


def test_inline_fixture_json_is_validated_like_a_file(tmp_path):
    result = run_to_exit("--port", "0", cwd=tmp_path, env={"MOCK_IDP_USERS": '[{"sub": "zoe", "claims": {"iss": "x"}}]'})
    assert result.returncode == 2
    assert "MOCK_IDP_USERS" in result.stderr and 'index 0 (sub "zoe")' in result.stderr and "claims.iss" in result.stderr
    result = run_to_exit("--port", "0", cwd=tmp_path, env={"MOCK_IDP_CLIENTS": '[{"client_id": "x",]'})
    assert result.returncode == 2
    assert "MOCK_IDP_CLIENTS" in result.stderr and "malformed JSON" in result.stderr


def test_inline_fixtures_replace_their_file(tmp_path):
    users = [{"sub": "zoe", "username": "zoe", "password": "zoe-password", "claims": {"name": "Zoe"}}]
    with running_mock_idp("--fixtures", str(FIXTURES_DIR), cwd=tmp_path, env={"MOCK_IDP_USERS": json.dumps(users)}) as idp:
        with HTTPSession() as http:
            response = http.post(idp.url("/token"), data={"grant_type": "password", "username": "zoe", "password": "zoe-password"},
                                 auth=("budgetify", "budgetify-secret"))
            assert response.status_code == 200, response.text
            # The other files still come from the directory: budgetify is a client there.
            assert http.post(idp.url("/token"), data={"grant_type": "password", "username": "alice", "password": "alice-password"},
                             auth=("budgetify", "budgetify-secret")).status_code == 400



def test_inline_fixtures_keep_the_directorys_issuers(tmp_path):
    """MOCK_IDP_USERS replaces the root's users.json; the directory's issuer subdirectories are still issuers."""
    (tmp_path / "fixtures" / "partner-bank").mkdir(parents=True)
    (tmp_path / "fixtures" / "partner-bank" / "users.json").write_text(json.dumps([{"sub": "erin"}]))
    users = [{"sub": "zoe"}]
    with running_mock_idp("--fixtures", str(tmp_path / "fixtures"), cwd=tmp_path, env={"MOCK_IDP_USERS": json.dumps(users)}) as idp:
        with HTTPSession() as http:
            listed = http.get(idp.url("/debug/issuers")).json()["issuers"]
            assert [issuer["name"] for issuer in listed] == ["partner-bank"]
            document = http.get(idp.url("/partner-bank/.well-known/openid-configuration")).json()
            assert document["issuer"] == idp.issuer + "/partner-bank"

BACKCHANNEL = ["token_endpoint", "jwks_uri", "userinfo_endpoint", "introspection_endpoint", "revocation_endpoint",
               "device_authorization_endpoint"]


def test_backchannel_dynamic_two_names(tmp_path):
    """The browser knows MockIdP as localhost:PORT (the issuer); the app's container as 127.0.0.1:PORT (standing in for
    mock-idp:8080). The app fetches discovery through its name and gets back-channel URLs it can reach; the browser
    is still sent to the issuer; tokens name the issuer. An Authlib code flow runs across both names."""
    port = free_port()
    with running_mock_idp("--port", str(port), "--issuer", f"http://localhost:{port}", "--backchannel-dynamic",
                          cwd=tmp_path) as idp:
        with HTTPSession() as http:
            app_view = http.get(f"http://127.0.0.1:{port}/.well-known/openid-configuration").json()
            browser_view = http.get(f"http://localhost:{port}/.well-known/openid-configuration").json()
        assert app_view["issuer"] == browser_view["issuer"] == f"http://localhost:{port}"
        for field in BACKCHANNEL:
            assert app_view[field].startswith(f"http://127.0.0.1:{port}/"), field
            assert browser_view[field].startswith(f"http://localhost:{port}/"), field
        assert app_view["authorization_endpoint"] == f"http://localhost:{port}/authorize"
        assert app_view["end_session_endpoint"] == f"http://localhost:{port}/end_session"
        tokens, _ = code_flow(app_view)
        with HTTPSession() as http:
            jwks = http.get(app_view["jwks_uri"]).json()
        _, claims = verify_jwt(tokens["access_token"], jwks)
        assert claims["iss"] == f"http://localhost:{port}"


def test_forwarded_headers_only_when_trusted(tmp_path):
    headers = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "idp.proxy.example"}
    with running_mock_idp("--backchannel-dynamic", cwd=tmp_path) as idp:
        with HTTPSession() as http:
            document = http.get(idp.url("/.well-known/openid-configuration"), headers=headers).json()
        assert document["token_endpoint"] == idp.url("/token")
    with running_mock_idp("--backchannel-dynamic", "--trust-forwarded-headers", cwd=tmp_path) as idp:
        with HTTPSession() as http:
            document = http.get(idp.url("/.well-known/openid-configuration"), headers=headers).json()
            assert document["token_endpoint"] == "https://idp.proxy.example/token"
            assert document["issuer"] == idp.issuer
            rfc7239 = http.get(idp.url("/.well-known/openid-configuration"),
                               headers={"Forwarded": 'for=192.0.2.1;proto=http;host="mock-idp:8080"'}).json()
            assert rfc7239["jwks_uri"] == "http://mock-idp:8080/jwks"
            # A malformed Host-like value is never echoed.
            bad = http.get(idp.url("/.well-known/openid-configuration"), headers={"X-Forwarded-Host": "evil.example/<script>"}).json()
            assert bad["token_endpoint"] == idp.url("/token")


def test_tls_from_the_environment(tmp_path):
    """MOCK_IDP_TLS and MOCK_IDP_TLS_CA_OUT: the compose-file way to serve HTTPS."""
    ca_file = tmp_path / "ca.pem"
    with running_mock_idp(cwd=tmp_path, env={"MOCK_IDP_TLS": "1", "MOCK_IDP_TLS_CA_OUT": str(ca_file)}) as idp:
        assert idp.issuer.startswith("https://127.0.0.1:")
        response = requests.get(idp.url("/.well-known/openid-configuration"), verify=str(ca_file), timeout=10)
        assert response.json()["token_endpoint"] == idp.url("/token")


def test_a_missing_certificate_file_from_the_environment_is_named(tmp_path):
    result = run_to_exit("--port", "0", cwd=tmp_path,
                         env={"MOCK_IDP_TLS_CERT": str(tmp_path / "missing.pem"), "MOCK_IDP_TLS_KEY": str(tmp_path / "key.pem")})
    assert result.returncode == 2
    assert "missing.pem" in result.stderr
