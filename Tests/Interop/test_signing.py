"""Every signing algorithm, and both ways RS256 is signed, as a client library sees them: discovery announces the
chosen algorithm first and RS256 always (OpenID Connect Discovery §3), the JWKS publishes a key for each, tokens
verify against it with the algorithm in their header, and an ID token's at_hash is the left half of the hash its
algorithm uses (SHA-512 for EdDSA). A client's `id_token_signed_response_alg` picks its ID tokens' algorithm; its
access tokens keep the server's."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import pathlib
from collections.abc import Iterator
from typing import NamedTuple

import pytest
from joserfc import jws, jwt
from joserfc.jwk import JWKRegistry, KeySet

from conftest import FIXTURES_DIR, MockIdP, running_mock_idp
from oauth_helpers import (
    BUDGETIFY,
    KEY_TYPES,
    PRIVATE_MEMBERS,
    RECONCILER,
    DebugAPI,
    HTTPSession,
    check_access_token,
    check_id_token,
    code_flow,
    oauth_session,
    userinfo,
)

# RFC 9864 deprecates the polymorphic JOSE name "EdDSA" for "Ed25519", and joserfc warns at every EdDSA token; OpenID
# Connect and MockIdP still name it EdDSA, deliberately, so the warning says nothing about the tokens under test.
pytestmark = pytest.mark.filterwarnings("ignore:EdDSA is deprecated via RFC 9864:joserfc.errors.SecurityWarning")

ALGORITHMS = ["RS256", "ES256", "EdDSA"]


class Case(NamedTuple):
    label: str
    algorithm: str  # what --signing-alg chooses
    args: list[str]
    environment: dict[str, str]


# RS256 by default through the system's OpenSSL (the default where there is one), named on the command line, and
# through swift-crypto; ES256 and EdDSA.
CASES = [
    Case("RS256 via OpenSSL", "RS256", [], {}),
    Case("RS256 named", "RS256", ["--signing-alg", "RS256"], {}),
    Case("RS256 via swift-crypto", "RS256", [], {"MOCK_IDP_SYSTEM_CRYPTO": "0"}),
    Case("ES256", "ES256", ["--signing-alg", "ES256"], {}),
    Case("EdDSA", "EdDSA", ["--signing-alg", "EdDSA"], {}),
]
server_cases = pytest.mark.parametrize("case", CASES, ids=[case.label for case in CASES])


def advertised(algorithm: str) -> list[str]:
    """What `id_token_signing_alg_values_supported` lists with `--signing-alg algorithm`: it first, then RS256."""
    return [algorithm] if algorithm == "RS256" else [algorithm, "RS256"]


def expected_at_hash(access_token: str, algorithm: str) -> str:
    """OIDC Core §3.1.3.6, computed here rather than by a helper under test: base64url without padding of the left
    half of the hash of the access token's ASCII octets; SHA-256 for RS256 and ES256, SHA-512 for EdDSA (Ed25519)."""
    digest = (hashlib.sha512 if algorithm == "EdDSA" else hashlib.sha256)(access_token.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest[: len(digest) // 2]).rstrip(b"=").decode("ascii")


def sha256_at_hash(access_token: str) -> str:
    digest = hashlib.sha256(access_token.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest[:16]).rstrip(b"=").decode("ascii")


def header_of(token: str) -> dict:
    return jws.extract_compact(token.encode()).protected


@contextlib.contextmanager
def server(tmp_path: pathlib.Path, monkeypatch, case: Case, *more: str) -> Iterator[tuple[MockIdP, dict, dict]]:
    """A mock-idp started as `case` says, with `more` arguments: (the server, its discovery, its JWKS)."""
    for name, value in case.environment.items():
        monkeypatch.setenv(name, value)
    with running_mock_idp(*case.args, *more, cwd=tmp_path) as idp, HTTPSession() as http:
        discovery = http.get(idp.url("/.well-known/openid-configuration")).json()
        jwks = http.get(discovery["jwks_uri"]).json()
        yield idp, discovery, jwks


def check_published_keys(jwks: dict, algorithms: list[str]) -> None:
    """One public signing key per algorithm, in that order, each of its algorithm's key type, with distinct kids."""
    assert [key.get("alg") for key in jwks["keys"]] == algorithms, jwks
    kids = [key["kid"] for key in jwks["keys"]]
    assert len(set(kids)) == len(kids) and all(kids), kids
    for key in jwks["keys"]:
        assert key["use"] == "sig", key
        for member, value in KEY_TYPES[key["alg"]].items():
            assert key[member] == value, key
        assert not PRIVATE_MEMBERS & key.keys(), f"private key material in the JWKS: {key}"
        JWKRegistry.import_key(key)  # a key joserfc can use
    KeySet.import_key_set(jwks)


def kid_of(jwks: dict, algorithm: str) -> str:
    [kid] = [key["kid"] for key in jwks["keys"] if key["alg"] == algorithm]
    return kid


@server_cases
def test_discovery_and_jwks_announce_the_chosen_algorithm_and_rs256(tmp_path, monkeypatch, case):
    algorithm = case.algorithm
    with server(tmp_path, monkeypatch, case) as (idp, discovery, jwks):
        assert discovery["id_token_signing_alg_values_supported"] == advertised(algorithm)
        assert "RS256" in discovery["id_token_signing_alg_values_supported"], "OpenID Connect Discovery §3: RS256 MUST"
        check_published_keys(jwks, advertised(algorithm))


@server_cases
def test_tokens_verify_against_the_published_keys(tmp_path, monkeypatch, case):
    algorithm = case.algorithm
    with server(tmp_path, monkeypatch, case) as (idp, discovery, jwks):
        keys = KeySet.import_key_set(jwks)
        with oauth_session(discovery, RECONCILER, scope="transactions:read") as client:
            access_token = client.fetch_token(grant_type="client_credentials")["access_token"]
        issued, _ = code_flow(discovery, scope="openid profile")
        for token in (access_token, issued["access_token"], issued["id_token"]):
            decoded = jwt.decode(token, keys, algorithms=[algorithm])
            assert decoded.header["alg"] == algorithm
            assert decoded.header["kid"] == jwks["keys"][0]["kid"], "signed with the chosen key, which is listed first"
            assert decoded.claims["iss"] == idp.issuer
        assert userinfo(discovery, issued["access_token"]).json()["sub"] == "alice"


def checked_code_flow(idp: MockIdP, discovery: dict, jwks: dict, client: dict, scope: str, algorithm: str) -> tuple[dict, dict]:
    """A code flow for `client`, its ID token checked (signature by the `algorithm` key, claims, at_hash) by Authlib's
    rules; returns the token response and the ID token's claims."""
    issued, request = code_flow(discovery, client, scope=scope)
    claims = check_id_token(
        issued["id_token"],
        jwks,
        issuer=idp.issuer,
        client=client,
        nonce=request.nonce,
        access_token=issued["access_token"],
        algorithm=algorithm,
    )
    return issued, claims


@server_cases
def test_code_flow_id_token_and_its_at_hash(tmp_path, monkeypatch, case):
    algorithm = case.algorithm
    scope = "openid profile email"
    with server(tmp_path, monkeypatch, case) as (idp, discovery, jwks):
        # Authlib's CodeIDToken rules check at_hash with the hash of the header's alg themselves; then by hand.
        issued, claims = checked_code_flow(idp, discovery, jwks, BUDGETIFY, scope, algorithm)
        access_token = issued["access_token"]
        assert header_of(issued["id_token"])["alg"] == algorithm
        assert header_of(access_token)["alg"] == algorithm
        check_access_token(
            access_token, jwks, issuer=idp.issuer, client=BUDGETIFY, sub="alice", scope=scope, algorithm=algorithm
        )
        assert claims["at_hash"] == expected_at_hash(access_token, algorithm)
        if algorithm == "EdDSA":
            assert len(claims["at_hash"]) == 43, "32 bytes: the left half of SHA-512"
            assert claims["at_hash"] != sha256_at_hash(access_token), "EdDSA's at_hash is SHA-512's, not SHA-256's"
        else:
            assert len(claims["at_hash"]) == 22, "16 bytes: the left half of SHA-256"
            assert claims["at_hash"] == sha256_at_hash(access_token)


# --- A client's id_token_signed_response_alg ------------------------------------------------------------------------


def signing_client(algorithm: str) -> dict:
    """A confidential code-flow client whose ID tokens are signed with `algorithm`, as clients.json spells it."""
    name = f"signs-{algorithm.lower()}"
    return {
        "client_id": name,
        "client_secret": f"{name}-secret",
        "redirect_uris": [f"http://localhost:3100/{name}/callback"],
        "scopes": ["openid", "profile", "email", "offline_access"],
        "id_token_signed_response_alg": algorithm,
    }


def as_oauth_client(entry: dict) -> dict:
    """A clients.json entry in the shape oauth_helpers takes (no audience: it defaults to the client_id)."""
    return {
        "client_id": entry["client_id"],
        "client_secret": entry["client_secret"],
        "redirect_uri": entry["redirect_uris"][0],
        "audience": entry["client_id"],
    }


def fixtures_with(directory: pathlib.Path, *clients: dict) -> pathlib.Path:
    """A fixtures directory of only clients.json: the shipped clients and `clients`. Users and scopes fall back to
    the built-in ones, the same as the shipped files."""
    directory.mkdir()
    shipped = json.loads((FIXTURES_DIR / "clients.json").read_text())
    (directory / "clients.json").write_text(json.dumps(shipped + list(clients), indent=2))
    return directory


def published_with(server_algorithm: str, *client_algorithms: str) -> list[str]:
    """The algorithms published when clients name `client_algorithms`: the server's first, RS256, then the others."""
    extra = [name for name in ALGORITHMS if name in client_algorithms and name not in advertised(server_algorithm)]
    return advertised(server_algorithm) + extra


def check_announced(discovery: dict, jwks: dict, expected: list[str]) -> None:
    """The server's own algorithm and RS256 come first, in that order; keys a client asked for follow, in any order."""
    announced = discovery["id_token_signing_alg_values_supported"]
    head = len(advertised(expected[0]))
    assert announced[:head] == expected[:head] and sorted(announced) == sorted(expected), announced
    published = [key["alg"] for key in jwks["keys"]]
    assert published == announced, "the JWKS publishes a key for each announced algorithm, in the same order"
    check_published_keys(jwks, announced)


@server_cases
@pytest.mark.parametrize("client_algorithm", ALGORITHMS)
def test_a_clients_id_token_signed_response_alg(tmp_path, monkeypatch, case, client_algorithm):
    algorithm = case.algorithm
    entry = signing_client(client_algorithm)
    client = as_oauth_client(entry)
    fixtures = fixtures_with(tmp_path / "fixtures", entry)
    scope = "openid profile email offline_access"
    with server(tmp_path, monkeypatch, case, "--fixtures", str(fixtures)) as (idp, discovery, jwks):
        check_announced(discovery, jwks, published_with(algorithm, client_algorithm))

        with oauth_session(discovery, client, scope=scope) as session:
            issued, claims = checked_code_flow(idp, discovery, jwks, client, scope, client_algorithm)
            id_header = header_of(issued["id_token"])
            assert id_header["alg"] == client_algorithm
            assert id_header["kid"] == kid_of(jwks, client_algorithm)
            # Its access tokens keep the server's algorithm and key.
            access_header = header_of(issued["access_token"])
            assert (access_header["alg"], access_header["kid"]) == (algorithm, jwks["keys"][0]["kid"])
            check_access_token(
                issued["access_token"], jwks, issuer=idp.issuer, client=client, sub="alice", algorithm=algorithm
            )
            # at_hash follows the ID token's algorithm, not the access token's.
            assert claims["at_hash"] == expected_at_hash(issued["access_token"], client_algorithm)
            if client_algorithm == "EdDSA":
                assert claims["at_hash"] != sha256_at_hash(issued["access_token"])
            jwt.decode(issued["id_token"], KeySet.import_key_set(jwks), algorithms=[client_algorithm])

            # The refresh grant's ID token is signed the same way.
            session.token = issued
            refreshed = session.refresh_token()
            assert header_of(refreshed["id_token"])["alg"] == client_algorithm
            assert header_of(refreshed["access_token"])["alg"] == algorithm
            check_id_token(
                refreshed["id_token"],
                jwks,
                issuer=idp.issuer,
                client=client,
                nonce=None,
                access_token=refreshed["access_token"],
                algorithm=client_algorithm,
            )
        assert userinfo(discovery, refreshed["access_token"]).json()["sub"] == "alice"

        # A client that names no algorithm still gets the server's.
        checked_code_flow(idp, discovery, jwks, BUDGETIFY, "openid", algorithm)


@server_cases
def test_clients_naming_every_algorithm_in_one_fixtures_file(tmp_path, monkeypatch, case):
    algorithm = case.algorithm
    entries = [signing_client(name) for name in ALGORITHMS]
    fixtures = fixtures_with(tmp_path / "fixtures", *entries)
    with server(tmp_path, monkeypatch, case, "--fixtures", str(fixtures)) as (idp, discovery, jwks):
        check_announced(discovery, jwks, published_with(algorithm, *ALGORITHMS))
        for entry in entries:
            client = as_oauth_client(entry)
            issued, _ = checked_code_flow(idp, discovery, jwks, client, "openid", entry["id_token_signed_response_alg"])
            assert header_of(issued["access_token"])["alg"] == algorithm


@pytest.mark.parametrize(
    ("server_algorithm", "client_algorithm"),
    [("RS256", "EdDSA"), ("RS256", "ES256"), ("EdDSA", "ES256"), ("ES256", "RS256")],
)
def test_a_client_added_at_runtime_gets_its_key_published(tmp_path, monkeypatch, server_algorithm, client_algorithm):
    """POST /debug/clients with `id_token_signed_response_alg`: a key for it is published before the client signs in."""
    case = Case(server_algorithm, server_algorithm, ["--signing-alg", server_algorithm], {})
    with server(tmp_path, monkeypatch, case) as (idp, discovery, before), DebugAPI(idp.issuer) as debug:
        check_published_keys(before, advertised(server_algorithm))
        entry = signing_client(client_algorithm)
        assert debug.add_clients(entry) == {"added": 1}
        with HTTPSession() as http:
            now = http.get(idp.url("/.well-known/openid-configuration")).json()
            jwks = http.get(now["jwks_uri"]).json()
        check_announced(now, jwks, published_with(server_algorithm, client_algorithm))
        kept = {key["kid"] for key in before["keys"]}
        assert kept <= {key["kid"] for key in jwks["keys"]}, "the keys published before stay published"

        client = as_oauth_client(entry)
        issued, _ = checked_code_flow(idp, now, jwks, client, "openid profile", client_algorithm)
        check_access_token(
            issued["access_token"], jwks, issuer=idp.issuer, client=client, sub="alice", algorithm=server_algorithm
        )
