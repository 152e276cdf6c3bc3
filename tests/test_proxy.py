"""Client address and HTTPS behind proxies: forwarding headers count only from TRUSTED_PROXIES."""

from __future__ import annotations

import pytest

from server.proxy import ProxyTrust


@pytest.mark.parametrize(
    ("trusted", "peer", "forwarded", "client"),
    [
        ((), "192.0.2.1", ["203.0.113.5"], "192.0.2.1"),  # no trusted proxy: the header is anyone's
        (("127.0.0.1",), "192.0.2.1", ["203.0.113.5"], "192.0.2.1"),  # an untrusted peer
        (("127.0.0.1",), "127.0.0.1", ["203.0.113.5"], "203.0.113.5"),
        (("127.0.0.1",), "127.0.0.1", ["6.6.6.6, 203.0.113.5"], "203.0.113.5"),  # the client forged the first hop
        (("127.0.0.1", "10.0.0.0/8"), "127.0.0.1", ["203.0.113.5, 10.1.2.3"], "203.0.113.5"),  # two proxies
        (("127.0.0.1",), "127.0.0.1", ["203.0.113.5", "198.51.100.4"], "198.51.100.4"),  # two headers
        (("127.0.0.1",), "127.0.0.1", [], "127.0.0.1"),
        (("127.0.0.1",), "127.0.0.1", ["not-an-ip"], "127.0.0.1"),
        (("127.0.0.1",), "127.0.0.1", ["[2001:db8::1]:443"], "2001:db8::1"),
        (("127.0.0.1",), "::ffff:127.0.0.1", ["203.0.113.5:8080"], "203.0.113.5"),
        (("::1",), "::1", ["2001:db8::7"], "2001:db8::7"),
        ((), None, [], "unknown"),
    ],
)
def test_client_address(trusted: tuple[str, ...], peer: str | None, forwarded: list[str], client: str) -> None:
    assert ProxyTrust(trusted).client(peer, forwarded) == client


@pytest.mark.parametrize(
    ("trusted", "peer", "tls", "proto", "https"),
    [
        ((), "127.0.0.1", True, None, True),
        ((), "127.0.0.1", False, "https", False),
        (("127.0.0.1",), "127.0.0.1", False, "https", True),
        (("127.0.0.1",), "127.0.0.1", False, "HTTPS", True),
        (("127.0.0.1",), "127.0.0.1", False, "https, http", False),
        (("127.0.0.1",), "192.0.2.1", False, "https", False),
        (("127.0.0.1",), "127.0.0.1", False, None, False),
    ],
)
def test_https(trusted: tuple[str, ...], peer: str, tls: bool, proto: str | None, https: bool) -> None:
    assert ProxyTrust(trusted).https(peer, tls, proto) is https
