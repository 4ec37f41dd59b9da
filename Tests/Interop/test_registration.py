"""Dynamic Client Registration (RFC 7591) and client management (RFC 7592) against the binary: a client registers
from the discovered registration_endpoint, then Authlib runs its code flow with the credentials it got back."""

from __future__ import annotations

from conftest import metadata, running_mock_idp
from oauth_helpers import HTTPSession, check_id_token, code_flow, fetch_jwks, userinfo


def register(discovery: dict, body: dict, **headers: str) -> dict:
    with HTTPSession() as http:
        response = http.post(discovery["registration_endpoint"], json=body, headers=headers)
    assert response.status_code == 201, response.text
    assert response.headers["Cache-Control"] == "no-store"
    return response.json()


def test_a_registered_confidential_client_signs_a_user_in(fresh_idp, fresh_discovery):
    """The registration response's client_id and client_secret (client_secret_basic by default) work at once."""
    redirect = "http://localhost:3000/registered/callback"
    info = register(fresh_discovery, {"redirect_uris": [redirect], "client_name": "Budgetify (registered)", "scope": "openid profile email"})
    assert info["client_secret_expires_at"] == 0
    assert info["token_endpoint_auth_method"] == "client_secret_basic"
    client = {"client_id": info["client_id"], "client_secret": info["client_secret"], "redirect_uri": redirect}
    token, request = code_flow(fresh_discovery, client)
    claims = check_id_token(
        token["id_token"], fetch_jwks(fresh_discovery), issuer=fresh_idp.issuer, client=client, nonce=request.nonce,
        access_token=token["access_token"],
    )
    assert claims["aud"] == info["client_id"]
    assert userinfo(fresh_discovery, token["access_token"]).status_code == 200


def test_a_registered_public_client_uses_pkce(fresh_discovery):
    """token_endpoint_auth_method none gives no secret; the flow runs with PKCE S256, as an MCP client's does."""
    redirect = "http://127.0.0.1:33418/callback"
    info = register(fresh_discovery, {
        "redirect_uris": [redirect], "token_endpoint_auth_method": "none", "grant_types": ["authorization_code", "refresh_token"],
        "client_name": "An MCP client",
    })
    assert "client_secret" not in info
    token, _ = code_flow(fresh_discovery, {"client_id": info["client_id"], "redirect_uri": redirect}, scope="openid offline_access")
    assert token["refresh_token"]


def test_the_registration_access_token_reads_updates_and_deletes(fresh_discovery, http):
    info = register(fresh_discovery, {"redirect_uris": ["https://a.example/cb"], "client_name": "A"})
    bearer = {"Authorization": "Bearer " + info["registration_access_token"]}
    uri = info["registration_client_uri"]
    assert http.get(uri, headers=bearer).json()["client_name"] == "A"
    update = {"client_id": info["client_id"], "redirect_uris": ["https://b.example/cb"], "client_name": "B"}
    updated = http.put(uri, json=update, headers=bearer)
    assert updated.status_code == 200, updated.text
    assert updated.json()["redirect_uris"] == ["https://b.example/cb"]
    wrong = http.get(uri, headers={"Authorization": "Bearer not-it"})
    assert wrong.status_code == 401 and "invalid_token" in wrong.headers["WWW-Authenticate"]
    assert http.delete(uri, headers=bearer).status_code == 204
    assert http.get(uri, headers=bearer).status_code == 401


def test_invalid_metadata_gets_rfc_7591_errors(fresh_discovery, http):
    endpoint = fresh_discovery["registration_endpoint"]
    bad_uri = http.post(endpoint, json={"redirect_uris": ["https://a.example/cb#fragment"]})
    assert bad_uri.status_code == 400 and bad_uri.json()["error"] == "invalid_redirect_uri"
    bad_grant = http.post(endpoint, json={"redirect_uris": ["https://a.example/cb"], "grant_types": ["implicit"]})
    assert bad_grant.status_code == 400 and bad_grant.json()["error"] == "invalid_client_metadata"
    not_json = http.post(endpoint, data="redirect_uris=x", headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert not_json.status_code == 400 and not_json.json()["error"] == "invalid_client_metadata"


def test_a_registration_token_guards_registration(tmp_path):
    with running_mock_idp("--registration-token", "let-me-in", cwd=tmp_path) as idp:
        discovery = metadata(idp)
        with HTTPSession() as http:
            body = {"redirect_uris": ["https://a.example/cb"]}
            assert http.post(discovery["registration_endpoint"], json=body).status_code == 401
        register(discovery, body, Authorization="Bearer let-me-in")
