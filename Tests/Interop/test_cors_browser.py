"""A browser app against MockIdP with no proxy, in headless Chromium: Tests/Interop/spa/index.html, served from a
second local origin, runs the whole public-client flow itself (PKCE with WebCrypto, /authorize, fetch to /token and
/userinfo, refresh, revoke), and the same page from an origin that no client allows is blocked by the browser.

The IdP is at http://127.0.0.1:PORT; the page at http://127.0.0.1:OTHER_PORT, another origin (RFC 6454: the port
is part of it). Screenshots go to Tests/Interop/artifacts/.
"""

from __future__ import annotations

import json
import pathlib
import shutil
import threading
import urllib.parse
from collections.abc import Iterator

import pytest
from selenium import webdriver
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.common.by import By

from conftest import FIXTURES_DIR, running_mock_idp
from oauth_helpers import DebugAPI
from test_browser import PageServer, screenshot, start_chromium, wait

SPA_PAGE = pathlib.Path(__file__).resolve().parent / "spa" / "index.html"
CLIENT_ID = "browser-spa"


class SPAServer(PageServer):
    """Serves the SPA page at / and /callback (its redirect URI) from its own origin; records the paths asked for."""

    def __init__(self) -> None:
        super().__init__(lambda path: SPA_PAGE.read_bytes() if urllib.parse.urlsplit(path).path in ("/", "/callback") else None)


@pytest.fixture(scope="module")
def browser() -> Iterator[webdriver.Chrome]:
    """Headless Chromium as in test_browser.py, keeping the console log: where Chromium says what CORS blocked."""
    driver = start_chromium(window_height=1300, console_log=True)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture
def spa_servers() -> Iterator[tuple[SPAServer, SPAServer]]:
    """Two servers of the same page: the first at an origin the client allows, the second at one it does not."""
    servers = [SPAServer(), SPAServer()]
    threads = [threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True) for server in servers]
    for thread in threads:
        thread.start()
    try:
        yield servers[0], servers[1]
    finally:
        for server, thread in zip(servers, threads):
            server.shutdown()
            server.server_close()
            thread.join(timeout=5)


@pytest.fixture
def spa_idp(tmp_path, spa_servers):
    """The shipped fixtures plus a public client whose redirect URIs are at both pages' origins, and whose
    allowed_origins names only the first: the second page can sign in, but not read a token response."""
    allowed, blocked = spa_servers
    directory = tmp_path / "fixtures"
    directory.mkdir()
    for name in ("users.json", "scopes.json"):
        shutil.copy(FIXTURES_DIR / name, directory / name)
    clients = json.loads((FIXTURES_DIR / "clients.json").read_text())
    clients.append(
        {
            "client_id": CLIENT_ID,
            "redirect_uris": [allowed.origin + "/callback", blocked.origin + "/callback"],
            "allowed_origins": [allowed.origin],
            "scopes": ["openid", "profile", "email", "offline_access"],
        }
    )
    (directory / "clients.json").write_text(json.dumps(clients, indent=2))
    with running_mock_idp("--fixtures", str(directory), cwd=tmp_path) as idp:
        yield idp


def run_spa(browser, server: SPAServer, issuer: str) -> dict:
    """Opens the page at `server`'s origin, clicks sign-in and waits for its outcome; the page's own record."""
    query = urllib.parse.urlencode({"issuer": issuer, "client_id": CLIENT_ID, "scope": "openid profile email offline_access"})
    browser.get(f"{server.origin}/?{query}")
    browser.find_element(By.ID, "login").click()

    def outcome(driver) -> str | None:
        # The page navigates twice (to /authorize and back): read the outcome only from the page that came back.
        try:
            return driver.execute_script("return location.pathname === '/callback' && window.spaResult.outcome")
        except WebDriverException:  # between pages
            return None

    wait(browser).until(outcome)
    return browser.execute_script("return window.spaResult")


def test_spa_runs_the_public_client_flow_in_the_browser(browser, spa_idp, spa_servers):
    allowed, _ = spa_servers
    result = run_spa(browser, allowed, spa_idp.issuer)
    assert result["outcome"] == "success", json.dumps(result, indent=2)
    assert [step["name"] for step in result["steps"]] == [
        "discovery", "authorize", "token", "userinfo", "refresh", "revoke", "after-revoke",
    ]
    assert all(step["ok"] for step in result["steps"])
    assert result["profile"]["sub"] == "alice" and result["profile"]["name"] == "Alice Andersen"
    [after] = [step for step in result["steps"] if step["name"] == "after-revoke"]
    assert after["detail"].startswith("401: Bearer") and 'error="invalid_token"' in after["detail"]
    assert browser.current_url == allowed.origin + "/callback"  # the page took the code out of the address bar
    assert browser.find_element(By.ID, "outcome").text.startswith("Signed in as Alice Andersen")
    assert len(browser.find_elements(By.CSS_SELECTOR, "#steps li.ok")) == 7
    screenshot(browser, "spa.png")

    # The server saw the browser's own CORS traffic: the preflight of the bearer-token fetch, and each fetch from
    # the page's origin. The page's tokens are revoked.
    with DebugAPI(spa_idp.issuer) as debug:
        requests = debug.requests()
        tokens = debug.issued(client_id=CLIENT_ID)["tokens"]
    seen = [(entry["method"], entry["path"], entry["status"]) for entry in requests]
    assert ("OPTIONS", "/userinfo", 204) in seen
    assert seen.count(("POST", "/token", 200)) == 2 and ("POST", "/revoke", 200) in seen
    assert tokens and not [token for token in tokens if token["status"] == "active"], tokens


def test_the_same_page_from_an_origin_no_client_allows_is_blocked(browser, spa_idp, spa_servers):
    _, blocked = spa_servers
    result = run_spa(browser, blocked, spa_idp.issuer)
    assert result["outcome"] == "blocked", json.dumps(result, indent=2)
    # Discovery is public and the redirect URI is registered, so sign-in gets as far as the code; the token
    # response is withheld from the page: fetch rejects with a TypeError.
    assert [step["name"] for step in result["steps"]] == ["discovery", "authorize", "token"]
    assert result["error"]["step"] == "token" and result["error"]["name"] == "TypeError"
    assert "blocked" in browser.find_element(By.ID, "outcome").text
    console = [entry["message"] for entry in browser.get_log("browser")]
    assert any(
        f"from origin '{blocked.origin}' has been blocked by CORS policy" in message
        and "No 'Access-Control-Allow-Origin' header" in message
        for message in console
    ), console
    # Shrink the window to the page, so the picture is not mostly blank.
    chrome = browser.execute_script("return window.outerHeight - window.innerHeight")
    browser.set_window_size(1280, browser.execute_script("return Math.ceil(document.body.getBoundingClientRect().bottom)") + chrome + 32)
    try:
        screenshot(browser, "spa-blocked.png")
    finally:
        browser.set_window_size(1280, 1300)

    # MockIdP answered the request as for any caller (200, no CORS headers); the browser is what kept it from the page.
    with DebugAPI(spa_idp.issuer) as debug:
        [token_request] = [entry for entry in debug.requests() if entry["path"] == "/token"]
    assert token_request["status"] == 200 and token_request["client_id"] == CLIENT_ID
