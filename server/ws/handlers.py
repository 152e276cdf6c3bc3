"""One handler per client message type: check, apply under the room lock, broadcast to everyone."""

from __future__ import annotations

from typing import Any

from schemas.ws import (
    CodeEditorUpdateSchema,
    CompilerSelectedSchema,
    ContestSelectedSchema,
    ControlTakenSchema,
    ProblemAssignedSchema,
    UserPayloadSchema,
)

from ..domain.records import User
from ..rooms.lobby import LobbyRoom
from ..rooms.training import TrainingRoom
from . import const, messages
from .decorators import MessageContext, MessageHandler, ws_handler


def _lobby(ctx: MessageContext) -> LobbyRoom:
    assert isinstance(ctx.room, LobbyRoom)  # the dispatcher only routes lobby types here
    return ctx.room


def _training(ctx: MessageContext) -> TrainingRoom:
    assert isinstance(ctx.room, TrainingRoom)  # the dispatcher only routes training types here
    return ctx.room


@ws_handler(const.USER, UserPayloadSchema)
async def handle_user(ctx: MessageContext, payload: dict[str, Any]) -> None:
    """USER: announce the sender with their stored user object, whatever they sent."""
    room = ctx.room
    async with room.lock:
        room.broadcast(messages.user(ctx.conn.user))


@ws_handler(const.CONTEST_SELECTED, ContestSelectedSchema, rooms=("lobby",))
async def handle_contest_selected(ctx: MessageContext, payload: dict[str, Any]) -> None:
    """CONTEST_SELECTED: the lobby now looks at a loaded contest."""
    room = _lobby(ctx)
    async with room.lock:
        room.select_contest(payload["contestId"], ctx.contests)
        room.broadcast(messages.contest_selected(payload["contestId"]))


@ws_handler(const.CODE_EDITOR_UPDATE, CodeEditorUpdateSchema, rooms=("training",), coalesce_by="problemAlias")
async def handle_code_update(ctx: MessageContext, payload: dict[str, Any]) -> None:
    """CODE_EDITOR_UPDATE: new editor content, from whoever holds control (or anyone if nobody does)."""
    room, user_id, alias, code = _training(ctx), ctx.conn.user.id, payload["problemAlias"], payload["code"]
    async with room.lock:
        room.update_code(user_id, alias, code, ctx.config.max_code_bytes)
        room.broadcast(messages.code_editor_update(code, alias, user_id))


@ws_handler(const.CONTROL_TAKEN, ControlTakenSchema, rooms=("training",))
async def handle_control_taken(ctx: MessageContext, payload: dict[str, Any]) -> None:
    """CONTROL_TAKEN: the sender takes the keyboard."""
    room = _training(ctx)
    async with room.lock:
        room.take_control(ctx.conn.user.id, payload["userId"])
        room.broadcast(messages.control_taken(ctx.conn.user.id))


@ws_handler(const.PROBLEM_ASSIGNED, ProblemAssignedSchema, rooms=("training",))
async def handle_problem_assigned(ctx: MessageContext, payload: dict[str, Any]) -> None:
    """PROBLEM_ASSIGNED: a problem goes to a current team member (or to nobody)."""
    room = _training(ctx)
    ref = payload["user"]
    members: dict[int, User] = {}
    if ref is not None:
        # Read before taking the lock: membership can change through REST, so it is checked fresh.
        team = await ctx.store.teams.get(room.team_id)
        members = {m.id: m for m in team.members} if team is not None else {}
    async with room.lock:
        assignee = room.assign(payload["problemAlias"], None if ref is None else ref["id"], members)
        room.broadcast(messages.problem_assigned(assignee, payload["problemAlias"]))


@ws_handler(const.COMPILER_SELECTED, CompilerSelectedSchema, rooms=("training",))
async def handle_compiler_selected(ctx: MessageContext, payload: dict[str, Any]) -> None:
    """COMPILER_SELECTED: a problem's compiler, one the judge offers."""
    room = _training(ctx)
    async with room.lock:
        room.select_compiler(payload["problemAlias"], payload["compiler"], ctx.compilers)
        room.broadcast(messages.compiler_selected(payload["compiler"], payload["problemAlias"]))


DEFAULT_HANDLERS: tuple[MessageHandler, ...] = (
    handle_user,
    handle_contest_selected,
    handle_code_update,
    handle_control_taken,
    handle_problem_assigned,
    handle_compiler_selected,
)
