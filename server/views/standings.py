"""`GET /contests/{ts}/standings`, each ranked answer dumped to JSON once and served from memory after."""

from __future__ import annotations

import asyncio
from collections import OrderedDict

import orjson
from aiohttp import web
from aiohttp_apigami import docs, match_info_schema, response_schema

from schemas.contests import SessionPathSchema
from schemas.submissions import StandingsSchema

from ..scoring import Standings
from .common import AUTH, MATCH, caller, errors, match, services

DUMP_INLINE_ROWS = 200  # larger answers are dumped in a worker thread (1,000 rows x 10 problems: ~65 ms)
KEEP = 64  # answers kept: one per contest being looked at, give or take


def _encode(standings: Standings) -> bytes:
    return orjson.dumps(StandingsSchema().dump(standings))  # a schema of its own: this may run in a thread


class StandingsEndpoint:
    """The service keeps one ranked answer per contest until it changes; this keeps that answer's JSON."""

    def __init__(self) -> None:
        self._bodies: OrderedDict[int, tuple[Standings, bytes]] = OrderedDict()

    async def body(self, standings: Standings) -> bytes:
        """The answer's JSON, encoded the first time it is asked for."""
        key = id(standings)  # the cached answer holds the object, so its id is not reused meanwhile
        kept = self._bodies.get(key)
        if kept is not None and kept[0] is standings:
            self._bodies.move_to_end(key)
            return kept[1]
        if len(standings.rows) > DUMP_INLINE_ROWS:
            encoded = await asyncio.to_thread(_encode, standings)
        else:
            encoded = _encode(standings)
        self._bodies[key] = (standings, encoded)
        while len(self._bodies) > KEEP:
            self._bodies.popitem(last=False)
        return encoded

    @docs(tags=["contests"], summary="ICPC standings of every session of this contest", security=AUTH)
    @match_info_schema(SessionPathSchema, put_into=MATCH)
    @response_schema(StandingsSchema, 200)
    @errors(401, 403, 404)
    async def get(self, request: web.Request) -> web.Response:
        """GET /contests/{ts}/standings."""
        standings = await services(request).standings.of_session(await caller(request), match(request)["ts"])
        return web.Response(body=await self.body(standings), content_type="application/json")


def setup_standings_routes(app: web.Application) -> None:
    """Register the standings route."""
    app.router.add_get("/contests/{ts}/standings", StandingsEndpoint().get)
