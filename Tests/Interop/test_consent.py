"""The consent page, driven over HTTP as a browser would submit its form, with Authlib as the client: partial
consent narrows the token response's scope (RFC 6749 §3.3), Deny reaches the client as access_denied, and prompt=none
gets consent_required (OpenID Connect Core §3.1.2.6). test_browser.py clicks through the same page in Chromium."""

from __future__ import annotations

import html.parser
import urllib.parse

import pytest

from conftest import FIXTURES_DIR, metadata, running_mock_idp
from oauth_helpers import (
    BUDGETIFY,
    HTTPSession,
    authorization_request,
    authorize,
    check_access_token,
    fetch_jwks,
    oauth_session,
    redirect_parameters,
    userinfo,
)

SCOPE = "openid profile email transactions:read"


class ConsentForm(html.parser.HTMLParser):
    """The consent page's form: its action, hidden inputs (in order) and checkboxes (value → checked)."""

    def __init__(self) -> None:
        super().__init__()
        self.action: str | None = None
        self.hidden: list[tuple[str, str]] = []
        self.checkboxes: dict[str, bool] = {}
        self.buttons: list[tuple[str, str]] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "form" and attributes.get("id") == "consent":
            self.action = attributes["action"]
        elif tag == "input" and attributes.get("type") == "hidden":
            self.hidden.append((attributes["name"], attributes["value"]))
        elif tag == "input" and attributes.get("type") == "checkbox" and "name" in attributes:
            self.checkboxes[attributes["value"]] = "checked" in attributes
        elif tag == "button":
            self.buttons.append((attributes.get("name"), attributes.get("value")))


def consent_form(response) -> ConsentForm:
    assert response.status_code == 200, f"expected the consent page, got {response.status_code}: {response.text[:300]}"
    assert response.headers["Content-Type"].startswith("text/html")
    form = ConsentForm()
    form.feed(response.text)
    assert form.action, "no consent form on the page"
    assert ("mockidp_consent", "allow") in form.buttons and ("mockidp_consent", "deny") in form.buttons
    return form


def submit(page_url: str, form: ConsentForm, *, checked: list[str], decision: str = "allow"):
    """POSTs the form as a browser does when `decision` is clicked with the `checked` boxes ticked."""
    fields = form.hidden + [("mockidp_consent_scope", scope) for scope in checked] + [("mockidp_consent", decision)]
    with HTTPSession() as browser:
        return browser.post(urllib.parse.urljoin(page_url, form.action), data=fields, allow_redirects=False)


def test_partial_consent_narrows_the_token_response_scope(mock_idp, discovery):
    with oauth_session(discovery, BUDGETIFY, scope=SCOPE) as session:
        request = authorization_request(session, discovery, prompt="consent")
        page = authorize(session, request.url)
        form = consent_form(page)
        assert form.checkboxes == {"profile": True, "email": True, "transactions:read": True}, "openid is fixed, every box starts checked"
        assert "Read your transactions" in page.text and "Alice Andersen" in page.text and "budgetify" in page.text

        callback = redirect_parameters(submit(request.url, form, checked=["transactions:read"]), BUDGETIFY["redirect_uri"])
        assert set(callback) == {"code", "state", "iss"} and callback["state"] == request.state
        token = session.fetch_token(code=callback["code"], code_verifier=request.code_verifier)
    # RFC 6749 §3.3: the granted scope differs from the request, so the response names it.
    assert token["scope"] == "openid transactions:read"
    claims = check_access_token(token["access_token"], fetch_jwks(discovery), issuer=mock_idp.issuer, client=BUDGETIFY, sub="alice")
    assert claims["scope"] == "openid transactions:read"
    info = userinfo(discovery, token["access_token"]).json()
    assert info["sub"] == "alice" and "email" not in info and "name" not in info


def test_deny_reaches_the_client_as_access_denied(mock_idp, discovery):
    # Authlib's requests client has no parser for an error callback of the code flow (its web-framework integrations
    # read `error` from the callback request), so the callback is read as such an app reads it.
    with oauth_session(discovery, BUDGETIFY, scope=SCOPE) as session:
        request = authorization_request(session, discovery, prompt="consent")
        form = consent_form(authorize(session, request.url))
        response = submit(request.url, form, checked=list(form.checkboxes), decision="deny")
    callback = redirect_parameters(response, BUDGETIFY["redirect_uri"])
    assert callback == {
        "error": "access_denied",  # RFC 6749 §4.1.2.1
        "error_description": "the user denied consent on MockIdP's consent page",
        "state": request.state,
        "iss": mock_idp.issuer,  # RFC 9207 §2
    }


def test_a_forged_scope_is_refused_not_granted(mock_idp, discovery):
    with oauth_session(discovery, BUDGETIFY, scope="openid email") as session:
        request = authorization_request(session, discovery, prompt="consent")
        form = consent_form(authorize(session, request.url))
        callback = redirect_parameters(submit(request.url, form, checked=["email", "transactions:write"]), BUDGETIFY["redirect_uri"])
    assert callback["error"] == "invalid_request" and "transactions:write" in callback["error_description"]
    assert "code" not in callback


@pytest.mark.parametrize("how", ["flag", "environment"])
def test_the_consent_page_flag_and_prompt_none(tmp_path, how):
    args, env = (["--consent-page"], None) if how == "flag" else ([], {"MOCK_IDP_CONSENT_PAGE": "true"})
    with running_mock_idp("--fixtures", str(FIXTURES_DIR), *args, cwd=tmp_path, env=env) as idp:
        discovery = metadata(idp)
        assert "consent" in discovery["prompt_values_supported"]
        with oauth_session(discovery, BUDGETIFY, scope="openid email") as session:
            request = authorization_request(session, discovery)  # no prompt: the server asks every time
            form = consent_form(authorize(session, request.url))
            callback = redirect_parameters(submit(request.url, form, checked=["email"]), BUDGETIFY["redirect_uri"])
            assert token_scope(session, callback, request) == "openid email"

            # OpenID Connect Core §3.1.2.6: prompt=none cannot show the page.
            request = authorization_request(session, discovery, prompt="none")
            callback = redirect_parameters(authorize(session, request.url), BUDGETIFY["redirect_uri"])
        assert callback["error"] == "consent_required" and callback["state"] == request.state and callback["iss"] == idp.issuer


def token_scope(session, callback: dict, request) -> str:
    return session.fetch_token(code=callback["code"], code_verifier=request.code_verifier)["scope"]


def test_a_client_with_consent_true_asks_and_a_bad_value_is_refused(fresh_idp, fresh_discovery):
    client = {"client_id": "careful", "client_secret": "careful-secret", "redirect_uris": ["http://localhost:7000/cb"], "consent": True}
    with HTTPSession() as http:
        refused = http.post(fresh_idp.url("/debug/clients"), json={**client, "consent": "yes"})
        assert refused.status_code == 400
        assert 'field "consent": expected true or false, found a string' in refused.json()["error_description"], refused.text
        assert http.post(fresh_idp.url("/debug/clients"), json=client).status_code == 201
    careful = {**client, "redirect_uri": "http://localhost:7000/cb"}
    with oauth_session(fresh_discovery, careful, scope="openid profile") as session:
        request = authorization_request(session, fresh_discovery)
        form = consent_form(authorize(session, request.url))
        assert form.checkboxes == {"profile": True}
        request = authorization_request(session, fresh_discovery, prompt="none")
        assert redirect_parameters(authorize(session, request.url), careful["redirect_uri"])["error"] == "consent_required"
    # Budgetify still consents automatically.
    with oauth_session(fresh_discovery, BUDGETIFY) as session:
        request = authorization_request(session, fresh_discovery)
        assert "code" in redirect_parameters(authorize(session, request.url), BUDGETIFY["redirect_uri"])
