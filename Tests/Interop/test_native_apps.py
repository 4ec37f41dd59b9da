"""Native and command-line apps (RFC 8252): a loopback redirect on an ephemeral port, private-use URI schemes,
and what client libraries send by default (requests-oauthlib's Basic credentials with an empty password)."""

from __future__ import annotations

import http.server
import json
import socket
import threading
import urllib.parse

import pytest
import requests
from requests_oauthlib import OAuth2Session as RequestsOAuth2Session

from conftest import FIXTURES_DIR, running_mock_idp
from oauth_helpers import HTTPSession, authorization_request, authorize, check_access_token, oauth_session, verify_jwt

@pytest.fixture
def native_idp(tmp_path):
    """A mock-idp on the shipped fixtures, whose native client budgetify-cli (public: http://127.0.0.1/callback and
    com.budgetify.app:/oauth2redirect) also gets the device grant with a zero poll interval, through MOCK_IDP_CLIENTS."""
    clients = json.loads((FIXTURES_DIR / "clients.json").read_text())
    cli = next(client for client in clients if client["client_id"] == "budgetify-cli")
    cli["grant_types"] = ["authorization_code", "refresh_token", "urn:ietf:params:oauth:grant-type:device_code"]
    cli["device_poll_interval"] = 0
    with running_mock_idp("--fixtures", str(FIXTURES_DIR), cwd=tmp_path, env={"MOCK_IDP_CLIENTS": json.dumps(clients)}) as idp:
        with HTTPSession() as session:
            yield idp, session.get(idp.url("/.well-known/openid-configuration")).json()


class CallbackCatcher(http.server.BaseHTTPRequestHandler):
    """The command-line app's loopback listener: records the query of the one redirect it receives."""

    received: list[dict[str, str]] = []

    def do_GET(self):  # noqa: N802 (http.server's name)
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)
        CallbackCatcher.received.append({name: values[0] for name, values in query.items()} | {"path": self.path})
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.end_headers()
        self.wfile.write(b"You may close this window.")

    def log_message(self, *args):
        pass


def test_cli_app_on_an_ephemeral_loopback_port(native_idp):
    """What a CLI does (RFC 8252 §7.3): listen on a port the OS picks, send that port in redirect_uri, receive the
    code there, redeem it with PKCE. Registered: http://127.0.0.1/callback, no port."""
    idp, discovery = native_idp
    server = http.server.HTTPServer(("127.0.0.1", 0), CallbackCatcher)
    port = server.server_address[1]
    thread = threading.Thread(target=server.handle_request, daemon=True)
    thread.start()
    redirect_uri = f"http://127.0.0.1:{port}/callback"
    client = {"client_id": "budgetify-cli", "redirect_uri": redirect_uri}
    with oauth_session(discovery, client, scope="openid profile offline_access") as session:
        request = authorization_request(session, discovery)
        # The browser follows the redirect to the app's listener.
        response = requests.get(request.url, timeout=10)
        assert response.status_code == 200 and response.text == "You may close this window."
        thread.join(timeout=10)
        callback = CallbackCatcher.received[-1]
        assert callback["path"].startswith("/callback?")
        assert callback["state"] == request.state
        tokens = session.fetch_token(code=callback["code"], code_verifier=request.code_verifier)
    server.server_close()
    client["audience"] = "https://api.alpha-bank.example"
    check_access_token(tokens["access_token"], fetch_jwks_of(discovery), issuer=idp.issuer, client=client, sub="alice")
    assert "refresh_token" in tokens


def fetch_jwks_of(discovery: dict) -> dict:
    with HTTPSession() as http:
        return http.get(discovery["jwks_uri"]).json()


@pytest.mark.parametrize(
    "redirect_uri",
    [
        "http://127.0.0.1:54321/callback/",
        "http://localhost:54321/callback",
        "http://127.0.0.1:54321@attacker.example/callback",
        "https://attacker.example:54321/callback",
        "com.budgetify.app:/other",
    ],
)
def test_anything_else_is_still_refused_without_a_redirect(native_idp, redirect_uri):
    idp, discovery = native_idp
    with HTTPSession() as http:
        response = http.get(
            discovery["authorization_endpoint"],
            params={"response_type": "code", "client_id": "budgetify-cli", "redirect_uri": redirect_uri, "scope": "openid",
                    "code_challenge": "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", "code_challenge_method": "S256"},
            allow_redirects=False,
        )
    assert response.status_code == 400
    assert "Location" not in response.headers


def test_private_use_scheme_redirect(native_idp):
    """RFC 8252 §7.1: a mobile app's private-use scheme is a registered redirect URI, matched exactly."""
    idp, discovery = native_idp
    client = {"client_id": "budgetify-cli", "redirect_uri": "com.budgetify.app:/oauth2redirect"}
    with oauth_session(discovery, client, scope="openid") as session:
        request = authorization_request(session, discovery)
        response = authorize(session, request.url)
        assert response.status_code == 302
        location = response.headers["Location"]
        assert location.startswith("com.budgetify.app:/oauth2redirect?")
        code = urllib.parse.parse_qs(urllib.parse.urlsplit(location).query)["code"][0]
        tokens = session.fetch_token(code=code, code_verifier=request.code_verifier)
    assert tokens["token_type"] == "Bearer"


def test_post_logout_redirect_to_an_ephemeral_loopback_port(native_idp):
    idp, discovery = native_idp
    with HTTPSession() as http:
        response = http.get(
            discovery["end_session_endpoint"],
            params={"client_id": "budgetify-cli", "post_logout_redirect_uri": "http://127.0.0.1:40404/signed-out", "state": "s"},
            allow_redirects=False,
        )
    assert response.status_code == 302
    assert response.headers["Location"] == "http://127.0.0.1:40404/signed-out?state=s"


def test_requests_oauthlib_public_client_with_its_default_basic_auth(native_idp, monkeypatch):
    """requests-oauthlib sends `Authorization: Basic base64(client_id:)` by default even for a public client:
    MockIdP treats it as auth method none instead of refusing it with 401."""
    idp, discovery = native_idp
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")  # oauthlib refuses plain http otherwise
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    redirect_uri = f"http://127.0.0.1:{port}/callback"
    session = RequestsOAuth2Session("budgetify-cli", redirect_uri=redirect_uri, scope=["openid", "profile"], pkce="S256")
    url, state = session.authorization_url(discovery["authorization_endpoint"])
    response = requests.get(url, allow_redirects=False, timeout=10)
    assert response.status_code == 302
    callback = response.headers["Location"]
    assert callback.startswith(redirect_uri + "?")
    # Its default (include_client_id=None): `Authorization: Basic base64("budgetify-cli:")`, no client_id in the body.
    tokens = session.fetch_token(discovery["token_endpoint"], authorization_response=callback)
    assert tokens["token_type"] == "Bearer"
    _, claims = verify_jwt(tokens["access_token"], fetch_jwks_of(discovery))
    assert claims["client_id"] == "budgetify-cli"
    with HTTPSession() as http:
        logged = http.get(idp.url("/debug/requests")).json()
    token_requests = [entry for entry in logged if entry["path"] == "/token"]
    assert token_requests[0]["status"] == 200, token_requests
    assert token_requests[0].get("client_id") == "budgetify-cli", token_requests  # from the Basic header


def test_device_flow_with_a_zero_poll_interval(native_idp):
    """device_poll_interval 0: the device authorization response says so, and polling at once never gets slow_down."""
    idp, discovery = native_idp
    with HTTPSession() as http:
        started = http.post(discovery["device_authorization_endpoint"], data={"client_id": "budgetify-cli", "scope": "openid"}).json()
        assert started["interval"] == 0
        for _ in range(3):
            polled = http.post(
                discovery["token_endpoint"],
                data={"grant_type": "urn:ietf:params:oauth:grant-type:device_code", "device_code": started["device_code"], "client_id": "budgetify-cli"},
            )
            assert polled.json()["error"] == "authorization_pending"
        http.get(started["verification_uri_complete"])
        polled = http.post(
            discovery["token_endpoint"],
            data={"grant_type": "urn:ietf:params:oauth:grant-type:device_code", "device_code": started["device_code"], "client_id": "budgetify-cli"},
        )
        assert polled.status_code == 200, polled.text
