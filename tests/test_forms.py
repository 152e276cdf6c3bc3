"""multipart/form-data bodies (server.views.forms): every bound is checked before the work it would cost.

The issue's bodies: 300,000 empty parts in 16 MiB (17-19 s of server CPU before), a 300 MB part under an
ignored name (read to its end before), multipart nested 2,000 deep (a 500 before). Each is refused well
under a second; the bound asserted is generous (this is a bad-input test, not a benchmark).
"""

from __future__ import annotations

import asyncio
import contextlib
import time

import pytest
from aiohttp.test_utils import TestClient

from server.config import Config
from server.views.forms import MAX_PARTS

from .support.api import Api, error_of
from .support.ws import ClientFactory, start

BOUNDARY = "bomb"
QUICK_S = 1.0


def empty_parts(count: int) -> bytes:
    """A form of count empty parts under an unknown name."""
    part = f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="x"\r\n\r\n\r\n'.encode()
    return part * count + f"--{BOUNDARY}--\r\n".encode()


def nested(levels: int) -> bytes:
    """A form whose first part is a multipart holding a multipart, levels deep."""
    head = "".join(f"--b{i}\r\nContent-Type: multipart/mixed; boundary=b{i + 1}\r\n\r\n" for i in range(levels))
    tail = "".join(f"\r\n--b{i}--\r\n" for i in reversed(range(levels + 1)))
    return (head + f"--b{levels}\r\n\r\nx" + tail).encode()


async def session_url(client: TestClient) -> tuple[str, dict[str, str]]:
    """The submit URL of a fresh session, and its author's headers."""
    api = Api(client)
    alice = await api.register()
    team = await api.team(alice)
    ts = (await api.session(alice, team["id"]))["id"]
    return f"/training-sessions/{ts}/submissions", alice.headers


async def answer_to_raw(client: TestClient, head: bytes, body: bytes) -> tuple[bytes, float]:
    """Send a request head and (in the background, as far as the server takes it) its body; the status line."""
    reader, writer = await asyncio.open_connection(str(client.server.host), client.server.port)  # type: ignore[arg-type]
    started = time.monotonic()
    writer.write(head)

    async def send_body() -> None:
        with contextlib.suppress(ConnectionError):
            for i in range(0, len(body), 1 << 16):
                writer.write(body[i : i + (1 << 16)])
                await writer.drain()

    sending = asyncio.create_task(send_body())
    try:
        async with asyncio.timeout(10):
            status = await reader.readline()
        return status, time.monotonic() - started
    finally:
        sending.cancel()
        await asyncio.gather(sending, return_exceptions=True)
        writer.close()


def request_head(url: str, headers: dict[str, str], length: int) -> bytes:
    lines = [f"POST {url} HTTP/1.1", "Host: trainer", f"Content-Type: multipart/form-data; boundary={BOUNDARY}"]
    lines += [f"{k}: {v}" for k, v in headers.items()] + [f"Content-Length: {length}", "", ""]
    return "\r\n".join(lines).encode()


@pytest.mark.parametrize(
    ("declared", "sent"),
    [(16 << 20, empty_parts(300_000)), (300 << 20, empty_parts(10))],
    ids=["300,000 empty parts in 16 MiB", "a 300 MB ignored part"],
)
async def test_a_body_above_the_limit_is_refused_before_it_is_read(
    client: TestClient, declared: int, sent: bytes
) -> None:
    url, headers = await session_url(client)
    status, seconds = await answer_to_raw(client, request_head(url, headers, declared), sent)
    assert status.startswith(b"HTTP/1.1 413"), status
    assert seconds < QUICK_S


async def test_many_parts_within_the_size_are_refused_at_the_first_extra_one(client: TestClient) -> None:
    url, headers = await session_url(client)
    body = empty_parts(6000)  # about 300 kB: under the size limit
    started = time.monotonic()
    resp = await client.post(
        url, data=body, headers=headers | {"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}
    )
    error = await error_of(resp, 400)
    assert time.monotonic() - started < QUICK_S
    assert error["code"] == "INVALID_FORM" and str(MAX_PARTS) in error["message"]


async def test_nested_multipart_is_refused(client: TestClient) -> None:
    url, headers = await session_url(client)
    resp = await client.post(
        url, data=nested(2000), headers=headers | {"Content-Type": "multipart/form-data; boundary=b0"}
    )
    error = await error_of(resp, 400)
    assert error["code"] == "INVALID_FORM" and "nested" in error["message"]


async def test_a_form_without_content_length_is_411(client: TestClient) -> None:
    url, headers = await session_url(client)

    async def chunks():  # type: ignore[no-untyped-def]
        yield empty_parts(1)

    content_type = f"multipart/form-data; boundary={BOUNDARY}"
    resp = await client.post(url, data=chunks(), headers=headers | {"Content-Type": content_type})
    assert (await error_of(resp, 411))["code"] == "LENGTH_REQUIRED"


async def test_the_contest_upload_has_the_same_bounds_and_more_time(
    aiohttp_client: ClientFactory, config: Config
) -> None:
    client = await start(aiohttp_client, config, admin_logins=("root",))
    root = await Api(client).register("root")
    (route,) = [r for r in client.app.router.routes() if r.method == "POST" and r.resource.canonical == "/contests"]
    assert getattr(route.handler, "large_body", False)  # its body deadline grows with Content-Length
    content_type = {"Content-Type": "multipart/form-data; boundary=b0"}
    resp = await client.post("/contests", data=nested(2000), headers=root.headers | content_type)
    assert "nested" in (await error_of(resp, 400))["message"]
    content_type = {"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}
    resp = await client.post("/contests", data=empty_parts(MAX_PARTS + 1), headers=root.headers | content_type)
    assert (await error_of(resp, 400))["code"] == "INVALID_FORM"
