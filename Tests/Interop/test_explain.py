"""POST /debug/explain, "why is this token rejected?", against the binary: tokens from real Authlib flows, each
failure class a resource server meets, and malformed input."""

from __future__ import annotations

import base64
import json

import pytest

from oauth_helpers import BUDGETIFY, RECONCILER, DebugAPI, HTTPSession, code_flow, oauth_session


def failed(explanation: dict) -> dict:
    """The first failed check."""
    return next(check for check in explanation["checks"] if not check["passed"])


def client_credentials(discovery: dict) -> str:
    with oauth_session(discovery, RECONCILER, scope="transactions:read transactions:write") as client:
        return client.fetch_token(grant_type="client_credentials")["access_token"]


def test_a_good_token_is_accepted_with_its_key_and_record(fresh_idp, fresh_discovery, fresh_debug):
    token = client_credentials(fresh_discovery)
    explanation = fresh_debug.explain(token, audience="https://api.alpha-bank.example", scope="transactions:read")
    assert explanation["verdict"] == "accepted", explanation
    assert explanation["signature"]["verified"] and explanation["signature"]["key"] == "current"
    assert explanation["issued"]["client_id"] == RECONCILER["client_id"] and explanation["issued"]["status"] == "active"
    assert [check["name"] for check in explanation["checks"]] == ["format", "signature", "issued", "status", "exp", "iss", "typ", "aud", "scope"]


def test_each_expectation_a_resource_server_has_fails_with_its_rule(fresh_idp, fresh_discovery, fresh_debug):
    token = client_credentials(fresh_discovery)
    audience = failed(fresh_debug.explain(token, audience="https://payments.example"))
    assert audience["name"] == "aud" and "resource=https://payments.example" in audience["detail"] and "RFC 9068 §4" in audience["rule"]
    scope = failed(fresh_debug.explain(token, scope="payments:write"))
    assert scope["name"] == "scope" and "insufficient_scope" in scope["detail"] and scope["rule"].startswith("RFC 6750 §3.1")
    issuer = failed(fresh_debug.explain(token, issuer="https://login.example"))
    assert issuer["name"] == "iss" and "https://login.example" in issuer["detail"]


def test_an_id_token_sent_to_an_api_fails_typ(fresh_idp, fresh_discovery, fresh_debug):
    token, _ = code_flow(fresh_discovery, BUDGETIFY, scope="openid profile")
    check = failed(fresh_debug.explain(token["id_token"], token_type="access_token"))
    assert check["name"] == "typ" and "ID token" in check["detail"] and check["rule"] == "RFC 9068 §4"


def test_expired_revoked_and_spent_tokens_say_so(fresh_idp, fresh_discovery, fresh_debug):
    token, _ = code_flow(fresh_discovery, BUDGETIFY, scope="openid offline_access")
    with oauth_session(fresh_discovery, BUDGETIFY) as client:
        client.revoke_token(fresh_discovery["revocation_endpoint"], token["refresh_token"], token_type_hint="refresh_token")
    revoked = fresh_debug.explain(token["refresh_token"])
    assert revoked["format"] == "opaque" and revoked["issued"]["status"] == "revoked"
    assert failed(revoked)["rule"] == "RFC 7009 §2"

    fresh_token = client_credentials(fresh_discovery)
    fresh_debug.advance_clock(400)
    expired = failed(fresh_debug.explain(fresh_token))
    assert expired["name"] == "status" and expired["detail"].startswith("expired 1 min"), expired


def test_a_token_after_two_key_rotations_has_an_unknown_kid(fresh_idp, fresh_discovery, fresh_debug):
    token = client_credentials(fresh_discovery)
    fresh_debug.rotate_keys()
    assert fresh_debug.explain(token)["signature"]["key"] == "previous"
    fresh_debug.rotate_keys()
    explanation = fresh_debug.explain(token)
    assert explanation["signature"]["key"] == "unknown_kid" and failed(explanation)["name"] == "signature"


@pytest.mark.parametrize(
    "token, mention",
    [
        ("", "empty"),
        ("hello", "not a JWT"),
        ("%%%.e30.x", "not base64url"),
        (base64.urlsafe_b64encode(b"{nope").decode().rstrip("=") + ".e30.x", "not JSON"),
        ("x" * 50_000, "longer than"),
    ],
)
def test_malformed_input_is_explained_not_refused(fresh_idp, fresh_debug, token, mention):
    explanation = fresh_debug.explain(token)
    assert explanation["verdict"] == "rejected" and explanation["format"] in ("malformed", "opaque")
    assert mention in failed(explanation)["detail"], explanation


def test_bad_requests_are_400_with_the_reason(fresh_idp):
    with HTTPSession() as http:
        for body, mention in [({}, "token is missing"), ({"token": "x", "audiences": "a"}, "unknown field"), ([1], "JSON object")]:
            response = http.post(fresh_idp.url("/debug/explain"), data=json.dumps(body), headers={"Content-Type": "application/json"})
            assert response.status_code == 400 and mention in response.json()["error_description"], response.text
        response = http.post(fresh_idp.url("/debug/explain"), data="{not json", headers={"Content-Type": "application/json"})
        assert response.status_code == 400
