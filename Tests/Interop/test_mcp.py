"""The MCP authorization flow against the binary, with the official MCP Python SDK on both sides.

An MCP server (the SDK's MCPServer over streamable HTTP, in a thread) is a resource server that trusts MockIdP: it
publishes Protected Resource Metadata (RFC 9728) naming MockIdP, answers 401 with `resource_metadata` without a
token, and verifies access tokens itself: the JWT signature against MockIdP's JWKS, `iss`, `exp` and an `aud`
holding its own URL (RFC 8707). The SDK's OAuthClientProvider finds MockIdP from there, registers (Dynamic Client
Registration, RFC 7591), runs the code flow with PKCE S256 and `resource`, and refreshes when the token expires.

Then the same with a Client ID Metadata Document instead of registration: the test serves the client's document
over HTTPS itself, and MockIdP, trusting the test's CA (--fetch-ca-file), fetches it.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
import html
import http.server
import ipaddress
import json
import pathlib
import socket
import ssl
import sys
import threading
import time
import types
import urllib.parse
from collections.abc import Iterator

import anyio
import httpx2
import pytest
import requests
import uvicorn
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from mcp.client.auth import OAuthClientProvider
from mcp.client.auth import oauth2 as sdk_oauth2
from mcp.client.session import ClientSession
from mcp.client.streamable_http import streamable_http_client
from mcp.server.auth.middleware.auth_context import get_access_token
from mcp.server.auth.provider import AccessToken
from mcp.server.auth.settings import AuthSettings
from mcp.server.mcpserver import MCPServer
from mcp.shared import auth_utils as sdk_auth_utils
from mcp.shared.auth import AuthorizationCodeResult, OAuthClientInformationFull, OAuthClientMetadata, OAuthToken

from conftest import FIXTURES_DIR, MockIdP, metadata, running_mock_idp
from oauth_helpers import HTTP_TIMEOUT, DebugAPI, HTTPSession, single_values

REDIRECT_URI = "http://127.0.0.1:33418/callback"  # never listened on: the redirect is read, not followed
SCOPE = "transactions:read"  # the MCP server's required scope, advertised in its Protected Resource Metadata
START_TIMEOUT = 5.0  # seconds for the MCP server to listen


# --- The clock ------------------------------------------------------------------------------------------------------


class Clock:
    """Time as MockIdP's server clock tells it (`/debug/clock`): the MCP server checks `exp` by it, and the SDK's
    client, which decides by its own clock when to refresh, is made to read it too, so that advancing it lets an
    hour pass for all three at once."""

    def __init__(self, debug: DebugAPI) -> None:
        self.debug = debug
        self.offset = debug.clock()["offset_seconds"]

    def time(self) -> float:
        return time.time() + self.offset

    def advance(self, seconds: int) -> None:
        self.offset = self.debug.advance_clock(seconds)["offset_seconds"]


def shared_clock(debug: DebugAPI, monkeypatch: pytest.MonkeyPatch) -> Clock:
    """MockIdP's clock, which the SDK's client then reads too (for this test only)."""
    clock = Clock(debug)
    # The SDK reads time.time() for token expiry in these two modules only.
    follow = types.SimpleNamespace(time=clock.time)
    monkeypatch.setattr(sdk_oauth2, "time", follow)
    monkeypatch.setattr(sdk_auth_utils, "time", follow)
    return clock


@pytest.fixture
def clock(fresh_debug: DebugAPI, monkeypatch: pytest.MonkeyPatch) -> Clock:
    return shared_clock(fresh_debug, monkeypatch)


# --- The MCP server (resource server) ----------------------------------------------------------------------------


def audiences(claims: dict) -> list[str]:
    """`aud` as a list: RFC 7519 §4.1.3 allows one string or an array."""
    audience = claims.get("aud")
    return [audience] if isinstance(audience, str) else list(audience or [])


class JWTVerifier:
    """A TokenVerifier for MockIdP's RFC 9068 access tokens: signature by the JWKS, typ at+jwt, iss, exp by the
    clock, and `aud` holding this server's URL."""

    def __init__(self, *, issuer: str, jwks: dict, resource: str, clock: Clock) -> None:
        self.issuer = issuer
        self.keys = KeySet.import_key_set(jwks)
        self.resource = resource
        self.clock = clock
        self.verified: list[dict] = []  # claims of every token accepted
        self.refused: list[str] = []  # why each refused token was refused

    async def verify_token(self, token: str) -> AccessToken | None:
        try:
            decoded = jwt.decode(token, self.keys, algorithms=["RS256", "ES256", "EdDSA"])
        except (JoseError, ValueError) as error:
            self.refused.append(f"jws: {error}")
            return None
        claims = decoded.claims
        problem = (
            "typ" if decoded.header.get("typ") != "at+jwt"
            else "iss" if claims.get("iss") != self.issuer
            else "exp" if not isinstance(claims.get("exp"), int) or claims["exp"] <= self.clock.time()
            else "aud" if self.resource not in audiences(claims)
            else None
        )
        if problem:
            self.refused.append(problem)
            return None
        self.verified.append(claims)
        return AccessToken(
            token=token,
            client_id=claims["client_id"],
            scopes=claims.get("scope", "").split(),
            expires_at=claims["exp"],
            resource=self.resource,
            subject=claims["sub"],
            claims=claims,
        )


@dataclasses.dataclass
class RunningMCPServer:
    url: str  # the MCP endpoint, which is also the resource identifier
    verifier: JWTVerifier

    @property
    def origin(self) -> str:
        parsed = urllib.parse.urlsplit(self.url)
        return f"{parsed.scheme}://{parsed.netloc}"


@contextlib.contextmanager
def running_mcp_server(issuer: str, clock: Clock) -> Iterator[RunningMCPServer]:
    """The SDK's MCPServer on streamable HTTP at 127.0.0.1 on a free port, with one tool, `whoami`."""
    with HTTPSession() as http:
        # OpenID discovery here, so that the RFC 8414 metadata requests MockIdP logs are the SDK's alone.
        discovery = http.get(issuer + "/.well-known/openid-configuration").json()
        jwks = http.get(discovery["jwks_uri"]).json()
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    url = f"http://127.0.0.1:{listener.getsockname()[1]}/mcp"
    verifier = JWTVerifier(issuer=issuer, jwks=jwks, resource=url, clock=clock)
    server = MCPServer(
        "MockIdP interop",
        token_verifier=verifier,
        auth=AuthSettings(
            issuer_url=issuer,
            resource_server_url=url,
            required_scopes=[SCOPE],
            validate_token_resource=True,
        ),
    )

    @server.tool()
    def whoami() -> str:
        """The subject of the access token the call came with."""
        token = get_access_token()
        assert token is not None
        return token.subject

    app_server = uvicorn.Server(uvicorn.Config(server.streamable_http_app(), log_level="warning", lifespan="on"))
    thread = threading.Thread(target=app_server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while not app_server.started:
            assert thread.is_alive() and time.monotonic() < deadline, "the MCP server did not start"
            time.sleep(0.01)
        yield RunningMCPServer(url=url, verifier=verifier)
    finally:
        app_server.should_exit = True
        thread.join(START_TIMEOUT)
        listener.close()
        assert not thread.is_alive(), "the MCP server did not stop"


# --- The MCP client ------------------------------------------------------------------------------------------------


class MemoryStorage:
    """The SDK's TokenStorage, in memory."""

    def __init__(self) -> None:
        self.tokens: OAuthToken | None = None
        self.client_info: OAuthClientInformationFull | None = None

    async def get_tokens(self) -> OAuthToken | None:
        return self.tokens

    async def set_tokens(self, tokens: OAuthToken) -> None:
        self.tokens = tokens

    async def get_client_info(self) -> OAuthClientInformationFull | None:
        return self.client_info

    async def set_client_info(self, client_info: OAuthClientInformationFull) -> None:
        self.client_info = client_info


class Browser:
    """The redirect and callback handlers: GETs the authorization URL as a browser would (MockIdP auto-consents
    and signs in alice), reads the redirect to the redirect_uri without following it, and hands its code, state
    and iss back to the SDK."""

    def __init__(self, redirect_uri: str = REDIRECT_URI) -> None:
        self.redirect_uri = redirect_uri
        self.authorization_urls: list[str] = []
        self.callback: dict[str, str] | None = None

    async def redirect_handler(self, authorization_url: str) -> None:
        self.authorization_urls.append(authorization_url)
        async with httpx2.AsyncClient(timeout=HTTP_TIMEOUT) as http:
            response = await http.get(authorization_url)
        assert response.status_code == 302, f"{response.status_code}: {response.text[:500]}"
        location = response.headers["Location"]
        base, _, query = location.partition("?")
        assert base == self.redirect_uri, location
        self.callback = single_values(urllib.parse.parse_qs(query, strict_parsing=True))

    async def callback_handler(self) -> AuthorizationCodeResult:
        assert self.callback is not None and "code" in self.callback, self.callback
        callback, self.callback = self.callback, None
        return AuthorizationCodeResult(code=callback["code"], state=callback.get("state"), iss=callback.get("iss"))

    def authorization_parameters(self, index: int = -1) -> dict[str, str]:
        query = urllib.parse.urlsplit(self.authorization_urls[index]).query
        return single_values(urllib.parse.parse_qs(query, strict_parsing=True))


def client_metadata(**fields) -> OAuthClientMetadata:
    return OAuthClientMetadata(
        client_name="An MCP client",
        redirect_uris=[REDIRECT_URI],
        grant_types=["authorization_code", "refresh_token"],
        response_types=["code"],
        token_endpoint_auth_method="none",
        **fields,
    )


@dataclasses.dataclass
class MCPClient:
    """One OAuthClientProvider (with its storage) used for several MCP sessions, as one client app would."""

    server_url: str
    provider: OAuthClientProvider
    storage: MemoryStorage
    browser: Browser

    async def call(self, tool: str) -> str:
        """A whole MCP session: connect, initialize, call `tool`, return its text."""
        async with httpx2.AsyncClient(auth=self.provider, timeout=HTTP_TIMEOUT) as http:
            async with streamable_http_client(self.server_url, http_client=http) as (read, write):
                async with ClientSession(read, write) as session:
                    await session.initialize()
                    result = await session.call_tool(tool, {})
        assert not result.is_error, result
        texts = [item.text for item in result.content if item.type == "text"]
        assert len(texts) == 1, result
        return texts[0]


def mcp_client(server_url: str, *, client_metadata_url: str | None = None) -> MCPClient:
    storage = MemoryStorage()
    browser = Browser()
    provider = OAuthClientProvider(
        server_url,
        client_metadata(),
        storage,
        redirect_handler=browser.redirect_handler,
        callback_handler=browser.callback_handler,
        client_metadata_url=client_metadata_url,
    )
    return MCPClient(server_url=server_url, provider=provider, storage=storage, browser=browser)


def token_requests(debug: DebugAPI, client_id: str) -> list[dict]:
    """The token-endpoint requests MockIdP logged for `client_id`, oldest first."""
    entries = [entry for entry in debug.requests() if entry["path"] == "/token" and entry.get("client_id") == client_id]
    return sorted(entries, key=lambda entry: entry["time"])


# --- Tests ---------------------------------------------------------------------------------------------------------


def test_the_mcp_server_sends_a_client_without_a_token_to_mockidp(fresh_idp, clock):
    """Without a token: 401 with WWW-Authenticate naming the Protected Resource Metadata, which names MockIdP."""
    with running_mcp_server(fresh_idp.issuer, clock) as mcp, HTTPSession() as http:
        response = http.post(mcp.url, json={"jsonrpc": "2.0", "id": 1, "method": "ping"})
        assert response.status_code == 401, response.text
        challenge = response.headers["WWW-Authenticate"]
        metadata_url = mcp.origin + "/.well-known/oauth-protected-resource/mcp"
        assert challenge.startswith("Bearer ") and f'resource_metadata="{metadata_url}"' in challenge, challenge
        metadata = http.get(metadata_url).json()
        assert metadata["resource"] == mcp.url
        assert metadata["authorization_servers"] == [fresh_idp.issuer]
        assert metadata["scopes_supported"] == [SCOPE]
        forged = http.post(mcp.url, json={}, headers={"Authorization": "Bearer not-a-jwt"})
        assert forged.status_code == 401 and mcp.verifier.refused[-1].startswith("jws:")


def test_the_mcp_server_takes_only_tokens_issued_for_it(fresh_idp, fresh_debug, clock):
    """RFC 8707: a token of MockIdP's for another audience is refused; one whose aud is the MCP server opens a
    session."""
    initialize = {
        "jsonrpc": "2.0", "id": 1, "method": "initialize",
        "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "curl", "version": "1"}},
    }
    with running_mcp_server(fresh_idp.issuer, clock) as mcp, HTTPSession() as http:
        def initialize_with(audience: str) -> requests.Response:
            token = fresh_debug.mint(client_id="budgetify", sub="alice", scope=SCOPE, audience=audience)
            headers = {"Authorization": f"Bearer {token['access_token']}", "Accept": "application/json, text/event-stream"}
            return http.post(mcp.url, json=initialize, headers=headers)

        elsewhere = initialize_with("https://api.alpha-bank.example")
        assert elsewhere.status_code == 401 and mcp.verifier.refused == ["aud"], elsewhere.text
        here = initialize_with(mcp.url)
        assert here.status_code == 200, here.text
        assert "mcp-session-id" in here.headers and mcp.verifier.verified[-1]["aud"] == mcp.url


def test_the_sdk_registers_signs_in_and_refreshes(fresh_idp, fresh_debug, clock):
    """Discovery (RFC 9728, RFC 8414), Dynamic Client Registration, code + PKCE S256 + resource, the tool call as
    alice; an hour later the SDK refreshes and the call succeeds again."""
    with running_mcp_server(fresh_idp.issuer, clock) as mcp:
        client = mcp_client(mcp.url)
        assert anyio.run(client.call, "whoami") == "alice"

        # Discovery: the SDK found MockIdP through the MCP server's metadata, then MockIdP's RFC 8414 metadata.
        context = client.provider.context
        assert context.auth_server_url == fresh_idp.issuer
        assert str(context.oauth_metadata.issuer) == fresh_idp.issuer
        discovered = [entry["path"] for entry in fresh_debug.requests()]
        assert "/.well-known/oauth-authorization-server" in discovered, discovered

        # Registration: the client the SDK uses is one MockIdP registered just now, with the SDK's metadata.
        client_id = client.storage.client_info.client_id
        registered = [entry for entry in fresh_debug.issued()["runtime_clients"] if entry["client_id"] == client_id]
        assert len(registered) == 1 and registered[0]["registered"] is True, registered
        assert registered[0]["metadata"]["redirect_uris"] == [REDIRECT_URI]
        assert registered[0]["metadata"]["token_endpoint_auth_method"] == "none"
        assert registered[0]["metadata"]["client_name"] == "An MCP client"

        # Authorization: PKCE S256 and the MCP server as the resource; the access token is for it, and alice's.
        authorizations = [entry for entry in fresh_debug.requests() if entry["path"] == "/authorize"]
        assert len(authorizations) == 1 and authorizations[0]["status"] == 302, authorizations
        request = authorizations[0]["parameters"]
        assert request == client.browser.authorization_parameters()
        assert request["client_id"] == client_id and request["redirect_uri"] == REDIRECT_URI
        assert request["code_challenge_method"] == "S256" and len(request["code_challenge"]) == 43
        assert request["resource"] == mcp.url
        assert SCOPE in request["scope"].split()
        first = client.storage.tokens
        entry = fresh_debug.token_entry(first.access_token)
        assert entry["client_id"] == client_id and entry["sub"] == "alice"
        assert mcp.url in audiences(entry["claims"])
        assert first.refresh_token, "MockIdP issued no refresh token"
        assert mcp.verifier.verified and mcp.verifier.verified[-1]["jti"] == entry["claims"]["jti"]
        grants = [entry["grant_type"] for entry in token_requests(fresh_debug, client_id)]
        assert grants == ["authorization_code"], grants

        # An hour later the token has expired: the MCP server refuses it, and the SDK refreshes before it calls.
        clock.advance(3700)
        with HTTPSession() as http:
            stale = http.post(mcp.url, json={}, headers={"Authorization": f"Bearer {first.access_token}"})
        assert stale.status_code == 401 and mcp.verifier.refused[-1] == "exp", (stale.status_code, mcp.verifier.refused)
        assert anyio.run(client.call, "whoami") == "alice"
        refreshed = client.storage.tokens
        assert refreshed.access_token != first.access_token
        assert len(client.browser.authorization_urls) == 1, "the SDK signed in again instead of refreshing"
        logged = token_requests(fresh_debug, client_id)
        assert [(entry["grant_type"], entry["status"]) for entry in logged] == [
            ("authorization_code", 200), ("refresh_token", 200),
        ], logged
        entry = fresh_debug.token_entry(refreshed.access_token)
        assert entry["status"] == "active" and entry["sub"] == "alice"
        assert mcp.url in audiences(entry["claims"])


# --- Client ID Metadata Documents ----------------------------------------------------------------------------------
#
# draft-ietf-oauth-client-id-metadata-document: the client_id is an https URL, and the authorization server fetches
# the client's metadata from it. The SDK uses one instead of registering when discovery says
# client_id_metadata_document_supported and its client_metadata_url is https with a path. The test serves the
# document itself over HTTPS on 127.0.0.1, with a certificate from a CA made here, which MockIdP trusts through
# --fetch-ca-file.

CERT_LIFETIME = datetime.timedelta(days=1)
DOCUMENT_MAX_AGE = 60  # seconds, the Cache-Control max-age the documents are served with


@dataclasses.dataclass
class LocalCA:
    ca_file: pathlib.Path  # the CA certificate, PEM: what MockIdP is told to trust
    server_context: ssl.SSLContext  # a certificate for 127.0.0.1 and localhost signed by it


def local_ca(directory: pathlib.Path) -> LocalCA:
    """A CA (P-256) and a server certificate it signed for 127.0.0.1 and localhost."""
    now = datetime.datetime.now(datetime.timezone.utc)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "MockIdP interop test CA")])
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + CERT_LIFETIME)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False, content_commitment=False, key_encipherment=False, data_encipherment=False,
                key_agreement=False, key_cert_sign=True, crl_sign=True, encipher_only=False, decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    server_key = ec.generate_private_key(ec.SECP256R1())
    server_cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]))
        .issuer_name(ca_name)
        .public_key(server_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + CERT_LIFETIME)
        .add_extension(
            x509.SubjectAlternativeName([x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    ca_file = directory / "document-ca.pem"
    ca_file.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    chain_file = directory / "document-server.pem"
    chain_file.write_bytes(
        server_cert.public_bytes(serialization.Encoding.PEM)
        + server_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(chain_file)
    return LocalCA(ca_file=ca_file, server_context=context)


@dataclasses.dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes


class DocumentServer:
    """An HTTPS server on 127.0.0.1 answering each path with a fixed Answer, logging every GET by path."""

    def __init__(self, context: ssl.SSLContext) -> None:
        self.answers: dict[str, Answer] = {}
        self.fetches: list[str] = []
        documents = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                documents.fetches.append(self.path)
                answer = documents.answers.get(self.path, Answer(404, {"Content-Type": "text/plain"}, b"no such document"))
                self.send_response(answer.status)
                for name, value in answer.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(answer.body)))
                self.end_headers()
                self.wfile.write(answer.body)

            def log_message(self, *args) -> None:
                pass

        class Server(http.server.ThreadingHTTPServer):
            daemon_threads = True

            def handle_error(self, request, client_address) -> None:
                documents.errors.append(sys.exc_info()[1])  # a failed TLS handshake, say: shown by the tests

        self.errors: list[BaseException] = []
        self.server = Server(("127.0.0.1", 0), Handler)
        # The handshake runs in each request's thread, not in the accepting one.
        self.server.socket = context.wrap_socket(self.server.socket, server_side=True, do_handshake_on_connect=False)
        self.origin = f"https://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def url(self, path: str) -> str:
        return self.origin + path

    def serve_json(self, path: str, document: dict | str, **headers: str) -> str:
        """Serves `document` (JSON, or a string as it is) at `path` with max-age; returns its URL."""
        body = document if isinstance(document, str) else json.dumps(document)
        all_headers = {"Content-Type": "application/json", "Cache-Control": f"max-age={DOCUMENT_MAX_AGE}", **headers}
        self.answers[path] = Answer(200, all_headers, body.encode())
        return self.url(path)

    def serve_client(self, path: str, **fields) -> str:
        """A client metadata document at `path` naming its own URL as client_id; returns the URL."""
        url = self.url(path)
        return self.serve_json(path, client_document(url, **fields))

    def fetch_count(self, path: str) -> int:
        return self.fetches.count(path)

    def __enter__(self) -> DocumentServer:
        self.thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(START_TIMEOUT)


def client_document(client_id: str, **fields) -> dict:
    return {
        "client_id": client_id,
        "client_name": "An MCP client (metadata document)",
        "redirect_uris": [REDIRECT_URI],
        "grant_types": ["authorization_code", "refresh_token"],
        "response_types": ["code"],
        "token_endpoint_auth_method": "none",
        **fields,
    }


@pytest.fixture
def document_ca(tmp_path: pathlib.Path) -> LocalCA:
    return local_ca(tmp_path)


@pytest.fixture
def documents(document_ca: LocalCA) -> Iterator[DocumentServer]:
    with DocumentServer(document_ca.server_context) as server:
        yield server


@pytest.fixture
def cimd_idp(tmp_path: pathlib.Path, document_ca: LocalCA) -> Iterator[MockIdP]:
    """A mock-idp of this test's own that trusts the documents' CA for its fetches."""
    with running_mock_idp(
        "--fixtures", str(FIXTURES_DIR), "--fetch-ca-file", str(document_ca.ca_file), cwd=tmp_path
    ) as idp:
        yield idp


@pytest.fixture
def cimd_debug(cimd_idp: MockIdP) -> Iterator[DebugAPI]:
    with DebugAPI(cimd_idp.issuer) as debug:
        yield debug


@pytest.fixture
def cimd_clock(cimd_debug: DebugAPI, monkeypatch: pytest.MonkeyPatch) -> Clock:
    return shared_clock(cimd_debug, monkeypatch)


def test_the_sdk_identifies_itself_by_a_client_id_metadata_document(cimd_idp, cimd_debug, cimd_clock, documents):
    """No registration: the client_id is the document's URL, which MockIdP fetches once and keeps for its
    max-age, across two sign-ins; once it is stale, the refresh an hour later fetches it again."""
    path = "/clients/mcp-client.json"
    document_url = documents.serve_client(path)
    assert metadata(cimd_idp)["client_id_metadata_document_supported"] is True
    with running_mcp_server(cimd_idp.issuer, cimd_clock) as mcp:
        first = mcp_client(mcp.url, client_metadata_url=document_url)
        assert anyio.run(first.call, "whoami") == "alice"
        assert first.storage.client_info.client_id == document_url
        logged = cimd_debug.requests()
        assert "/register" not in [entry["path"] for entry in logged]
        authorizations = [entry for entry in logged if entry["path"] == "/authorize"]
        assert [(entry["parameters"]["client_id"], entry["status"]) for entry in authorizations] == [(document_url, 302)]
        entry = cimd_debug.token_entry(first.storage.tokens.access_token)
        assert entry["client_id"] == document_url and entry["sub"] == "alice"
        assert mcp.url in audiences(entry["claims"])
        assert documents.fetch_count(path) == 1, (documents.fetches, documents.errors)

        # /debug shows the document MockIdP fetched, kept for the max-age it was served with.
        fetched = cimd_debug.issued()["fetched_documents"]
        assert [document["url"] for document in fetched] == [document_url], fetched
        assert fetched[0]["document"] == client_document(document_url), fetched
        assert fetched[0]["fresh_until"] - fetched[0]["fetched_at"] == DOCUMENT_MAX_AGE, fetched

        # A second client app with the same document signs in anew; MockIdP serves it from its cache.
        second = mcp_client(mcp.url, client_metadata_url=document_url)
        assert anyio.run(second.call, "whoami") == "alice"
        assert len(second.browser.authorization_urls) == 1
        assert documents.fetch_count(path) == 1, documents.fetches
        grants = [(entry["grant_type"], entry["status"]) for entry in token_requests(cimd_debug, document_url)]
        assert grants == [("authorization_code", 200), ("authorization_code", 200)], grants

        # An hour later: the first app refreshes; the cached document is stale by then and fetched again.
        cimd_clock.advance(3700)
        assert anyio.run(first.call, "whoami") == "alice"
        assert len(first.browser.authorization_urls) == 1, "the SDK signed in again instead of refreshing"
        grants = [(entry["grant_type"], entry["status"]) for entry in token_requests(cimd_debug, document_url)]
        assert grants[-1] == ("refresh_token", 200), grants
        assert documents.fetch_count(path) == 2, documents.fetches


def authorization_url(idp: MockIdP, client_id: str, redirect_uri: str = REDIRECT_URI) -> str:
    """A public client's authorization request, PKCE S256 included, as an MCP client sends it."""
    parameters = {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": redirect_uri,
        "state": "s",
        "code_challenge": "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
        "code_challenge_method": "S256",
        "scope": SCOPE,
    }
    return idp.url("/authorize?" + urllib.parse.urlencode(parameters))


def assert_error_page(response: requests.Response, *fragments: str) -> None:
    """RFC 6749 §4.1.2.1: a client that cannot be trusted gets no redirect; the page says what is wrong."""
    assert response.status_code == 400, f"{response.status_code}: {response.text[:500]}"
    assert "Location" not in response.headers, response.headers
    assert response.headers["Content-Type"].startswith("text/html"), response.headers
    text = html.unescape(response.text)
    for fragment in fragments:
        assert fragment in text, f"{fragment!r} not in the error page: {text[:1000]}"


@pytest.mark.parametrize("case", ["client_id_mismatch", "redirect", "not_found", "not_json"])
def test_a_bad_metadata_document_gets_an_error_page(cimd_idp, documents, http, case):
    """Each document MockIdP cannot take is a 400 page naming the document and the problem, never a redirect or 5xx."""
    good_url = documents.serve_client("/clients/good.json")
    if case == "client_id_mismatch":
        url = documents.serve_json("/clients/mismatch.json", client_document(good_url))
        fragments = [f'client_id "{good_url}"']
    elif case == "redirect":
        url = documents.url("/clients/moved.json")
        documents.answers["/clients/moved.json"] = Answer(302, {"Location": good_url}, b"")
        fragments = ["302", "redirect"]
    elif case == "not_found":
        url = documents.url("/clients/missing.json")  # the document server answers 404
        fragments = ["404"]
    else:
        url = documents.serve_json("/clients/not-json.json", "<html>this is not JSON</html>")
        fragments = ["JSON"]
    response = http.get(authorization_url(cimd_idp, url), allow_redirects=False)
    assert_error_page(response, "invalid_client", f"client metadata document {url}", *fragments)
    assert documents.fetches == [urllib.parse.urlsplit(url).path], "MockIdP followed the redirect or fetched twice"


def test_a_redirect_uri_the_document_does_not_list_is_refused(cimd_idp, documents, http):
    url = documents.serve_client("/clients/good.json")
    elsewhere = "http://127.0.0.1:33418/elsewhere"
    response = http.get(authorization_url(cimd_idp, url, elsewhere), allow_redirects=False)
    assert_error_page(response, f'redirect_uri "{elsewhere}"', url)
    # The document itself is fine: with a redirect_uri it lists, the same client is signed in.
    signed_in = http.get(authorization_url(cimd_idp, url), allow_redirects=False)
    assert signed_in.status_code == 302 and signed_in.headers["Location"].startswith(REDIRECT_URI + "?code="), signed_in.headers
