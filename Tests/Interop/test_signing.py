"""Every signing algorithm, and both ways RS256 is signed, as a client library sees them: tokens verify against the
published JWKS with the algorithm discovery announces, and userinfo accepts them."""

from __future__ import annotations

import pytest
from joserfc import jwt
from joserfc.jwk import KeySet

from conftest import running_mock_idp
from oauth_helpers import RECONCILER, HTTPSession, code_flow, oauth_session, userinfo

# (label, arguments, environment): RS256 through the system's OpenSSL (the default where there is one), RS256 through
# swift-crypto, ES256 and EdDSA.
CASES = [
    ("RS256 via OpenSSL", [], {}),
    ("RS256 via swift-crypto", [], {"MOCK_IDP_SYSTEM_CRYPTO": "0"}),
    ("ES256", ["--signing-alg", "ES256"], {}),
    ("EdDSA", ["--signing-alg", "EdDSA"], {}),
]


@pytest.mark.parametrize(("label", "args", "environment"), CASES, ids=[case[0] for case in CASES])
def test_tokens_verify_against_the_published_keys(tmp_path, monkeypatch, label, args, environment):
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    algorithm = (args + ["RS256"])[1] if args else "RS256"
    with running_mock_idp(*args, cwd=tmp_path) as idp:
        http = HTTPSession()
        discovery = http.get(idp.issuer + "/.well-known/openid-configuration").json()
        assert discovery["id_token_signing_alg_values_supported"] == [algorithm]
        jwks = http.get(discovery["jwks_uri"]).json()
        assert [key["alg"] for key in jwks["keys"]] == [algorithm]
        keys = KeySet.import_key_set(jwks)

        with oauth_session(discovery, RECONCILER, scope="transactions:read") as client:
            access_token = client.fetch_token(grant_type="client_credentials")["access_token"]
        issued, _ = code_flow(discovery, scope="openid profile")
        for token in (access_token, issued["access_token"], issued["id_token"]):
            decoded = jwt.decode(token, keys, algorithms=[algorithm])
            assert decoded.header["alg"] == algorithm
            assert decoded.header["kid"] == jwks["keys"][0]["kid"]
            assert decoded.claims["iss"] == idp.issuer
        assert userinfo(discovery, issued["access_token"]).json()["sub"] == "alice"
