"""GET /debug/flows, GET /debug/export and the inspector's timeline, against the binary: flows driven by Authlib, each
refusal placed in its flow with the rule behind it, and the walkthrough of README's "Debugging a flow" in Chromium."""

from __future__ import annotations

import json

import pytest
from authlib.integrations.base_client.errors import OAuthError
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from oauth_helpers import (
    BUDGETIFY,
    RECONCILER,
    authorization_request,
    authorize,
    code_flow,
    oauth_session,
    redirect_parameters,
)
from test_browser import browser, screenshot, wait  # noqa: F401 (the browser fixture)


def failing_login(discovery: dict) -> tuple[str, OAuthError]:
    """The bug of README's walkthrough: the app redeems its code with another redirect_uri than it authorized with
    (a trailing slash). Returns the code and the error Authlib raised."""
    with oauth_session(discovery, BUDGETIFY, scope="openid profile") as session:
        request = authorization_request(session, discovery)
        code = redirect_parameters(authorize(session, request.url), BUDGETIFY["redirect_uri"])["code"]
        session.redirect_uri = BUDGETIFY["redirect_uri"] + "/"
        with pytest.raises(OAuthError) as raised:
            session.fetch_token(code=code, code_verifier=request.code_verifier)
        return code, raised.value


def test_a_refused_redemption_is_in_its_flow_with_the_rule(fresh_idp, fresh_discovery, fresh_debug):
    code, error = failing_login(fresh_discovery)
    assert error.error == "invalid_grant"
    flows = fresh_debug.flows()
    assert len(flows) == 1
    flow = flows[0]
    assert flow["client_id"] == "budgetify" and flow["sub"] == "alice" and flow["grant_type"] == "authorization_code"
    assert flow["status"] == "failed" and flow["failures"] == 1
    authorization, redemption = flow["events"]
    assert authorization["kind"] == "authorization_request" and authorization["status"] == 302
    assert {"type": "code", "value": code, "action": "issued"} in authorization["tokens"]
    assert "alice signed in" in authorization["summary"]
    assert redemption["kind"] == "token_request" and redemption["status"] == 400 and redemption["error"] == "invalid_grant"
    assert redemption["rule"] == "RFC 6749 §4.1.3", redemption
    assert redemption["parameters"]["redirect_uri"] == BUDGETIFY["redirect_uri"] + "/"
    assert redemption["parameters"]["code"] == "[redacted]"
    # /debug/requests names the same flow and rule.
    logged = next(entry for entry in fresh_debug.requests() if entry["id"] == redemption["request"])
    assert logged["flows"] == [flow["id"]] and logged["rule"] == "RFC 6749 §4.1.3"


def test_a_whole_flow_in_order(fresh_idp, fresh_discovery, fresh_debug):
    token, _ = code_flow(fresh_discovery, BUDGETIFY, scope="openid offline_access")
    with oauth_session(fresh_discovery, BUDGETIFY, scope="openid offline_access") as client:
        refreshed = client.refresh_token(fresh_discovery["token_endpoint"], refresh_token=token["refresh_token"])
        # The rotated refresh token presented again: reuse, which revokes the family (RFC 9700 §4.14.2).
        with pytest.raises(OAuthError):
            client.refresh_token(fresh_discovery["token_endpoint"], refresh_token=token["refresh_token"])
    [flow] = fresh_debug.flows()
    kinds = [(event["kind"], event["status"]) for event in flow["events"]]
    assert kinds == [("authorization_request", 302), ("token_request", 200), ("token_request", 200), ("token_request", 400)]
    reuse = flow["events"][-1]
    assert reuse["error"] == "invalid_grant" and reuse["rule"] == "RFC 9700 §4.14.2", reuse
    assert {"type": "refresh_token", "value": refreshed["refresh_token"], "action": "revoked"} in reuse["tokens"]
    assert flow["status"] == "revoked"
    requests = [event["request"] for event in flow["events"]]
    assert requests == sorted(requests)

    explanation = fresh_debug.explain(refreshed["access_token"])
    status = next(check for check in explanation["checks"] if check["name"] == "status")
    assert not status["passed"] and f"by request {reuse['request']} (POST /token, refresh_token" in status["detail"]
    assert "RFC 9700 §4.14.2" in status["detail"]


def test_filters(fresh_idp, fresh_discovery, fresh_debug):
    code_flow(fresh_discovery, BUDGETIFY)
    with oauth_session(fresh_discovery, RECONCILER, scope="transactions:read") as client:
        client.fetch_token(grant_type="client_credentials")
    failing_login(fresh_discovery)
    assert {flow["client_id"] for flow in fresh_debug.flows(client="reconciler")} == {"reconciler"}
    assert len(fresh_debug.flows(user="alice")) == 2
    failed = fresh_debug.flows(status="failed")
    assert len(failed) == 1 and failed[0]["events"][-1]["error"] == "invalid_grant"
    assert len(fresh_debug.flows(q="callback/")) == 1
    response = fresh_debug.http.get(fresh_idp.url("/debug/flows"), params={"status": "broken"})
    assert response.status_code == 400 and response.json()["error"] == "invalid_request"


def test_export_is_the_whole_state(fresh_idp, fresh_discovery, fresh_debug):
    token, _ = code_flow(fresh_discovery, BUDGETIFY)
    failing_login(fresh_discovery)
    exported = fresh_debug.export()
    assert exported["issuer"] == fresh_discovery["issuer"]
    assert set(exported) == {"issuer", "exported_at", "snapshot", "requests", "flows"}
    assert token["access_token"] in {entry["token"] for entry in exported["snapshot"]["tokens"]}
    assert len(exported["flows"]) == 2 and len(exported["requests"]) >= 4
    # One JSON document: a test attaches it to its failure report as it is.
    assert json.loads(json.dumps(exported)) == exported


def test_the_inspector_shows_the_failing_flow(browser, fresh_idp, fresh_discovery):  # noqa: F811 (the fixture)
    """README's "Debugging a flow": from a failing login to its cause, in the inspector alone."""
    code_flow(fresh_discovery, BUDGETIFY)
    with oauth_session(fresh_discovery, RECONCILER, scope="transactions:read") as client:
        client.fetch_token(grant_type="client_credentials")
    failing_login(fresh_discovery)
    browser.get(fresh_idp.url("/debug"))
    wait(browser).until(lambda d: d.find_elements(By.CSS_SELECTOR, "section.flow"))
    cards = browser.find_elements(By.CSS_SELECTOR, "section.flow")
    assert len(cards) == 3
    assert "has-failures" in cards[0].get_attribute("class"), "the failing flow is the newest"
    Select(browser.find_element(By.ID, "flow-status")).select_by_visible_text("failed")
    browser.execute_script("document.getElementById('flow-status').dispatchEvent(new Event('input', {bubbles: true}))")
    visible = [card for card in browser.find_elements(By.CSS_SELECTOR, "section.flow") if card.is_displayed()]
    assert len(visible) == 1 and browser.find_element(By.ID, "flow-count").text == "1 of 3 flow(s)"
    failing = visible[0]
    events = failing.find_elements(By.CSS_SELECTOR, "ol.timeline > li")
    assert len(events) == 2
    assert "alice signed in; code issued" in events[0].text
    assert "invalid_grant" in events[1].text and "RFC 6749 §4.1.3" in events[1].text
    assert "refused" in events[1].get_attribute("class")
    # Human-readable times beside the epoch values (kept in the title).
    time = failing.find_element(By.CSS_SELECTOR, "ol.timeline time")
    assert "ago" in time.text or "now" in time.text
    assert time.get_attribute("title").split(" ")[0].isdigit()
    events[1].find_element(By.TAG_NAME, "summary").click()
    assert "redirect_uri=http://localhost:3000/callback/" in events[1].find_element(By.TAG_NAME, "pre").text
    browser.execute_script("document.querySelector('section.flows').scrollIntoView()")
    screenshot(browser, "inspector-flows.png")

    # A text search finds the client-credentials flow; its token links to its card.
    Select(browser.find_element(By.ID, "flow-status")).select_by_visible_text("any")
    search = browser.find_element(By.ID, "flow-text")
    search.send_keys("client_credentials")
    visible = [card for card in browser.find_elements(By.CSS_SELECTOR, "section.flow") if card.is_displayed()]
    assert len(visible) == 1 and "reconciler" in visible[0].text
    link = visible[0].find_element(By.CSS_SELECTOR, ".tokens a")
    target = link.get_attribute("href").split("#", 1)[1]
    assert browser.find_element(By.ID, target).get_attribute("class").startswith("token access_token")
