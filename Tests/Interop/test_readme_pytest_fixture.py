"""The pytest fixture README.md shows ("Use it in your tests") works as printed."""

import pathlib

import requests

from readme_pytest_fixture import mock_idp  # noqa: F401  (the README's fixture, used below by name)

SNIPPET = pathlib.Path(__file__).with_name("readme_pytest_fixture.py")
README = pathlib.Path(__file__).resolve().parents[2] / "README.md"


def test_readme_shows_exactly_this_fixture():
    assert SNIPPET.read_text() in README.read_text(), "README.md's pytest snippet drifted from readme_pytest_fixture.py"


def test_the_fixture_yields_a_running_issuer(mock_idp):  # noqa: F811
    metadata = requests.get(mock_idp + "/.well-known/openid-configuration", timeout=10).json()
    assert metadata["issuer"] == mock_idp
    token = requests.post(
        metadata["token_endpoint"],
        data={"grant_type": "client_credentials"},
        auth=("reconciler", "reconciler-secret"),
        timeout=10,
    )
    assert token.status_code == 200
    assert token.json()["token_type"] == "Bearer"
