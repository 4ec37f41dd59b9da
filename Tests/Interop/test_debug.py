"""/debug from Python, as a test suite uses it: see what was issued, reset, mint tokens, script the next token
response, move the clock, read the request log, add users and clients, rotate keys.

Each test gets a server of its own (`fresh_idp`): these routes change what every later request sees.
"""

from __future__ import annotations

import time

import pytest
import requests
from authlib.integrations.requests_client import OAuthError

from oauth_helpers import (
    BUDGETIFY,
    CLOCK_SKEW,
    HTTP_TIMEOUT,
    PLANNER,
    RECONCILER,
    HTTPSession,
    assert_token_rejected,
    authorization_request,
    authorize,
    code_flow,
    fetch_jwks,
    introspect,
    oauth_session,
    redirect_parameters,
    userinfo,
    verify_jwt,
)

CODE_FIELDS = {"code", "client_id", "sub", "scope", "redirect_uri", "issued_at", "expires_at", "status"}
TOKEN_FIELDS = {"type", "token", "client_id", "sub", "scope", "issued_at", "expires_at", "status"}


def oauth_error(call) -> OAuthError:
    with pytest.raises(OAuthError) as raised:
        call()
    return raised.value


def assert_debug_error(response: requests.Response, *mentions: str, error: str = "invalid_request") -> dict:
    """A /debug refusal: 400, a JSON OAuth-style error whose description names what is wrong."""
    assert response.status_code == 400, f"{response.status_code}: {response.text}"
    assert response.headers["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["error"] == error, body
    description = body["error_description"]
    for mention in mentions:
        assert mention in description, f"{mention!r} not in {description!r}"
    return body


# --- Listing and reset ----------------------------------------------------------------------------------------------


def test_listing_shows_codes_and_tokens(fresh_idp, fresh_discovery, fresh_debug):
    empty = fresh_debug.issued()
    assert empty["codes"] == [] and empty["tokens"] == []
    assert abs(empty["now"] - time.time()) <= CLOCK_SKEW and empty["offset_seconds"] == 0
    assert "clock_offset_seconds" not in empty, "GET /debug names the offset offset_seconds, as /debug/clock does"

    # A code not yet redeemed, then a full flow.
    with oauth_session(fresh_discovery, BUDGETIFY, scope="openid profile") as client:
        request = authorization_request(client, fresh_discovery)
        callback = redirect_parameters(authorize(client, request.url), BUDGETIFY["redirect_uri"])
        pending = fresh_debug.issued(type="code")["codes"]
        assert [code["status"] for code in pending] == ["active"]
        token = client.fetch_token(code=callback["code"], code_verifier=request.code_verifier)

    listing = fresh_debug.issued()
    [code] = listing["codes"]
    # The documented fields, and the lineage of a redeemed code: its flow, the requests that issued and redeemed it.
    assert set(code) == CODE_FIELDS | {"flow", "issued_by", "used_at", "used_by"}
    assert code["used_by"] > code["issued_by"]
    assert code["code"] == callback["code"]
    assert (code["client_id"], code["sub"], code["scope"]) == ("budgetify", "alice", "openid profile")
    assert code["redirect_uri"] == BUDGETIFY["redirect_uri"]
    assert code["status"] == "used"
    assert code["expires_at"] - code["issued_at"] == 60

    by_type = {entry["type"]: entry for entry in listing["tokens"]}
    assert sorted(by_type) == ["access_token", "id_token", "refresh_token"] and len(listing["tokens"]) == 3
    for entry in listing["tokens"]:
        assert TOKEN_FIELDS <= set(entry), entry
        assert (entry["client_id"], entry["sub"], entry["scope"], entry["status"]) == (
            "budgetify",
            "alice",
            "openid profile",
            "active",
        )
    jwks = fetch_jwks(fresh_discovery)
    for kind in ("access_token", "id_token"):
        entry = by_type[kind]
        assert entry["token"] == token[kind]
        header, claims = verify_jwt(token[kind], jwks)
        assert entry["header"] == header and entry["claims"] == claims
        assert (entry["issued_at"], entry["expires_at"]) == (claims["iat"], claims["exp"])
    assert by_type["access_token"]["header"]["typ"] == "at+jwt"
    assert by_type["id_token"]["claims"]["nonce"] == request.nonce
    assert by_type["refresh_token"]["token"] == token["refresh_token"]
    assert by_type["refresh_token"].get("claims") is None, "a refresh token is opaque"
    assert by_type["refresh_token"]["expires_at"] - by_type["refresh_token"]["issued_at"] == 86400

    # Newest first (one second later on the server clock, so that no two issuances share a second).
    fresh_debug.advance_clock(1)
    code_flow(fresh_discovery, BUDGETIFY, login_hint="bob")
    tokens = fresh_debug.issued()["tokens"]
    assert [entry["issued_at"] for entry in tokens] == sorted((entry["issued_at"] for entry in tokens), reverse=True)
    assert tokens[0]["sub"] == "bob"


def test_listing_is_json_for_programs(fresh_idp):
    with HTTPSession() as http:
        for accept in (None, "*/*", "application/json", "application/json, text/html"):
            headers = {"Accept": accept} if accept else {}
            response = http.get(fresh_idp.url("/debug"), headers=headers)
            assert response.status_code == 200
            assert response.headers["Content-Type"].startswith("application/json"), accept
            assert response.headers["Cache-Control"] == "no-store"
        page = http.get(fresh_idp.url("/debug"), headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert page.headers["Content-Type"].startswith("text/html")
    assert "MockIdP inspector" in page.text


def test_listing_filters(fresh_idp, fresh_discovery, fresh_debug):
    alice, _ = code_flow(fresh_discovery, BUDGETIFY, scope="openid offline_access")
    with oauth_session(fresh_discovery, RECONCILER, scope="transactions:read") as client:
        service = client.fetch_token(grant_type="client_credentials")
    with oauth_session(fresh_discovery, BUDGETIFY, scope="openid") as client:
        bob = client.fetch_token(username="bob", password="bob-password")
        client.refresh_token()  # bob's first refresh token is now used

    def tokens(**filters: str) -> list[str]:
        return [entry["token"] for entry in fresh_debug.issued(**filters)["tokens"]]

    assert tokens(client_id="reconciler") == [service["access_token"]]
    assert fresh_debug.issued(client_id="reconciler")["tokens"][0].get("sub") is None  # a client on its own behalf
    assert set(tokens(sub="alice")) == {alice["access_token"], alice["refresh_token"], alice["id_token"]}
    assert len(tokens(sub="bob")) == 6  # two issuances of three
    assert tokens(status="used") == [bob["refresh_token"]]
    assert tokens(sub="bob", type="refresh_token", status="used") == [bob["refresh_token"]]
    assert set(tokens(type="access_token")) >= {alice["access_token"], service["access_token"], bob["access_token"]}
    assert tokens(client_id="nobody") == []

    only_codes = fresh_debug.issued(type="code")
    assert only_codes["tokens"] == [] and len(only_codes["codes"]) == 1
    assert fresh_debug.issued(type="access_token")["codes"] == []
    assert fresh_debug.issued(client_id="budgetify", sub="alice", status="used")["codes"][0]["sub"] == "alice"


def test_a_client_credentials_entry_has_a_null_sub(fresh_idp, fresh_debug):
    """README.md: a token has `sub` (null for client credentials), so every entry has the same keys."""
    minted = fresh_debug.mint(client_id="reconciler")
    entry = fresh_debug.token_entry(minted["access_token"])
    assert "sub" in entry and entry["sub"] is None, entry
    assert TOKEN_FIELDS <= set(entry)


@pytest.mark.parametrize(
    ("query", "mentions"),
    [
        ({"user": "alice"}, ["unknown filter", '"user"']),
        ({"status": "bogus"}, ["status must be one of", "active", "revoked"]),
        ({"type": "jwt"}, ["type must be one of", "access_token"]),
        ({"client_id": ["a", "b"]}, ["client_id"]),
    ],
    ids=["unknown filter", "bad status", "bad type", "duplicated filter"],
)
def test_listing_rejects_bad_filters(fresh_idp, query, mentions):
    with HTTPSession() as http:
        assert_debug_error(http.get(fresh_idp.url("/debug"), params=query), *mentions)


def test_reset_forgets_everything_issued(fresh_idp, fresh_discovery, fresh_debug):
    token, _ = code_flow(fresh_discovery, BUDGETIFY)
    fresh_debug.script(claims={"tenant": "alpha"})
    assert fresh_debug.issued()["tokens"] and fresh_debug.requests()

    assert fresh_debug.reset() == {"reset": True}

    listing = fresh_debug.issued()
    assert listing["codes"] == [] and listing["tokens"] == []
    assert fresh_debug.pending_scripts() == 0
    assert fresh_debug.requests() == []
    # Forgotten tokens are unknown tokens: a JWT's signature alone does not make it active.
    assert_token_rejected(fresh_discovery, token["access_token"])
    with oauth_session(fresh_discovery, BUDGETIFY) as client:
        client.token = token
        assert oauth_error(lambda: client.refresh_token()).error == "invalid_grant"
    # The server carries on as new.
    again, _ = code_flow(fresh_discovery, BUDGETIFY)
    assert userinfo(fresh_discovery, again["access_token"]).status_code == 200


# --- Minting ----------------------------------------------------------------------------------------------------------


def test_minted_tokens_introspect_active_and_pass_userinfo(fresh_idp, fresh_discovery, fresh_debug):
    minted = fresh_debug.mint(
        client_id="budgetify",
        sub="carol",  # a username: matched like login_hint
        scope="openid profile email transactions:read",
        claims={"roles": ["admin"], "tenant": "alpha"},
        id_token_claims={"acr": "urn:mockidp:mfa"},
        expires_in=120,
        audience=["https://api.alpha-bank.example", "https://payments.example"],
    )
    assert minted["token_type"] == "Bearer" and minted["expires_in"] == 120
    assert minted["refresh_token"], "budgetify has the refresh_token grant"
    jwks = fetch_jwks(fresh_discovery)
    header, access = verify_jwt(minted["access_token"], jwks)
    assert header["typ"] == "at+jwt"
    assert access["iss"] == fresh_idp.issuer
    assert access["sub"] == "7d0b2f9e-carol" and access["client_id"] == "budgetify"
    assert access["roles"] == ["admin"] and access["tenant"] == "alpha"
    assert access["aud"] == ["https://api.alpha-bank.example", "https://payments.example"]
    assert access["exp"] - access["iat"] == 120
    _, id_claims = verify_jwt(minted["id_token"], jwks)
    assert id_claims["acr"] == "urn:mockidp:mfa" and "roles" not in id_claims
    assert id_claims["email"] == "carol@example.org"

    info = introspect(fresh_discovery, minted["access_token"])
    assert info["active"] is True and info["sub"] == "7d0b2f9e-carol" and info["username"] == "carol"
    response = userinfo(fresh_discovery, minted["access_token"])
    assert response.status_code == 200, response.text
    assert response.json()["sub"] == "7d0b2f9e-carol" and response.json()["accounts"] == []
    assert fresh_debug.token_entry(minted["access_token"])["status"] == "active"

    # The refresh token is a real one.
    with oauth_session(fresh_discovery, BUDGETIFY, scope=None) as client:
        refreshed = client.refresh_token(refresh_token=minted["refresh_token"])
    assert verify_jwt(refreshed["access_token"], jwks)[1]["sub"] == "7d0b2f9e-carol"


def test_minting_for_a_client_alone(fresh_idp, fresh_discovery, fresh_debug):
    minted = fresh_debug.mint(client_id="reconciler")
    assert "refresh_token" not in minted and "id_token" not in minted
    assert minted["scope"].split() == ["transactions:read", "transactions:write"]
    _, claims = verify_jwt(minted["access_token"], fetch_jwks(fresh_discovery))
    assert claims["sub"] == "reconciler" and claims["aud"] == "https://api.alpha-bank.example"
    assert introspect(fresh_discovery, minted["access_token"])["active"] is True


@pytest.mark.parametrize(
    ("body", "mentions"),
    [
        ({}, ["client_id"]),
        ({"client_id": "nobody"}, ["nobody"]),
        ({"client_id": "budgetify", "sub": "zed"}, ["zed"]),
        ({"client_id": "budgetify", "expires_in": 0}, ["expires_in"]),
        ({"client_id": "budgetify", "expires_in": -5}, ["expires_in"]),
        ({"client_id": "budgetify", "audience": []}, ["audience"]),
        ({"client_id": "budgetify", "audience": ["ok", 5]}, ["audience"]),
    ],
)
def test_minting_refuses_what_it_cannot_issue(fresh_idp, body, mentions):
    with HTTPSession() as http:
        assert_debug_error(http.post(fresh_idp.url("/debug/tokens"), json=body), *mentions)


def test_minting_with_an_undefined_scope(fresh_idp):
    with HTTPSession() as http:
        response = http.post(fresh_idp.url("/debug/tokens"), json={"client_id": "budgetify", "scope": "payments"})
    assert_debug_error(response, "payments", error="invalid_scope")


# --- Scripted responses -----------------------------------------------------------------------------------------------


def test_a_scripted_error_answers_the_next_token_request_once(fresh_idp, fresh_discovery, fresh_debug):
    assert fresh_debug.script(error="invalid_grant", error_description="session revoked upstream") == 1
    with oauth_session(fresh_discovery, RECONCILER, scope=None) as client:
        error = oauth_error(lambda: client.fetch_token(grant_type="client_credentials"))
        assert (error.error, error.description) == ("invalid_grant", "session revoked upstream")
        assert fresh_debug.pending_scripts() == 0
        assert client.fetch_token(grant_type="client_credentials")["access_token"]  # one-shot


def test_a_scripted_server_error(fresh_idp, fresh_discovery, fresh_debug):
    """A 5xx on purpose, to test a client's retry: read with a session that allows 5xx."""
    fresh_debug.script(error="temporarily_unavailable", status=503)
    response = requests.post(
        fresh_discovery["token_endpoint"],
        data={"grant_type": "client_credentials"},
        auth=(RECONCILER["client_id"], RECONCILER["client_secret"]),
        timeout=HTTP_TIMEOUT,
    )
    assert response.status_code == 503
    assert response.headers["Cache-Control"] == "no-store"
    body = response.json()
    assert body["error"] == "temporarily_unavailable" and body["error_description"]


def test_a_scripted_401_challenges_like_invalid_client(fresh_idp, fresh_discovery, fresh_debug):
    fresh_debug.script(error="invalid_client", status=401)
    with HTTPSession() as http:
        response = http.post(
            fresh_discovery["token_endpoint"],
            data={"grant_type": "client_credentials"},
            auth=("reconciler", "reconciler-secret"),
        )
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Basic")  # RFC 6749 §5.2


def test_scripted_responses_match_client_and_grant_type(fresh_idp, fresh_discovery, fresh_debug):
    fresh_debug.script(client_id="planner", error="invalid_grant")
    fresh_debug.script(
        client_id="budgetify", grant_type="refresh_token", error="invalid_grant", error_description="nope"
    )
    token, _ = code_flow(fresh_discovery, BUDGETIFY)  # an authorization_code request: neither matches
    with oauth_session(fresh_discovery, RECONCILER, scope=None) as reconciler:
        reconciler.fetch_token(grant_type="client_credentials")  # another client: neither matches
    assert fresh_debug.pending_scripts() == 2

    with oauth_session(fresh_discovery, BUDGETIFY) as client:
        client.token = token
        error = oauth_error(lambda: client.refresh_token())
        assert error.description == "nope"
        assert fresh_debug.pending_scripts() == 1
        # The scripted error consumed nothing: the refresh token still works.
        assert client.refresh_token()["access_token"]

    # planner's script waited for planner.
    with oauth_session(
        fresh_discovery, PLANNER, token_endpoint_auth_method="client_secret_post", scope="openid"
    ) as client:
        request = authorization_request(client, fresh_discovery)
        callback = redirect_parameters(authorize(client, request.url), PLANNER["redirect_uri"])
        error = oauth_error(lambda: client.fetch_token(code=callback["code"], code_verifier=request.code_verifier))
    assert error.error == "invalid_grant"
    assert fresh_debug.pending_scripts() == 0

    fresh_debug.script(error="invalid_grant")
    assert fresh_debug.clear_scripts() == 0
    assert fresh_debug.pending_scripts() == 0


def test_scripted_claims_appear_in_the_next_tokens_only(fresh_idp, fresh_discovery, fresh_debug):
    fresh_debug.script(
        client_id="budgetify",
        grant_type="password",
        claims={"tenant": "alpha"},
        access_token_claims={"roles": ["auditor"]},
        id_token_claims={"acr": "urn:mockidp:silver"},
    )
    jwks = fetch_jwks(fresh_discovery)
    with oauth_session(fresh_discovery, BUDGETIFY, scope="openid profile") as client:
        scripted = client.fetch_token(username="bob", password="bob-password")
        plain = client.fetch_token(username="bob", password="bob-password")
    _, access = verify_jwt(scripted["access_token"], jwks)
    _, id_claims = verify_jwt(scripted["id_token"], jwks)
    assert access["tenant"] == "alpha" and access["roles"] == ["auditor"] and "acr" not in access
    assert id_claims["tenant"] == "alpha" and id_claims["acr"] == "urn:mockidp:silver" and "roles" not in id_claims
    assert access["sub"] == "bob", "the usual claims stay"

    _, access = verify_jwt(plain["access_token"], jwks)
    _, id_claims = verify_jwt(plain["id_token"], jwks)
    assert not {"tenant", "roles", "acr"} & (access.keys() | id_claims.keys()), "scripted claims are one-shot"


@pytest.mark.parametrize(
    ("body", "mentions"),
    [
        ({}, ["error", "claims"]),
        ({"error": "invalid_grant", "claims": {"a": 1}}, ["not both"]),
        ({"error": "invalid_grant", "status": 200}, ["status", "400"]),
        ({"error": "invalid_grant", "status": 600}, ["status"]),
        ({"claims": {"a": 1}, "status": 400}, ["status"]),
        ({"claims": {"a": 1}, "error_description": "x"}, ["error_description"]),
    ],
)
def test_scripting_refuses_incoherent_scripts(fresh_idp, fresh_debug, body, mentions):
    with HTTPSession() as http:
        assert_debug_error(http.post(fresh_idp.url("/debug/next"), json=body), *mentions)
    assert fresh_debug.pending_scripts() == 0


# --- The clock --------------------------------------------------------------------------------------------------------


def test_clock_read_advance_and_reset(fresh_idp, fresh_debug):
    clock = fresh_debug.clock()
    assert clock["offset_seconds"] == 0 and abs(clock["now"] - time.time()) <= CLOCK_SKEW
    assert fresh_debug.advance_clock(60)["offset_seconds"] == 60
    advanced = fresh_debug.advance_clock(3600)
    assert advanced["offset_seconds"] == 3660
    assert abs(advanced["now"] - (time.time() + 3660)) <= CLOCK_SKEW
    assert fresh_debug.clock()["offset_seconds"] == 3660
    assert fresh_debug.issued()["offset_seconds"] == 3660
    reset = fresh_debug.reset_clock()
    assert reset["offset_seconds"] == 0 and abs(reset["now"] - time.time()) <= CLOCK_SKEW


@pytest.mark.parametrize("seconds", [-1, 10 * 366 * 86400], ids=["backwards", "beyond ten years"])
def test_clock_only_moves_forward_and_not_too_far(fresh_idp, fresh_debug, seconds):
    with HTTPSession() as http:
        response = http.post(fresh_idp.url("/debug/clock"), json={"advance_seconds": seconds})
    assert_debug_error(response, "advance_seconds")
    assert fresh_debug.clock()["offset_seconds"] == 0


def test_the_clock_expires_access_tokens_and_refresh_works_until_the_refresh_token_expires(
    fresh_idp, fresh_discovery, fresh_debug
):
    token, _ = code_flow(fresh_discovery, BUDGETIFY)
    assert userinfo(fresh_discovery, token["access_token"]).status_code == 200

    fresh_debug.advance_clock(3600)  # budgetify's access tokens live 3600 s
    response = userinfo(fresh_discovery, token["access_token"])
    assert response.status_code == 401
    assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]
    assert "expired" in response.json()["error_description"]
    assert introspect(fresh_discovery, token["access_token"]) == {"active": False}
    assert fresh_debug.token_entry(token["access_token"])["status"] == "expired"
    assert fresh_debug.token_entry(token["refresh_token"])["status"] == "active"

    # Refresh tokens live 86400 s: a refresh still works near the end of that day.
    fresh_debug.advance_clock(86400 - 3600 - 60)
    with oauth_session(fresh_discovery, BUDGETIFY) as client:
        client.token = token
        refreshed = client.refresh_token()
        assert userinfo(fresh_discovery, refreshed["access_token"]).status_code == 200
        assert fresh_debug.token_entry(token["refresh_token"])["status"] == "used"

        # The new refresh token lives 86400 s from its own issue; past that, refreshing fails.
        fresh_debug.advance_clock(86400)
        assert fresh_debug.token_entry(refreshed["refresh_token"])["status"] == "expired"
        assert oauth_error(lambda: client.refresh_token()).error == "invalid_grant"


def test_codes_expire_on_the_clock(fresh_idp, fresh_discovery, fresh_debug):
    with oauth_session(fresh_discovery, BUDGETIFY) as client:
        request = authorization_request(client, fresh_discovery)
        callback = redirect_parameters(authorize(client, request.url), BUDGETIFY["redirect_uri"])
        fresh_debug.advance_clock(60)  # codes live 60 s
        assert fresh_debug.issued(type="code")["codes"][0]["status"] == "expired"
        error = oauth_error(lambda: client.fetch_token(code=callback["code"], code_verifier=request.code_verifier))
    assert error.error == "invalid_grant"


# --- The request log --------------------------------------------------------------------------------------------------


def test_request_log_shows_why_a_token_request_failed_with_secrets_redacted(fresh_idp, fresh_discovery, fresh_debug):
    secrets = {
        "budgetify-secret",
        "a-made-up-authorization-code",
        "hunter2-wrong",
        "a-made-up-code-verifier-" + "x" * 30,
    }
    with HTTPSession() as http:
        bad_code = http.post(
            fresh_discovery["token_endpoint"],
            data={
                "grant_type": "authorization_code",
                "client_id": "budgetify",
                "client_secret": "budgetify-secret",
                "code": "a-made-up-authorization-code",
                "code_verifier": "a-made-up-code-verifier-" + "x" * 30,
                "redirect_uri": BUDGETIFY["redirect_uri"],
            },
        )
        bad_password = http.post(
            fresh_discovery["token_endpoint"],
            data={"grant_type": "password", "username": "bob", "password": "hunter2-wrong"},
            auth=("budgetify", "budgetify-secret"),
        )
        log = http.get(fresh_idp.url("/debug/requests"))
    assert bad_code.status_code == bad_password.status_code == 400
    assert log.status_code == 200
    for secret in secrets:
        assert secret not in log.text, f"{secret!r} leaked into /debug/requests"

    newest, older = log.json()[:2]  # newest first
    assert (newest["method"], newest["path"], newest["status"]) == ("POST", "/token", 400)
    assert newest["client_id"] == "budgetify", "the client is read from the Basic header"
    assert newest["grant_type"] == "password"
    assert (newest["error"], newest["error_description"]) == (
        bad_password.json()["error"],
        bad_password.json()["error_description"],
    )
    assert newest["parameters"] == {"grant_type": "password", "username": "bob", "password": "[redacted]"}

    assert older["grant_type"] == "authorization_code" and older["client_id"] == "budgetify"
    assert older["error"] == "invalid_grant" == bad_code.json()["error"]
    assert older["error_description"] == bad_code.json()["error_description"]
    for name in ("client_secret", "code", "code_verifier"):
        assert older["parameters"][name] == "[redacted]", name
    assert older["parameters"]["redirect_uri"] == BUDGETIFY["redirect_uri"]
    assert isinstance(older["time"], int)


def test_request_log_records_successes_and_leaves_out_debug_itself(fresh_idp, fresh_discovery, fresh_debug):
    code_flow(fresh_discovery, BUDGETIFY)
    fresh_debug.issued()
    entries = fresh_debug.requests()
    paths = [(entry["method"], entry["path"], entry["status"]) for entry in entries]
    assert ("GET", "/authorize", 302) in paths and ("POST", "/token", 200) in paths
    assert not any(path.startswith("/debug") for _, path, _ in paths)
    token_request = next(entry for entry in entries if entry["path"] == "/token")
    assert token_request.get("error") is None
    assert token_request["parameters"]["code"] == "[redacted]"


# --- Users and clients at runtime -------------------------------------------------------------------------------------

ERIN = {"sub": "erin", "password": "erin-password", "claims": {"name": "Erin Evans", "email": "erin@example.org"}}
SERVICE = {
    "client_id": "svc",
    "client_secret": "svc-secret",
    "grant_types": ["client_credentials", "password"],
    "scopes": ["openid", "email", "transactions:read"],
    "access_token_ttl": 120,
}


def test_runtime_users_and_clients_work_until_the_fixtures_are_reset(fresh_idp, fresh_discovery, fresh_debug):
    assert fresh_debug.add_users(ERIN) == {"added": 1}
    assert fresh_debug.add_clients(SERVICE) == {"added": 1}
    service = dict(SERVICE, audience="svc")

    with oauth_session(fresh_discovery, service, scope="openid email") as client:
        token = client.fetch_token(username="erin", password="erin-password")
    assert token["expires_in"] == 120
    assert userinfo(fresh_discovery, token["access_token"]).json() == {"sub": "erin", "email": "erin@example.org"}
    signed_in, _ = code_flow(fresh_discovery, BUDGETIFY, login_hint="erin")
    assert verify_jwt(signed_in["id_token"], fetch_jwks(fresh_discovery))[1]["name"] == "Erin Evans"

    assert fresh_debug.reset_fixtures() == {"users": 4, "clients": 7}

    with oauth_session(fresh_discovery, service, scope="openid") as client:
        assert oauth_error(lambda: client.fetch_token(grant_type="client_credentials")).error == "invalid_client"
    with oauth_session(fresh_discovery, BUDGETIFY) as client:
        request = authorization_request(client, fresh_discovery, login_hint="erin")
        callback = redirect_parameters(authorize(client, request.url), BUDGETIFY["redirect_uri"])
    assert callback["error"] == "invalid_request" and "erin" in callback["error_description"]


def test_runtime_additions_are_all_or_nothing(fresh_idp, fresh_debug):
    with HTTPSession() as http:
        response = http.post(fresh_idp.url("/debug/users"), json=[ERIN, {"sub": "alice"}])
    body = assert_debug_error(response, "alice", "duplicate", error="invalid_fixture")
    assert body["problems"]
    with oauth_session({"token_endpoint": fresh_idp.url("/token")}, BUDGETIFY, scope="openid") as client:
        error = oauth_error(lambda: client.fetch_token(username="erin", password="erin-password"))
    assert error.error == "invalid_grant", "erin was added although her batch was refused"


@pytest.mark.parametrize(
    ("route", "body", "mentions"),
    [
        ("/debug/users", {"sub": "alice"}, ['field "sub"', "duplicate"]),
        ("/debug/users", {"sub": ""}, ['field "sub"', "empty"]),
        ("/debug/users", {"username": "x"}, ['field "sub"', "required"]),
        ("/debug/users", {"sub": "x", "claims": {"iss": "y"}}, ['field "claims.iss"']),
        ("/debug/users", {"sub": "x", "username": "bob"}, ['field "username"', "duplicate"]),
        ("/debug/users", {"sub": "x", "passwd": "y"}, ['field "passwd"', "unknown field"]),
        ("/debug/users", {"sub": 5}, ['field "sub"', "string"]),
        ("/debug/users", [1], ["expected an object"]),
        (
            "/debug/clients",
            {"client_id": "budgetify", "grant_types": ["client_credentials"], "client_secret": "s"},
            ['field "client_id"', "duplicate"],
        ),
        (
            "/debug/clients",
            {"client_id": "c", "redirect_uris": ["relative/cb"]},
            ['field "redirect_uris[0]"', "absolute"],
        ),
        (
            "/debug/clients",
            {"client_id": "c", "redirect_uris": ["http://localhost/cb#x"]},
            ['field "redirect_uris[0]"', "fragment"],
        ),
        ("/debug/clients", {"client_id": "c"}, ['field "redirect_uris"', "authorization_code"]),
        (
            "/debug/clients",
            {"client_id": "c", "redirect_uris": ["http://localhost/cb"], "grant_types": ["implicit"]},
            ['field "grant_types[0]"', "implicit"],
        ),
        (
            "/debug/clients",
            {"client_id": "c", "redirect_uris": ["http://localhost/cb"], "scopes": ["payments"]},
            ['field "scopes[0]"', "payments"],
        ),
        (
            "/debug/clients",
            {"client_id": "c", "grant_types": ["client_credentials"]},
            ['field "grant_types"', "confidential"],
        ),
        (
            "/debug/clients",
            {"client_id": "c", "client_secret": "s", "grant_types": ["client_credentials"], "access_token_ttl": 0},
            ['field "access_token_ttl"'],
        ),
        (
            "/debug/clients",
            {
                "client_id": "c",
                "client_secret": "s",
                "token_endpoint_auth_method": "none",
                "redirect_uris": ["http://localhost/cb"],
            },
            ['field "token_endpoint_auth_method"'],
        ),
        (
            "/debug/clients",
            {"client_id": "c", "redirect_uris": "http://localhost/cb"},
            ['field "redirect_uris"', "array"],
        ),
    ],
)
def test_runtime_fixtures_are_validated_like_fixture_files(fresh_idp, fresh_debug, route, body, mentions):
    with HTTPSession() as http:
        response = http.post(fresh_idp.url(route), json=body)
    result = assert_debug_error(response, *mentions, error="invalid_fixture")
    assert result["problems"] and all(isinstance(problem, str) for problem in result["problems"])
    assert fresh_debug.reset_fixtures() == {"users": 4, "clients": 7}, "nothing was added"


# --- Key rotation -----------------------------------------------------------------------------------------------------


def test_key_rotation(fresh_idp, fresh_discovery, fresh_debug):
    [original] = [key["kid"] for key in fetch_jwks(fresh_discovery)["keys"]]
    before, _ = code_flow(fresh_discovery, BUDGETIFY)

    rotated = fresh_debug.rotate_keys()
    first = rotated["active_kid"]
    assert first != original
    assert rotated["published_kids"] == [first, original]
    jwks = fetch_jwks(fresh_discovery)
    assert [key["kid"] for key in jwks["keys"]] == [first, original], "the new key comes first; the old stays"
    for key in jwks["keys"]:
        assert key["kty"] == "RSA" and key["alg"] == "RS256" and key["use"] == "sig"
        assert not {"d", "p", "q", "dp", "dq", "qi"} & key.keys()

    # New tokens are signed with the new key; tokens signed before still verify with the old one.
    after, _ = code_flow(fresh_discovery, BUDGETIFY)
    for kind in ("access_token", "id_token"):
        header, _ = verify_jwt(after[kind], jwks)
        assert header["kid"] == first
        assert verify_jwt(before[kind], jwks)[0]["kid"] == original
    assert userinfo(fresh_discovery, after["access_token"]).status_code == 200
    minted = fresh_debug.mint(client_id="reconciler")
    assert verify_jwt(minted["access_token"], jwks)[0]["kid"] == first

    # A second rotation drops the oldest key.
    second = fresh_debug.rotate_keys()["active_kid"]
    jwks = fetch_jwks(fresh_discovery)
    assert [key["kid"] for key in jwks["keys"]] == [second, first]
    assert verify_jwt(after["access_token"], jwks)[0]["kid"] == first
    newest = fresh_debug.mint(client_id="reconciler")
    assert verify_jwt(newest["access_token"], jwks)[0]["kid"] == second
    assert fresh_debug.token_entry(newest["access_token"])["header"]["kid"] == second


# --- Hostile bodies: every POST route answers 400 with a clear message, never 5xx -------------------------------------

POST_ROUTES = {
    # route: (a valid body, an unknown field's body, a wrong type's body and the field it names)
    "/debug/clock": (
        {"advance_seconds": 1},
        {"advance_seconds": 1, "advance": 1},
        ({"advance_seconds": "1"}, "advance_seconds"),
    ),
    "/debug/tokens": (
        {"client_id": "reconciler"},
        {"client_id": "reconciler", "subject": "alice"},
        ({"client_id": ["reconciler"]}, "client_id"),
    ),
    "/debug/next": ({"claims": {"a": 1}}, {"claims": {"a": 1}, "client": "budgetify"}, ({"claims": "a=1"}, "claims")),
    "/debug/users": ({"sub": "erin"}, {"sub": "erin", "name": "Erin"}, ({"sub": "erin", "claims": []}, "claims")),
    "/debug/clients": (
        {"client_id": "c", "redirect_uris": ["http://localhost/cb"]},
        {"client_id": "c", "redirect_uris": ["http://localhost/cb"], "secret": "s"},
        ({"client_id": "c", "redirect_uris": ["http://localhost/cb"], "access_token_ttl": "60"}, "access_token_ttl"),
    ),
    "/debug/keys/rotate": (None, {"algorithm": "ES256"}, None),
}

MALFORMED = {
    "truncated JSON": '{"advance_seconds": ',
    "a form body": "advance_seconds=60&client_id=budgetify",
    "trailing garbage": '{"client_id": "reconciler"} and more',
    "invalid UTF-8": b'{"sub": "\xff\xfe"}',
    "deeply nested": "[" * 5000 + "]" * 5000,
    "a lone string": '"hello"',
}


@pytest.mark.parametrize("route", POST_ROUTES)
@pytest.mark.parametrize("case", MALFORMED)
def test_malformed_bodies_are_refused(fresh_idp, route, case):
    body = MALFORMED[case]
    with HTTPSession() as http:
        response = http.post(fresh_idp.url(route), data=body, headers={"Content-Type": "application/json"})
        assert http.get(fresh_idp.url("/healthz")).status_code == 200
    assert response.status_code == 400, f"{route} answered {response.status_code} to {case}: {response.text[:300]}"
    result = response.json()
    assert result["error"] in ("invalid_request", "invalid_fixture")
    assert isinstance(result["error_description"], str) and result["error_description"]
    if case != "a lone string":
        assert "JSON" in result["error_description"], result


@pytest.mark.parametrize("route", POST_ROUTES)
def test_unknown_fields_are_refused(fresh_idp, route):
    valid, unknown, _ = POST_ROUTES[route]
    extra = sorted(set(unknown) - set(valid or {}))[0]
    with HTTPSession() as http:
        response = http.post(fresh_idp.url(route), json=unknown)
    assert response.status_code == 400, f"{route} accepted the unknown field {extra!r}: {response.text[:300]}"
    assert extra in response.json()["error_description"]
    assert "unknown field" in response.json()["error_description"]


@pytest.mark.parametrize("route", [route for route, (_, _, wrong) in POST_ROUTES.items() if wrong])
def test_wrong_types_are_refused(fresh_idp, route):
    _, _, (body, field) = POST_ROUTES[route]
    with HTTPSession() as http:
        response = http.post(fresh_idp.url(route), json=body)
    assert response.status_code == 400, response.text
    assert field in response.json()["error_description"]


@pytest.mark.parametrize("route", [route for route, (valid, _, _) in POST_ROUTES.items() if valid is not None])
def test_the_valid_bodies_of_these_cases_are_accepted(fresh_idp, route):
    """The refusals above are about the flaw each case adds, not about the body around it."""
    valid, _, _ = POST_ROUTES[route]
    with HTTPSession() as http:
        response = http.post(fresh_idp.url(route), json=valid)
    assert response.status_code in (200, 201), response.text


@pytest.mark.parametrize(
    ("route", "body"),
    [
        ("/debug/tokens", {"client_id": "reconciler", "expires_in": 2**63 - 1}),
        ("/debug/clock", {"advance_seconds": 2**63 - 1}),
        ("/debug/clock", {"advance_seconds": 2**64}),
        ("/debug/next", {"error": "invalid_grant", "status": 2**63 - 1}),
        ("/debug/users", {"sub": "x" * 70000}),
    ],
    ids=["expires_in 2^63-1", "advance 2^63-1", "advance 2^64", "status 2^63-1", "oversized"],
)
def test_huge_numbers_are_refused_not_a_crash(fresh_idp, route, body):
    with HTTPSession() as http:
        try:
            response = http.post(fresh_idp.url(route), json=body)
        except requests.ConnectionError as error:
            raise AssertionError(
                f"POST {route} {str(body)[:80]} dropped the connection (the server crashed?)"
            ) from error
        assert response.status_code in (400, 413), f"{response.status_code}: {response.text[:300]}"
        assert http.get(fresh_idp.url("/healthz")).status_code == 200


def test_a_client_with_a_huge_token_lifetime_is_refused_or_served_never_a_crash(fresh_idp, fresh_discovery):
    """Every lifetime ends up as `now + ttl`: one that cannot be added to the clock must be refused at validation."""
    client = {
        "client_id": "forever",
        "client_secret": "forever-secret",
        "grant_types": ["client_credentials"],
        "access_token_ttl": 2**63 - 1,
    }
    with HTTPSession() as http:
        added = http.post(fresh_idp.url("/debug/clients"), json=client)
        if added.status_code == 400:
            assert "access_token_ttl" in added.json()["error_description"]
            return
        assert added.status_code == 201, added.text
        try:
            response = http.post(
                fresh_discovery["token_endpoint"],
                data={"grant_type": "client_credentials"},
                auth=("forever", "forever-secret"),
            )
        except requests.ConnectionError as error:
            raise AssertionError(
                "a token request for a client with access_token_ttl 2^63-1 crashed the server"
            ) from error
        assert response.status_code < 500, response.text
        assert http.get(fresh_idp.url("/healthz")).status_code == 200


# --- Scripted authorization outcomes ------------------------------------------------------------------------------------


@pytest.mark.parametrize("error", ["access_denied", "login_required", "consent_required", "interaction_required", "server_error"])
def test_a_scripted_authorization_error_reaches_the_client(fresh_idp, fresh_discovery, fresh_debug, error):
    assert fresh_debug.script(endpoint="authorize", client_id=BUDGETIFY["client_id"], error=error, error_description="as scripted") == 1
    with oauth_session(fresh_discovery, BUDGETIFY) as session:
        request = authorization_request(session, fresh_discovery)
        callback = redirect_parameters(authorize(session, request.url), BUDGETIFY["redirect_uri"])
        assert callback == {"error": error, "error_description": "as scripted", "state": request.state, "iss": fresh_idp.issuer}
        # One-shot: the next authorization signs in as usual.
        assert "code" in redirect_parameters(authorize(session, request.url), BUDGETIFY["redirect_uri"])
    assert fresh_debug.pending_scripts() == 0


def test_a_scripted_partial_grant_shows_in_the_token_response_scope(fresh_idp, fresh_discovery, fresh_debug):
    fresh_debug.script(endpoint="authorize", scope="openid email")
    token, _ = code_flow(fresh_discovery, BUDGETIFY, scope="openid profile email")
    assert token["scope"] == "openid email"  # RFC 6749 §3.3: it differs from the request, so it is said
    claims = userinfo(fresh_discovery, token["access_token"]).json()
    assert "email" in claims and "name" not in claims


def test_a_scripted_sign_in_as_another_user(fresh_idp, fresh_discovery, fresh_debug):
    fresh_debug.script(endpoint="authorize", sub="bob")
    token, _ = code_flow(fresh_discovery, BUDGETIFY)
    assert userinfo(fresh_discovery, token["access_token"]).json()["sub"] == "bob"


def test_an_authorization_script_that_could_never_match_is_refused(fresh_idp):
    with HTTPSession() as http:
        response = http.post(fresh_idp.url("/debug/next"), json={"endpoint": "authorize", "client_id": "nobody", "error": "access_denied"})
    assert_debug_error(response, "could never match")
