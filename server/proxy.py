"""Who the client is and whether it came over HTTPS, trusting forwarding headers only from listed proxies.

`X-Forwarded-For` and `X-Forwarded-Proto` are plain request headers: any client can send them. They
are believed only when the TCP peer is one of `TRUSTED_PROXIES` (the operator's reverse proxy), and
then only the part that trusted proxies appended: `X-Forwarded-For` is read from the right, skipping
trusted addresses, and the first other address is the client. Without trusted proxies the peer
address is the client and only a TLS transport is HTTPS. Plain functions, no aiohttp.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def _address(text: str) -> Address | None:
    text = text.strip()
    if text.startswith("[") and "]" in text:  # "[2001:db8::1]:443"
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # "192.0.2.1:5000"
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


class ProxyTrust:
    """The reverse proxies whose forwarding headers are believed (none by default)."""

    def __init__(self, networks: Iterable[str] = ()) -> None:
        self._networks: tuple[Network, ...] = tuple(ipaddress.ip_network(n, strict=False) for n in networks)

    def trusts(self, peer: str | None) -> bool:
        """True when the TCP peer is one of the trusted proxies."""
        address = _address(peer) if peer else None
        return address is not None and any(address in network for network in self._networks)

    def client(self, peer: str | None, forwarded_for: Iterable[str] = ()) -> str:
        """The client's address: the peer, or behind trusted proxies the nearest untrusted X-Forwarded-For hop.

        `forwarded_for` holds every X-Forwarded-For header value in order. A malformed hop ends the
        walk at the last trusted one (an unparsable value is never used as a throttling key).
        """
        if not self.trusts(peer):
            return peer or "unknown"
        hops = [hop.strip() for value in forwarded_for for hop in value.split(",") if hop.strip()]
        client = peer or "unknown"
        for hop in reversed(hops):
            address = _address(hop)
            if address is None:
                break
            client = str(address)
            if not any(address in network for network in self._networks):
                break
        return client

    def https(self, peer: str | None, transport_secure: bool, forwarded_proto: str | None) -> bool:
        """True when the client's connection is HTTPS: TLS here, or a trusted proxy says `https`.

        A chain of proxies appends to X-Forwarded-Proto; the last value is what the proxy talking to
        us saw, which is the client's scheme when that proxy is the TLS terminator.
        """
        if transport_secure:
            return True
        if not forwarded_proto or not self.trusts(peer):
            return False
        return forwarded_proto.split(",")[-1].strip().lower() == "https"
