"""The listening sockets, bound before anything else starts so a taken port or a bad host fails in milliseconds."""

from __future__ import annotations

import errno
import socket
from collections.abc import Iterable

from .startup import CONFIG_EXIT, ENVIRONMENT_EXIT, StartupError

# Pending connections the kernel holds while the loop is busy. asyncio also accepts up to this many in one
# go before any of them reaches the connection guard, so it is part of the descriptor reserve (resources.py).
BACKLOG = 128


def _error(exc: OSError, host: str, port: int) -> StartupError:
    """The one line an operator needs for a failed bind, naming APP_HOST or APP_PORT."""
    if exc.errno == errno.EADDRINUSE:
        return StartupError("APP_PORT", f"port {port} on {host} is already in use", ENVIRONMENT_EXIT)
    if exc.errno == errno.EACCES:
        return StartupError("APP_PORT", f"not allowed to listen on port {port} (below 1024 needs privileges)")
    if exc.errno in (errno.EADDRNOTAVAIL, errno.EAFNOSUPPORT):
        return StartupError("APP_HOST", f"{host} is not an address of this machine", CONFIG_EXIT)
    return StartupError("APP_HOST", f"cannot listen on {host}:{port}: {exc.strerror or exc}", ENVIRONMENT_EXIT)


def _addresses(host: str, port: int) -> list[tuple[int, tuple[str, int] | tuple[str, int, int, int]]]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except (socket.gaierror, UnicodeError) as exc:
        reason = exc.strerror if isinstance(exc, socket.gaierror) else str(exc)
        raise StartupError("APP_HOST", f"cannot resolve {host!r}: {reason}", CONFIG_EXIT) from None
    seen: list[tuple[int, tuple[str, int] | tuple[str, int, int, int]]] = []
    for family, _, _, _, address in infos:
        if family in (socket.AF_INET, socket.AF_INET6) and (family, address) not in seen:
            seen.append((family, address))  # type: ignore[arg-type]
    if not seen:
        raise StartupError("APP_HOST", f"{host!r} has no IPv4 or IPv6 address", CONFIG_EXIT)
    return seen


def bind_sockets(host: str, port: int) -> list[socket.socket]:
    """Listening, non-blocking sockets on every address of host; raises StartupError.

    With APP_PORT=0 every address gets the port the first one was given. A name with several addresses
    (localhost: 127.0.0.1 and ::1) skips those this machine lacks, as long as one of them binds.
    """
    addresses = _addresses(host, port)
    sockets: list[socket.socket] = []
    try:
        for family, address in addresses:
            sock = socket.socket(family, socket.SOCK_STREAM)
            try:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                if family == socket.AF_INET6:
                    sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
                if sockets and port == 0:
                    address = (address[0], sockets[0].getsockname()[1], *address[2:])  # type: ignore[assignment]
                sock.bind(address)
                sock.listen(BACKLOG)
                sock.setblocking(False)
            except OSError as exc:
                sock.close()
                if len(addresses) > 1 and exc.errno in (errno.EADDRNOTAVAIL, errno.EAFNOSUPPORT):
                    continue
                raise _error(exc, host, port) from None
            sockets.append(sock)
        if not sockets:
            raise StartupError("APP_HOST", f"no address of {host!r} can be listened on", CONFIG_EXIT)
    except BaseException:
        close_all(sockets)
        raise
    return sockets


def close_all(sockets: Iterable[socket.socket]) -> None:
    """Close sockets, ignoring those already closed."""
    for sock in sockets:
        sock.close()


def urls(sockets: Iterable[socket.socket]) -> list[str]:
    """`http://HOST:PORT` of each listening socket, with the port the kernel chose."""
    found = []
    for sock in sockets:
        host, port = sock.getsockname()[:2]
        found.append(f"http://[{host}]:{port}" if sock.family == socket.AF_INET6 else f"http://{host}:{port}")
    return found
