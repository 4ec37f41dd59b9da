"""Many issuers on one port (issue 14): fixture subdirectories mounted beside the root issuer, in the standard layout
and in Keycloak's, Entra's and Auth0's, driven the way each vendor's documentation tells an app to configure its
client: Authlib's OAuth client given only a discovery URL (a Keycloak realm URL, an Entra authority, an Auth0 domain).

One server serves Tests/Interop/issuers for the module; the tests that need other flags start their own.
"""

from __future__ import annotations

import concurrent.futures
import json
import pathlib
import subprocess
import urllib.parse
from collections.abc import Iterator

import pytest
from authlib.integrations.base_client import BaseApp, OAuth2Mixin, OpenIDMixin
from authlib.integrations.requests_client import OAuth2Session, OAuthError
from authlib.oauth2.rfc8414 import AuthorizationServerMetadata
from authlib.oidc.discovery import OpenIDProviderMetadata
from joserfc import jwt
from joserfc.errors import BadSignatureError
from joserfc.jwk import JWKRegistry

from conftest import MockIdP, mock_idp_binary, running_mock_idp
from oauth_helpers import (
    BUDGETIFY,
    BUDGETIFY_SPA,
    HTTP_TIMEOUT,
    RECONCILER,
    DebugAPI,
    HTTPSession,
    check_access_token,
    check_id_token,
    check_times,
    fail_on_server_error,
    introspect,
    redirect_parameters,
    userinfo,
    verify_jwt,
)

ISSUERS_DIR = pathlib.Path(__file__).resolve().parent / "issuers"
VALIDATION_EXIT_CODE = 64  # ArgumentParser's exit code for a flag or value it refuses (EX_USAGE), as in test_cli.py
FIXTURES_EXIT_CODE = 2  # invalid fixtures stop the start

AUTH0_API = "https://api.budgetify.example"
ALICE_OID = "00000000-0000-0000-0000-00000000a11c"  # Tests/Interop/issuers/contoso/users.json


class DiscoveringClient(OAuth2Mixin, OpenIDMixin, BaseApp):
    """Authlib's framework client (what `oauth.register(...)` builds in Flask, Django or Starlette) without a web
    framework: it loads the server metadata from `server_metadata_url`, builds authorization URLs, fetches tokens,
    verifies ID tokens against the JWKS the metadata names, and calls UserInfo. The callback is the test's job."""

    client_cls = OAuth2Session

    def __init__(self, server_metadata_url: str, client: dict, *, scope: str, **kwargs) -> None:
        super().__init__(
            framework=None,
            client_id=client["client_id"],
            client_secret=client.get("client_secret"),
            server_metadata_url=server_metadata_url,
            client_kwargs={
                "scope": scope,
                "code_challenge_method": "S256",
                "token_endpoint_auth_method": "client_secret_basic" if "client_secret" in client else "none",
                "default_timeout": HTTP_TIMEOUT,
            },
            **kwargs,
        )
        self.client = client

    def _on_update_token(self, token, refresh_token=None, access_token=None):
        pass  # no framework to store a refreshed token in

    def _get_session(self):
        session = super()._get_session()
        session.hooks["response"].append(fail_on_server_error)
        return session

    def _get_oauth_client(self, **metadata):
        session = super()._get_oauth_client(**metadata)
        session.hooks["response"].append(fail_on_server_error)
        return session

    @property
    def metadata(self) -> dict:
        return self.load_server_metadata()

    def session(self) -> OAuth2Session:
        """Authlib's OAuth2Session configured from the metadata, for refresh, revocation and introspection."""
        return self._get_oauth_client(**self.metadata)

    def sign_in(self, **params: str) -> tuple[dict, dict]:
        """An auto-consent code flow, the browser's part done by `requests`: (token response, the authorization
        request's state data: url, state, nonce, code_verifier)."""
        redirect_uri = self.client["redirect_uri"]
        request = self.create_authorization_url(redirect_uri=redirect_uri, **params)
        with HTTPSession() as browser:
            response = browser.get(request["url"], allow_redirects=False)
        callback = redirect_parameters(response, redirect_uri)
        assert callback["state"] == request["state"]
        assert callback["iss"] == self.metadata["issuer"]  # RFC 9207 §2, so a mix-up is caught
        token = self.fetch_access_token(
            redirect_uri=redirect_uri, code=callback["code"], code_verifier=request["code_verifier"]
        )
        return token, request


def jwks_of(metadata: dict) -> dict:
    with HTTPSession() as http:
        response = http.get(metadata["jwks_uri"])
    assert response.status_code == 200, response.text
    return response.json()


def kids(jwks: dict) -> set[str]:
    return {key["kid"] for key in jwks["keys"]}


def run_to_exit(*args: str, cwd: pathlib.Path) -> subprocess.CompletedProcess:
    """Runs mock-idp on a free port with `args`, expecting it to exit by itself."""
    return subprocess.run(
        [mock_idp_binary(), "--port", "0", *args],
        cwd=cwd, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=30,
    )


@pytest.fixture(scope="module")
def idp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MockIdP]:
    """One mock-idp serving Tests/Interop/issuers: the root issuer with the built-in fixtures, and partner-bank,
    alpha-bank (Keycloak), contoso (Entra) and budgetify-eu (Auth0) beside it."""
    with running_mock_idp("--fixtures", str(ISSUERS_DIR), cwd=tmp_path_factory.mktemp("issuers")) as server:
        yield server


@pytest.fixture
def base(idp: MockIdP) -> str:
    return idp.issuer


# --- Two issuers side by side ----------------------------------------------------------------------------------------


def test_issuers_listed_at_debug_issuers(idp, base, http):
    """/debug/issuers names every fixture subdirectory's issuer, its layout and where its discovery and /debug are."""
    response = http.get(idp.url("/debug/issuers"))
    assert response.status_code == 200
    listed = {entry["name"]: entry for entry in response.json()["issuers"]}
    assert listed == {
        "alpha-bank": {
            "name": "alpha-bank",
            "layout": "keycloak",
            "origin": "fixtures",
            "issuer": f"{base}/realms/alpha-bank",
            "discovery": f"{base}/realms/alpha-bank/.well-known/openid-configuration",
            "debug": f"{base}/realms/alpha-bank/debug",
        },
        "budgetify-eu": {
            "name": "budgetify-eu",
            "layout": "auth0",
            "origin": "fixtures",
            "issuer": f"{base}/budgetify-eu/",
            "discovery": f"{base}/budgetify-eu/.well-known/openid-configuration",
            "debug": f"{base}/budgetify-eu/debug",
        },
        "contoso": {
            "name": "contoso",
            "layout": "entra",
            "origin": "fixtures",
            "issuer": f"{base}/contoso/v2.0",
            "discovery": f"{base}/contoso/v2.0/.well-known/openid-configuration",
            "debug": f"{base}/contoso/debug",
        },
        "partner-bank": {
            "name": "partner-bank",
            "layout": "standard",
            "origin": "fixtures",
            "issuer": f"{base}/partner-bank",
            "discovery": f"{base}/partner-bank/.well-known/openid-configuration",
            "debug": f"{base}/partner-bank/debug",
        },
    }
    for entry in listed.values():
        discovered = http.get(entry["discovery"])
        assert discovered.status_code == 200, entry
        assert discovered.json()["issuer"] == entry["issuer"]


def test_issuer_discovery_at_both_well_known_paths(base, http, monkeypatch):
    """partner-bank's metadata is at /partner-bank/.well-known/openid-configuration (OIDC Discovery §4) and at
    /.well-known/oauth-authorization-server/partner-bank (RFC 8414 §3.1), with every endpoint under /partner-bank."""
    issuer = f"{base}/partner-bank"
    openid = http.get(f"{issuer}/.well-known/openid-configuration")
    assert openid.status_code == 200
    oauth = http.get(f"{base}/.well-known/oauth-authorization-server/partner-bank")
    assert oauth.status_code == 200
    metadata = openid.json()
    assert oauth.json() == metadata
    assert metadata["issuer"] == issuer
    endpoints = ("authorization_endpoint", "token_endpoint", "userinfo_endpoint", "jwks_uri", "introspection_endpoint",
                 "revocation_endpoint", "end_session_endpoint", "device_authorization_endpoint")
    for key in endpoints:
        assert metadata[key].startswith(issuer + "/"), (key, metadata[key])

    root = http.get(f"{base}/.well-known/openid-configuration").json()
    assert root["issuer"] == base
    assert root["token_endpoint"] == f"{base}/token"

    # Authlib's metadata rules, each against the issuer it was fetched for (the https rule is relaxed for loopback).
    monkeypatch.setenv("AUTHLIB_INSECURE_TRANSPORT", "1")
    OpenIDProviderMetadata(metadata).validate()
    AuthorizationServerMetadata(oauth.json()).validate()


def test_two_issuers_code_flows_each_with_its_own_keys_and_tokens(idp, base):
    """The root issuer and partner-bank each sign in their own user with their own key: an app configured with one
    issuer accepts only that issuer's tokens, and each /debug shows only what its issuer issued."""
    root = DiscoveringClient(f"{base}/.well-known/openid-configuration", BUDGETIFY, scope="openid profile email")
    partner = DiscoveringClient(
        f"{base}/.well-known/oauth-authorization-server/partner-bank", BUDGETIFY, scope="openid profile email"
    )
    assert root.metadata["issuer"] == base
    assert partner.metadata["issuer"] == f"{base}/partner-bank"

    root_token, root_request = root.sign_in()
    partner_token, partner_request = partner.sign_in()

    root_jwks, partner_jwks = root.fetch_jwk_set(), partner.fetch_jwk_set()
    assert root_jwks["keys"] and partner_jwks["keys"]
    assert not kids(root_jwks) & kids(partner_jwks), "the two issuers publish a key in common"

    for app, token, request, jwks, sub in (
        (root, root_token, root_request, root_jwks, "alice"),
        (partner, partner_token, partner_request, partner_jwks, "erin"),  # partner-bank's only user
    ):
        issuer = app.metadata["issuer"]
        check_access_token(token["access_token"], jwks, issuer=issuer, client=BUDGETIFY, sub=sub)
        check_id_token(
            token["id_token"], jwks, issuer=issuer, client=BUDGETIFY, nonce=request["nonce"],
            access_token=token["access_token"],
        )
        # Authlib's own ID token validation: the key from this issuer's JWKS, iss equal to this issuer.
        assert app.parse_id_token(token, nonce=request["nonce"])["sub"] == sub
        assert app.userinfo(token=token)["sub"] == sub

    assert partner.userinfo(token=partner_token)["email"] == "erin@partner-bank.example"

    # Neither issuer's keys verify the other's tokens, even tried regardless of kid.
    for token, foreign_jwks in ((partner_token, root_jwks), (root_token, partner_jwks)):
        for key in foreign_jwks["keys"]:
            for jwt_value in (token["access_token"], token["id_token"]):
                with pytest.raises(BadSignatureError):
                    jwt.decode(jwt_value, JWKRegistry.import_key(key), algorithms=["RS256"])

    # Each issuer refuses the other's access token, at UserInfo and at introspection.
    for metadata, foreign in ((root.metadata, partner_token), (partner.metadata, root_token)):
        response = userinfo(metadata, foreign["access_token"])
        assert response.status_code == 401, f"{metadata['issuer']} accepted a foreign token: {response.text}"
        assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]
        assert introspect(metadata, foreign["access_token"]) == {"active": False}
        assert introspect(metadata, foreign["refresh_token"]) == {"active": False}
    assert introspect(partner.metadata, partner_token["access_token"])["active"] is True
    assert introspect(root.metadata, root_token["access_token"])["active"] is True

    # /debug of each issuer lists its own tokens only.
    with DebugAPI(base) as root_debug, DebugAPI(f"{base}/partner-bank") as partner_debug:
        root_issued = {entry["token"] for entry in root_debug.issued()["tokens"]}
        partner_entries = partner_debug.issued()["tokens"]
        partner_issued = {entry["token"] for entry in partner_entries}
    assert partner_token["access_token"] in partner_issued
    assert root_token["access_token"] in root_issued
    assert root_token["access_token"] not in partner_issued
    assert partner_token["access_token"] not in root_issued
    assert {entry["sub"] for entry in partner_entries} == {"erin"}


def test_issuers_refuse_each_others_codes_refresh_tokens_and_users(base):
    """A code or refresh token from partner-bank is unknown at the root's token endpoint, and partner-bank cannot
    sign in the root's alice: each issuer has its own grants and its own users."""
    partner = DiscoveringClient(f"{base}/partner-bank/.well-known/openid-configuration", BUDGETIFY, scope="openid")
    root = DiscoveringClient(f"{base}/.well-known/openid-configuration", BUDGETIFY, scope="openid")

    request = partner.create_authorization_url(redirect_uri=BUDGETIFY["redirect_uri"])
    with HTTPSession() as browser:
        callback = redirect_parameters(browser.get(request["url"], allow_redirects=False), BUDGETIFY["redirect_uri"])
    with root.session() as session:
        with pytest.raises(OAuthError) as refused:
            session.fetch_token(
                root.metadata["token_endpoint"], code=callback["code"], code_verifier=request["code_verifier"],
                redirect_uri=BUDGETIFY["redirect_uri"],
            )
    assert refused.value.error == "invalid_grant"
    # The failed attempt elsewhere did not spend the code at its own issuer.
    token = partner.fetch_access_token(
        redirect_uri=BUDGETIFY["redirect_uri"], code=callback["code"], code_verifier=request["code_verifier"]
    )
    with root.session() as session:
        with pytest.raises(OAuthError) as refused:
            session.refresh_token(root.metadata["token_endpoint"], refresh_token=token["refresh_token"])
    assert refused.value.error == "invalid_grant"

    # login_hint=alice names a root user, not one of partner-bank's.
    request = partner.create_authorization_url(redirect_uri=BUDGETIFY["redirect_uri"], login_hint="alice")
    with HTTPSession() as browser:
        callback = redirect_parameters(browser.get(request["url"], allow_redirects=False), BUDGETIFY["redirect_uri"])
    assert "code" not in callback
    assert callback["error"] == "invalid_request"
    assert "alice" in callback["error_description"]
    assert callback["iss"] == f"{base}/partner-bank"


def test_issuer_keys_and_debug_state_are_per_issuer(idp, base, http):
    """Every issuer publishes a key of its own; rotating one issuer's keys and resetting its /debug leave the other
    issuers' keys and tokens as they were."""
    listed = http.get(idp.url("/debug/issuers")).json()["issuers"]
    documents = [http.get(idp.url("/.well-known/openid-configuration")).json()]
    documents += [http.get(entry["discovery"]).json() for entry in listed]
    key_sets = [kids(jwks_of(document)) for document in documents]
    assert all(key_sets), key_sets
    assert len(set().union(*key_sets)) == sum(len(key_set) for key_set in key_sets), "issuers share a kid"

    response = http.post(idp.url("/debug/issuers"), json={"name": "scratch-bank"})
    assert response.status_code == 201, response.text
    scratch = response.json()
    try:
        app = DiscoveringClient(scratch["discovery"], BUDGETIFY, scope="openid")
        scratch_token, _ = app.sign_in()
        root_app = DiscoveringClient(f"{base}/.well-known/openid-configuration", BUDGETIFY, scope="openid")
        root_token, _ = root_app.sign_in()
        before = [kids(jwks_of(document)) for document in documents]

        with DebugAPI(scratch["issuer"]) as scratch_debug, DebugAPI(base) as root_debug:
            rotated = scratch_debug.rotate_keys()
            scratch_kids = kids(app.fetch_jwk_set(force=True))
            assert rotated["active_kid"] in scratch_kids
            assert rotated["active_kid"] not in set().union(*before)
            assert [kids(jwks_of(document)) for document in documents] == before, "another issuer's keys changed"

            assert scratch_token["access_token"] in {entry["token"] for entry in scratch_debug.issued()["tokens"]}
            scratch_debug.reset()
            assert scratch_debug.issued()["tokens"] == []
            assert root_token["access_token"] in {entry["token"] for entry in root_debug.issued()["tokens"]}
        assert introspect(documents[0], root_token["access_token"])["active"] is True
    finally:
        assert http.delete(idp.url("/debug/issuers/scratch-bank")).status_code == 200


# --- Keycloak ---------------------------------------------------------------------------------------------------------


@pytest.fixture
def keycloak(base) -> DiscoveringClient:
    """Configured as Keycloak's documentation tells an app: the realm's discovery URL, nothing else."""
    return DiscoveringClient(
        f"{base}/realms/alpha-bank/.well-known/openid-configuration",
        BUDGETIFY,
        scope="openid profile email offline_access",
    )


def test_keycloak_realm_discovery_names_keycloak_paths(keycloak, base):
    """Every endpoint sits where Keycloak puts it, under /realms/alpha-bank/protocol/openid-connect."""
    realm = f"{base}/realms/alpha-bank"
    protocol = f"{realm}/protocol/openid-connect"
    metadata = keycloak.metadata
    assert metadata["issuer"] == realm
    assert metadata["authorization_endpoint"] == f"{protocol}/auth"
    assert metadata["token_endpoint"] == f"{protocol}/token"
    assert metadata["jwks_uri"] == f"{protocol}/certs"
    assert metadata["userinfo_endpoint"] == f"{protocol}/userinfo"
    assert metadata["end_session_endpoint"] == f"{protocol}/logout"
    assert metadata["introspection_endpoint"] == f"{protocol}/token/introspect"
    assert metadata["revocation_endpoint"] == f"{protocol}/revoke"
    assert metadata["device_authorization_endpoint"] == f"{protocol}/auth/device"

    # RFC 8414 §3.1: the same metadata with the well-known segment before the issuer's path.
    with HTTPSession() as http:
        response = http.get(f"{base}/.well-known/oauth-authorization-server/realms/alpha-bank")
        assert response.status_code == 200, response.text
        assert response.json() == http.get(keycloak._server_metadata_url).json()


def test_keycloak_realm_code_flow_token_shapes(keycloak, base):
    """budgetify signs alice in at the realm (PKCE S256, client_secret_basic): the access token carries what
    Keycloak's adapters read (typ Bearer, azp, sid, preferred_username, realm_access and resource_access roles), the
    ID token typ ID; the refresh works at the realm's token endpoint."""
    realm = f"{base}/realms/alpha-bank"
    token, request = keycloak.sign_in()
    assert "code_challenge_method=S256" in request["url"]
    jwks = keycloak.fetch_jwk_set()

    access = check_access_token(token["access_token"], jwks, issuer=realm, client=BUDGETIFY, sub="alice")
    assert access["typ"] == "Bearer"
    assert access["azp"] == "budgetify"
    assert isinstance(access["sid"], str) and access["sid"]
    assert access["preferred_username"] == "alice"
    assert access["realm_access"] == {"roles": ["customer", "offline_access"]}
    assert access["resource_access"]["budgetify"] == {"roles": ["transactions-viewer"]}
    assert access["resource_access"]["account"] == {"roles": ["view-profile"]}

    id_claims = check_id_token(
        token["id_token"], jwks, issuer=realm, client=BUDGETIFY, nonce=request["nonce"],
        access_token=token["access_token"],
    )
    assert id_claims["typ"] == "ID"
    assert id_claims["preferred_username"] == "alice"
    assert id_claims["name"] == "Alice Archer"  # the realm's own alice, not the root's
    assert id_claims["sid"] == access["sid"]
    assert keycloak.parse_id_token(token, nonce=request["nonce"])["email"] == "alice@alpha-bank.example"

    with keycloak.session() as session:
        refreshed = session.refresh_token(keycloak.metadata["token_endpoint"], refresh_token=token["refresh_token"])
    assert refreshed["access_token"] != token["access_token"]
    renewed = check_access_token(refreshed["access_token"], jwks, issuer=realm, client=BUDGETIFY, sub="alice")
    assert renewed["typ"] == "Bearer"
    assert renewed["sid"] == access["sid"]
    assert renewed["realm_access"] == {"roles": ["customer", "offline_access"]}
    assert keycloak.userinfo(token=refreshed)["preferred_username"] == "alice"


def test_keycloak_realm_introspection_and_revocation(keycloak, base):
    """budgetify introspects and revokes its tokens at the realm's token/introspect and revoke paths."""
    token, _ = keycloak.sign_in()
    metadata = keycloak.metadata
    with keycloak.session() as session:
        response = session.introspect_token(metadata["introspection_endpoint"], token=token["access_token"])
        assert response.status_code == 200, response.text
        active = response.json()
        assert active["active"] is True
        assert active["iss"] == f"{base}/realms/alpha-bank"
        assert active["sub"] == "alice"
        assert active["client_id"] == "budgetify"

        response = session.revoke_token(
            metadata["revocation_endpoint"], token=token["refresh_token"], token_type_hint="refresh_token"
        )
        assert response.status_code == 200, response.text

        for revoked in (token["refresh_token"], token["access_token"]):
            response = session.introspect_token(metadata["introspection_endpoint"], token=revoked)
            assert response.status_code == 200, response.text
            assert response.json() == {"active": False}
    response = userinfo(metadata, token["access_token"])
    assert response.status_code == 401, response.text


def test_keycloak_realm_service_account_token(keycloak, base):
    """A client credentials token names its service account, as Keycloak's does."""
    reconciler = DiscoveringClient(keycloak._server_metadata_url, RECONCILER, scope="transactions:read")
    token = reconciler.fetch_access_token(grant_type="client_credentials")
    claims = check_access_token(
        token["access_token"], reconciler.fetch_jwk_set(), issuer=f"{base}/realms/alpha-bank", client=RECONCILER,
        sub="reconciler", scope="transactions:read",
    )
    assert claims["preferred_username"] == "service-account-reconciler"
    assert claims["typ"] == "Bearer"
    assert claims["azp"] == "reconciler"
    assert "realm_access" not in claims


# --- Entra -----------------------------------------------------------------------------------------------------------


def entra(base: str, client: dict, scope: str) -> DiscoveringClient:
    """What MSAL builds from authority BASE/contoso: the tenant's v2.0 discovery document."""
    return DiscoveringClient(f"{base}/contoso/v2.0/.well-known/openid-configuration", client, scope=scope)


def test_entra_tenant_discovery_has_no_revocation_or_introspection(base, http):
    """The tenant's metadata names Entra's paths and, like Entra's, neither a revocation nor an introspection
    endpoint; the standard paths for them are not served under the tenant."""
    metadata = entra(base, BUDGETIFY, "openid").metadata
    tenant = f"{base}/contoso"
    assert metadata["issuer"] == f"{tenant}/v2.0"
    assert metadata["authorization_endpoint"] == f"{tenant}/oauth2/v2.0/authorize"
    assert metadata["token_endpoint"] == f"{tenant}/oauth2/v2.0/token"
    assert metadata["end_session_endpoint"] == f"{tenant}/oauth2/v2.0/logout"
    assert metadata["device_authorization_endpoint"] == f"{tenant}/oauth2/v2.0/devicecode"
    assert metadata["jwks_uri"] == f"{tenant}/discovery/v2.0/keys"
    assert metadata["userinfo_endpoint"] == f"{tenant}/oidc/userinfo"
    assert "revocation_endpoint" not in metadata
    assert "introspection_endpoint" not in metadata
    for path in ("/revoke", "/introspect", "/oauth2/v2.0/revoke", "/oauth2/v2.0/introspect", "/token/introspect"):
        response = http.post(tenant + path, data={"token": "x"}, auth=("reconciler", "reconciler-secret"))
        assert response.status_code == 404, (path, response.status_code, response.text)


def test_entra_tenant_client_credentials_app_token(base):
    """reconciler asks for api://budgetify/.default: an app-only token for that API with the app's roles and no scp."""
    app = entra(base, RECONCILER, "api://budgetify/.default")
    token = app.fetch_access_token(grant_type="client_credentials")
    assert token["token_type"] == "Bearer"
    header, claims = verify_jwt(token["access_token"], app.fetch_jwk_set())
    assert claims["iss"] == f"{base}/contoso/v2.0"
    assert claims["aud"] == "api://budgetify"
    assert claims["roles"] == ["Transactions.Read.All"]
    assert claims["tid"] == "contoso"
    assert claims["ver"] == "2.0"
    assert "scp" not in claims
    assert claims["azp"] == "reconciler"
    check_times(claims)


def test_entra_tenant_code_flow_delegated_token(base):
    """budgetify signs alice in for api://budgetify/transactions.read: the access token is for that API with scp,
    tid, oid, preferred_username and name; the ID token carries tid, oid and ver."""
    scope = "openid profile offline_access api://budgetify/transactions.read"
    app = entra(base, BUDGETIFY, scope)
    issuer = f"{base}/contoso/v2.0"
    token, request = app.sign_in()
    assert token["scope"].split() == scope.split()
    assert token["refresh_token"]
    jwks = app.fetch_jwk_set()

    _, access = verify_jwt(token["access_token"], jwks)
    assert access["iss"] == issuer
    assert access["aud"] == "api://budgetify"
    assert access["scp"] == "transactions.read"
    assert access["tid"] == "contoso"
    assert access["oid"] == ALICE_OID
    assert access["ver"] == "2.0"
    assert access["preferred_username"] == "alice@contoso.example"
    assert access["name"] == "Alice Archer"
    assert access["sub"] == "alice"
    check_times(access)

    id_claims = check_id_token(
        token["id_token"], jwks, issuer=issuer, client=BUDGETIFY, nonce=request["nonce"],
        access_token=token["access_token"],
    )
    assert id_claims["tid"] == "contoso"
    assert id_claims["oid"] == ALICE_OID
    assert id_claims["ver"] == "2.0"
    assert id_claims["preferred_username"] == "alice@contoso.example"
    assert app.parse_id_token(token, nonce=request["nonce"])["oid"] == ALICE_OID
    assert app.userinfo(token=token)["sub"] == "alice"


# --- Auth0 -----------------------------------------------------------------------------------------------------------


def auth0(base: str, client: dict, scope: str) -> DiscoveringClient:
    """What auth0's SDKs build from the tenant's domain: https://DOMAIN/ as base, its .well-known document."""
    domain = f"{base}/budgetify-eu/"
    return DiscoveringClient(urllib.parse.urljoin(domain, ".well-known/openid-configuration"), client, scope=scope)


def test_auth0_tenant_discovery(base):
    """The tenant's issuer ends in a slash, as Auth0's does, and its endpoints have Auth0's paths."""
    metadata = auth0(base, BUDGETIFY_SPA, "openid").metadata
    tenant = f"{base}/budgetify-eu"
    assert metadata["issuer"] == f"{tenant}/"
    assert metadata["authorization_endpoint"] == f"{tenant}/authorize"
    assert metadata["token_endpoint"] == f"{tenant}/oauth/token"
    assert metadata["userinfo_endpoint"] == f"{tenant}/userinfo"
    assert metadata["jwks_uri"] == f"{tenant}/.well-known/jwks.json"
    assert metadata["revocation_endpoint"] == f"{tenant}/oauth/revoke"
    assert metadata["end_session_endpoint"] == f"{tenant}/oidc/logout"
    assert metadata["device_authorization_endpoint"] == f"{tenant}/oauth/device/code"
    assert "introspection_endpoint" not in metadata


def test_auth0_tenant_code_flow_with_audience(base):
    """budgetify-spa (public, PKCE S256) signs alice in with audience=https://api.budgetify.example: the access
    token is for the API and UserInfo, with alice's permissions on the API and the tenant's namespaced claim; the ID
    token passes Authlib's validation against the issuer with its trailing slash."""
    scope = "openid profile email offline_access"
    app = auth0(base, BUDGETIFY_SPA, scope)
    issuer = f"{base}/budgetify-eu/"
    token, request = app.sign_in(audience=AUTH0_API)
    assert "audience=" + urllib.parse.quote(AUTH0_API, safe="") in request["url"]
    jwks = app.fetch_jwk_set()

    _, access = verify_jwt(token["access_token"], jwks)
    assert access["iss"] == issuer
    assert access["aud"] == [AUTH0_API, f"{base}/budgetify-eu/userinfo"]
    assert access["sub"] == "auth0|alice"
    assert access["azp"] == "budgetify-spa"
    assert access["permissions"] == ["read:transactions", "read:accounts"]
    assert access["https://budgetify.example/tier"] == "premium"
    assert access["scope"].split() == scope.split()
    check_times(access)

    id_claims = app.parse_id_token(
        token, nonce=request["nonce"], claims_options={"iss": {"essential": True, "value": issuer}}
    )
    assert id_claims["iss"] == issuer
    assert id_claims["sub"] == "auth0|alice"
    assert id_claims["aud"] in ("budgetify-spa", ["budgetify-spa"])
    check_id_token(
        token["id_token"], jwks, issuer=issuer, client=BUDGETIFY_SPA, nonce=request["nonce"],
        access_token=token["access_token"],
    )
    # The token's second audience is the tenant's UserInfo endpoint: it answers with it.
    info = app.userinfo(token=token)
    assert info["sub"] == "auth0|alice"
    assert info["email"] == "alice@budgetify.example"


def test_auth0_tenant_client_credentials_with_audience(base):
    """reconciler asks for a token for the API: Auth0's machine-to-machine shape, sub CLIENT@clients and gty."""
    app = auth0(base, RECONCILER, "transactions:read")
    token = app.fetch_access_token(grant_type="client_credentials", audience=AUTH0_API)
    _, claims = verify_jwt(token["access_token"], app.fetch_jwk_set())
    assert claims["iss"] == f"{base}/budgetify-eu/"
    assert claims["aud"] == AUTH0_API
    assert claims["sub"] == "reconciler@clients"
    assert claims["gty"] == "client-credentials"
    assert claims["azp"] == "reconciler"
    check_times(claims)


def test_auth0_tenant_legacy_logout_redirects_only_to_registered_return_to(base, http):
    """/v2/logout?client_id=…&returnTo=… sends the browser back to a registered post-logout URI and nowhere else."""
    logout = f"{base}/budgetify-eu/v2/logout"
    response = http.get(
        logout, params={"client_id": "budgetify-spa", "returnTo": "http://localhost:5173/"}, allow_redirects=False
    )
    assert response.status_code == 302, response.text
    assert response.headers["Location"] == "http://localhost:5173/"

    response = http.get(
        logout, params={"client_id": "budgetify-spa", "returnTo": "https://evil.example/"}, allow_redirects=False
    )
    assert response.status_code == 200, response.status_code
    assert "Location" not in response.headers
    assert response.headers["Content-Type"].startswith("text/html")
    assert "https://evil.example/" in response.text  # the page says why it does not go there


def test_auth0_tenant_rp_initiated_logout(base):
    """Authlib's logout URL for the tenant's end_session_endpoint (/oidc/logout) ends the session and returns to
    the registered post-logout URI with the state; the access token stops working."""
    app = auth0(base, BUDGETIFY_SPA, "openid")
    token, _ = app.sign_in(audience=AUTH0_API)
    logout = app.create_logout_url(post_logout_redirect_uri="http://localhost:5173/", id_token_hint=token["id_token"])
    assert logout["url"].startswith(f"{base}/budgetify-eu/oidc/logout?")
    with HTTPSession() as browser:
        response = browser.get(logout["url"], allow_redirects=False)
    assert response.status_code == 302, response.text
    returned = "http://localhost:5173/?" + urllib.parse.urlencode({"state": logout["state"]})
    assert response.headers["Location"] == returned
    assert userinfo(app.metadata, token["access_token"]).status_code == 401


# --- Issuers added at runtime ----------------------------------------------------------------------------------------


def test_runtime_issuer_added_used_and_removed(idp, base, http):
    """POST /debug/issuers adds a Keycloak realm with its own users; it is listed, discoverable and issues tokens
    for its own user; DELETE removes it, and its discovery is gone."""
    realm_user = {"sub": "zoe", "username": "zoe", "claims": {"name": "Zoe Zimmer"}, "realm_roles": ["auditor"]}
    response = http.post(
        idp.url("/debug/issuers"), json={"name": "gamma-bank", "layout": "keycloak", "users": [realm_user]}
    )
    assert response.status_code == 201, response.text
    added = response.json()
    realm = f"{base}/realms/gamma-bank"
    assert added == {
        "name": "gamma-bank",
        "layout": "keycloak",
        "origin": "runtime",
        "issuer": realm,
        "discovery": f"{realm}/.well-known/openid-configuration",
        "debug": f"{realm}/debug",
    }
    try:
        listed = {entry["name"]: entry for entry in http.get(idp.url("/debug/issuers")).json()["issuers"]}
        assert listed["gamma-bank"] == added

        app = DiscoveringClient(added["discovery"], BUDGETIFY, scope="openid profile")
        assert app.metadata["issuer"] == realm
        assert app.metadata["token_endpoint"] == f"{realm}/protocol/openid-connect/token"
        token, request = app.sign_in()
        jwks = app.fetch_jwk_set()
        access = check_access_token(token["access_token"], jwks, issuer=realm, client=BUDGETIFY, sub="zoe")
        assert access["realm_access"] == {"roles": ["auditor"]}
        assert access["preferred_username"] == "zoe"
        assert app.parse_id_token(token, nonce=request["nonce"])["name"] == "Zoe Zimmer"
        assert not kids(jwks) & kids(jwks_of(http.get(idp.url("/.well-known/openid-configuration")).json()))
    finally:
        response = http.delete(idp.url("/debug/issuers/gamma-bank"))
    assert response.status_code == 200, response.text
    assert response.json() == {"removed": "gamma-bank"}

    assert http.get(f"{realm}/.well-known/openid-configuration").status_code == 404
    assert "gamma-bank" not in {entry["name"] for entry in http.get(idp.url("/debug/issuers")).json()["issuers"]}
    response = http.delete(idp.url("/debug/issuers/gamma-bank"))
    assert response.status_code == 404, response.text
    assert response.json()["error"] == "not_found"


@pytest.mark.parametrize("name", ["token", "a.b", "a/b", "", "debug", "realms"])
def test_runtime_issuer_bad_name_refused(idp, http, name):
    """A name that is not one path segment, or that is one of the root's own paths, is refused with a reason."""
    response = http.post(idp.url("/debug/issuers"), json={"name": name, "layout": "standard"})
    assert response.status_code == 400, f"{name!r}: {response.status_code} {response.text}"
    body = response.json()
    assert body["error"] == "invalid_request", body
    assert body["error_description"]
    assert name not in {entry["name"] for entry in http.get(idp.url("/debug/issuers")).json()["issuers"]}


def test_runtime_issuer_unknown_layout_refused(idp, http):
    response = http.post(idp.url("/debug/issuers"), json={"name": "okta-bank", "layout": "okta"})
    assert response.status_code == 400, response.text
    assert response.json()["error"] == "invalid_request"
    assert "okta" in response.json()["error_description"]


def test_runtime_issuer_duplicate_name_or_bad_fixtures_refused(idp, http):
    """An issuer's name is taken once; inline fixtures are checked like fixture files."""
    response = http.post(idp.url("/debug/issuers"), json={"name": "partner-bank"})
    assert response.status_code == 400, response.text
    assert response.json()["error"] == "invalid_request"
    assert "partner-bank" in response.json()["error_description"]

    response = http.post(
        idp.url("/debug/issuers"), json={"name": "broken-bank", "users": [{"sub": "x", "claims": {"iss": "forged"}}]}
    )
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["error"] == "invalid_fixture", body
    assert 'index 0 (sub "x")' in body["error_description"] and "claims.iss" in body["error_description"]
    assert "broken-bank" not in {entry["name"] for entry in http.get(idp.url("/debug/issuers")).json()["issuers"]}


def test_runtime_issuer_key_made_once_under_concurrent_first_requests(idp, http):
    """A new issuer's key is generated when first needed: requests that arrive together for its JWKS and for tokens
    all see the same one key, and every token verifies with it."""
    response = http.post(idp.url("/debug/issuers"), json={"name": "burst-bank"})
    assert response.status_code == 201, response.text
    try:
        metadata = http.get(response.json()["discovery"]).json()

        def jwks_request(_):
            return jwks_of(metadata)

        def token_request(_):
            with HTTPSession() as client:
                answer = client.post(
                    metadata["token_endpoint"], data={"grant_type": "client_credentials"},
                    auth=(RECONCILER["client_id"], RECONCILER["client_secret"]),
                )
            assert answer.status_code == 200, answer.text
            return answer.json()["access_token"]

        with concurrent.futures.ThreadPoolExecutor(max_workers=12) as pool:
            key_set_futures = [pool.submit(jwks_request, index) for index in range(6)]
            token_futures = [pool.submit(token_request, index) for index in range(6)]
            key_sets = [future.result() for future in key_set_futures]
            tokens = [future.result() for future in token_futures]
        assert len({json.dumps(key_set, sort_keys=True) for key_set in key_sets}) == 1, key_sets
        published = jwks_of(metadata)
        assert published == key_sets[0]
        assert len(published["keys"]) == 1
        for token in tokens:
            check_access_token(token, published, issuer=metadata["issuer"], client=RECONCILER, sub="reconciler")
    finally:
        assert http.delete(idp.url("/debug/issuers/burst-bank")).status_code == 200


# --- Issuers on demand, and the root's layout ------------------------------------------------------------------------


def test_issuers_on_demand(tmp_path, http):
    """With --issuers-on-demand, the first request under an unknown segment creates a standard issuer of that
    name, and one under /realms/NAME a Keycloak realm; each then issues tokens under its own name."""
    with running_mock_idp("--issuers-on-demand", cwd=tmp_path) as server:
        base = server.issuer
        anything = http.get(f"{base}/anything/.well-known/openid-configuration")
        assert anything.status_code == 200, anything.text
        assert anything.json()["issuer"] == f"{base}/anything"
        assert anything.json()["token_endpoint"] == f"{base}/anything/token"

        realm = http.get(f"{base}/realms/x/.well-known/openid-configuration")
        assert realm.status_code == 200, realm.text
        assert realm.json()["issuer"] == f"{base}/realms/x"
        assert realm.json()["token_endpoint"] == f"{base}/realms/x/protocol/openid-connect/token"
        assert realm.json()["jwks_uri"] == f"{base}/realms/x/protocol/openid-connect/certs"

        listed = {entry["name"]: entry for entry in http.get(f"{base}/debug/issuers").json()["issuers"]}
        assert {name: (entry["layout"], entry["origin"]) for name, entry in listed.items()} == {
            "anything": ("standard", "on_demand"),
            "x": ("keycloak", "on_demand"),
        }

        app = DiscoveringClient(f"{base}/realms/x/.well-known/openid-configuration", BUDGETIFY, scope="openid")
        token, _ = app.sign_in()
        claims = check_access_token(
            token["access_token"], app.fetch_jwk_set(), issuer=f"{base}/realms/x", client=BUDGETIFY, sub="alice"
        )
        assert claims["typ"] == "Bearer"
        assert claims["preferred_username"] == "alice"

        # A root endpoint's name is no issuer's.
        assert http.get(f"{base}/token/.well-known/openid-configuration").status_code == 404

        # Many first requests at once under a new name make one issuer, with one key.
        def first_request(index: int):
            with HTTPSession() as client:
                if index % 2:
                    return "jwks", tuple(sorted(kids(client.get(f"{base}/burst/jwks").json())))
                response = client.get(f"{base}/burst/.well-known/openid-configuration")
                return "discovery", response.status_code, response.json()["issuer"]

        with concurrent.futures.ThreadPoolExecutor(max_workers=12) as pool:
            answers = set(pool.map(first_request, range(12)))
        assert len(answers) == 2, answers
        assert ("discovery", 200, f"{base}/burst") in answers
        names = [entry["name"] for entry in http.get(f"{base}/debug/issuers").json()["issuers"]]
        assert names.count("burst") == 1, names


def test_root_issuer_in_auth0_layout(tmp_path, http):
    """--layout auth0 gives the root issuer Auth0's trailing slash and paths."""
    with running_mock_idp("--layout", "auth0", cwd=tmp_path) as server:
        metadata = http.get(server.url("/.well-known/openid-configuration")).json()
        origin = server.issuer.rstrip("/")
        assert metadata["issuer"] == origin + "/"
        assert metadata["token_endpoint"] == f"{origin}/oauth/token"
        assert metadata["jwks_uri"] == f"{origin}/.well-known/jwks.json"

        app = DiscoveringClient(f"{origin}/.well-known/openid-configuration", BUDGETIFY, scope="openid")
        token, request = app.sign_in()
        assert app.parse_id_token(token, nonce=request["nonce"])["iss"] == origin + "/"


def test_root_issuer_keycloak_layout_refused(tmp_path):
    """A Keycloak root has no realm name: the start is refused, and the message says where the realm goes."""
    result = run_to_exit("--layout", "keycloak", cwd=tmp_path)
    assert result.returncode == VALIDATION_EXIT_CODE, (result.returncode, result.stderr)
    assert "issuer:" not in result.stdout
    assert "realm" in result.stderr and "issuer.json" in result.stderr, result.stderr


# --- Start failures --------------------------------------------------------------------------------------------------


def test_issuer_directory_with_invalid_client_stops_the_start(tmp_path):
    fixtures = tmp_path / "fixtures"
    (fixtures / "bad").mkdir(parents=True)
    (fixtures / "bad" / "clients.json").write_text(
        json.dumps(
            [{"client_id": "broken", "client_secret": "s", "redirect_uris": ["not a uri"], "scopes": ["openid"]}]
        )
    )
    result = run_to_exit("--fixtures", str(fixtures), cwd=tmp_path)
    assert result.returncode == FIXTURES_EXIT_CODE, (result.returncode, result.stderr)
    assert "issuer:" not in result.stdout
    assert any(
        str(fixtures / "bad" / "clients.json") in line and 'client_id "broken"' in line
        and 'field "redirect_uris[0]"' in line
        for line in result.stderr.splitlines()
    ), result.stderr


def test_issuer_json_with_unknown_layout_stops_the_start(tmp_path):
    fixtures = tmp_path / "fixtures"
    (fixtures / "weird").mkdir(parents=True)
    (fixtures / "weird" / "issuer.json").write_text(json.dumps({"layout": "okta"}))
    result = run_to_exit("--fixtures", str(fixtures), cwd=tmp_path)
    assert result.returncode == FIXTURES_EXIT_CODE, (result.returncode, result.stderr)
    assert "issuer:" not in result.stdout
    assert any(
        str(fixtures / "weird" / "issuer.json") in line and 'field "layout"' in line and "okta" in line
        for line in result.stderr.splitlines()
    ), result.stderr


def test_issuer_directory_named_like_a_root_endpoint_stops_the_start(tmp_path):
    fixtures = tmp_path / "fixtures"
    (fixtures / "token").mkdir(parents=True)
    (fixtures / "token" / "users.json").write_text(json.dumps([{"sub": "tess"}]))
    result = run_to_exit("--fixtures", str(fixtures), cwd=tmp_path)
    assert result.returncode == FIXTURES_EXIT_CODE, (result.returncode, result.stderr)
    assert "issuer:" not in result.stdout
    assert any(
        str(fixtures / "token") in line and '"token"' in line and "/token" in line
        for line in result.stderr.splitlines()
    ), result.stderr
