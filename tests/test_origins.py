"""Which Origin may use a cookie-borne token: the server's own and the listed ones, never `*`."""

from __future__ import annotations

import pytest

from server.origins import cookie_origin_allowed, is_same_origin, origin_allowed


@pytest.mark.parametrize(
    ("origin", "host", "same"),
    [
        ("http://localhost:8000", "localhost:8000", True),
        ("http://LOCALHOST:8000/", "localhost:8000", True),
        ("https://trainer.example", "trainer.example", True),
        ("https://trainer.example", "trainer.example:443", True),
        ("http://trainer.example", "trainer.example:80", True),
        ("http://[::1]:8000", "[::1]:8000", True),
        ("http://localhost:8001", "localhost:8000", False),
        ("https://localhost:8000", "localhost:8000", True),  # behind a TLS proxy: same host and port
        ("https://trainer.example", "trainer.example:80", False),  # 443 is not 80
        ("http://evil.example", "trainer.example", False),
        ("http://trainer.example.evil.example", "trainer.example", False),
        ("http://user@trainer.example", "trainer.example", False),
        ("null", "trainer.example", False),
        ("file://", "trainer.example", False),
        ("http://trainer.example", None, False),
        ("http://trainer.example", "", False),
        ("http://trainer.example:99999", "trainer.example", False),
        ("http://[bad", "trainer.example", False),
    ],
)
def test_same_origin(origin: str, host: str | None, same: bool) -> None:
    assert is_same_origin(origin, host) is same


def test_cookie_origin_rules() -> None:
    host = "trainer.example:8000"
    assert cookie_origin_allowed(None, host, ())  # no Origin: not a cross-site browser request
    assert cookie_origin_allowed("http://trainer.example:8000", host, ())
    assert not cookie_origin_allowed("http://evil.example", host, ("*",))  # "*" never vouches for a cookie
    assert cookie_origin_allowed("https://client.example", host, ("https://client.example/",))
    assert cookie_origin_allowed("HTTPS://Client.Example", host, ("https://client.example",))
    assert not cookie_origin_allowed("https://client.example.evil", host, ("https://client.example",))


@pytest.mark.parametrize(
    ("origins", "origin", "allowed"),
    [
        (("*",), "http://anything", True),
        (("http://a.example",), "http://a.example", True),
        (("http://a.example",), "http://a.example/", True),
        (("http://a.example",), "http://b.example", False),
        (("http://a.example",), "http://trainer.example:8000", True),  # our own pages (the built-in client)
        (("http://a.example",), None, True),  # not a browser: no cross-site risk to guard against
    ],
)
def test_socket_origin_rule(origins: tuple[str, ...], origin: str | None, allowed: bool) -> None:
    assert origin_allowed(origin, "trainer.example:8000", origins) is allowed
