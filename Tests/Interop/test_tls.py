"""HTTPS (`--tls`): a certificate generated at start, trusted through the CA MockIdP writes and serves, by curl,
requests, Authlib, Python's http.client and node; a certificate brought with --tls-cert/--tls-key (made by openssl
here); plain HTTP to the TLS port; and every bad certificate or key input (exit status 2 before listening, the file
named)."""

from __future__ import annotations

import http.client
import json
import os
import pathlib
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import time
import urllib.parse

import pytest
import requests

from conftest import FIXTURES_DIR, STOP_TIMEOUT, mock_idp_binary, running_mock_idp
from oauth_helpers import BUDGETIFY, RECONCILER, authorization_request, authorize, check_id_token, oauth_session, redirect_parameters

EXIT_TIMEOUT = 30.0  # seconds for a process that is expected to exit on its own
VALIDATION_EXIT_CODE = 64  # ArgumentParser's refusal of a flag combination (EX_USAGE)


@pytest.fixture
def tls_idp(tmp_path):
    """A mock-idp serving HTTPS with a generated certificate; its CA certificate at tmp_path/ca.pem."""
    ca_file = tmp_path / "ca.pem"
    with running_mock_idp("--fixtures", str(FIXTURES_DIR), "--tls", "--tls-ca-out", str(ca_file), cwd=tmp_path) as idp:
        idp.ca_file = ca_file
        yield idp


def port_of(issuer: str) -> int:
    return urllib.parse.urlsplit(issuer).port


def run_to_exit(*args: str, cwd: pathlib.Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [mock_idp_binary(), "--port", "0", *args],
        cwd=cwd, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=EXIT_TIMEOUT,
    )


def openssl_certificate(directory: pathlib.Path, name: str, key_type: str = "ec") -> tuple[pathlib.Path, pathlib.Path]:
    """A self-signed certificate for localhost and 127.0.0.1, and its unencrypted key, made by openssl."""
    certificate, key = directory / f"{name}.crt", directory / f"{name}.key"
    new_key = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"] if key_type == "ec" else ["-newkey", "rsa:2048"]
    subprocess.run(
        ["openssl", "req", "-x509", *new_key, "-nodes", "-keyout", str(key), "-out", str(certificate),
         "-days", "2", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
        check=True, capture_output=True,
    )
    return certificate, key


# --- A generated certificate, trusted through the CA ------------------------------------------------------------


def test_issuer_is_https_and_curl_trusts_the_ca_file(tls_idp):
    assert tls_idp.issuer.startswith("https://127.0.0.1:"), tls_idp.issuer
    port = port_of(tls_idp.issuer)
    for base in (tls_idp.issuer, f"https://localhost:{port}"):
        result = subprocess.run(
            ["curl", "-sS", "--fail", "--max-time", "10", "--cacert", str(tls_idp.ca_file),
             f"{base}/.well-known/openid-configuration"],
            capture_output=True, text=True,
        )
        assert result.returncode == 0, result.stderr
        metadata = json.loads(result.stdout)
        assert metadata["issuer"] == tls_idp.issuer
        assert metadata["token_endpoint"] == tls_idp.issuer + "/token"
    # Without the CA curl refuses the certificate: it is trusted only through MockIdP's CA.
    untrusted = subprocess.run(["curl", "-sS", "--max-time", "10", tls_idp.url("/healthz")], capture_output=True, text=True)
    assert untrusted.returncode == 60, (untrusted.returncode, untrusted.stderr)


def test_requests_verify_with_the_ca_file_and_with_the_served_ca(tls_idp, tmp_path):
    response = requests.get(tls_idp.url("/healthz"), verify=str(tls_idp.ca_file), timeout=10)
    assert response.json() == {"status": "ok"}
    with pytest.raises(requests.exceptions.SSLError):
        requests.get(tls_idp.url("/healthz"), timeout=10)

    # The same CA at /debug/ca.pem: what a client fetches when it has no access to the server's file system.
    served = requests.get(tls_idp.url("/debug/ca.pem"), verify=str(tls_idp.ca_file), timeout=10)
    assert served.status_code == 200
    assert served.headers["Content-Type"] == "application/x-pem-file"
    assert served.text == tls_idp.ca_file.read_text()
    assert served.text.startswith("-----BEGIN CERTIFICATE-----")
    fetched = tmp_path / "served-ca.pem"
    fetched.write_text(served.text)
    tokens = requests.post(
        tls_idp.url("/token"), data={"grant_type": "client_credentials", "scope": "transactions:read"},
        auth=(RECONCILER["client_id"], RECONCILER["client_secret"]), verify=str(fetched), timeout=10,
    )
    assert tokens.status_code == 200, tokens.text
    assert tokens.json()["token_type"] == "Bearer"


@pytest.mark.parametrize("variable, client", [
    ("SSL_CERT_FILE", "import urllib.request, sys; print(urllib.request.urlopen(sys.argv[1]).read().decode())"),
    ("REQUESTS_CA_BUNDLE", "import requests, sys; print(requests.get(sys.argv[1]).text)"),
])
def test_python_clients_trust_the_ca_from_the_environment(tls_idp, variable, client):
    # What the README's commands rely on: the CA named by an environment variable, with no change to the client's code.
    result = subprocess.run([sys.executable, "-c", client, tls_idp.url("/healthz")], capture_output=True, text=True,
                            timeout=30, env={**os.environ, variable: str(tls_idp.ca_file)})
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"status": "ok"}


def test_python_ssl_default_context_accepts_the_certificate(tls_idp):
    # ssl.create_default_context is what http.client, urllib and httpx build on: on Python 3.13+ it checks the
    # certificates strictly (VERIFY_X509_STRICT: key identifiers, critical basic constraints).
    context = ssl.create_default_context(cafile=str(tls_idp.ca_file))
    context.verify_flags |= ssl.VERIFY_X509_STRICT  # the default from Python 3.13 on; set here for older Pythons too
    with socket.create_connection(("127.0.0.1", port_of(tls_idp.issuer)), timeout=10) as raw:
        with context.wrap_socket(raw, server_hostname="localhost") as tls:
            assert tls.version() in ("TLSv1.2", "TLSv1.3")
            assert tls.selected_alpn_protocol() in (None, "http/1.1")
            names = dict(x[0] for x in tls.getpeercert()["subject"])
            sans = tls.getpeercert()["subjectAltName"]
    assert names["commonName"] == "localhost"
    assert ("DNS", "localhost") in sans and ("IP Address", "127.0.0.1") in sans, sans
    assert ("IP Address", "0:0:0:0:0:0:0:1") in sans or ("IP Address", "::1") in sans, sans


def test_authlib_code_flow_over_https(tls_idp):
    discovery = requests.get(tls_idp.url("/.well-known/openid-configuration"), verify=str(tls_idp.ca_file), timeout=10).json()
    assert discovery["authorization_endpoint"].startswith("https://")
    jwks = requests.get(discovery["jwks_uri"], verify=str(tls_idp.ca_file), timeout=10).json()
    with oauth_session(discovery, BUDGETIFY) as session:
        session.verify = str(tls_idp.ca_file)
        # requests lets REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE in the environment (set on many machines) win over a
        # session's `verify`; without the environment, the session trusts exactly the CA it was given.
        session.trust_env = False
        request = authorization_request(session, discovery)
        callback = redirect_parameters(authorize(session, request.url), BUDGETIFY["redirect_uri"])
        assert callback["state"] == request.state
        assert callback["iss"] == tls_idp.issuer  # RFC 9207
        tokens = session.fetch_token(code=callback["code"], code_verifier=request.code_verifier)
        claims = check_id_token(tokens["id_token"], jwks, issuer=tls_idp.issuer, client=BUDGETIFY,
                                nonce=request.nonce, access_token=tokens["access_token"])
        assert claims["iss"].startswith("https://")
        userinfo = session.get(discovery["userinfo_endpoint"])
        assert userinfo.status_code == 200 and userinfo.json()["sub"] == "alice"


def test_node_fetch_trusts_NODE_EXTRA_CA_CERTS(tls_idp):
    node = shutil.which("node")
    if not node:
        pytest.fail("node is not on PATH (Tests/Interop/prerequisites.sh installs Debian's nodejs)", pytrace=False)
    script = "fetch(process.argv[1]).then(r => r.json()).then(j => console.log(j.issuer), e => { console.error(e.cause ?? e); process.exit(3); })"
    url = tls_idp.url("/.well-known/openid-configuration")
    trusted = subprocess.run([node, "-e", script, url], capture_output=True, text=True, timeout=30,
                             env={**os.environ, "NODE_EXTRA_CA_CERTS": str(tls_idp.ca_file)})
    assert trusted.returncode == 0, trusted.stderr
    assert trusted.stdout.strip() == tls_idp.issuer
    environment = {key: value for key, value in os.environ.items() if key != "NODE_EXTRA_CA_CERTS"}
    untrusted = subprocess.run([node, "-e", script, url], capture_output=True, text=True, timeout=30, env=environment)
    assert untrusted.returncode == 3, untrusted.stderr


def test_keep_alive_several_requests_on_one_connection(tls_idp):
    context = ssl.create_default_context(cafile=str(tls_idp.ca_file))
    connection = http.client.HTTPSConnection("localhost", port_of(tls_idp.issuer), context=context, timeout=10)
    try:
        body = urllib.parse.urlencode({"grant_type": "client_credentials", "client_id": RECONCILER["client_id"],
                                       "client_secret": RECONCILER["client_secret"]})
        sockets = set()
        for index in range(6):
            if index % 2:
                connection.request("POST", "/token", body=body, headers={"Content-Type": "application/x-www-form-urlencoded"})
            else:
                connection.request("GET", "/.well-known/openid-configuration")
            response = connection.getresponse()
            payload = response.read()
            assert response.status == 200, payload
            assert not response.will_close, response.headers
            sockets.add(id(connection.sock))
        assert len(sockets) == 1, "the connection was reopened"
    finally:
        connection.close()


# --- Plain HTTP to the TLS port ----------------------------------------------------------------------------------


def test_plain_http_to_the_tls_port_gets_a_clear_400_at_once(tls_idp):
    port = port_of(tls_idp.issuer)
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout=5) as connection:
        connection.sendall(b"GET /.well-known/openid-configuration HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        received = b""
        while chunk := connection.recv(4096):
            received += chunk
    elapsed = time.monotonic() - started
    assert elapsed < 2.0, f"the answer and close took {elapsed:.2f} s"
    head, _, body = received.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400 "), received
    assert b"Connection: close" in head
    assert body.decode() == f"This MockIdP port speaks HTTPS, not plain HTTP: use {tls_idp.issuer}\n"

    # As curl shows it; and the server still serves HTTPS afterwards.
    plain = subprocess.run(["curl", "-sS", "--max-time", "5", "-w", "\n%{http_code}", f"http://127.0.0.1:{port}/token"],
                           capture_output=True, text=True)
    assert plain.returncode == 0, plain.stderr
    assert plain.stdout.endswith("\n400") and "speaks HTTPS" in plain.stdout, plain.stdout
    assert requests.get(tls_idp.url("/healthz"), verify=str(tls_idp.ca_file), timeout=10).status_code == 200


def test_a_silent_or_garbage_client_never_hangs_the_server(tls_idp):
    port = port_of(tls_idp.issuer)
    with socket.create_connection(("127.0.0.1", port), timeout=5) as garbage:
        garbage.sendall(b"\x00\x01\x02 not http at all\r\n")
        assert garbage.recv(4096).startswith(b"HTTP/1.1 400 ")
    # A TLS record with a broken handshake: an alert or a close, no hang, and the server lives on.
    with socket.create_connection(("127.0.0.1", port), timeout=5) as broken:
        broken.sendall(b"\x16\x03\x01\x00\x05hello")
        try:
            broken.recv(4096)
        except ConnectionResetError:
            pass
    assert requests.get(tls_idp.url("/healthz"), verify=str(tls_idp.ca_file), timeout=10).status_code == 200


def test_issuer_host_is_in_the_certificate(tmp_path):
    ca_file = tmp_path / "ca.pem"
    with running_mock_idp("--tls", "--tls-ca-out", str(ca_file), "--issuer", "https://idp.example:8443", cwd=tmp_path) as idp:
        assert idp.issuer == "https://idp.example:8443"
        # The server listens on a free port; curl reaches it under the issuer's name with --connect-to.
        port = port_of_listening(idp)
        result = subprocess.run(
            ["curl", "-sS", "--fail", "--max-time", "10", "--cacert", str(ca_file),
             "--connect-to", f"idp.example:8443:127.0.0.1:{port}", "https://idp.example:8443/healthz"],
            capture_output=True, text=True,
        )
        assert result.returncode == 0, result.stderr


def port_of_listening(idp) -> int:
    """The port a server with a fixed --issuer listens on, read from /proc (its issuer names another port)."""
    result = subprocess.run(["ss", "-Hltnp"], capture_output=True, text=True, check=True)
    for line in result.stdout.splitlines():
        if f"pid={idp.process.pid}," in line:
            return int(line.split()[3].rsplit(":", 1)[1])
    raise AssertionError(f"no listening socket of pid {idp.process.pid}:\n{result.stdout}")


# --- The default CA file and the ready lines ---------------------------------------------------------------------


def test_default_ca_file_under_TMPDIR_printed_logged_and_removed_at_exit(tmp_path):
    stderr_path = tmp_path / "stderr.log"
    with stderr_path.open("wb") as stderr:
        process = subprocess.Popen([mock_idp_binary(), "--port", "0", "--tls"], cwd=tmp_path, stdin=subprocess.DEVNULL,
                                   stdout=subprocess.PIPE, stderr=stderr, env={**os.environ, "TMPDIR": str(tmp_path)})
    try:
        issuer_line = process.stdout.readline().decode()
        ca_line = process.stdout.readline().decode()
        assert issuer_line.startswith("issuer: https://127.0.0.1:"), issuer_line
        assert ca_line.startswith("tls-ca: "), ca_line
        ca_file = pathlib.Path(ca_line.removeprefix("tls-ca: ").strip())
        assert ca_file.parent == tmp_path and ca_file.name.startswith("mock-idp-ca-"), ca_file
        issuer = issuer_line.removeprefix("issuer: ").strip()
        served = requests.get(issuer + "/debug/ca.pem", verify=str(ca_file), timeout=10)
        assert served.text == ca_file.read_text()
        assert str(ca_file) in stderr_path.read_text(), "the CA file is logged at start"
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=STOP_TIMEOUT) == 0
        process.stdout.close()
    assert not ca_file.exists(), "the CA file MockIdP placed itself is removed at exit"


def test_relative_ca_out_is_printed_as_an_absolute_path(tmp_path):
    process = subprocess.Popen([mock_idp_binary(), "--port", "0", "--tls-ca-out", "ca.pem"], cwd=tmp_path,
                               stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    try:
        assert process.stdout.readline().decode().startswith("issuer: https://")
        assert process.stdout.readline().decode() == f"tls-ca: {tmp_path / 'ca.pem'}\n"
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=STOP_TIMEOUT) == 0
        process.stdout.close()
    assert (tmp_path / "ca.pem").exists(), "a file the user named stays"


def test_ca_pem_is_404_json_without_tls(fresh_idp):
    response = requests.get(fresh_idp.url("/debug/ca.pem"), timeout=10)
    assert response.status_code == 404
    assert response.json()["error"] == "not_found"
    assert "--tls" in response.json()["error_description"]


# --- A certificate you bring -------------------------------------------------------------------------------------


@pytest.mark.parametrize("key_type", ["ec", "rsa"])
def test_bring_your_own_certificate(tmp_path, key_type):
    certificate, key = openssl_certificate(tmp_path, "server", key_type)
    with running_mock_idp("--tls-cert", str(certificate), "--tls-key", str(key), cwd=tmp_path) as idp:
        assert idp.issuer.startswith("https://")
        result = subprocess.run(["curl", "-sS", "--fail", "--max-time", "10", "--cacert", str(certificate), idp.url("/healthz")],
                                capture_output=True, text=True)
        assert result.returncode == 0, result.stderr
        assert json.loads(result.stdout) == {"status": "ok"}
        no_ca = requests.get(idp.url("/debug/ca.pem"), verify=str(certificate), timeout=10)
        assert no_ca.status_code == 404
        assert no_ca.json()["error"] == "not_found"


# --- Bad input: exit status 2 before listening, the file named ---------------------------------------------------


def bad_input_cases(tmp_path: pathlib.Path) -> dict[str, tuple[list[str], pathlib.Path, str]]:
    certificate, key = openssl_certificate(tmp_path, "good")
    _, other_key = openssl_certificate(tmp_path, "other")
    text = tmp_path / "notes.txt"
    text.write_text("this is not PEM\n")
    missing = tmp_path / "missing.pem"
    directory = tmp_path / "a-directory"
    directory.mkdir()
    return {
        "missing certificate": (["--tls-cert", str(missing), "--tls-key", str(key)], missing, "does not exist"),
        "missing key": (["--tls-cert", str(certificate), "--tls-key", str(missing)], missing, "does not exist"),
        "unreadable certificate": (["--tls-cert", str(directory), "--tls-key", str(key)], directory, "directory"),
        "certificate not PEM": (["--tls-cert", str(text), "--tls-key", str(key)], text, "not a PEM certificate"),
        "key not PEM": (["--tls-cert", str(certificate), "--tls-key", str(text)], text, "not an unencrypted PEM private key"),
        "certificate given as key": (["--tls-cert", str(certificate), "--tls-key", str(certificate)], certificate, "private key"),
        "key does not match": (["--tls-cert", str(certificate), "--tls-key", str(other_key)], other_key, "does not match"),
        "CA file unwritable": (["--tls", "--tls-ca-out", str(tmp_path / "no" / "such" / "ca.pem")], tmp_path / "no" / "such" / "ca.pem", "cannot write"),
        "fetch CA missing": (["--fetch-ca-file", str(missing)], missing, "fetch CA certificate"),
        "fetch CA not PEM": (["--fetch-ca-file", str(text)], text, "not a PEM certificate"),
    }


@pytest.mark.parametrize("case", ["missing certificate", "missing key", "unreadable certificate", "certificate not PEM",
                                  "key not PEM", "certificate given as key", "key does not match", "CA file unwritable",
                                  "fetch CA missing", "fetch CA not PEM"])
def test_bad_certificate_input_exits_2_naming_the_file(tmp_path, case):
    args, file, reason = bad_input_cases(tmp_path)[case]
    result = run_to_exit(*args, cwd=tmp_path)
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    assert result.stdout == "", "nothing listened: no issuer line"
    lines = [line for line in result.stderr.splitlines() if line.startswith("mock-idp: ")]
    assert len(lines) == 1, result.stderr
    assert str(file) in lines[0] and reason in lines[0], lines[0]


@pytest.mark.parametrize("args", [["--tls-cert", "cert.pem"], ["--tls-key", "key.pem"],
                                  ["--tls-cert", "c.pem", "--tls-key", "k.pem", "--tls-ca-out", "ca.pem"],
                                  ["--tls", "--issuer", "http://idp.example:8443"]])
def test_inconsistent_tls_flags_are_refused(tmp_path, args):
    result = run_to_exit(*args, cwd=tmp_path)
    assert result.returncode == VALIDATION_EXIT_CODE, (result.returncode, result.stderr)
    assert "--tls" in result.stderr or "--issuer" in result.stderr
