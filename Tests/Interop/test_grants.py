"""Every grant besides the code flow, and the token lifecycle, driven by Authlib's OAuth2Session: refresh with
rotation (RFC 6749 §6, RFC 9700 §4.14.2), client credentials (§4.4), password (§4.3), the device flow (RFC 8628),
revocation (RFC 7009), introspection (RFC 7662) and RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0).

Tests that move the clock or end sessions get a server of their own (`fresh_idp`).
"""

from __future__ import annotations

import urllib.parse

import pytest
from authlib.integrations.requests_client import OAuthError

from oauth_helpers import (
    BUDGETIFY,
    BUDGETIFY_SPA,
    BUDGETIFY_TV,
    DEVICE_CODE_GRANT,
    PLANNER,
    RECONCILER,
    HTTPSession,
    assert_token_rejected,
    check_access_token,
    check_id_token,
    code_flow,
    fetch_jwks,
    introspect,
    oauth_session,
    userinfo,
    verify_jwt,
)

MAX_POLLS = 20  # a device-flow client that has not been approved after this many polls gives up


def oauth_error(call) -> OAuthError:
    """The OAuthError Authlib raises for an error response of the token endpoint."""
    with pytest.raises(OAuthError) as raised:
        call()
    return raised.value


# --- Refresh token (RFC 6749 §6) ------------------------------------------------------------------------------------


def test_refresh_rotates_the_refresh_token_and_keeps_the_sign_in(mock_idp, discovery, jwks):
    scope = "openid profile offline_access"
    with oauth_session(discovery, BUDGETIFY, scope=scope) as client:
        first, request = code_flow(discovery, BUDGETIFY, scope=scope)
        first_id = check_id_token(
            first["id_token"],
            jwks,
            issuer=mock_idp.issuer,
            client=BUDGETIFY,
            nonce=request.nonce,
            access_token=first["access_token"],
        )
        client.token = first

        second = client.refresh_token()
        assert second["refresh_token"] != first["refresh_token"], "the refresh token was not rotated"
        assert second["access_token"] != first["access_token"]
        assert second["scope"].split() == scope.split()
        check_access_token(second["access_token"], jwks, issuer=mock_idp.issuer, client=BUDGETIFY, sub="alice")
        # OIDC Core §12.2: same iss, sub, aud and auth_time as the original ID token; no nonce.
        second_id = check_id_token(
            second["id_token"],
            jwks,
            issuer=mock_idp.issuer,
            client=BUDGETIFY,
            nonce=None,
            access_token=second["access_token"],
        )
        assert second_id["sub"] == first_id["sub"] == "alice"
        assert second_id["auth_time"] == first_id["auth_time"]
        assert client.get(discovery["userinfo_endpoint"]).json()["sub"] == "alice"

        # RFC 9700 §4.14.2: the rotated-out refresh token is refused ...
        error = oauth_error(lambda: client.refresh_token(refresh_token=first["refresh_token"]))
        assert error.error == "invalid_grant"
        # ... and its reuse revokes the whole family, the newest tokens included.
        assert_token_rejected(discovery, second["access_token"])
        assert introspect(discovery, second["refresh_token"], client=BUDGETIFY) == {"active": False}
        error = oauth_error(lambda: client.refresh_token(refresh_token=second["refresh_token"]))
        assert error.error == "invalid_grant"


def test_refresh_may_narrow_but_not_widen_the_scope(mock_idp, discovery, jwks):
    token, _ = code_flow(discovery, BUDGETIFY, scope="openid profile email")
    with oauth_session(discovery, BUDGETIFY, scope="openid profile email") as client:
        client.token = token
        narrowed = client.refresh_token(scope="openid email")
        assert narrowed["scope"].split() == ["openid", "email"]
        claims = check_access_token(
            narrowed["access_token"], jwks, issuer=mock_idp.issuer, client=BUDGETIFY, sub="alice"
        )
        assert claims["scope"] == "openid email"
        assert "name" not in client.get(discovery["userinfo_endpoint"]).json()  # profile is gone

        # The grant keeps its whole scope: the next refresh may ask for all of it again (RFC 6749 §6).
        restored = client.refresh_token(scope="openid profile email")
        assert restored["scope"].split() == ["openid", "profile", "email"]
        assert client.get(discovery["userinfo_endpoint"]).json()["name"] == "Alice Andersen"

        # RFC 6749 §6: "MUST NOT include any scope not originally granted".
        error = oauth_error(lambda: client.refresh_token(scope="openid transactions:read"))
        assert error.error == "invalid_scope"


@pytest.mark.parametrize(
    "bad", [{"scope": "openid transactions:read"}, {"resource": "https://other.example"}], ids=["scope", "resource"]
)
def test_a_refused_refresh_request_leaves_the_refresh_token_usable(mock_idp, discovery, jwks, bad):
    """An error response issues no new refresh token, so the one presented stays the client's (RFC 6749 §5.2, §6):
    rotation invalidates the previous refresh token when a new one is issued (RFC 9700 §4.14.2). Retrying with it is
    not reuse, and must not revoke the family."""
    token, _ = code_flow(discovery, BUDGETIFY, scope="openid profile")
    with oauth_session(discovery, BUDGETIFY, scope="openid profile") as client:
        client.token = token
        assert oauth_error(lambda: client.refresh_token(**bad)).error in ("invalid_scope", "invalid_target")
        assert client.token["refresh_token"] == token["refresh_token"]

        refreshed = client.refresh_token()
    check_access_token(refreshed["access_token"], jwks, issuer=mock_idp.issuer, client=BUDGETIFY, sub="alice")
    assert userinfo(discovery, token["access_token"]).status_code == 200, "the family was revoked"


def test_a_refresh_token_is_bound_to_its_client(mock_idp, discovery):
    token, _ = code_flow(discovery, BUDGETIFY)
    with oauth_session(discovery, PLANNER, token_endpoint_auth_method="client_secret_post") as planner:
        error = oauth_error(lambda: planner.refresh_token(refresh_token=token["refresh_token"]))
    assert error.error == "invalid_grant"  # RFC 6749 §10.4


# --- Client credentials (RFC 6749 §4.4) -----------------------------------------------------------------------------


def test_client_credentials(mock_idp, discovery, jwks):
    with oauth_session(discovery, RECONCILER, scope="transactions:read") as client:
        token = client.fetch_token(grant_type="client_credentials")
    assert token["token_type"] == "Bearer"
    assert token["expires_in"] == 300
    assert token["scope"] == "transactions:read"
    assert "refresh_token" not in token, "RFC 6749 §4.4.3: a refresh token SHOULD NOT be included"
    assert "id_token" not in token, "no user signed in, so no ID token"
    claims = check_access_token(
        token["access_token"],
        jwks,
        issuer=mock_idp.issuer,
        client=RECONCILER,
        sub="reconciler",
        scope="transactions:read",
    )
    assert "auth_time" not in claims

    info = introspect(discovery, token["access_token"])
    assert info["active"] is True
    assert info["client_id"] == info["sub"] == "reconciler"
    assert "username" not in info


def test_client_credentials_without_scope_gets_every_scope_of_the_client(mock_idp, discovery, jwks):
    with oauth_session(discovery, RECONCILER, scope=None) as client:
        token = client.fetch_token(grant_type="client_credentials")
    assert token["scope"].split() == ["transactions:read", "transactions:write"]


def test_client_credentials_refuses_a_scope_beyond_the_client(mock_idp, discovery):
    with oauth_session(discovery, RECONCILER, scope="openid") as client:
        error = oauth_error(lambda: client.fetch_token(grant_type="client_credentials"))
    assert error.error == "invalid_scope"


def test_client_credentials_with_a_wrong_secret(mock_idp, discovery):
    with oauth_session(discovery, dict(RECONCILER, client_secret="wrong")) as client:
        error = oauth_error(lambda: client.fetch_token(grant_type="client_credentials"))
    assert error.error == "invalid_client"


def test_client_credentials_for_a_client_without_the_grant(mock_idp, discovery):
    with oauth_session(discovery, PLANNER, token_endpoint_auth_method="client_secret_post") as client:
        error = oauth_error(lambda: client.fetch_token(grant_type="client_credentials"))
    assert error.error == "unauthorized_client"


# --- Password (RFC 6749 §4.3) ---------------------------------------------------------------------------------------


def test_password_grant(mock_idp, discovery, jwks):
    scope = "openid profile email offline_access"
    with oauth_session(discovery, BUDGETIFY, scope=scope) as client:
        token = client.fetch_token(username="bob", password="bob-password")
        assert token["scope"].split() == scope.split()
        assert token["refresh_token"]
        check_access_token(
            token["access_token"], jwks, issuer=mock_idp.issuer, client=BUDGETIFY, sub="bob", scope=scope
        )
        id_claims = check_id_token(
            token["id_token"],
            jwks,
            issuer=mock_idp.issuer,
            client=BUDGETIFY,
            nonce=None,
            access_token=token["access_token"],
        )
        assert id_claims["sub"] == "bob"
        assert id_claims["email"] == "bob@alpha-bank.example"
        assert client.get(discovery["userinfo_endpoint"]).json()["name"] == "Bob Brown"

        refreshed = client.refresh_token()
        check_access_token(refreshed["access_token"], jwks, issuer=mock_idp.issuer, client=BUDGETIFY, sub="bob")


@pytest.mark.parametrize(
    ("username", "password"),
    [("bob", "wrong-password"), ("nobody", "bob-password"), ("dave", "anything")],
    ids=["wrong password", "unknown user", "user without a password"],
)
def test_password_grant_refuses_bad_credentials(mock_idp, discovery, username, password):
    with oauth_session(discovery, BUDGETIFY, scope="openid") as client:
        error = oauth_error(lambda: client.fetch_token(username=username, password=password))
    assert error.error == "invalid_grant"


def test_password_grant_with_an_empty_password(mock_idp, discovery):
    """RFC 6749 §3.2: a parameter sent without a value is treated as omitted, and password is required (§4.3.2)."""
    with oauth_session(discovery, BUDGETIFY, scope="openid") as client:
        error = oauth_error(lambda: client.fetch_token(username="bob", password=""))
    assert error.error == "invalid_request"


def test_password_grant_matches_a_username_or_a_sub(mock_idp, discovery, jwks):
    with oauth_session(discovery, BUDGETIFY, scope="openid") as client:
        token = client.fetch_token(username="carol", password="carol-password")
    check_access_token(token["access_token"], jwks, issuer=mock_idp.issuer, client=BUDGETIFY, sub="7d0b2f9e-carol")


def test_password_grant_needs_the_client_to_list_it(mock_idp, discovery):
    with oauth_session(discovery, PLANNER, token_endpoint_auth_method="client_secret_post", scope="openid") as client:
        error = oauth_error(lambda: client.fetch_token(username="bob", password="bob-password"))
    assert error.error == "unauthorized_client"


# --- Device authorization (RFC 8628) --------------------------------------------------------------------------------


def device_authorization(discovery: dict, scope: str = "openid profile offline_access") -> dict:
    """RFC 8628 §3.1: the device asks for a device code and a user code."""
    with HTTPSession() as http:
        response = http.post(
            discovery["device_authorization_endpoint"], data={"client_id": BUDGETIFY_TV["client_id"], "scope": scope}
        )
    assert response.status_code == 200, response.text
    assert response.headers["Cache-Control"] == "no-store"
    body = response.json()
    assert {
        "device_code",
        "user_code",
        "verification_uri",
        "verification_uri_complete",
        "expires_in",
        "interval",
    } <= set(body)
    return body


def poll_until_issued(client, device: dict, debug, interval: int) -> tuple[dict, list[str]]:
    """An RFC 8628 §3.5 polling loop that waits `interval` seconds, on the server's debug clock, between polls.

    Returns the token response and the errors seen on the way; `slow_down` adds 5 seconds to the interval.
    """
    seen = []
    for _ in range(MAX_POLLS):
        debug.advance_clock(interval)
        try:
            return client.fetch_token(grant_type=DEVICE_CODE_GRANT, device_code=device["device_code"]), seen
        except OAuthError as error:
            seen.append(error.error)
            if error.error == "slow_down":
                interval += 5
            elif error.error != "authorization_pending":
                raise
    raise AssertionError(f"no tokens after {MAX_POLLS} polls: {seen}")


def test_device_flow(fresh_idp, fresh_discovery, fresh_debug):
    discovery = fresh_discovery
    device = device_authorization(discovery)
    assert device["verification_uri"] == fresh_idp.url("/device")
    assert device["verification_uri_complete"].startswith(device["verification_uri"] + "?user_code=")
    assert device["expires_in"] == 600
    interval = device["interval"]
    assert interval == 5

    with oauth_session(discovery, BUDGETIFY_TV, scope="openid profile offline_access") as client:
        # Not yet approved.
        error = oauth_error(lambda: client.fetch_token(grant_type=DEVICE_CODE_GRANT, device_code=device["device_code"]))
        assert error.error == "authorization_pending"
        # Polling again at once is too fast: slow_down, and the interval grows by 5 seconds (RFC 8628 §3.5).
        error = oauth_error(lambda: client.fetch_token(grant_type=DEVICE_CODE_GRANT, device_code=device["device_code"]))
        assert error.error == "slow_down"
        interval += 5

        # A well-behaved client waits `interval` between polls and hears only authorization_pending.
        fresh_debug.advance_clock(interval)
        error = oauth_error(lambda: client.fetch_token(grant_type=DEVICE_CODE_GRANT, device_code=device["device_code"]))
        assert error.error == "authorization_pending"

        # The user opens verification_uri_complete in a browser, which approves at once as the first user.
        with HTTPSession() as browser:
            page = browser.get(device["verification_uri_complete"])
        assert page.status_code == 200, page.text
        assert page.headers["Content-Type"].startswith("text/html")
        assert "Device connected" in page.text

        token, seen = poll_until_issued(client, device, fresh_debug, interval)
        assert "slow_down" not in seen, "a client that honours the interval was told to slow down"

    jwks = fetch_jwks(discovery)
    assert token["scope"].split() == ["openid", "profile", "offline_access"]
    assert token["refresh_token"], "budgetify-tv has the refresh_token grant"
    header, access = verify_jwt(token["access_token"], jwks)
    assert header["typ"] == "at+jwt"
    assert access["sub"] == "alice" and access["client_id"] == "budgetify-tv"
    assert access["aud"] == "https://api.alpha-bank.example"
    _, id_claims = verify_jwt(token["id_token"], jwks)
    assert id_claims["sub"] == "alice" and id_claims["aud"] == "budgetify-tv"
    assert userinfo(discovery, token["access_token"]).json()["name"] == "Alice Andersen"

    # The device code is exchanged once only.
    with oauth_session(discovery, BUDGETIFY_TV) as client:
        fresh_debug.advance_clock(interval)
        error = oauth_error(lambda: client.fetch_token(grant_type=DEVICE_CODE_GRANT, device_code=device["device_code"]))
    assert error.error == "invalid_grant"


def test_device_flow_with_login_hint_and_a_typed_user_code(fresh_idp, fresh_discovery, fresh_debug):
    """RFC 8628 §6.1: the user may type the code in lower case and without the dash."""
    device = device_authorization(fresh_discovery, scope="openid")
    typed = device["user_code"].replace("-", "").lower()
    with HTTPSession() as browser:
        page = browser.post(device["verification_uri"], data={"user_code": typed, "login_hint": "carol"})
    assert page.status_code == 200, page.text
    with oauth_session(fresh_discovery, BUDGETIFY_TV, scope="openid") as client:
        token, _ = poll_until_issued(client, device, fresh_debug, device["interval"])
    _, claims = verify_jwt(token["access_token"], fetch_jwks(fresh_discovery))
    assert claims["sub"] == "7d0b2f9e-carol"


def test_device_flow_denied(fresh_idp, fresh_discovery, fresh_debug):
    device = device_authorization(fresh_discovery)
    with HTTPSession() as browser:
        page = browser.get(device["verification_uri"], params={"user_code": device["user_code"], "action": "deny"})
    assert page.status_code == 200 and "denied" in page.text
    with oauth_session(fresh_discovery, BUDGETIFY_TV) as client:
        fresh_debug.advance_clock(device["interval"])
        error = oauth_error(lambda: client.fetch_token(grant_type=DEVICE_CODE_GRANT, device_code=device["device_code"]))
    assert error.error == "access_denied"


def test_device_code_expires(fresh_idp, fresh_discovery, fresh_debug):
    device = device_authorization(fresh_discovery)
    fresh_debug.advance_clock(device["expires_in"])
    with HTTPSession() as browser:
        page = browser.get(device["verification_uri_complete"])
    assert page.status_code == 400, "an expired user code must not be approved"
    with oauth_session(fresh_discovery, BUDGETIFY_TV) as client:
        error = oauth_error(lambda: client.fetch_token(grant_type=DEVICE_CODE_GRANT, device_code=device["device_code"]))
    assert error.error == "expired_token"


def test_device_authorization_for_a_client_without_the_grant(mock_idp, http, discovery):
    response = http.post(discovery["device_authorization_endpoint"], data={"client_id": "budgetify-spa"})
    assert response.status_code == 400
    assert response.json()["error"] == "unauthorized_client"


# --- Revocation (RFC 7009) ------------------------------------------------------------------------------------------


def test_revoking_a_refresh_token_revokes_its_grant(mock_idp, discovery):
    token, _ = code_flow(discovery, BUDGETIFY)
    with oauth_session(discovery, BUDGETIFY) as client:
        client.token = token
        response = client.revoke_token(
            discovery["revocation_endpoint"], token=token["refresh_token"], token_type_hint="refresh_token"
        )
        assert response.status_code == 200, response.text
        error = oauth_error(lambda: client.refresh_token())
        assert error.error == "invalid_grant"
    # RFC 7009 §2.1: revoking a refresh token also invalidates the access tokens of the same grant.
    assert_token_rejected(discovery, token["access_token"])


def test_revoking_an_access_token(mock_idp, discovery, jwks):
    token, _ = code_flow(discovery, BUDGETIFY)
    with oauth_session(discovery, BUDGETIFY) as client:
        client.token = token
        response = client.revoke_token(
            discovery["revocation_endpoint"], token=token["access_token"], token_type_hint="access_token"
        )
        assert response.status_code == 200, response.text
        assert_token_rejected(discovery, token["access_token"])
        # Only that access token: the refresh token still gets a new one.
        refreshed = client.refresh_token()
    check_access_token(refreshed["access_token"], jwks, issuer=mock_idp.issuer, client=BUDGETIFY, sub="alice")


def test_a_public_client_revokes_its_own_token(mock_idp, discovery):
    token, _ = code_flow(discovery, BUDGETIFY_SPA, scope="openid offline_access")
    with oauth_session(discovery, BUDGETIFY_SPA) as client:
        response = client.revoke_token(discovery["revocation_endpoint"], token=token["refresh_token"])
    assert response.status_code == 200, response.text
    assert_token_rejected(discovery, token["access_token"])


def test_revoking_an_unknown_token_answers_200(mock_idp, discovery):
    """RFC 7009 §2.2: "invalid tokens do not cause an error response"."""
    with oauth_session(discovery, BUDGETIFY) as client:
        response = client.revoke_token(discovery["revocation_endpoint"], token="no-such-token")
    assert response.status_code == 200, response.text


def test_a_client_cannot_revoke_another_clients_token(mock_idp, discovery):
    """RFC 7009 §2.1: the server verifies the token was issued to the client asking; otherwise it refuses."""
    token, _ = code_flow(discovery, BUDGETIFY)
    with oauth_session(discovery, RECONCILER) as other:
        response = other.revoke_token(discovery["revocation_endpoint"], token=token["refresh_token"])
    assert response.status_code == 400, response.text
    assert response.json()["error"] == "unauthorized_client"
    assert userinfo(discovery, token["access_token"]).status_code == 200, "the token must stay valid"


# --- Introspection (RFC 7662) ---------------------------------------------------------------------------------------


def test_introspection_of_an_access_token(mock_idp, discovery, jwks):
    scope = "openid profile transactions:read"
    token, _ = code_flow(discovery, BUDGETIFY, scope=scope, login_hint="bob")
    _, claims = verify_jwt(token["access_token"], jwks)
    with oauth_session(discovery, RECONCILER) as resource_server:
        response = resource_server.introspect_token(
            discovery["introspection_endpoint"], token=token["access_token"], token_type_hint="access_token"
        )
    assert response.status_code == 200, response.text
    info = response.json()
    assert info["active"] is True
    assert info["scope"].split() == scope.split()
    assert info["client_id"] == "budgetify"
    assert info["sub"] == "bob" and info["username"] == "bob"
    assert info["token_type"] == "Bearer"
    assert info["iss"] == mock_idp.issuer
    assert info["aud"] in ("https://api.alpha-bank.example", ["https://api.alpha-bank.example"])
    assert (info["exp"], info["iat"], info["jti"]) == (claims["exp"], claims["iat"], claims["jti"])


def test_introspection_of_a_refresh_token(mock_idp, discovery):
    token, _ = code_flow(discovery, BUDGETIFY)
    with oauth_session(discovery, BUDGETIFY) as client:
        response = client.introspect_token(
            discovery["introspection_endpoint"], token=token["refresh_token"], token_type_hint="refresh_token"
        )
    assert response.status_code == 200, response.text
    info = response.json()
    assert info["active"] is True
    assert info["client_id"] == "budgetify" and info["sub"] == "alice"


@pytest.mark.parametrize("which", ["id_token", "garbage"])
def test_introspection_of_anything_else_is_exactly_inactive(mock_idp, discovery, which):
    """RFC 7662 §2.2: an inactive token answers {"active": false} and nothing more."""
    token, _ = code_flow(discovery, BUDGETIFY)
    value = {"id_token": token["id_token"], "garbage": "not-a-token"}[which]
    with oauth_session(discovery, RECONCILER) as resource_server:
        response = resource_server.introspect_token(discovery["introspection_endpoint"], token=value)
    assert response.status_code == 200, response.text
    assert response.json() == {"active": False}


def test_introspection_without_a_token(mock_idp, http, discovery):
    """RFC 7662 §2.1: token is REQUIRED; an empty one counts as omitted (RFC 6749 §3.2)."""
    response = http.post(
        discovery["introspection_endpoint"], data={"token": ""}, auth=("reconciler", "reconciler-secret")
    )
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"


def test_introspection_needs_a_confidential_client(mock_idp, discovery):
    """RFC 7662 §2.1: the endpoint requires authorization; a public client proves nothing."""
    token, _ = code_flow(discovery, BUDGETIFY)
    with oauth_session(discovery, BUDGETIFY_SPA) as public:
        response = public.introspect_token(discovery["introspection_endpoint"], token=token["access_token"])
    assert response.status_code == 401, response.text
    assert response.json()["error"] == "invalid_client"


# --- RP-initiated logout --------------------------------------------------------------------------------------------


def logout(discovery: dict, **params: str):
    with HTTPSession() as browser:
        return browser.get(discovery["end_session_endpoint"], params=params, allow_redirects=False)


def test_logout_redirects_to_a_registered_uri_with_state(fresh_idp, fresh_discovery):
    discovery = fresh_discovery
    token, _ = code_flow(discovery, BUDGETIFY, scope="openid profile offline_access")
    bob, _ = code_flow(discovery, BUDGETIFY, login_hint="bob")
    assert userinfo(discovery, token["access_token"]).status_code == 200

    response = logout(
        discovery, id_token_hint=token["id_token"], post_logout_redirect_uri="http://localhost:3000/", state="bye now"
    )
    assert response.status_code == 302, response.text
    location = urllib.parse.urlsplit(response.headers["Location"])
    assert (location.scheme, location.netloc, location.path) == ("http", "localhost:3000", "/")
    assert urllib.parse.parse_qs(location.query) == {"state": ["bye now"]}

    # The session ended: its tokens are revoked, the refresh token too.
    assert_token_rejected(discovery, token["access_token"])
    with oauth_session(discovery, BUDGETIFY) as client:
        client.token = token
        assert oauth_error(lambda: client.refresh_token()).error == "invalid_grant"
    # Another user's session is untouched.
    assert userinfo(discovery, bob["access_token"]).status_code == 200

    # Signing in again opens a new session.
    again, _ = code_flow(discovery, BUDGETIFY)
    jwks = fetch_jwks(discovery)
    assert verify_jwt(again["id_token"], jwks)[1]["sid"] != verify_jwt(token["id_token"], jwks)[1]["sid"]


def test_logout_to_an_unregistered_uri_shows_a_page_instead(fresh_idp, fresh_discovery):
    """RP-Initiated Logout §3: the OP MUST NOT redirect to a post_logout_redirect_uri not registered for the client."""
    discovery = fresh_discovery
    token, _ = code_flow(discovery, BUDGETIFY)
    response = logout(
        discovery, id_token_hint=token["id_token"], post_logout_redirect_uri="http://evil.example/", state="bye"
    )
    assert response.status_code == 200, response.text
    assert "Location" not in response.headers
    assert response.headers["Content-Type"].startswith("text/html")
    assert "Signed out" in response.text
    assert "http://evil.example/" in response.text and "not registered" in response.text
    assert_token_rejected(discovery, token["access_token"])


def test_logout_with_a_post_logout_uri_of_another_client(fresh_idp, fresh_discovery):
    token, _ = code_flow(fresh_discovery, BUDGETIFY)
    response = logout(
        fresh_discovery, id_token_hint=token["id_token"], post_logout_redirect_uri="http://localhost:5173/"
    )  # budgetify-spa's
    assert response.status_code == 200 and "Location" not in response.headers
    assert_token_rejected(fresh_discovery, token["access_token"])


def test_logout_without_redirect_shows_the_signed_out_page(fresh_idp, fresh_discovery):
    token, _ = code_flow(fresh_discovery, BUDGETIFY)
    response = logout(fresh_discovery, id_token_hint=token["id_token"])
    assert response.status_code == 200 and "Location" not in response.headers
    assert "alice" in response.text
    assert_token_rejected(fresh_discovery, token["access_token"])


def test_logout_refuses_a_forged_id_token_hint(fresh_idp, fresh_discovery):
    token, _ = code_flow(fresh_discovery, BUDGETIFY)
    header, payload, signature = token["id_token"].split(".")
    forged = f"{header}.{payload}.{signature[::-1]}"
    response = logout(fresh_discovery, id_token_hint=forged, post_logout_redirect_uri="http://localhost:3000/")
    assert response.status_code == 400
    assert "Location" not in response.headers
    assert userinfo(fresh_discovery, token["access_token"]).status_code == 200, "a forged hint must end no session"
