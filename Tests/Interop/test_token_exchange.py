"""Token exchange (RFC 8693) against the binary, with `requests`: a user's token from a real code flow (Authlib) is
exchanged by a service for one of its own audience, with the service as actor; errors per RFC 8693 §2.2.2; and a
token of a second issuer of the same process, trusted through its jwks_uri, exchanged at the first."""

from __future__ import annotations

import json
import pathlib

from conftest import metadata, running_mock_idp
from oauth_helpers import BUDGETIFY, DebugAPI, HTTPSession, code_flow, fetch_jwks, introspect, verify_jwt

TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange"
ACCESS_TOKEN = "urn:ietf:params:oauth:token-type:access_token"
ID_TOKEN = "urn:ietf:params:oauth:token-type:id_token"
JWT = "urn:ietf:params:oauth:token-type:jwt"
REFRESH_TOKEN = "urn:ietf:params:oauth:token-type:refresh_token"

# From fixtures/clients.json: a confidential service allowed token exchange (and client credentials, to act with).
LEDGER = {"client_id": "ledger-service", "client_secret": "ledger-service-secret", "audience": "https://ledger.alpha-bank.example"}


def token_request(discovery: dict, client: dict, **form: str) -> dict:
    """POSTs `form` to the token endpoint with client_secret_basic; returns {"status", "body"}."""
    with HTTPSession() as http:
        response = http.post(discovery["token_endpoint"], data=form, auth=(client["client_id"], client["client_secret"]))
    assert response.headers["Cache-Control"] == "no-store"
    return {"status": response.status_code, "body": response.json()}


def exchange(discovery: dict, subject: str, subject_type: str = ACCESS_TOKEN, client: dict = LEDGER, **form: str) -> dict:
    return token_request(
        discovery, client, grant_type=TOKEN_EXCHANGE, subject_token=subject, subject_token_type=subject_type, **form
    )


def test_discovery_lists_the_grant(discovery):
    assert TOKEN_EXCHANGE in discovery["grant_types_supported"]


def test_a_service_exchanges_a_users_token_and_acts_for_her(fresh_idp, fresh_discovery):
    """alice signs in to budgetify; ledger-service exchanges her access token, with its own as actor token, for a
    token of its API: sub alice, act ledger-service, signed with the published keys, introspectable, in /debug."""
    discovery = fresh_discovery
    user_token, _ = code_flow(discovery, BUDGETIFY, scope="openid profile transactions:read")
    actor = token_request(discovery, LEDGER, grant_type="client_credentials", scope="transactions:read")
    assert actor["status"] == 200, actor

    result = exchange(
        discovery, user_token["access_token"], actor_token=actor["body"]["access_token"], actor_token_type=ACCESS_TOKEN,
        audience="https://ledger.alpha-bank.example", scope="transactions:read",
    )
    assert result["status"] == 200, result
    body = result["body"]
    assert body["issued_token_type"] == ACCESS_TOKEN
    assert body["token_type"] == "Bearer"
    assert body["scope"] == "transactions:read"
    assert "refresh_token" not in body and "id_token" not in body
    header, claims = verify_jwt(body["access_token"], fetch_jwks(discovery))
    assert header["typ"] == "at+jwt"
    assert claims["iss"] == fresh_idp.issuer
    assert claims["sub"] == "alice"
    assert claims["client_id"] == "ledger-service"
    assert claims["aud"] == "https://ledger.alpha-bank.example"
    assert claims["act"] == {"sub": "ledger-service"}

    introspection = introspect(discovery, body["access_token"], client=LEDGER)
    assert introspection["active"] is True and introspection["sub"] == "alice"
    assert introspection["act"] == {"sub": "ledger-service"}
    with DebugAPI(fresh_idp.issuer) as debug:
        origin = debug.token_entry(body["access_token"])["exchanged_from"]
    assert origin["grant_type"] == TOKEN_EXCHANGE
    assert origin["subject_token"] == user_token["access_token"]
    assert origin["subject_issuer"] == fresh_idp.issuer

    # The ID token of the same flow, exchanged for an ID token of the service: not an access token (N_A).
    id_result = exchange(discovery, user_token["id_token"], ID_TOKEN, requested_token_type=ID_TOKEN)
    assert id_result["status"] == 200, id_result
    assert id_result["body"]["token_type"] == "N_A"
    assert id_result["body"]["issued_token_type"] == ID_TOKEN
    _, id_claims = verify_jwt(id_result["body"]["access_token"], fetch_jwks(discovery))
    assert id_claims["sub"] == "alice" and id_claims["aud"] == "ledger-service"


def test_errors_follow_rfc_8693(fresh_discovery, http):
    """§2.2.2: a bad or unacceptable subject token is invalid_request; a bad target invalid_target; a client
    without the grant unauthorized_client (RFC 6749 §5.2)."""
    discovery = fresh_discovery
    user_token, _ = code_flow(discovery, BUDGETIFY, scope="openid profile")
    access = user_token["access_token"]

    def error(result: dict) -> str:
        assert result["status"] == 400, result
        return result["body"]["error"]

    assert error(exchange(discovery, "no-such-token")) == "invalid_request"
    assert error(exchange(discovery, access, ID_TOKEN)) == "invalid_request"  # an access token is no ID token
    assert error(exchange(discovery, user_token["refresh_token"], REFRESH_TOKEN)) == "invalid_request"  # budgetify's
    assert error(exchange(discovery, access, requested_token_type=REFRESH_TOKEN)) == "invalid_request"
    assert error(exchange(discovery, access, actor_token_type=ACCESS_TOKEN)) == "invalid_request"
    assert error(exchange(discovery, access, scope="transactions:write")) == "invalid_scope"
    assert error(exchange(discovery, access, resource="not a uri")) == "invalid_target"
    reconciler = {"client_id": "reconciler", "client_secret": "reconciler-secret"}
    assert error(exchange(discovery, access, client=reconciler)) == "unauthorized_client"
    # Revoked: no longer exchangeable.
    revoked = http.post(discovery["revocation_endpoint"], data={"token": access}, auth=("budgetify", "budgetify-secret"))
    assert revoked.status_code == 200
    assert error(exchange(discovery, access)) == "invalid_request"


def test_a_token_of_another_issuer_of_the_process_is_exchanged_when_trusted(tmp_path: pathlib.Path, http):
    """partner is a second issuer of the same mock-idp (a fixture subdirectory), with keys of its own. A client of the
    root issuer that trusts partner's issuer, through its jwks_uri, exchanges erin's partner token for a root token;
    ledger-service, which trusts no other issuer, cannot."""
    fixtures = tmp_path / "fixtures"
    (fixtures / "partner").mkdir(parents=True)
    (fixtures / "partner" / "users.json").write_text(json.dumps([{"sub": "erin", "password": "erin-password"}]))
    with running_mock_idp("--fixtures", str(fixtures), cwd=tmp_path) as idp:
        root = metadata(idp)
        with HTTPSession() as session:
            partner = session.get(idp.url("/partner/.well-known/openid-configuration")).json()
        assert partner["issuer"] == idp.issuer + "/partner"

        # erin signs in at partner (budgetify comes from the built-in fixtures there too).
        signed_in = token_request(partner, BUDGETIFY, grant_type="password", username="erin", password="erin-password", scope="openid")
        assert signed_in["status"] == 200, signed_in
        partner_token = signed_in["body"]["access_token"]

        with DebugAPI(idp.issuer) as debug:
            debug.add_clients({
                "client_id": "bridge", "client_secret": "bridge-secret", "grant_types": [TOKEN_EXCHANGE],
                "scopes": ["openid", "profile"], "audience": "https://bridge.example",
                "token_exchange_trusted_issuers": [{"issuer": partner["issuer"], "jwks_uri": partner["jwks_uri"]}],
            })
        bridge = {"client_id": "bridge", "client_secret": "bridge-secret"}

        result = exchange(root, partner_token, JWT, client=bridge)
        assert result["status"] == 200, result
        _, claims = verify_jwt(result["body"]["access_token"], fetch_jwks(root))
        assert claims["iss"] == idp.issuer
        assert claims["sub"] == "erin"
        assert claims["client_id"] == "bridge"
        assert claims["aud"] == "https://bridge.example"
        assert result["body"]["scope"] == "openid"  # the partner token's scope, as far as bridge may hold it

        refused = exchange(root, partner_token, JWT)  # ledger-service
        assert refused["status"] == 400 and refused["body"]["error"] == "invalid_request", refused
        assert "does not trust" in refused["body"]["error_description"]
