"""What a relying party does around Authlib: build clients, follow the auto-consent redirect, verify JWTs.

Shared by the test files of every grant; each helper checks only what any caller would want checked.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import html.parser
import secrets
import time
import urllib.parse

import requests
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session
from authlib.oidc.core import CodeIDToken
from joserfc import jws, jwt
from joserfc.jwk import JWKRegistry

CLOCK_SKEW = 30  # seconds of leeway when comparing token times with this machine's clock
HTTP_TIMEOUT = 10.0  # seconds for any one HTTP request

# From fixtures/clients.json.
BUDGETIFY = {
    "client_id": "budgetify",
    "client_secret": "budgetify-secret",
    "redirect_uri": "http://localhost:3000/callback",
    "audience": "https://api.alpha-bank.example",
}
BUDGETIFY_SPA = {
    "client_id": "budgetify-spa",
    "redirect_uri": "http://localhost:5173/callback",
    "audience": "https://api.alpha-bank.example",
    "access_token_ttl": 900,
}
PLANNER = {
    "client_id": "planner",
    "client_secret": "planner-secret",
    "redirect_uri": "http://localhost:4000/auth/callback",
    "audience": "planner",  # no audience in the fixture: it defaults to the client_id
}
BUDGETIFY_TV = {
    "client_id": "budgetify-tv",  # public, device flow only
    "audience": "https://api.alpha-bank.example",
}
RECONCILER = {
    "client_id": "reconciler",  # confidential, client credentials only
    "client_secret": "reconciler-secret",
    "audience": "https://api.alpha-bank.example",
    "access_token_ttl": 300,
}

DEVICE_CODE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"  # RFC 8628 §3.4


def fail_on_server_error(response: requests.Response, *args, **kwargs) -> None:
    """A `requests` response hook: MockIdP answers every request, however malformed, without a 5xx."""
    assert response.status_code < 500, (
        f"{response.request.method} {response.request.url} -> {response.status_code}: {response.text[:500]}"
    )


class HTTPSession(requests.Session):
    """A plain `requests.Session` with a default timeout and the 5xx guard, for requests a library would not send."""

    def __init__(self) -> None:
        super().__init__()
        self.hooks["response"].append(fail_on_server_error)

    def request(self, method, url, **kwargs):
        kwargs.setdefault("timeout", HTTP_TIMEOUT)
        return super().request(method, url, **kwargs)


def oauth_session(
    discovery: dict,
    client: dict,
    *,
    scope: str = "openid profile email",
    token_endpoint_auth_method: str | None = None,
    code_challenge_method: str | None = "S256",
) -> OAuth2Session:
    """An Authlib client for one of the fixture clients, configured from discovery."""
    session = OAuth2Session(
        client_id=client["client_id"],
        client_secret=client.get("client_secret"),
        token_endpoint_auth_method=token_endpoint_auth_method
        or ("client_secret_basic" if "client_secret" in client else "none"),
        scope=scope,
        redirect_uri=client.get("redirect_uri"),
        code_challenge_method=code_challenge_method,
        token_endpoint=discovery["token_endpoint"],
        default_timeout=HTTP_TIMEOUT,
    )
    session.hooks["response"].append(fail_on_server_error)
    return session


@dataclasses.dataclass
class AuthorizationRequest:
    url: str
    state: str
    nonce: str | None
    code_verifier: str | None


def authorization_request(
    session: OAuth2Session, discovery: dict, *, pkce: bool = True, nonce: bool | str = True, **params: str
) -> AuthorizationRequest:
    """An authorization URL with state, an S256 PKCE challenge and a nonce; state and nonce random unless given."""
    code_verifier = generate_token(64) if pkce else None
    nonce_value = nonce if isinstance(nonce, str) else secrets.token_urlsafe(16) if nonce else None
    if nonce_value:
        params["nonce"] = nonce_value
    url, state = session.create_authorization_url(
        discovery["authorization_endpoint"], code_verifier=code_verifier, **params
    )
    return AuthorizationRequest(url=url, state=state, nonce=nonce_value, code_verifier=code_verifier)


def authorize(session: requests.Session, url: str) -> requests.Response:
    """GETs an authorization URL the way a browser would, without following the redirect."""
    if isinstance(session, OAuth2Session):
        return session.get(url, allow_redirects=False, withhold_token=True)
    return session.get(url, allow_redirects=False)


def redirect_parameters(response: requests.Response, redirect_uri: str, *, mode: str = "query") -> dict[str, str]:
    """The parameters of an auto-consent redirect to `redirect_uri`, from its query or its fragment."""
    assert response.status_code == 302, f"expected a redirect, got {response.status_code}: {response.text[:300]}"
    location = response.headers["Location"]
    base, _, fragment = location.partition("#")
    base, _, query = base.partition("?")
    assert base == redirect_uri, location
    if mode == "fragment":
        assert not query, f"fragment mode put parameters in the query: {location}"
        return single_values(urllib.parse.parse_qs(fragment, strict_parsing=True))
    assert not fragment, location
    return single_values(urllib.parse.parse_qs(query, strict_parsing=True))


def single_values(parsed: dict[str, list[str]]) -> dict[str, str]:
    """A parse_qs result with every parameter checked to occur once (RFC 6749 §3.1)."""
    for name, values in parsed.items():
        assert len(values) == 1, f"parameter {name!r} occurs {len(values)} times"
    return {name: values[0] for name, values in parsed.items()}


class FormPostParser(html.parser.HTMLParser):
    """Reads the auto-submitting form of response_mode=form_post: its method, action and hidden inputs."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "form":
            self.forms.append({"method": attributes.get("method"), "action": attributes.get("action"), "inputs": []})
        elif tag == "input" and self.forms:
            self.forms[-1]["inputs"].append((attributes.get("name"), attributes.get("value")))


def form_post_parameters(response: requests.Response, redirect_uri: str) -> dict[str, str]:
    """The parameters a form_post page would POST to `redirect_uri`."""
    assert response.status_code == 200, response.text[:300]
    assert response.headers["Content-Type"].startswith("text/html")
    parser = FormPostParser()
    parser.feed(response.text)
    assert len(parser.forms) == 1, response.text
    form = parser.forms[0]
    assert form["method"].lower() == "post"
    assert form["action"] == redirect_uri
    names = [name for name, _ in form["inputs"]]
    assert len(names) == len(set(names)), names
    return dict(form["inputs"])


# --- JWTs ---------------------------------------------------------------------------------------------------------


# The hash of OIDC Core §3.1.3.6 at_hash for each algorithm MockIdP signs with, the one of the ID token's `alg`:
# SHA-256 for RS256 and ES256; EdDSA names none, and for Ed25519 OpenID Connect took SHA-512, which Ed25519 uses.
AT_HASH_FUNCTIONS = {"RS256": hashlib.sha256, "ES256": hashlib.sha256, "EdDSA": hashlib.sha512}

# The JWK members that identify a public key of each algorithm (RFC 7518 §6.2 and §6.3, RFC 8037 §2).
KEY_TYPES = {"RS256": {"kty": "RSA"}, "ES256": {"kty": "EC", "crv": "P-256"}, "EdDSA": {"kty": "OKP", "crv": "Ed25519"}}
PRIVATE_MEMBERS = {"d", "p", "q", "dp", "dq", "qi", "oth", "k"}


def verify_jwt(token: str, jwks: dict, *, algorithm: str = "RS256") -> tuple[dict, dict]:
    """Verifies a JWS signed with `algorithm` with the JWKS key its header's `kid` names; returns (header, claims)."""
    header = jws.extract_compact(token.encode()).protected
    assert header.get("alg") == algorithm, header
    matches = [key for key in jwks["keys"] if key.get("kid") == header.get("kid")]
    assert len(matches) == 1, f"kid {header.get('kid')!r} names {len(matches)} keys in the JWKS"
    assert matches[0].get("alg") == algorithm, f"an {algorithm} token names this key: {matches[0]}"
    decoded = jwt.decode(token, JWKRegistry.import_key(matches[0]), algorithms=[algorithm])
    return decoded.header, decoded.claims


def left_half_hash(value: str, hash_function=hashlib.sha256) -> str:
    """base64url, unpadded, of the left half of `hash_function` over the ASCII value (OIDC Core §3.1.3.6)."""
    digest = hash_function(value.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest[: len(digest) // 2]).rstrip(b"=").decode()


def at_hash(access_token: str, algorithm: str = "RS256") -> str:
    """The at_hash an ID token signed with `algorithm` carries for `access_token`."""
    return left_half_hash(access_token, AT_HASH_FUNCTIONS[algorithm])


def check_times(claims: dict, *, lifetime: int | None = None) -> None:
    now = time.time()
    assert isinstance(claims["exp"], int) and isinstance(claims["iat"], int), claims
    assert claims["exp"] > now, "the token has already expired"
    assert claims["iat"] <= now + CLOCK_SKEW, "the token was issued in the future"
    if lifetime is not None:
        assert claims["exp"] - claims["iat"] == lifetime, claims


def check_access_token(
    token: str,
    jwks: dict,
    *,
    issuer: str,
    client: dict,
    sub: str,
    scope: str | None = None,
    algorithm: str = "RS256",
) -> dict:
    """RFC 9068 §2 and §4: header typ at+jwt, the required claims, and this client's audience."""
    header, claims = verify_jwt(token, jwks, algorithm=algorithm)
    assert header.get("typ") == "at+jwt", header
    assert claims["iss"] == issuer
    assert claims["aud"] in (client["audience"], [client["audience"]]), claims["aud"]
    assert claims["sub"] == sub
    assert claims["client_id"] == client["client_id"]
    assert isinstance(claims.get("jti"), str) and claims["jti"]
    if scope is not None:
        assert claims["scope"].split() == scope.split()
    check_times(claims, lifetime=client.get("access_token_ttl"))
    return claims


def check_id_token(
    token: str,
    jwks: dict,
    *,
    issuer: str,
    client: dict,
    nonce: str | None,
    access_token: str,
    algorithm: str = "RS256",
) -> dict:
    """OIDC Core §3.1.3.7 ID token validation, by hand and then by Authlib's own CodeIDToken rules (which check
    at_hash with the hash of the header's `alg`, SHA-512 for EdDSA)."""
    header, claims = verify_jwt(token, jwks, algorithm=algorithm)
    assert header.get("typ", "JWT") == "JWT", header
    client_id = client["client_id"]
    assert claims["iss"] == issuer
    assert claims["aud"] in (client_id, [client_id]), claims["aud"]
    assert claims["azp"] == client_id
    assert isinstance(claims.get("sub"), str) and claims["sub"]
    if nonce is None:
        assert "nonce" not in claims
    else:
        assert claims["nonce"] == nonce
    assert claims["at_hash"] == at_hash(access_token, algorithm)
    assert isinstance(claims["auth_time"], int) and claims["auth_time"] <= time.time() + CLOCK_SKEW
    check_times(claims)

    authlib_claims = CodeIDToken(
        claims,
        header,
        options={"iss": {"essential": True, "value": issuer}, "aud": {"essential": True, "value": client_id}},
        params={"nonce": nonce, "client_id": client_id, "access_token": access_token},
    )
    authlib_claims.validate(leeway=CLOCK_SKEW)
    return claims


# --- Whole flows and token checks shared by several files -----------------------------------------------------------


def code_flow(
    discovery: dict, client: dict = BUDGETIFY, *, scope: str = "openid profile email", **params: str
) -> tuple[dict, AuthorizationRequest]:
    """A complete auto-consent code flow with Authlib: (token response, the authorization request it came from)."""
    with oauth_session(discovery, client, scope=scope) as session:
        request = authorization_request(session, discovery, **params)
        callback = redirect_parameters(authorize(session, request.url), client["redirect_uri"])
        assert callback["state"] == request.state
        return session.fetch_token(code=callback["code"], code_verifier=request.code_verifier), request


def introspect(discovery: dict, token: str, *, client: dict = RECONCILER) -> dict:
    """RFC 7662 introspection, as a resource server (a confidential client) asks it."""
    with HTTPSession() as http:
        response = http.post(
            discovery["introspection_endpoint"],
            data={"token": token},
            auth=(client["client_id"], client["client_secret"]),
        )
    assert response.status_code == 200, response.text
    assert response.headers["Cache-Control"] == "no-store"
    return response.json()


def userinfo(discovery: dict, access_token: str) -> requests.Response:
    """The UserInfo response for a bearer access token."""
    with HTTPSession() as http:
        return http.get(discovery["userinfo_endpoint"], headers={"Authorization": f"Bearer {access_token}"})


def assert_token_rejected(discovery: dict, access_token: str) -> None:
    """The access token no longer works: UserInfo answers invalid_token (RFC 6750 §3.1), introspection inactive."""
    response = userinfo(discovery, access_token)
    assert response.status_code == 401, f"{response.status_code}: {response.text}"
    assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]
    assert introspect(discovery, access_token) == {"active": False}


def fetch_jwks(discovery: dict) -> dict:
    """The JWK Set as it is now (a rotation changes it)."""
    with HTTPSession() as http:
        response = http.get(discovery["jwks_uri"])
    response.raise_for_status()
    return response.json()


class DebugAPI:
    """MockIdP's /debug routes as a test suite uses them: each call checks its status and returns the JSON answer."""

    def __init__(self, issuer: str) -> None:
        self.issuer = issuer
        self.http = HTTPSession()

    def _call(self, method: str, path: str, *, expect: int = 200, **kwargs):
        response = self.http.request(method, self.issuer + path, **kwargs)
        assert response.status_code == expect, f"{method} {path} -> {response.status_code}: {response.text}"
        assert response.headers["Content-Type"].startswith("application/json"), response.headers
        return response.json()

    def issued(self, **filters: str) -> dict:
        """GET /debug: {"now", "offset_seconds", "codes", "tokens"}, filtered by client_id, sub, type, status."""
        return self._call("GET", "/debug", params=filters)

    def token_entry(self, token: str) -> dict:
        """The /debug entry of one issued token."""
        entries = [entry for entry in self.issued()["tokens"] if entry["token"] == token]
        assert len(entries) == 1, f"{len(entries)} /debug entries for the token"
        return entries[0]

    def reset(self) -> dict:
        return self._call("DELETE", "/debug")

    def requests(self) -> list[dict]:
        return self._call("GET", "/debug/requests")

    def clock(self) -> dict:
        return self._call("GET", "/debug/clock")

    def advance_clock(self, seconds: int) -> dict:
        return self._call("POST", "/debug/clock", json={"advance_seconds": seconds})

    def reset_clock(self) -> dict:
        return self._call("DELETE", "/debug/clock")

    def mint(self, **fields) -> dict:
        return self._call("POST", "/debug/tokens", json=fields)

    def script(self, **fields) -> int:
        """Queues a scripted token-endpoint response; returns how many are pending."""
        return self._call("POST", "/debug/next", json=fields, expect=201)["pending"]

    def pending_scripts(self) -> int:
        return self._call("GET", "/debug/next")["pending"]

    def clear_scripts(self) -> int:
        return self._call("DELETE", "/debug/next")["pending"]

    def add_users(self, *users: dict) -> dict:
        return self._call("POST", "/debug/users", json=list(users), expect=201)

    def add_clients(self, *clients: dict) -> dict:
        return self._call("POST", "/debug/clients", json=list(clients), expect=201)

    def reset_fixtures(self) -> dict:
        return self._call("DELETE", "/debug/fixtures")

    def rotate_keys(self) -> dict:
        return self._call("POST", "/debug/keys/rotate")

    def flows(self, **filters: str) -> list[dict]:
        """GET /debug/flows: every flow, the most recently changed first, filtered by client, user, status, q, limit."""
        return self._call("GET", "/debug/flows", params=filters)["flows"]

    def export(self) -> dict:
        """GET /debug/export: {"issuer", "exported_at", "snapshot", "requests", "flows"}."""
        return self._call("GET", "/debug/export")

    def explain(self, token: str, **expectations: str) -> dict:
        """POST /debug/explain: the token decoded and each check, with `expectations` (audience, scope, issuer,
        token_type)."""
        return self._call("POST", "/debug/explain", json={"token": token, **expectations})

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> DebugAPI:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()
