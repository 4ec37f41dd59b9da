"""CORS (the Fetch standard) header rules, as plain HTTP requests see them; test_cors_browser.py shows a real browser
enforcing them.

budgetify-spa registers no allowed_origins, so it allows the origins of its redirect URIs (http://localhost:5173 and
http://127.0.0.1:5173); budgetify allows http://localhost:3000 and http://127.0.0.1:3000.
"""

from __future__ import annotations

import pytest

from conftest import running_mock_idp
from oauth_helpers import (
    BUDGETIFY,
    BUDGETIFY_SPA,
    DebugAPI,
    HTTPSession,
    authorization_request,
    authorize,
    oauth_session,
    redirect_parameters,
)

SPA_ORIGIN = "http://localhost:5173"
EVIL_ORIGIN = "https://evil.example"
CORS_HEADERS = [
    "Access-Control-Allow-Origin",
    "Access-Control-Allow-Methods",
    "Access-Control-Allow-Headers",
    "Access-Control-Max-Age",
    "Access-Control-Expose-Headers",
    "Access-Control-Allow-Credentials",
]


def preflight(http: HTTPSession, url: str, origin: str, method: str = "POST", headers: str = "authorization, content-type"):
    return http.options(
        url,
        headers={"Origin": origin, "Access-Control-Request-Method": method, "Access-Control-Request-Headers": headers},
    )


def assert_no_cors(response) -> None:
    present = {name: response.headers[name] for name in CORS_HEADERS if name in response.headers}
    assert not present, present


def assert_allowed(response, origin: str) -> None:
    assert response.headers["Access-Control-Allow-Origin"] == origin
    assert "Origin" in response.headers["Vary"]
    assert response.headers["Access-Control-Expose-Headers"] == "WWW-Authenticate"


def spa_tokens(discovery: dict, origin: str | None) -> dict:
    """budgetify-spa's code flow with PKCE; the token request sent from `origin` (no Origin header when None)."""
    with oauth_session(discovery, BUDGETIFY_SPA, scope="openid profile offline_access") as session:
        request = authorization_request(session, discovery)
        callback = redirect_parameters(authorize(session, request.url), BUDGETIFY_SPA["redirect_uri"])
    with HTTPSession() as http:
        response = http.post(
            discovery["token_endpoint"],
            data={
                "grant_type": "authorization_code",
                "client_id": "budgetify-spa",
                "code": callback["code"],
                "redirect_uri": BUDGETIFY_SPA["redirect_uri"],
                "code_verifier": request.code_verifier,
            },
            headers={"Origin": origin} if origin else {},
        )
    assert response.status_code == 200, response.text
    return {"response": response, **response.json()}


@pytest.mark.parametrize(
    "path, methods", [("/token", "POST"), ("/userinfo", "GET, POST"), ("/revoke", "POST"), ("/introspect", "POST")]
)
def test_preflight_from_an_allowed_origin(mock_idp, http, path, methods):
    response = preflight(http, mock_idp.url(path), SPA_ORIGIN, headers="authorization, content-type, dpop")
    assert response.status_code == 204
    assert response.headers["Access-Control-Allow-Origin"] == SPA_ORIGIN
    assert response.headers["Access-Control-Allow-Methods"] == methods
    allowed = {name.strip().lower() for name in response.headers["Access-Control-Allow-Headers"].split(",")}
    assert {"authorization", "content-type", "dpop"} <= allowed
    assert int(response.headers["Access-Control-Max-Age"]) > 0
    assert response.headers["Vary"] == "Origin"
    assert "Access-Control-Allow-Credentials" not in response.headers


def test_preflight_from_an_origin_no_client_allows(mock_idp, http):
    response = preflight(http, mock_idp.url("/token"), EVIL_ORIGIN)
    assert response.status_code == 403
    assert_no_cors(response)
    assert "not allowed by any client" in response.json()["error_description"]


def test_actual_responses_carry_the_origin_and_expose_www_authenticate(mock_idp, discovery, http):
    tokens = spa_tokens(discovery, SPA_ORIGIN)
    assert_allowed(tokens["response"], SPA_ORIGIN)

    response = http.get(
        discovery["userinfo_endpoint"], headers={"Origin": SPA_ORIGIN, "Authorization": f"Bearer {tokens['access_token']}"}
    )
    assert response.status_code == 200 and response.json()["sub"] == "alice"
    assert_allowed(response, SPA_ORIGIN)

    # A 401 with its challenge: the page may read WWW-Authenticate.
    response = http.get(discovery["userinfo_endpoint"], headers={"Origin": SPA_ORIGIN, "Authorization": "Bearer nope"})
    assert response.status_code == 401 and 'error="invalid_token"' in response.headers["WWW-Authenticate"]
    assert_allowed(response, SPA_ORIGIN)

    response = http.post(
        discovery["revocation_endpoint"],
        data={"client_id": "budgetify-spa", "token": tokens["refresh_token"]},
        headers={"Origin": SPA_ORIGIN},
    )
    assert response.status_code == 200
    assert_allowed(response, SPA_ORIGIN)


def test_a_disallowed_origin_gets_no_cors_headers_but_the_answer(mock_idp, discovery):
    tokens = spa_tokens(discovery, EVIL_ORIGIN)
    assert tokens["access_token"] and tokens["token_type"] == "Bearer"
    assert_no_cors(tokens["response"])


def test_the_response_is_checked_against_the_client_it_is_for(mock_idp, discovery, http):
    # localhost:5173 is budgetify-spa's origin, not budgetify's: no wildcard echo for another client's page.
    form = {"grant_type": "client_credentials", "scope": "transactions:read"}
    auth = (BUDGETIFY["client_id"], BUDGETIFY["client_secret"])
    response = http.post(discovery["token_endpoint"], data=form, auth=auth, headers={"Origin": SPA_ORIGIN})
    assert response.status_code == 200
    assert_no_cors(response)
    response = http.post(discovery["token_endpoint"], data=form, auth=auth, headers={"Origin": "http://127.0.0.1:3000"})
    assert_allowed(response, "http://127.0.0.1:3000")


def test_an_unknown_client_is_answered_for_the_origins_any_client_allows(mock_idp, discovery, http):
    data = {"grant_type": "refresh_token", "client_id": "nobody", "refresh_token": "x"}
    response = http.post(discovery["token_endpoint"], data=data, headers={"Origin": SPA_ORIGIN})
    assert response.status_code == 401 and response.json()["error"] == "invalid_client"
    assert_allowed(response, SPA_ORIGIN)
    response = http.post(discovery["token_endpoint"], data=data, headers={"Origin": EVIL_ORIGIN})
    assert_no_cors(response)


@pytest.mark.parametrize(
    "path", ["/.well-known/openid-configuration", "/.well-known/oauth-authorization-server", "/jwks"]
)
def test_discovery_and_jwks_answer_any_origin(mock_idp, http, path):
    response = http.get(mock_idp.url(path), headers={"Origin": EVIL_ORIGIN})
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    response = preflight(http, mock_idp.url(path), EVIL_ORIGIN, method="GET")
    assert response.status_code == 204 and response.headers["Access-Control-Allow-Origin"] == "*"


def test_debug_json_answers_only_origins_a_client_allows(mock_idp, http):
    response = http.get(mock_idp.url("/debug/requests"), headers={"Origin": SPA_ORIGIN})
    assert_allowed(response, SPA_ORIGIN)
    response = http.get(mock_idp.url("/debug/requests"), headers={"Origin": EVIL_ORIGIN})
    assert response.status_code == 200
    assert_no_cors(response)


def test_no_origin_no_cors_headers(mock_idp, discovery, http):
    assert_no_cors(spa_tokens(discovery, None)["response"])
    response = http.get(
        discovery["authorization_endpoint"],
        params={"response_type": "code", "client_id": "budgetify", "redirect_uri": BUDGETIFY["redirect_uri"]},
        headers={"Origin": SPA_ORIGIN},
        allow_redirects=False,
    )
    assert response.status_code == 302
    assert_no_cors(response)  # the authorization endpoint is a navigation, not a fetch


@pytest.mark.parametrize("origin", ["evil", "http://a.example/", "http://a.example/path", "http://a:99999", "http://a, http://b"])
def test_a_malformed_origin_is_a_clear_400(mock_idp, http, origin):
    for response in (
        preflight(http, mock_idp.url("/token"), origin),
        http.post(mock_idp.url("/token"), data={"grant_type": "client_credentials"}, headers={"Origin": origin}),
    ):
        assert response.status_code == 400
        assert response.json()["error"] == "invalid_request"
        assert "malformed Origin header" in response.json()["error_description"]
        assert_no_cors(response)


def test_a_runtime_client_brings_its_origins(fresh_idp, http):
    origin = "http://localhost:9000"
    assert preflight(http, fresh_idp.url("/token"), origin).status_code == 403
    with DebugAPI(fresh_idp.issuer) as debug:
        debug.add_clients({"client_id": "cli", "redirect_uris": ["http://localhost:9000/cb"]})
        assert preflight(http, fresh_idp.url("/token"), origin).status_code == 204
        debug.reset_fixtures()
    assert preflight(http, fresh_idp.url("/token"), origin).status_code == 403


def test_invalid_allowed_origins_stop_the_server_naming_file_entry_and_field(tmp_path):
    fixtures = tmp_path / "fixtures"
    fixtures.mkdir()
    (fixtures / "clients.json").write_text(
        '[{"client_id": "spa", "redirect_uris": ["http://localhost:5173/cb"], '
        '"allowed_origins": ["http://localhost:5173/", "*"]}]'
    )
    with pytest.raises(RuntimeError) as error:
        with running_mock_idp("--fixtures", str(fixtures), cwd=tmp_path):
            pass
    message = str(error.value)
    assert "exited with code 2" in message
    assert 'clients.json, index 0 (client_id "spa"), field "allowed_origins[0]"' in message
    assert "ends with a slash" in message
    assert 'field "allowed_origins[1]"' in message

