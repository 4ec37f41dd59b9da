"""RFC 7523 against the binary with Authlib: JWT client authentication (client_secret_jwt, private_key_jwt with RS256,
ES256 and EdDSA) and the JWT bearer grant. The keys are generated here and the clients registered in a fixtures
directory of the test's own (users and scopes come from the built-in fixtures); nothing private is committed."""

from __future__ import annotations

import http.server
import json
import pathlib
import threading
import time
from collections.abc import Iterator

import pytest
from authlib.integrations.requests_client import OAuth2Session
from authlib.oauth2.rfc7523 import ClientSecretJWT, JWTBearerGrant, PrivateKeyJWT, private_key_jwt_sign
from joserfc import jwt
from joserfc.jwk import ECKey, OctKey, OKPKey, RSAKey

from conftest import MockIdP, metadata, running_mock_idp
from oauth_helpers import HTTP_TIMEOUT, DebugAPI, HTTPSession, fail_on_server_error, verify_jwt

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
SECRET = "svc-secret-jwt-0123456789abcdef-0123456789"
GRANTS = ["client_credentials", JWT_BEARER]

KEYS = {
    "RS256": RSAKey.generate_key(2048, parameters={"kid": "rsa-1"}),
    "ES256": ECKey.generate_key("P-256", parameters={"kid": "ec-1"}),
    "EdDSA": OKPKey.generate_key("Ed25519", parameters={"kid": "ed-1"}),
}


@pytest.fixture(scope="module")
def jwt_idp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MockIdP]:
    """A mock-idp whose clients.json has a client_secret_jwt client and a private_key_jwt client with an inline JWK
    Set of the three generated public keys."""
    directory = tmp_path_factory.mktemp("jwt-fixtures")
    jwks = {"keys": [key.as_dict(private=False) for key in KEYS.values()]}
    clients = [
        {"client_id": "svc-secret-jwt", "client_secret": SECRET, "token_endpoint_auth_method": "client_secret_jwt", "grant_types": GRANTS},
        {"client_id": "svc-private-jwt", "token_endpoint_auth_method": "private_key_jwt", "jwks": jwks, "grant_types": GRANTS},
    ]
    (directory / "clients.json").write_text(json.dumps(clients))
    with running_mock_idp("--fixtures", str(directory), cwd=directory) as idp:
        yield idp


class KeyServer:
    """The client's jwks_uri: a loopback HTTP server (MockIdP fetches plain HTTP from loopback hosts only) answering
    `/jwks.json` with `document` and counting the fetches."""

    def __init__(self) -> None:
        self.document: dict = {"keys": [KEYS["ES256"].as_dict(private=False)]}
        self.fetches = 0
        owner = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                owner.fetches += 1
                found = self.path == "/jwks.json"
                body = json.dumps(owner.document).encode() if found else b"no such document"
                self.send_response(200 if found else 404)
                self.send_header("Content-Type", "application/json" if found else "text/plain")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}{path}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def key_server() -> Iterator[KeyServer]:
    server = KeyServer()
    yield server
    server.close()


@pytest.fixture(scope="module")
def remote_idp(tmp_path_factory: pytest.TempPathFactory, key_server: KeyServer) -> Iterator[MockIdP]:
    """A mock-idp whose private_key_jwt clients publish their keys at a jwks_uri: one that serves them, one that 404s."""
    directory = tmp_path_factory.mktemp("jwks-uri-fixtures")
    clients = [
        {"client_id": "svc-remote", "token_endpoint_auth_method": "private_key_jwt", "jwks_uri": key_server.url("/jwks.json"), "grant_types": GRANTS},
        {"client_id": "svc-gone", "token_endpoint_auth_method": "private_key_jwt", "jwks_uri": key_server.url("/missing.json"), "grant_types": GRANTS},
    ]
    (directory / "clients.json").write_text(json.dumps(clients))
    with running_mock_idp("--fixtures", str(directory), cwd=directory) as idp:
        yield idp


@pytest.fixture(scope="module")
def jwt_discovery(jwt_idp: MockIdP) -> dict:
    return metadata(jwt_idp)


def session(discovery: dict, client_id: str, credential, method) -> OAuth2Session:
    """An Authlib client authenticating with `method` (a ClientSecretJWT or PrivateKeyJWT) and `credential`."""
    client = OAuth2Session(
        client_id, credential, token_endpoint_auth_method=method.name, token_endpoint=discovery["token_endpoint"], default_timeout=HTTP_TIMEOUT
    )
    client.register_client_auth_method(method)
    client.hooks["response"].append(fail_on_server_error)
    return client


def jwks_of(discovery: dict) -> dict:
    with HTTPSession() as http:
        return http.get(discovery["jwks_uri"]).json()


def test_discovery_advertises_the_jwt_methods_and_the_grant(jwt_discovery):
    assert {"client_secret_jwt", "private_key_jwt"} <= set(jwt_discovery["token_endpoint_auth_methods_supported"])
    assert jwt_discovery["token_endpoint_auth_signing_alg_values_supported"] == ["HS256", "RS256", "ES256", "EdDSA"]
    assert JWT_BEARER in jwt_discovery["grant_types_supported"]


def test_client_secret_jwt_with_authlib(jwt_discovery):
    client = session(jwt_discovery, "svc-secret-jwt", SECRET, ClientSecretJWT(jwt_discovery["token_endpoint"]))
    token = client.fetch_token(grant_type="client_credentials")
    _, claims = verify_jwt(token["access_token"], jwks_of(jwt_discovery))
    assert claims["client_id"] == "svc-secret-jwt"


@pytest.mark.parametrize("alg", ["RS256", "ES256", "EdDSA"])
def test_private_key_jwt_with_authlib(jwt_discovery, alg):
    method = PrivateKeyJWT(jwt_discovery["token_endpoint"], alg=alg, headers={"kid": KEYS[alg].kid})
    token = session(jwt_discovery, "svc-private-jwt", KEYS[alg], method).fetch_token(grant_type="client_credentials")
    _, claims = verify_jwt(token["access_token"], jwks_of(jwt_discovery))
    assert claims["client_id"] == "svc-private-jwt"


def test_introspection_takes_an_assertion_for_its_own_url(jwt_discovery, http):
    method = PrivateKeyJWT(jwt_discovery["token_endpoint"], alg="ES256")
    token = session(jwt_discovery, "svc-private-jwt", KEYS["ES256"], method).fetch_token(grant_type="client_credentials")
    endpoint = jwt_discovery["introspection_endpoint"]
    assertion = private_key_jwt_sign(KEYS["ES256"], "svc-private-jwt", endpoint, alg="ES256")
    response = http.post(endpoint, data={"token": token["access_token"], "client_assertion_type": ASSERTION_TYPE, "client_assertion": assertion})
    assert response.status_code == 200, response.text
    assert response.json()["active"] is True


def test_the_jwt_bearer_grant_with_authlib(jwt_discovery, jwt_idp):
    """The client signs an assertion for alice (RFC 7523 §2.1) and authenticates itself with private_key_jwt."""
    assertion = JWTBearerGrant.sign(
        KEYS["EdDSA"], issuer="svc-private-jwt", audience=jwt_idp.issuer, subject="alice", header={"alg": "EdDSA", "kid": "ed-1"}
    )
    client = session(jwt_discovery, "svc-private-jwt", KEYS["RS256"], PrivateKeyJWT(jwt_discovery["token_endpoint"]))
    token = client.fetch_token(grant_type=JWT_BEARER, assertion=assertion, scope="openid profile")
    _, claims = verify_jwt(token["access_token"], jwks_of(jwt_discovery))
    assert claims["sub"] == "alice" and claims["client_id"] == "svc-private-jwt"
    assert token["scope"] == "openid profile"
    assert "refresh_token" not in token and "id_token" not in token


def test_the_jwt_bearer_grant_without_client_authentication(jwt_discovery, jwt_idp, http):
    """RFC 7523 §2.1's request: grant_type and assertion only; the HS256 assertion names and authenticates the client."""
    assertion = JWTBearerGrant.sign(OctKey.import_key(SECRET), issuer="svc-secret-jwt", audience=jwt_discovery["token_endpoint"], subject="bob", alg="HS256")
    response = http.post(jwt_discovery["token_endpoint"], data={"grant_type": JWT_BEARER, "assertion": assertion})
    assert response.status_code == 200, response.text
    _, claims = verify_jwt(response.json()["access_token"], jwks_of(jwt_discovery))
    assert claims["sub"] == "bob" and claims["client_id"] == "svc-secret-jwt"


# --- Refusals ---------------------------------------------------------------------------------------------------


def assertion_form(assertion: str) -> dict:
    return {"grant_type": "client_credentials", "client_assertion_type": ASSERTION_TYPE, "client_assertion": assertion}


def sign(alg: str, claims: dict, *, key=None) -> str:
    return jwt.encode({"alg": alg}, claims, key or KEYS[alg], algorithms=[alg])


def claims_now(jwt_discovery: dict, **changes) -> dict:
    now = int(time.time())
    claims = {"iss": "svc-private-jwt", "sub": "svc-private-jwt", "aud": jwt_discovery["token_endpoint"], "exp": now + 300, "iat": now,
              "jti": f"jti-{time.time_ns()}"}
    claims.update(changes)
    return {name: value for name, value in claims.items() if value is not None}


def expect_invalid_client(response, reason: str) -> None:
    assert response.status_code == 401, response.text
    body = response.json()
    assert body["error"] == "invalid_client", body
    assert reason in body["error_description"], body


def test_a_replayed_assertion_is_refused_and_listed_in_debug(jwt_discovery, jwt_idp, http):
    assertion = sign("ES256", claims_now(jwt_discovery, jti="interop-once"))
    assert http.post(jwt_discovery["token_endpoint"], data=assertion_form(assertion)).status_code == 200
    expect_invalid_client(http.post(jwt_discovery["token_endpoint"], data=assertion_form(assertion)), "used already")
    with DebugAPI(jwt_idp.issuer) as debug:
        used = [entry for entry in debug.issued()["used_assertions"] if entry["jti"] == "interop-once"]
    assert len(used) == 1 and used[0]["client_id"] == "svc-private-jwt"


@pytest.mark.parametrize(
    "name, build, reason",
    [
        ("expired", lambda d: sign("ES256", claims_now(d, exp=int(time.time()) - 3600)), "expired"),
        ("no exp", lambda d: sign("ES256", claims_now(d, exp=None)), "exp claim is missing"),
        ("wrong aud", lambda d: sign("ES256", claims_now(d, aud="https://elsewhere.example/token")), "does not name this server"),
        ("no jti", lambda d: sign("ES256", claims_now(d, jti=None)), "jti claim is missing"),
        ("iss is not sub", lambda d: sign("ES256", claims_now(d, sub="alice")), 'sub is "alice"'),
        ("unknown client", lambda d: sign("ES256", claims_now(d, iss="nobody", sub="nobody")), 'unknown client "nobody"'),
        ("wrong key", lambda d: sign("ES256", claims_now(d), key=ECKey.generate_key("P-256")), "does not verify"),
        ("HS256 for private_key_jwt", lambda d: sign("HS256", claims_now(d), key=OctKey.import_key(SECRET)), "not client_secret_jwt"),
        ("alg none", lambda d: "eyJhbGciOiJub25lIn0." + sign("ES256", claims_now(d)).split(".")[1] + ".", 'alg "none"'),
        ("malformed", lambda d: "not.a.jwt", "malformed client_assertion"),
    ],
)
def test_a_bad_client_assertion_is_invalid_client(jwt_discovery, http, name, build, reason):
    expect_invalid_client(http.post(jwt_discovery["token_endpoint"], data=assertion_form(build(jwt_discovery))), reason)


def test_basic_and_an_assertion_together_is_invalid_request(jwt_discovery, http):
    assertion = sign("ES256", claims_now(jwt_discovery))
    response = http.post(jwt_discovery["token_endpoint"], data=assertion_form(assertion), auth=("svc-private-jwt", "x"))
    assert response.status_code == 400 and response.json()["error"] == "invalid_request", response.text


@pytest.mark.parametrize(
    "subject, key, reason",
    [("mallory", KEYS["EdDSA"], "no user's sub or username"), ("alice", OKPKey.generate_key("Ed25519"), "does not verify")],
)
def test_a_bad_grant_assertion_is_invalid_grant(jwt_discovery, http, subject, key, reason):
    assertion = JWTBearerGrant.sign(key, issuer="svc-private-jwt", audience=jwt_discovery["token_endpoint"], subject=subject, alg="EdDSA")
    response = http.post(jwt_discovery["token_endpoint"], data={"grant_type": JWT_BEARER, "assertion": assertion})
    assert response.status_code == 400, response.text
    assert response.json()["error"] == "invalid_grant" and reason in response.json()["error_description"], response.text


def test_a_fixture_client_with_private_key_jwt_and_no_keys_stops_the_start(tmp_path: pathlib.Path):
    (tmp_path / "clients.json").write_text(json.dumps([{"client_id": "broken", "token_endpoint_auth_method": "private_key_jwt", "grant_types": []}]))
    with pytest.raises(RuntimeError) as failure:
        with running_mock_idp("--fixtures", str(tmp_path), cwd=tmp_path):
            pass
    message = str(failure.value)
    assert 'client_id "broken"' in message and 'field "token_endpoint_auth_method"' in message and "jwks or jwks_uri" in message, message


# --- jwks_uri -----------------------------------------------------------------------------------------------------


def test_private_key_jwt_with_keys_at_a_jwks_uri(remote_idp, key_server):
    discovery = metadata(remote_idp)
    before = key_server.fetches
    for _ in range(2):
        method = PrivateKeyJWT(discovery["token_endpoint"], alg="ES256")
        token = session(discovery, "svc-remote", KEYS["ES256"], method).fetch_token(grant_type="client_credentials")
        assert verify_jwt(token["access_token"], jwks_of(discovery))[1]["client_id"] == "svc-remote"
    assert key_server.fetches == before + 1, "the JWK Set is fetched once and kept while fresh"
    with DebugAPI(remote_idp.issuer) as debug:
        fetched = [entry["url"] for entry in debug.issued()["fetched_documents"]]
    assert key_server.url("/jwks.json") in fetched


def test_a_jwks_uri_that_fails_is_invalid_client_naming_it(remote_idp, key_server, http):
    discovery = metadata(remote_idp)
    now = int(time.time())
    claims = {"iss": "svc-gone", "sub": "svc-gone", "aud": discovery["token_endpoint"], "exp": now + 300, "jti": f"gone-{now}"}
    response = http.post(discovery["token_endpoint"], data=assertion_form(sign("ES256", claims)))
    expect_invalid_client(response, key_server.url("/missing.json"))
