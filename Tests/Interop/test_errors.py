"""Errors as a real client sees them: error redirects, token endpoint errors, bearer challenges, hostile input.

Every HTTP session here fails the test on any 5xx (oauth_helpers.fail_on_server_error).
"""

from __future__ import annotations

import base64
import urllib.parse

import pytest
from authlib.integrations.requests_client import OAuthError

from conftest import running_mock_idp
from oauth_helpers import (
    BUDGETIFY,
    BUDGETIFY_SPA,
    PLANNER,
    HTTPSession,
    authorization_request,
    authorize,
    oauth_session,
    redirect_parameters,
)

FORM = {"Content-Type": "application/x-www-form-urlencoded"}
VERIFIER = "a-well-formed-code-verifier-that-is-long-enough-0123456789"


def issue_code(discovery: dict, client: dict, **params: str) -> tuple[str, str | None]:
    """Runs the authorization request of `client` with Authlib; returns (code, code_verifier)."""
    with oauth_session(discovery, client) as session:
        request = authorization_request(session, discovery, **params)
        callback = redirect_parameters(authorize(session, request.url), client["redirect_uri"])
    return callback["code"], request.code_verifier


def token_request(http, discovery: dict, body, *, auth=BUDGETIFY, headers=FORM):
    """POSTs `body` to the token endpoint with client_secret_basic for `auth` (None: no Authorization header)."""
    headers = dict(headers)
    if auth is not None:
        headers["Authorization"] = basic(auth["client_id"], auth["client_secret"])
    if isinstance(body, dict):
        body = urllib.parse.urlencode(body)
    return http.post(discovery["token_endpoint"], data=body, headers=headers)


def basic(client_id: str, secret: str) -> str:
    """RFC 6749 §2.3.1 Basic credentials: each part form-urlencoded, then joined and base64-encoded."""
    pair = f"{urllib.parse.quote_plus(client_id)}:{urllib.parse.quote_plus(secret)}"
    return "Basic " + base64.b64encode(pair.encode()).decode()


def assert_oauth_error(response, status: int, error: str) -> dict:
    """RFC 6749 §5.2: a JSON error body with `error` (and here always `error_description`), never cached."""
    assert response.status_code == status, f"{response.status_code}: {response.text}"
    assert response.headers["Content-Type"].startswith("application/json")
    assert response.headers["Cache-Control"] == "no-store"
    body = response.json()
    assert body["error"] == error, body
    assert isinstance(body.get("error_description"), str)
    return body


def assert_error_page(response) -> None:
    """RFC 6749 §4.1.2.1: the user sees an error page; the browser is sent nowhere."""
    assert response.status_code == 400, f"{response.status_code}: {response.headers}"
    assert "Location" not in response.headers
    assert response.headers["Content-Type"].startswith("text/html")


# --- Authorization endpoint: errors shown to the user, never redirected ----------------------------------------------


def authorize_params(**overrides: str | None) -> dict:
    params = {
        "client_id": BUDGETIFY["client_id"],
        "redirect_uri": BUDGETIFY["redirect_uri"],
        "response_type": "code",
        "scope": "openid",
        "state": "st-123",
    }
    params.update(overrides)
    return {name: value for name, value in params.items() if value is not None}


def test_unknown_client_gets_an_error_page(http, discovery):
    response = http.get(
        discovery["authorization_endpoint"], params=authorize_params(client_id="nobody"), allow_redirects=False
    )
    assert_error_page(response)
    assert "nobody" in response.text


def test_missing_client_id_gets_an_error_page(http, discovery):
    response = http.get(
        discovery["authorization_endpoint"], params=authorize_params(client_id=None), allow_redirects=False
    )
    assert_error_page(response)


@pytest.mark.parametrize(
    "redirect_uri",
    [
        "http://evil.example/callback",
        "http://localhost:3000/callback/",
        "http://localhost:3000/callback?next=/",
        "http://localhost:3000/callback#x",
        "http://LOCALHOST:3000/callback",
        "http://localhost:3001/callback",
        "http://localhost:5173/callback",  # budgetify-spa's, not budgetify's
    ],
)
def test_unregistered_redirect_uri_gets_an_error_page(http, discovery, redirect_uri):
    """RFC 9700 §2.1: redirect URIs match by exact string comparison."""
    response = http.get(
        discovery["authorization_endpoint"], params=authorize_params(redirect_uri=redirect_uri), allow_redirects=False
    )
    assert_error_page(response)


def test_missing_redirect_uri_with_several_registered_gets_an_error_page(http, discovery):
    """RFC 6749 §3.1.2.3: budgetify registers two redirect URIs, so the request must name one."""
    response = http.get(
        discovery["authorization_endpoint"], params=authorize_params(redirect_uri=None), allow_redirects=False
    )
    assert_error_page(response)


@pytest.mark.parametrize("name", ["client_id", "redirect_uri"])
def test_duplicated_client_id_or_redirect_uri_gets_an_error_page(http, discovery, name):
    query = urllib.parse.urlencode(authorize_params()) + "&" + urllib.parse.urlencode({name: authorize_params()[name]})
    response = http.get(discovery["authorization_endpoint"] + "?" + query, allow_redirects=False)
    assert_error_page(response)


@pytest.mark.parametrize("bad", ["%FF%FE", "%C3%28", "%ZZ", "%4"])
def test_invalid_percent_encoding_in_the_authorization_request(http, discovery, bad):
    response = http.get(discovery["authorization_endpoint"] + "?client_id=" + bad, allow_redirects=False)
    assert_error_page(response)
    response = http.post(
        discovery["authorization_endpoint"],
        data="client_id=budgetify&state=" + bad,
        headers=FORM,
        allow_redirects=False,
    )
    assert_error_page(response)


# --- Authorization endpoint: errors redirected to the client with state and iss -------------------------------------


def error_redirect(http, discovery, mock_idp, client: dict = BUDGETIFY, mode: str = "query", **params: str | None):
    """The parameters of an error redirect; checks RFC 6749 §4.1.2.1 state and RFC 9207 iss."""
    params = authorize_params(client_id=client["client_id"], redirect_uri=client["redirect_uri"], **params)
    response = http.get(discovery["authorization_endpoint"], params=params, allow_redirects=False)
    callback = redirect_parameters(response, client["redirect_uri"], mode=mode)
    assert "code" not in callback
    assert callback["iss"] == mock_idp.issuer
    if "state" in params:
        assert callback["state"] == params["state"]
    else:
        assert "state" not in callback
    assert callback["error_description"]
    return callback


def test_public_client_without_pkce_gets_invalid_request(http, discovery, mock_idp):
    """RFC 9700 §2.1.1: budgetify-spa must send an S256 code_challenge."""
    callback = error_redirect(http, discovery, mock_idp, client=BUDGETIFY_SPA)
    assert callback["error"] == "invalid_request"


def test_public_client_with_plain_pkce_gets_invalid_request(http, discovery, mock_idp):
    callback = error_redirect(
        http, discovery, mock_idp, client=BUDGETIFY_SPA, code_challenge=VERIFIER, code_challenge_method="plain"
    )
    assert callback["error"] == "invalid_request"


def test_public_client_without_pkce_through_authlib(mock_idp, discovery):
    """The same, as an Authlib client that forgot its code_verifier sees it."""
    with oauth_session(discovery, BUDGETIFY_SPA) as client:
        request = authorization_request(client, discovery, pkce=False)
        callback = redirect_parameters(authorize(client, request.url), BUDGETIFY_SPA["redirect_uri"])
    assert callback["error"] == "invalid_request"
    assert callback["state"] == request.state
    assert callback["iss"] == mock_idp.issuer


@pytest.mark.parametrize(
    ("params", "error"),
    [
        ({"response_type": "token"}, "unsupported_response_type"),
        ({"response_type": None}, "invalid_request"),
        ({"scope": "openid calendar.read"}, "invalid_scope"),  # defined, but not budgetify's
        ({"scope": "openid no-such-scope"}, "invalid_scope"),
        ({"login_hint": "mallory"}, "invalid_request"),
        ({"code_challenge": "too-short"}, "invalid_request"),
        ({"code_challenge": VERIFIER, "code_challenge_method": "S512"}, "invalid_request"),
        ({"code_challenge_method": "S256"}, "invalid_request"),
        ({"prompt": "none login"}, "invalid_request"),
        ({"request": "eyJhbGciOiJub25lIn0.e30."}, "request_not_supported"),
        ({"request_uri": "https://client.example/request.jwt"}, "request_uri_not_supported"),
        ({"response_mode": "web_message"}, "invalid_request"),
    ],
)
def test_invalid_authorization_requests_redirect_with_an_error(http, discovery, mock_idp, params, error):
    assert error_redirect(http, discovery, mock_idp, **params)["error"] == error


def test_error_redirect_without_state(http, discovery, mock_idp):
    assert (
        error_redirect(http, discovery, mock_idp, state=None, response_type="token")["error"]
        == "unsupported_response_type"
    )


def test_error_redirect_honours_response_mode_fragment(http, discovery, mock_idp):
    callback = error_redirect(http, discovery, mock_idp, mode="fragment", response_mode="fragment", scope="nope")
    assert callback["error"] == "invalid_scope"


def test_duplicated_parameter_redirects_invalid_request(http, discovery, mock_idp):
    query = urllib.parse.urlencode(authorize_params()) + "&scope=profile"
    response = http.get(discovery["authorization_endpoint"] + "?" + query, allow_redirects=False)
    callback = redirect_parameters(response, BUDGETIFY["redirect_uri"])
    assert callback["error"] == "invalid_request"
    assert callback["state"] == "st-123" and callback["iss"] == mock_idp.issuer


# --- Token endpoint ---------------------------------------------------------------------------------------------------


def test_code_replay_is_refused_and_revokes_the_tokens_issued_from_it(mock_idp, http, discovery):
    """RFC 6749 §4.1.2: a code used twice is refused, and the tokens issued from it SHOULD be revoked."""
    with oauth_session(discovery, BUDGETIFY) as client:
        request = authorization_request(client, discovery)
        callback = redirect_parameters(authorize(client, request.url), BUDGETIFY["redirect_uri"])
        first = client.fetch_token(code=callback["code"], code_verifier=request.code_verifier)
        assert client.get(discovery["userinfo_endpoint"]).status_code == 200

        with pytest.raises(OAuthError) as replay:
            client.fetch_token(code=callback["code"], code_verifier=request.code_verifier)
        assert replay.value.error == "invalid_grant"

    response = http.get(discovery["userinfo_endpoint"], headers={"Authorization": f"Bearer {first['access_token']}"})
    assert response.status_code == 401
    assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]


def test_code_replay_as_raw_http(http, discovery):
    code, verifier = issue_code(discovery, BUDGETIFY)
    body = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": BUDGETIFY["redirect_uri"],
        "code_verifier": verifier,
    }
    assert token_request(http, discovery, body).status_code == 200
    assert_oauth_error(token_request(http, discovery, body), 400, "invalid_grant")


def redeem_with_authlib(discovery: dict, client: dict, code: str, auth_method: str | None = None, **params):
    with oauth_session(discovery, client, token_endpoint_auth_method=auth_method) as session:
        with pytest.raises(OAuthError) as failure:
            session.fetch_token(code=code, **params)
    return failure.value


def test_wrong_pkce_verifier(discovery):
    code, _ = issue_code(discovery, BUDGETIFY)
    assert redeem_with_authlib(discovery, BUDGETIFY, code, code_verifier=VERIFIER).error == "invalid_grant"


def test_malformed_pkce_verifier(discovery):
    code, _ = issue_code(discovery, BUDGETIFY)
    assert redeem_with_authlib(discovery, BUDGETIFY, code, code_verifier="short").error == "invalid_grant"


def test_missing_pkce_verifier(discovery):
    code, _ = issue_code(discovery, BUDGETIFY)
    assert redeem_with_authlib(discovery, BUDGETIFY, code).error == "invalid_grant"


def test_public_client_with_the_wrong_verifier(discovery):
    code, _ = issue_code(discovery, BUDGETIFY_SPA)
    assert redeem_with_authlib(discovery, BUDGETIFY_SPA, code, code_verifier=VERIFIER).error == "invalid_grant"


def test_verifier_for_a_code_issued_without_a_challenge(discovery):
    """RFC 9700 §2.1.1: a code_verifier for a code issued without code_challenge is refused (PKCE downgrade)."""
    with oauth_session(discovery, BUDGETIFY, code_challenge_method=None) as client:
        request = authorization_request(client, discovery, pkce=False)
        callback = redirect_parameters(authorize(client, request.url), BUDGETIFY["redirect_uri"])
    assert redeem_with_authlib(discovery, BUDGETIFY, callback["code"], code_verifier=VERIFIER).error == "invalid_grant"


def test_code_issued_to_another_client(discovery):
    code, verifier = issue_code(discovery, BUDGETIFY)
    failure = redeem_with_authlib(discovery, PLANNER, code, auth_method="client_secret_post", code_verifier=verifier)
    assert failure.error == "invalid_grant"


def test_redirect_uri_must_match_the_authorization_request(http, discovery):
    code, verifier = issue_code(discovery, BUDGETIFY)
    body = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": "http://127.0.0.1:3000/callback",
        "code_verifier": verifier,
    }
    assert_oauth_error(token_request(http, discovery, body), 400, "invalid_grant")


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ({"grant_type": "authorization_code", "code": "no-such-code"}, "invalid_grant"),
        ({"grant_type": "authorization_code"}, "invalid_request"),
        ({"code": "abc"}, "invalid_request"),
        ({"grant_type": "urn:example:no-such-grant", "code": "abc"}, "unsupported_grant_type"),
        ({}, "invalid_request"),
    ],
)
def test_bad_token_requests(http, discovery, body, error):
    assert_oauth_error(token_request(http, discovery, body), 400, error)


@pytest.mark.parametrize(
    ("authorization", "body"),
    [
        pytest.param(basic("budgetify", "wrong-secret"), {}, id="basic-wrong-secret"),
        pytest.param(basic("budgetify", ""), {}, id="basic-empty-secret"),
        pytest.param(basic("nobody", "x"), {}, id="basic-unknown-client"),
        pytest.param(basic("planner", "planner-secret"), {}, id="basic-for-a-post-only-client"),
        pytest.param(None, {"client_id": "budgetify", "client_secret": "wrong-secret"}, id="post-wrong-secret"),
        pytest.param(None, {"client_id": "budgetify"}, id="confidential-client-without-secret"),
        pytest.param(None, {"client_id": "budgetify-spa", "client_secret": "guess"}, id="public-client-with-secret"),
        pytest.param(None, {"client_id": "nobody"}, id="post-unknown-client"),
        pytest.param(None, {}, id="no-client-authentication"),
    ],
)
def test_failed_client_authentication_is_401_invalid_client(http, discovery, authorization, body):
    """RFC 6749 §5.2: invalid_client is 401 with a WWW-Authenticate challenge."""
    code, verifier = issue_code(discovery, BUDGETIFY)
    body = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": BUDGETIFY["redirect_uri"],
        "code_verifier": verifier,
        **body,
    }
    headers = dict(FORM)
    if authorization:
        headers["Authorization"] = authorization
    response = token_request(http, discovery, body, auth=None, headers=headers)
    assert_oauth_error(response, 401, "invalid_client")
    assert response.headers["WWW-Authenticate"].lower().startswith("basic")


def test_wrong_secret_through_authlib(discovery):
    code, verifier = issue_code(discovery, BUDGETIFY)
    client = dict(BUDGETIFY, client_secret="wrong-secret")
    for method in ("client_secret_basic", "client_secret_post"):
        with oauth_session(discovery, client, token_endpoint_auth_method=method) as session:
            with pytest.raises(OAuthError) as failure:
                session.fetch_token(code=code, code_verifier=verifier)
        assert failure.value.error == "invalid_client", method


def test_two_client_authentication_methods_at_once(http, discovery):
    """RFC 6749 §2.3: a client MUST NOT use more than one authentication method in a request."""
    code, verifier = issue_code(discovery, BUDGETIFY)
    body = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": BUDGETIFY["redirect_uri"],
        "code_verifier": verifier,
        "client_secret": "budgetify-secret",
    }
    assert_oauth_error(token_request(http, discovery, body), 400, "invalid_request")


@pytest.mark.parametrize("name", ["code", "grant_type", "code_verifier", "redirect_uri", "client_id"])
def test_duplicated_token_parameter(http, discovery, name):
    """RFC 6749 §3.2: request parameters MUST NOT be included more than once."""
    code, verifier = issue_code(discovery, BUDGETIFY)
    body = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": BUDGETIFY["redirect_uri"],
        "code_verifier": verifier,
        "client_id": "budgetify",
    }
    encoded = urllib.parse.urlencode(body) + "&" + urllib.parse.urlencode({name: body[name]})
    assert_oauth_error(token_request(http, discovery, encoded), 400, "invalid_request")


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("application/json", '{"grant_type": "authorization_code", "code": "abc"}'),
        ("text/plain", "grant_type=authorization_code&code=abc"),
        (
            "multipart/form-data; boundary=x",
            '--x\r\nContent-Disposition: form-data; name="grant_type"\r\n\r\nauthorization_code\r\n--x--\r\n',
        ),
        (None, "grant_type=authorization_code&code=abc"),
    ],
)
def test_wrong_content_type(http, discovery, content_type, body):
    headers = {"Content-Type": content_type} if content_type else {}
    response = token_request(http, discovery, body, headers=headers)
    assert_oauth_error(response, 400, "invalid_request")


@pytest.mark.parametrize("bad", ["%FF%FE", "%C3%28", "%ED%A0%80", "%ZZ", "%4", "abc%"])
def test_invalid_percent_encoding_at_the_token_endpoint(http, discovery, bad):
    assert_oauth_error(
        token_request(http, discovery, "grant_type=authorization_code&code=" + bad), 400, "invalid_request"
    )


def test_token_endpoint_takes_post_only(http, discovery):
    response = http.get(discovery["token_endpoint"])
    assert response.status_code == 405
    assert response.headers["Allow"] == "POST"


MAX_BODY = 64 * 1024


def form_body_of_size(size: int) -> str:
    """A well-formed token request body of exactly `size` bytes, padded in the code's value."""
    prefix = "grant_type=authorization_code&code="
    return prefix + "x" * (size - len(prefix))


@pytest.mark.parametrize(
    ("path", "size"),
    [("/token", 1024 * 1024), ("/authorize", 1024 * 1024), ("/userinfo", 1024 * 1024), ("/token", MAX_BODY + 1)],
    ids=["token-1MiB", "authorize-1MiB", "userinfo-1MiB", "token-64KiB+1"],
)
def test_a_body_over_64_kib_is_413(tmp_path, path, size):
    """A server of its own, so that a crash on a large body fails this test alone."""
    with running_mock_idp(cwd=tmp_path) as idp, HTTPSession() as http:
        response = http.post(idp.url(path), data=form_body_of_size(size), headers=FORM, allow_redirects=False)
        if path == "/authorize":
            # The authorization endpoint is a page a browser opens: its errors are shown to the user (RFC 6749 §4.1.2.1).
            assert response.status_code == 413
            assert response.headers["Content-Type"].startswith("text/html")
            assert "Location" not in response.headers
        else:
            assert_oauth_error(response, 413, "invalid_request")
        # The server still answers afterwards, on the same connection pool.
        assert http.get(idp.url("/healthz")).status_code == 200


def test_a_body_of_exactly_64_kib_is_read(http, discovery):
    response = token_request(http, discovery, form_body_of_size(MAX_BODY))
    assert_oauth_error(response, 400, "invalid_grant")  # read and parsed: the code is unknown


GARBAGE_AUTHORIZATION = [
    "Basic",
    "Basic ",
    "Basic !!!not-base64!!!",
    "Basic " + base64.b64encode(b"no-colon").decode(),
    "Basic " + base64.b64encode(b"\xff\xfe:\x00").decode(),
    "Basic " + base64.b64encode(b"budgetify:%ZZ").decode(),
    "Basic " + "A" * 6000,
    "Bearer abc",
    'Digest username="budgetify"',
    "basic",
    ":",
    "\u00e9\u00e8",
]


@pytest.mark.parametrize("authorization", GARBAGE_AUTHORIZATION)
def test_garbage_authorization_header_at_the_token_endpoint(http, discovery, authorization):
    headers = {**FORM, "Authorization": authorization.encode("utf-8")}
    response = token_request(
        http, discovery, {"grant_type": "authorization_code", "code": "abc"}, auth=None, headers=headers
    )
    assert_oauth_error(response, 401, "invalid_client")
    assert "WWW-Authenticate" in response.headers


# --- UserInfo endpoint (RFC 6750) -------------------------------------------------------------------------------------


def access_token_for(discovery: dict, client: dict = BUDGETIFY, scope: str = "openid profile email") -> dict:
    with oauth_session(discovery, client, scope=scope) as session:
        request = authorization_request(session, discovery)
        callback = redirect_parameters(authorize(session, request.url), client["redirect_uri"])
        return session.fetch_token(code=callback["code"], code_verifier=request.code_verifier)


def test_userinfo_without_a_token(http, discovery):
    """RFC 6750 §3.1: without any authentication, the challenge carries no error code."""
    for response in (http.get(discovery["userinfo_endpoint"]), http.post(discovery["userinfo_endpoint"])):
        assert response.status_code == 401
        assert response.headers["WWW-Authenticate"] == 'Bearer realm="mock-idp"'


def test_userinfo_without_a_token_reports_no_error_code_in_the_body(http, discovery):
    """RFC 6750 §3.1: "the resource server SHOULD NOT include an error code or other error information"."""
    response = http.get(discovery["userinfo_endpoint"])
    assert response.status_code == 401
    if response.content:
        assert "error" not in response.json(), response.text


@pytest.mark.parametrize(
    "token",
    ["garbage", "eyJhbGciOiJub25lIn0.eyJzdWIiOiJhbGljZSJ9.", "a" * 5000],
)
def test_userinfo_with_an_invalid_token(http, discovery, token):
    response = http.get(discovery["userinfo_endpoint"], headers={"Authorization": f"Bearer {token}"})
    assert_oauth_error(response, 401, "invalid_token")
    assert response.headers["WWW-Authenticate"].startswith('Bearer realm="mock-idp", error="invalid_token"')


def test_userinfo_with_a_tampered_access_token(http, discovery):
    token = access_token_for(discovery)["access_token"]
    header, payload, signature = token.split(".")
    tampered = f"{header}.{payload}.{signature[:-4]}{'AAAA' if signature[-4:] != 'AAAA' else 'BBBB'}"
    response = http.get(discovery["userinfo_endpoint"], headers={"Authorization": f"Bearer {tampered}"})
    assert_oauth_error(response, 401, "invalid_token")


def test_userinfo_refuses_an_id_token(http, discovery):
    token = access_token_for(discovery)
    response = http.get(discovery["userinfo_endpoint"], headers={"Authorization": f"Bearer {token['id_token']}"})
    assert_oauth_error(response, 401, "invalid_token")


def test_userinfo_needs_the_openid_scope(http, discovery):
    """OIDC Core §5.3: a token without openid is not for UserInfo; RFC 6750 §3.1 insufficient_scope is 403."""
    token = access_token_for(discovery, scope="transactions:read")
    assert "id_token" not in token
    response = http.get(discovery["userinfo_endpoint"], headers={"Authorization": f"Bearer {token['access_token']}"})
    assert_oauth_error(response, 403, "insufficient_scope")
    assert 'error="insufficient_scope"' in response.headers["WWW-Authenticate"]


def test_userinfo_token_in_header_and_body(http, discovery):
    """RFC 6750 §2: clients MUST NOT use more than one method to transmit the token."""
    token = access_token_for(discovery)["access_token"]
    response = http.post(
        discovery["userinfo_endpoint"], data={"access_token": token}, headers={"Authorization": f"Bearer {token}"}
    )
    assert_oauth_error(response, 400, "invalid_request")


@pytest.mark.parametrize(
    "authorization", ["Bearer", "Bearer ", "Basic abc", "Token abc", "bearer", "Bearer a b", ":", "\u00e9"]
)
def test_garbage_authorization_header_at_userinfo(http, discovery, authorization):
    response = http.get(discovery["userinfo_endpoint"], headers={"Authorization": authorization.encode("utf-8")})
    assert response.status_code in (400, 401), response.text
    challenge = response.headers["WWW-Authenticate"]
    assert challenge.startswith('Bearer realm="mock-idp", error="')
    assert_oauth_error(
        response, response.status_code, "invalid_request" if response.status_code == 400 else "invalid_token"
    )


# --- Anything else ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("PUT", "/token"),
        ("DELETE", "/authorize"),
        ("PATCH", "/userinfo"),
        ("POST", "/jwks"),
        ("POST", "/.well-known/openid-configuration"),
        ("GET", "/no-such-endpoint"),
        ("GET", "/authorize/../token"),
        ("GET", "/%00"),
        ("GET", "/authorize?" + "&".join(f"p{i}=v" for i in range(300))),
        ("GET", "/authorize?" + "x" * 8000),
        ("HEAD", "/authorize"),
        ("OPTIONS", "/token"),
    ],
)
def test_odd_requests_never_get_a_5xx(mock_idp, http, method, path):
    response = http.request(method, mock_idp.url(path), allow_redirects=False)
    # OPTIONS on a CORS path answers 204 with Allow (RFC 9110 §9.3.7).
    assert 400 <= response.status_code < 500 or response.status_code in (200, 204, 302), response.status_code
