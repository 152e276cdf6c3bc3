"""The floor: the smallest aiohttp relay of /ws/training, to compare the real server against.

It keeps no state but the open sockets of each room (keyed by `training_session_id`), validates
nothing, stores nothing, and relays every text frame to everyone in the room, sender included.
Its one courtesy is a tiny `ROOM_STATE` to a newcomer, so the load generator knows the socket is
in the room before it starts (the real server sends `USER_JOIN` and `ROOM_STATE` at that point).
At start it applies the server's allocator setting (server/memory.py), so both pay the same for
each socket read.

    python bench/floor.py --port 8100
"""

from __future__ import annotations

import argparse
import contextlib

from aiohttp import WSMsgType, web
from benchlib import raise_nofile

from server.memory import raise_mmap_threshold

ROOMS: web.AppKey[dict[str, list[web.WebSocketResponse]]] = web.AppKey("rooms", dict)
_JOINED = '{"type":"ROOM_STATE","payload":{}}'


async def training_socket(request: web.Request) -> web.WebSocketResponse:
    """GET /ws/training?training_session_id=: join the room and relay its text frames."""
    rooms = request.app[ROOMS]
    room_id = request.query.get("training_session_id", "")
    ws = web.WebSocketResponse(compress=False, max_msg_size=1_048_576)
    await ws.prepare(request)
    members = rooms.setdefault(room_id, [])
    members.append(ws)
    try:
        await ws.send_str(_JOINED)
        async for msg in ws:
            if msg.type is not WSMsgType.TEXT:
                break
            for peer in list(members):
                # A peer closing at this moment is not our sender's problem.
                with contextlib.suppress(ConnectionError):
                    await peer.send_str(msg.data)
    finally:
        members.remove(ws)
        if not members:
            del rooms[room_id]
    return ws


async def ping(request: web.Request) -> web.Response:
    """GET /health/ping-database: the readiness probe the benchmark runner polls."""
    return web.json_response({"status": "ok"})


def create_floor() -> web.Application:
    """The relay application."""
    app = web.Application()
    app[ROOMS] = {}
    app.router.add_get("/ws/training", training_socket)
    app.router.add_get("/health/ping-database", ping)
    return app


def main() -> None:
    """Serve the floor on 127.0.0.1 until SIGTERM/SIGINT."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, default=8100)
    args = parser.parse_args()
    raise_nofile(65536)  # one descriptor per socket; the idle-memory scenario opens thousands
    raise_mmap_threshold()  # as the server does at start: same allocator, fair comparison
    web.run_app(create_floor(), host="127.0.0.1", port=args.port, access_log=None, print=None)


if __name__ == "__main__":
    main()
