"""What a person sees, in headless Chromium driven by Selenium: the /debug inspector, the user chooser and the consent page.

Chromium and chromedriver come from Debian's `chromium` and `chromium-driver` packages (run.sh installs them when
chromedriver is missing). Screenshots go to Tests/Interop/artifacts/.
"""

from __future__ import annotations

import html
import http.server
import json
import os
import pathlib
import shutil
import threading
import urllib.parse
from collections.abc import Iterator

import pytest
from selenium import webdriver
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.ui import WebDriverWait

from conftest import FIXTURES_DIR, metadata, running_mock_idp
from oauth_helpers import (
    BUDGETIFY,
    DebugAPI,
    HTTPSession,
    assert_token_rejected,
    authorization_request,
    authorize,
    check_id_token,
    code_flow,
    fetch_jwks,
    oauth_session,
    redirect_parameters,
    userinfo,
)

ARTIFACTS = pathlib.Path(__file__).resolve().parent / "artifacts"
PAGE_TIMEOUT = 15.0  # seconds for a page, a click's effect or a redirect
USERS = ["alice", "bob", "7d0b2f9e-carol", "dave"]  # fixtures/users.json, in order


def chromium_paths() -> tuple[str, str | None]:
    """(chromedriver, the browser binary or None for chromedriver's default); skips, or fails on CI, when missing."""
    driver = shutil.which("chromedriver")
    if not driver:
        message = "chromedriver is not on PATH: install Debian's chromium and chromium-driver (run.sh does, as root)"
        if os.environ.get("CI"):
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    browser = next((path for name in ("chromium", "chromium-browser") if (path := shutil.which(name))), None)
    return driver, browser


def start_chromium(*, window_height: int = 1400, console_log: bool = False) -> webdriver.Chrome:
    """Headless Chromium. As root (CI, containers) it needs --no-sandbox; /dev/shm may be tiny in a container.
    With `console_log`, the page's console is kept (where Chromium says what CORS blocked)."""
    driver_path, browser_path = chromium_paths()
    options = webdriver.ChromeOptions()
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        f"--window-size=1280,{window_height}",
    ):
        options.add_argument(argument)
    if console_log:
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    if browser_path:
        options.binary_location = browser_path
    try:
        driver = webdriver.Chrome(service=Service(executable_path=driver_path), options=options)
    except WebDriverException as error:
        pytest.fail(f"headless Chromium did not start: {error.msg}", pytrace=False)
    driver.set_page_load_timeout(PAGE_TIMEOUT)
    return driver


@pytest.fixture(scope="module")
def browser() -> Iterator[webdriver.Chrome]:
    driver = start_chromium()
    try:
        yield driver
    finally:
        driver.quit()


def screenshot(driver: webdriver.Chrome, name: str) -> pathlib.Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / name
    assert driver.save_screenshot(str(path)), f"no screenshot written to {path}"
    assert path.stat().st_size > 10_000, "the screenshot is suspiciously small"
    return path


def wait(driver: webdriver.Chrome):
    return WebDriverWait(driver, PAGE_TIMEOUT)


def click_and_wait_for_reload(driver: webdriver.Chrome, button: WebElement) -> None:
    """Clicks a button whose action reloads the page, and waits for the new page.

    The old page is marked with a window property that the new document does not have. Asking a page that is being
    replaced may fail in several ways (chromedriver answers "stale element", "Node with given id does not belong to
    the document" or "execution context destroyed"); each only means "not yet", so the wait retries on any of them.
    """
    driver.execute_script("window.__beforeReload = true")
    button.click()
    WebDriverWait(driver, PAGE_TIMEOUT, ignored_exceptions=(WebDriverException,)).until(
        lambda d: d.execute_script("return window.__beforeReload === undefined && document.readyState === 'complete'")
    )


# --- The inspector ----------------------------------------------------------------------------------------------------


def token_cards(driver: webdriver.Chrome) -> dict[str, WebElement]:
    """The inspector's token cards by raw token (the raw token sits in a collapsed <details>)."""
    return {
        card.find_element(By.CSS_SELECTOR, "pre.raw").get_attribute("textContent"): card
        for card in driver.find_elements(By.CSS_SELECTOR, "section.token")
    }


def decoded(card: WebElement) -> tuple[dict, dict]:
    """A card's decoded JWT (header, payload), read from the page as JSON."""
    header = card.find_element(By.CSS_SELECTOR, ".jwt pre:not(.claims)").text
    payload = card.find_element(By.CSS_SELECTOR, ".jwt pre.claims").text
    return json.loads(header), json.loads(payload)


def status(card: WebElement) -> str:
    return card.find_element(By.CSS_SELECTOR, ".status").text


def test_inspector(browser, fresh_idp, fresh_discovery):
    token, request = code_flow(fresh_discovery, BUDGETIFY, scope="openid profile offline_access")
    with HTTPSession() as http:  # a failed token request, for the request log
        failed = http.post(
            fresh_discovery["token_endpoint"],
            data={
                "grant_type": "authorization_code",
                "code": "no-such-code",
                "redirect_uri": BUDGETIFY["redirect_uri"],
            },
            auth=(BUDGETIFY["client_id"], BUDGETIFY["client_secret"]),
        )
    assert failed.status_code == 400
    [kid] = [key["kid"] for key in fetch_jwks(fresh_discovery)["keys"]]

    browser.get(fresh_idp.url("/debug"))  # the browser's Accept starts with text/html
    assert browser.title.startswith("Inspector")
    assert browser.find_element(By.TAG_NAME, "h1").text == "MockIdP inspector"
    meta = browser.find_element(By.CSS_SELECTOR, ".meta").text
    assert "1 code(s), 3 token(s)" in meta and kid in meta

    cards = token_cards(browser)
    assert set(cards) == {token["access_token"], token["refresh_token"], token["id_token"]}

    access = cards[token["access_token"]]
    assert "access_token" in access.get_attribute("class")
    assert status(access) == "active"
    assert "client budgetify" in access.text and "sub alice" in access.text
    assert "openid profile offline_access" in access.text
    header, payload = decoded(access)
    assert header == {"alg": "RS256", "kid": kid, "typ": "at+jwt"}
    assert payload["sub"] == "alice" and payload["client_id"] == "budgetify"
    assert payload["iss"] == fresh_idp.issuer and payload["aud"] == "https://api.alpha-bank.example"

    id_card = cards[token["id_token"]]
    assert status(id_card) == "active"
    header, payload = decoded(id_card)
    assert header["typ"] == "JWT"
    assert payload["sub"] == "alice" and payload["aud"] == "budgetify" and payload["nonce"] == request.nonce
    assert payload["name"] == "Alice Andersen"

    refresh = cards[token["refresh_token"]]
    assert status(refresh) == "active"
    assert not refresh.find_elements(By.CSS_SELECTOR, ".jwt"), "a refresh token is opaque: nothing to decode"

    [code_row] = browser.find_elements(By.CSS_SELECTOR, "tr.code")
    assert [cell.text for cell in code_row.find_elements(By.TAG_NAME, "td")][1:5] == [
        "budgetify",
        "alice",
        "openid profile offline_access",
        "used",
    ]

    requests_log = [row.text for row in browser.find_elements(By.CSS_SELECTOR, "tr.request")]
    assert any("GET /authorize" in row and "302" in row for row in requests_log), requests_log
    assert any("POST /token" in row and "authorization_code" in row and "200" in row for row in requests_log)
    [failure] = [row for row in browser.find_elements(By.CSS_SELECTOR, "tr.request") if "invalid_grant" in row.text]
    assert "unknown authorization code" in failure.text and "budgetify" in failure.text
    assert failure.find_element(By.CSS_SELECTOR, "td.http4xx").text == "400"
    assert "no-such-code" not in browser.page_source, "the request log shows codes redacted"

    screenshot(browser, "inspector.png")

    # Advance the clock by an hour: budgetify's access and ID tokens (3600 s) expire; the refresh token does not.
    seconds = browser.find_element(By.ID, "seconds")
    seconds.clear()
    seconds.send_keys("3600")
    click_and_wait_for_reload(browser, browser.find_element(By.ID, "advance"))
    assert "clock advanced 3600 s" in browser.find_element(By.CSS_SELECTOR, ".meta").text
    cards = token_cards(browser)
    assert status(cards[token["access_token"]]) == "expired"
    assert status(cards[token["id_token"]]) == "expired"
    assert status(cards[token["refresh_token"]]) == "active"
    assert "expired" in cards[token["access_token"]].find_element(By.CSS_SELECTOR, ".row").text
    with DebugAPI(fresh_idp.issuer) as debug:
        assert debug.clock()["offset_seconds"] == 3600
    response = userinfo(fresh_discovery, token["access_token"])
    assert response.status_code == 401 and "expired" in response.json()["error_description"]

    # Reset: every code and token is forgotten, and the page says so.
    click_and_wait_for_reload(browser, browser.find_element(By.ID, "reset"))
    assert not browser.find_elements(By.CSS_SELECTOR, "section.token")
    empty = [paragraph.text for paragraph in browser.find_elements(By.CSS_SELECTOR, "p.empty")]
    assert any(text.startswith("No tokens yet") for text in empty), empty
    assert "No codes yet." in empty and "No requests yet." in empty
    assert "0 code(s), 0 token(s)" in browser.find_element(By.CSS_SELECTOR, ".meta").text
    with DebugAPI(fresh_idp.issuer) as debug:
        listing = debug.issued()
        assert listing["codes"] == [] and listing["tokens"] == []

    # Reset clock, the button without an id.
    [reset_clock] = [button for button in browser.find_elements(By.TAG_NAME, "button") if button.text == "Reset clock"]
    click_and_wait_for_reload(browser, reset_clock)
    assert "clock advanced" not in browser.find_element(By.CSS_SELECTOR, ".meta").text
    assert_token_rejected(fresh_discovery, token["access_token"])  # forgotten, even with the clock back


def test_inspector_explains_a_pasted_token(browser, fresh_idp, fresh_discovery):
    """The paste box: an ID token checked as if an API with its own audience received it."""
    token, _ = code_flow(fresh_discovery, BUDGETIFY, scope="openid profile")
    browser.get(fresh_idp.url("/debug"))
    browser.find_element(By.ID, "explain-token").send_keys(token["id_token"])
    browser.find_element(By.ID, "explain-audience").send_keys("https://api.alpha-bank.example")
    browser.find_element(By.ID, "explain").click()
    wait(browser).until(lambda d: d.find_elements(By.CSS_SELECTOR, "#explain-checks li"))
    items = {item.text.split(":")[0][2:]: item for item in browser.find_elements(By.CSS_SELECTOR, "#explain-checks li")}
    assert "passed" in items["signature"].get_attribute("class")
    assert "failed" in items["aud"].get_attribute("class") and "resource=https://api.alpha-bank.example" in items["aud"].text
    assert browser.find_element(By.ID, "explain-summary").text.startswith("rejected by aud")
    screenshot(browser, "inspector-explain.png")


# --- The user chooser -------------------------------------------------------------------------------------------------


class PageServer(http.server.ThreadingHTTPServer):
    """A local web server on 127.0.0.1 that answers GETs with the HTML `page(path)` returns (404 for `None`),
    uncached, and records each path asked for: a client's redirect URI, or a browser app's own origin."""

    daemon_threads = True

    def __init__(self, page) -> None:
        self.paths: list[str] = []
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (the stdlib's name)
                outer.paths.append(self.path)
                data = page(self.path)
                if data is None:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.send_header("Cache-Control", "no-store")
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format, *args) -> None:  # noqa: A002
                pass

        super().__init__(("127.0.0.1", 0), Handler)
        self.origin = f"http://127.0.0.1:{self.server_address[1]}"


class CallbackServer(PageServer):
    """A client's redirect URI on 127.0.0.1, so that the browser lands somewhere real; it records each request."""

    def __init__(self) -> None:
        super().__init__(
            lambda path: f"<!doctype html><title>Callback</title><h1>Callback</h1><pre>{html.escape(path)}</pre>".encode()
        )
        self.url = f"{self.origin}/callback"


@pytest.fixture
def callback_server() -> Iterator[CallbackServer]:
    server = CallbackServer()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def chooser_fixtures(tmp_path, callback_server) -> pathlib.Path:
    """The shipped fixtures, with the callback server registered as one more of budgetify's redirect URIs."""
    directory = tmp_path / "fixtures"
    directory.mkdir()
    for name in ("users.json", "scopes.json"):
        shutil.copy(FIXTURES_DIR / name, directory / name)
    clients = json.loads((FIXTURES_DIR / "clients.json").read_text())
    [budgetify] = [client for client in clients if client["client_id"] == "budgetify"]
    budgetify["redirect_uris"].append(callback_server.url)
    (directory / "clients.json").write_text(json.dumps(clients, indent=2))
    return directory


@pytest.fixture
def chooser_idp(tmp_path, chooser_fixtures):
    with running_mock_idp("--fixtures", str(chooser_fixtures), cwd=tmp_path) as idp:
        yield idp


def landed_parameters(driver: webdriver.Chrome, callback: CallbackServer) -> dict[str, str]:
    """Waits for the browser to reach the callback server; the parameters of that request."""
    wait(driver).until(lambda d: d.current_url.startswith(callback.url))
    path = urllib.parse.urlsplit(callback.url).path
    landings = [
        request for request in callback.paths if urllib.parse.urlsplit(request).path == path
    ]  # not /favicon.ico
    assert landings, f"the browser never requested the callback: {callback.paths}"
    query = urllib.parse.urlsplit(landings[-1]).query
    parameters = dict(urllib.parse.parse_qsl(query, strict_parsing=True))
    assert urllib.parse.urlsplit(driver.current_url).query == query
    return parameters


def chooser_buttons(driver: webdriver.Chrome) -> list[str]:
    wait(driver).until(lambda d: d.find_elements(By.CSS_SELECTOR, "button.user"))
    return [button.get_attribute("data-sub") for button in driver.find_elements(By.CSS_SELECTOR, "button.user")]


def test_user_chooser_signs_in_the_user_picked(browser, chooser_idp, callback_server):
    discovery = metadata(chooser_idp)
    client = dict(BUDGETIFY, redirect_uri=callback_server.url)
    with oauth_session(discovery, client, scope="openid profile email") as session:
        request = authorization_request(session, discovery, prompt="login")
        browser.get(request.url)
        assert chooser_buttons(browser) == USERS
        assert "budgetify" in browser.find_element(By.TAG_NAME, "h1").text
        assert "openid profile email" in browser.page_source
        assert browser.find_element(By.ID, "deny").is_displayed()
        screenshot(browser, "chooser.png")

        browser.find_element(By.CSS_SELECTOR, 'button.user[data-sub="bob"]').click()
        callback = landed_parameters(browser, callback_server)
        assert set(callback) == {"code", "state", "iss"}
        assert callback["state"] == request.state and callback["iss"] == chooser_idp.issuer

        token = session.fetch_token(code=callback["code"], code_verifier=request.code_verifier)
    id_claims = checked_id_token(token, discovery, chooser_idp.issuer, client, request)
    assert id_claims["sub"] == "bob" and id_claims["name"] == "Bob Brown"
    assert userinfo(discovery, token["access_token"]).json()["email"] == "bob@alpha-bank.example"


def checked_id_token(token: dict, discovery: dict, issuer: str, client: dict, request) -> dict:
    """The claims of the token response's ID token, checked against the issuer's JWKS, the request's nonce and the
    access token's hash."""
    return check_id_token(
        token["id_token"], fetch_jwks(discovery), issuer=issuer, client=client, nonce=request.nonce, access_token=token["access_token"]
    )


def test_user_chooser_deny(browser, chooser_idp, callback_server):
    discovery = metadata(chooser_idp)
    client = dict(BUDGETIFY, redirect_uri=callback_server.url)
    with oauth_session(discovery, client) as session:
        request = authorization_request(session, discovery, prompt="select_account")
        browser.get(request.url)
        assert chooser_buttons(browser) == USERS
        browser.find_element(By.ID, "deny").click()
        callback = landed_parameters(browser, callback_server)
    assert callback["error"] == "access_denied"  # RFC 6749 §4.1.2.1
    assert callback["state"] == request.state
    assert callback["iss"] == chooser_idp.issuer  # RFC 9207 §2
    assert callback["error_description"]
    assert "code" not in callback


def type_subject(driver: webdriver.Chrome, sub: str, claims: str) -> None:
    """Fills in the chooser's "sign in as anyone" form (without submitting it)."""
    field = wait(driver).until(lambda d: d.find_element(By.ID, "mockidp_sub"))
    field.clear()
    field.send_keys(sub)
    textarea = driver.find_element(By.ID, "mockidp_claims")
    textarea.clear()
    textarea.send_keys(claims)


def test_user_chooser_signs_in_as_a_typed_subject_with_claims(browser, chooser_idp, callback_server):
    discovery = metadata(chooser_idp)
    client = dict(BUDGETIFY, redirect_uri=callback_server.url)
    claims = {"name": "Erin Example", "email": "erin@example.com", "tenant": "alpha"}
    with oauth_session(discovery, client, scope="openid profile email") as session:
        request = authorization_request(session, discovery, prompt="login")
        browser.get(request.url)
        assert chooser_buttons(browser) == USERS
        type_subject(browser, "erin-42", json.dumps(claims, indent=2))
        screenshot(browser, "chooser-sign-in-as-anyone.png")
        browser.find_element(By.ID, "adhoc-sign-in").click()
        callback = landed_parameters(browser, callback_server)
        assert set(callback) == {"code", "state", "iss"}
        assert callback["state"] == request.state and callback["iss"] == chooser_idp.issuer

        token = session.fetch_token(code=callback["code"], code_verifier=request.code_verifier)
    id_claims = checked_id_token(token, discovery, chooser_idp.issuer, client, request)
    assert id_claims["sub"] == "erin-42"
    assert id_claims["name"] == "Erin Example" and id_claims["email"] == "erin@example.com"
    assert "tenant" not in id_claims, "no requested scope releases tenant"
    info = userinfo(discovery, token["access_token"]).json()
    assert info["sub"] == "erin-42" and info["email"] == "erin@example.com"

    # A runtime user now: on the chooser, and gone after DELETE /debug/fixtures.
    with oauth_session(discovery, client) as session:
        browser.get(authorization_request(session, discovery, prompt="login").url)
        assert chooser_buttons(browser) == USERS + ["erin-42"]
    with DebugAPI(chooser_idp.issuer) as debug:
        assert debug.reset_fixtures()["users"] == len(USERS)
    with oauth_session(discovery, client) as session:
        browser.get(authorization_request(session, discovery, prompt="login").url)
        assert chooser_buttons(browser) == USERS


def test_user_chooser_shows_an_error_for_invalid_claims(browser, chooser_idp, callback_server):
    discovery = metadata(chooser_idp)
    client = dict(BUDGETIFY, redirect_uri=callback_server.url)
    with oauth_session(discovery, client, scope="openid profile") as session:
        request = authorization_request(session, discovery, prompt="login")
        browser.get(request.url)
        type_subject(browser, "erin-42", '{"name": "Erin"')
        click_and_wait_for_reload(browser, browser.find_element(By.ID, "adhoc-sign-in"))
        error = browser.find_element(By.ID, "adhoc-error")
        assert error.is_displayed() and "not valid JSON" in error.text, error.text
        assert browser.find_element(By.ID, "mockidp_sub").get_attribute("value") == "erin-42"
        assert browser.find_element(By.ID, "mockidp_claims").get_attribute("value") == '{"name": "Erin"'
        assert chooser_buttons(browser) == USERS, "the chooser is shown again, without the refused subject"
        screenshot(browser, "chooser-sign-in-as-anyone-error.png")
        assert not any(urllib.parse.urlsplit(path).path == "/callback" for path in callback_server.paths)

        # Fixed on the same page, the request goes through.
        type_subject(browser, "erin-42", '{"name": "Erin"}')
        browser.find_element(By.ID, "adhoc-sign-in").click()
        callback = landed_parameters(browser, callback_server)
        assert callback["state"] == request.state
        token = session.fetch_token(code=callback["code"], code_verifier=request.code_verifier)
    with DebugAPI(chooser_idp.issuer) as debug:
        codes = debug.issued()["codes"]
    assert [code["sub"] for code in codes] == ["erin-42"], "the refused submission issued no code"
    assert userinfo(discovery, token["access_token"]).json()["name"] == "Erin"


def test_login_page_flag_shows_the_chooser_on_every_request(browser, tmp_path, chooser_fixtures, callback_server):
    with running_mock_idp("--fixtures", str(chooser_fixtures), "--login-page", cwd=tmp_path) as idp:
        discovery = metadata(idp)
        client = dict(BUDGETIFY, redirect_uri=callback_server.url)
        with oauth_session(discovery, client, scope="openid profile") as session:
            request = authorization_request(session, discovery)  # no prompt at all
            assert "prompt" not in request.url
            browser.get(request.url)
            assert chooser_buttons(browser) == USERS
            browser.find_element(By.CSS_SELECTOR, 'button.user[data-sub="7d0b2f9e-carol"]').click()
            callback = landed_parameters(browser, callback_server)
            assert callback["state"] == request.state
            token = session.fetch_token(code=callback["code"], code_verifier=request.code_verifier)
        assert userinfo(discovery, token["access_token"]).json()["sub"] == "7d0b2f9e-carol"

        # prompt=none never shows it: OIDC Core §3.1.2.1, no user interface.
        with oauth_session(discovery, client) as session:
            request = authorization_request(session, discovery, prompt="none")
            callback = redirect_parameters(authorize(session, request.url), callback_server.url)
        assert "code" in callback and callback["state"] == request.state


def test_without_prompt_or_flag_there_is_no_chooser(mock_idp, discovery):
    with oauth_session(discovery, BUDGETIFY) as session:
        request = authorization_request(session, discovery)
        response = authorize(session, request.url)
    assert "code" in redirect_parameters(response, BUDGETIFY["redirect_uri"])


# --- The consent page -------------------------------------------------------------------------------------------------


def consent_checkboxes(driver: webdriver.Chrome) -> dict[str, WebElement]:
    """The consent page's checkboxes by scope (openid, always granted, has none)."""
    wait(driver).until(lambda d: d.find_elements(By.ID, "allow"))
    return {box.get_attribute("value"): box for box in driver.find_elements(By.CSS_SELECTOR, 'input[type="checkbox"][name="mockidp_consent_scope"]')}


def test_consent_page_grants_only_the_checked_scopes(browser, chooser_idp, callback_server):
    discovery = metadata(chooser_idp)
    client = dict(BUDGETIFY, redirect_uri=callback_server.url)
    with oauth_session(discovery, client, scope="openid profile email transactions:read") as session:
        request = authorization_request(session, discovery, prompt="consent")
        browser.get(request.url)
        boxes = consent_checkboxes(browser)
        assert list(boxes) == ["profile", "email", "transactions:read"]
        assert all(box.is_selected() for box in boxes.values())
        assert "budgetify" in browser.find_element(By.TAG_NAME, "h1").text
        assert "Alice Andersen" in browser.find_element(By.ID, "signed-in-user").text
        rows = {row.get_attribute("data-scope"): row.text for row in browser.find_elements(By.CSS_SELECTOR, "li.scope")}
        assert "Read your transactions" in rows["transactions:read"] and "Your email address" in rows["email"]
        assert "required" in rows["openid"]

        # Alice lets Budgetify read her transactions, but not see her email address.
        boxes["email"].click()
        assert not boxes["email"].is_selected()
        screenshot(browser, "consent-page.png")
        browser.find_element(By.ID, "allow").click()
        callback = landed_parameters(browser, callback_server)
        assert set(callback) == {"code", "state", "iss"} and callback["state"] == request.state

        token = session.fetch_token(code=callback["code"], code_verifier=request.code_verifier)
    assert token["scope"] == "openid profile transactions:read"  # RFC 6749 §3.3: narrower than asked, so said
    id_claims = checked_id_token(token, discovery, chooser_idp.issuer, client, request)
    assert id_claims["name"] == "Alice Andersen" and "email" not in id_claims
    assert "email" not in userinfo(discovery, token["access_token"]).json()


def test_consent_page_deny(browser, chooser_idp, callback_server):
    discovery = metadata(chooser_idp)
    client = dict(BUDGETIFY, redirect_uri=callback_server.url)
    with oauth_session(discovery, client) as session:
        request = authorization_request(session, discovery, prompt="consent")
        browser.get(request.url)
        consent_checkboxes(browser)
        browser.find_element(By.ID, "deny").click()
        callback = landed_parameters(browser, callback_server)
    assert callback["error"] == "access_denied" and callback["state"] == request.state and callback["iss"] == chooser_idp.issuer
    assert "code" not in callback
