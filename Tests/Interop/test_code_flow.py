"""The authorization code flow (RFC 6749 §4.1, OIDC Core §3.1) driven by Authlib's OAuth2Session."""

from __future__ import annotations

import json
import pathlib

import pytest
from authlib.oauth2.rfc8414 import AuthorizationServerMetadata
from authlib.oidc.discovery import OpenIDProviderMetadata

from conftest import FIXTURES_DIR
from oauth_helpers import (
    BUDGETIFY,
    BUDGETIFY_SPA,
    PLANNER,
    authorization_request,
    authorize,
    check_access_token,
    check_id_token,
    form_post_parameters,
    oauth_session,
    redirect_parameters,
)


def fixture_file(name: str):
    return json.loads(pathlib.Path(FIXTURES_DIR, name).read_text())


def test_discovery_documents(mock_idp, http, discovery, monkeypatch):
    issuer = mock_idp.issuer
    assert discovery["issuer"] == issuer
    for key in ("authorization_endpoint", "token_endpoint", "userinfo_endpoint", "jwks_uri"):
        assert discovery[key].startswith(issuer + "/"), key
    assert discovery["response_types_supported"] == ["code"]
    assert "S256" in discovery["code_challenge_methods_supported"]
    assert {"client_secret_basic", "client_secret_post", "none"} <= set(
        discovery["token_endpoint_auth_methods_supported"]
    )
    assert discovery["authorization_response_iss_parameter_supported"] is True
    assert discovery["scopes_supported"] == [scope["name"] for scope in fixture_file("scopes.json")]

    # RFC 8414 §3: the same metadata at the OAuth well-known path.
    oauth_metadata = http.get(mock_idp.url("/.well-known/oauth-authorization-server"))
    assert oauth_metadata.status_code == 200
    assert oauth_metadata.json() == discovery

    # Authlib's own metadata rules; they insist on https issuers, which a loopback mock cannot have.
    monkeypatch.setenv("AUTHLIB_INSECURE_TRANSPORT", "1")
    OpenIDProviderMetadata(discovery).validate()
    AuthorizationServerMetadata(oauth_metadata.json()).validate()


def test_jwks_publishes_only_public_signing_keys(http, discovery, jwks):
    response = http.get(discovery["jwks_uri"])
    # RFC 7517 §8.5.1 registers application/jwk-set+json; clients accept plain JSON as well.
    assert response.headers["Content-Type"].split(";")[0] in ("application/jwk-set+json", "application/json")
    assert jwks["keys"], jwks
    kids = [key["kid"] for key in jwks["keys"]]
    assert len(kids) == len(set(kids))
    for key in jwks["keys"]:
        assert key["kty"] == "RSA" and key["alg"] == "RS256" and key["use"] == "sig"
        assert not {"d", "p", "q", "dp", "dq", "qi"} & key.keys(), "private key material in the JWKS"


def test_healthz(mock_idp, http):
    response = http.get(mock_idp.url("/healthz"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_confidential_client_with_pkce_s256(mock_idp, discovery, jwks):
    """budgetify: client_secret_basic, PKCE S256, state and nonce, the default user alice."""
    scope = "openid profile email transactions:read"
    with oauth_session(discovery, BUDGETIFY, scope=scope) as client:
        request = authorization_request(client, discovery)
        assert "code_challenge_method=S256" in request.url

        callback = redirect_parameters(authorize(client, request.url), BUDGETIFY["redirect_uri"])
        assert callback["state"] == request.state
        assert callback["iss"] == mock_idp.issuer  # RFC 9207 §2
        assert callback["code"]

        token = client.fetch_token(code=callback["code"], code_verifier=request.code_verifier)
        assert token["token_type"] == "Bearer"
        assert token["expires_in"] == 3600
        assert token["scope"].split() == scope.split()
        assert token["refresh_token"], "budgetify has the refresh_token grant"

        access = check_access_token(
            token["access_token"], jwks, issuer=mock_idp.issuer, client=BUDGETIFY, sub="alice", scope=scope
        )
        assert access["aud"] == "https://api.alpha-bank.example"
        id_claims = check_id_token(
            token["id_token"],
            jwks,
            issuer=mock_idp.issuer,
            client=BUDGETIFY,
            nonce=request.nonce,
            access_token=token["access_token"],
        )
        assert id_claims["sub"] == "alice"
        assert id_claims["name"] == "Alice Andersen"  # profile
        assert id_claims["email"] == "alice@alpha-bank.example"  # email
        assert "phone_number" not in id_claims  # phone was not asked for

        userinfo = client.get(discovery["userinfo_endpoint"])
        assert userinfo.status_code == 200, userinfo.text
        assert userinfo.headers["Cache-Control"] == "no-store"
        claims = userinfo.json()
        assert claims["sub"] == id_claims["sub"]
        assert claims["email"] == "alice@alpha-bank.example"
        assert claims["accounts"] == ["NL01ALPH0123456789", "NL02ALPH9876543210"]  # transactions:read


def test_token_response_is_not_cacheable(mock_idp, discovery):
    with oauth_session(discovery, BUDGETIFY) as client:
        request = authorization_request(client, discovery)
        callback = redirect_parameters(authorize(client, request.url), BUDGETIFY["redirect_uri"])
        response = client.post(
            discovery["token_endpoint"],
            data={
                "grant_type": "authorization_code",
                "code": callback["code"],
                "redirect_uri": BUDGETIFY["redirect_uri"],
                "code_verifier": request.code_verifier,
            },
            auth=(BUDGETIFY["client_id"], BUDGETIFY["client_secret"]),
            withhold_token=True,
        )
        assert response.status_code == 200, response.text
        assert response.headers["Content-Type"].startswith("application/json")
        assert response.headers["Cache-Control"] == "no-store"  # RFC 6749 §5.1


def test_public_client_with_pkce_and_no_client_authentication(mock_idp, discovery, jwks):
    """budgetify-spa: token_endpoint_auth_method none, PKCE S256 required, a 900 s access token."""
    with oauth_session(discovery, BUDGETIFY_SPA, scope="openid profile transactions:read") as client:
        request = authorization_request(client, discovery)
        callback = redirect_parameters(authorize(client, request.url), BUDGETIFY_SPA["redirect_uri"])
        assert callback["state"] == request.state and callback["iss"] == mock_idp.issuer

        token = client.fetch_token(code=callback["code"], code_verifier=request.code_verifier)
        assert token["expires_in"] == 900
        check_access_token(token["access_token"], jwks, issuer=mock_idp.issuer, client=BUDGETIFY_SPA, sub="alice")
        id_claims = check_id_token(
            token["id_token"],
            jwks,
            issuer=mock_idp.issuer,
            client=BUDGETIFY_SPA,
            nonce=request.nonce,
            access_token=token["access_token"],
        )
        assert "email" not in id_claims  # email was not asked for

        userinfo = client.get(discovery["userinfo_endpoint"])
        assert userinfo.status_code == 200, userinfo.text
        assert userinfo.json()["sub"] == id_claims["sub"]


def test_client_secret_post(mock_idp, discovery, jwks):
    """planner authenticates with client_secret_post only; its audience defaults to its client_id."""
    with oauth_session(discovery, PLANNER, token_endpoint_auth_method="client_secret_post") as client:
        request = authorization_request(client, discovery)
        callback = redirect_parameters(authorize(client, request.url), PLANNER["redirect_uri"])
        assert callback["state"] == request.state and callback["iss"] == mock_idp.issuer

        token = client.fetch_token(code=callback["code"], code_verifier=request.code_verifier)
        assert token["refresh_token"], "a client without grant_types gets authorization_code and refresh_token"
        check_access_token(token["access_token"], jwks, issuer=mock_idp.issuer, client=PLANNER, sub="alice")
        id_claims = check_id_token(
            token["id_token"],
            jwks,
            issuer=mock_idp.issuer,
            client=PLANNER,
            nonce=request.nonce,
            access_token=token["access_token"],
        )
        assert client.get(discovery["userinfo_endpoint"]).json()["sub"] == id_claims["sub"]


def test_pkce_plain_for_a_confidential_client(mock_idp, discovery, jwks):
    with oauth_session(discovery, BUDGETIFY, code_challenge_method=None) as client:
        verifier = "plain-verifier-" + "x" * 40
        url, state = client.create_authorization_url(
            discovery["authorization_endpoint"], code_challenge=verifier, code_challenge_method="plain"
        )
        callback = redirect_parameters(authorize(client, url), BUDGETIFY["redirect_uri"])
        assert callback["state"] == state
        token = client.fetch_token(code=callback["code"], code_verifier=verifier)
        check_access_token(token["access_token"], jwks, issuer=mock_idp.issuer, client=BUDGETIFY, sub="alice")


def test_confidential_client_without_pkce_or_nonce(mock_idp, discovery, jwks):
    with oauth_session(discovery, BUDGETIFY, code_challenge_method=None) as client:
        request = authorization_request(client, discovery, pkce=False, nonce=False)
        assert "code_challenge" not in request.url and "nonce" not in request.url
        callback = redirect_parameters(authorize(client, request.url), BUDGETIFY["redirect_uri"])
        token = client.fetch_token(code=callback["code"])
        check_id_token(
            token["id_token"],
            jwks,
            issuer=mock_idp.issuer,
            client=BUDGETIFY,
            nonce=None,
            access_token=token["access_token"],
        )


def test_response_mode_fragment(mock_idp, discovery, jwks):
    with oauth_session(discovery, BUDGETIFY) as client:
        request = authorization_request(client, discovery, response_mode="fragment")
        callback = redirect_parameters(authorize(client, request.url), BUDGETIFY["redirect_uri"], mode="fragment")
        assert callback["state"] == request.state and callback["iss"] == mock_idp.issuer
        # Authlib reads a fragment as an implicit-flow response, so the code is handed over as a browser app would.
        token = client.fetch_token(code=callback["code"], code_verifier=request.code_verifier)
        check_id_token(
            token["id_token"],
            jwks,
            issuer=mock_idp.issuer,
            client=BUDGETIFY,
            nonce=request.nonce,
            access_token=token["access_token"],
        )


def test_response_mode_form_post(mock_idp, discovery, jwks):
    with oauth_session(discovery, BUDGETIFY) as client:
        request = authorization_request(client, discovery, response_mode="form_post")
        response = authorize(client, request.url)
        assert "Location" not in response.headers
        assert response.headers["Cache-Control"] == "no-store"
        callback = form_post_parameters(response, BUDGETIFY["redirect_uri"])
        assert set(callback) == {"code", "state", "iss"}
        assert callback["state"] == request.state and callback["iss"] == mock_idp.issuer
        token = client.fetch_token(code=callback["code"], code_verifier=request.code_verifier)
        check_id_token(
            token["id_token"],
            jwks,
            issuer=mock_idp.issuer,
            client=BUDGETIFY,
            nonce=request.nonce,
            access_token=token["access_token"],
        )


@pytest.mark.parametrize(
    ("login_hint", "sub"), [("bob", "bob"), ("carol", "7d0b2f9e-carol"), ("7d0b2f9e-carol", "7d0b2f9e-carol")]
)
def test_login_hint_picks_the_user(mock_idp, discovery, jwks, login_hint, sub):
    """login_hint matches a user's sub or username."""
    with oauth_session(discovery, BUDGETIFY) as client:
        request = authorization_request(client, discovery, login_hint=login_hint)
        callback = redirect_parameters(authorize(client, request.url), BUDGETIFY["redirect_uri"])
        token = client.fetch_token(code=callback["code"], code_verifier=request.code_verifier)
        id_claims = check_id_token(
            token["id_token"],
            jwks,
            issuer=mock_idp.issuer,
            client=BUDGETIFY,
            nonce=request.nonce,
            access_token=token["access_token"],
        )
        assert id_claims["sub"] == sub
        check_access_token(token["access_token"], jwks, issuer=mock_idp.issuer, client=BUDGETIFY, sub=sub)
        assert client.get(discovery["userinfo_endpoint"]).json()["sub"] == sub


def test_login_hint_bob_claims(mock_idp, discovery, jwks):
    with oauth_session(discovery, BUDGETIFY) as client:
        request = authorization_request(client, discovery, login_hint="bob")
        callback = redirect_parameters(authorize(client, request.url), BUDGETIFY["redirect_uri"])
        token = client.fetch_token(code=callback["code"], code_verifier=request.code_verifier)
        userinfo = client.get(discovery["userinfo_endpoint"]).json()
        assert userinfo == {
            "sub": "bob",
            "name": "Bob Brown",
            "given_name": "Bob",
            "family_name": "Brown",
            "preferred_username": "bob",
            "locale": "nl-NL",
            "email": "bob@alpha-bank.example",
            "email_verified": False,
        }
        assert token["scope"].split() == ["openid", "profile", "email"]


def test_authorize_by_post(mock_idp, http, discovery):
    """OIDC Core §3.1.2.1: the authorization endpoint takes GET and POST."""
    with oauth_session(discovery, BUDGETIFY) as client:
        request = authorization_request(client, discovery)
        query = request.url.split("?", 1)[1]
        response = http.post(
            discovery["authorization_endpoint"],
            data=query,
            headers={"Content-Type": "application/x-www-form-urlencoded"},
            allow_redirects=False,
        )
        callback = redirect_parameters(response, BUDGETIFY["redirect_uri"])
        assert callback["state"] == request.state
        token = client.fetch_token(code=callback["code"], code_verifier=request.code_verifier)
        assert token["access_token"]


def test_redirect_uri_may_be_omitted_when_only_one_is_registered(mock_idp, http, discovery):
    """RFC 6749 §3.1.2.3: planner registers one redirect URI, so the request may leave it out."""
    response = http.get(
        discovery["authorization_endpoint"],
        params={"client_id": "planner", "response_type": "code", "scope": "openid", "state": "s1"},
        allow_redirects=False,
    )
    callback = redirect_parameters(response, PLANNER["redirect_uri"])
    assert callback["state"] == "s1"
    token = http.post(
        discovery["token_endpoint"],
        data={
            "grant_type": "authorization_code",
            "code": callback["code"],
            "client_id": "planner",
            "client_secret": "planner-secret",
        },
    )
    assert token.status_code == 200, token.text


def test_userinfo_by_post_with_the_token_in_the_body(mock_idp, http, discovery):
    """RFC 6750 §2.2 form-encoded body parameter, OIDC Core §5.3.1 POST."""
    with oauth_session(discovery, BUDGETIFY) as client:
        request = authorization_request(client, discovery)
        callback = redirect_parameters(authorize(client, request.url), BUDGETIFY["redirect_uri"])
        token = client.fetch_token(code=callback["code"], code_verifier=request.code_verifier)
    response = http.post(discovery["userinfo_endpoint"], data={"access_token": token["access_token"]})
    assert response.status_code == 200, response.text
    assert response.json()["sub"] == "alice"
    by_header = http.post(discovery["userinfo_endpoint"], headers={"Authorization": f"Bearer {token['access_token']}"})
    assert by_header.status_code == 200, by_header.text
    assert by_header.json() == response.json()


@pytest.mark.parametrize("mode", ["query", "fragment", "form_post"])
def test_state_and_nonce_round_trip_unchanged(mock_idp, discovery, jwks, mode):
    """OIDC Core §3.1.2.1 and RFC 6749 §4.1.2: state and nonce come back exactly as sent, whatever they contain."""
    state = "a b&c=d/é+%25#?<\"'>"
    nonce = 'n-ü &=+/"<'
    with oauth_session(discovery, BUDGETIFY) as client:
        request = authorization_request(client, discovery, nonce=nonce, state=state, response_mode=mode)
        assert request.state == state
        response = authorize(client, request.url)
        if mode == "form_post":
            callback = form_post_parameters(response, BUDGETIFY["redirect_uri"])
        else:
            callback = redirect_parameters(response, BUDGETIFY["redirect_uri"], mode=mode)
        assert callback["state"] == state
        token = client.fetch_token(code=callback["code"], code_verifier=request.code_verifier)
        check_id_token(
            token["id_token"],
            jwks,
            issuer=mock_idp.issuer,
            client=BUDGETIFY,
            nonce=nonce,
            access_token=token["access_token"],
        )
