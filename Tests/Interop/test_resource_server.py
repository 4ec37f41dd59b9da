"""What a resource server reads: fixture claims (roles, a tenant, accounts) in access tokens, verified against the
JWKS, and in introspection; and HEAD on every GET route."""

from __future__ import annotations

import pytest

from oauth_helpers import BUDGETIFY, RECONCILER, HTTPSession, code_flow, introspect, verify_jwt


def test_user_and_scope_claims_in_the_access_token_and_introspection(discovery, jwks):
    tokens, _ = code_flow(discovery, BUDGETIFY, scope="openid transactions:read")
    _, claims = verify_jwt(tokens["access_token"], jwks)
    assert claims["roles"] == ["customer"] and claims["tenant"] == "alpha-bank"
    assert claims["accounts"] == ["NL01ALPH0123456789", "NL02ALPH9876543210"]  # copied by transactions:read
    introspected = introspect(discovery, tokens["access_token"])
    assert introspected["active"] is True
    assert introspected["roles"] == ["customer"] and introspected["accounts"] == claims["accounts"]


def test_client_claims_in_client_credentials_tokens(discovery, jwks):
    with HTTPSession() as http:
        response = http.post(discovery["token_endpoint"], data={"grant_type": "client_credentials"},
                             auth=(RECONCILER["client_id"], RECONCILER["client_secret"]))
    _, claims = verify_jwt(response.json()["access_token"], jwks)
    assert claims["roles"] == ["reconciliation"]
    assert claims["sub"] == "reconciler"


@pytest.mark.parametrize("path", ["/.well-known/openid-configuration", "/.well-known/oauth-authorization-server", "/jwks",
                                  "/healthz", "/debug", "/device"])
def test_head_on_every_get_route(mock_idp, path):
    with HTTPSession() as http:
        get = http.get(mock_idp.url(path))
        head = http.head(mock_idp.url(path))
    assert head.status_code == get.status_code == 200
    assert head.headers["Content-Type"] == get.headers["Content-Type"]
    assert head.content == b""
