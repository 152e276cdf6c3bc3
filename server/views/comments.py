"""Comments per problem: create, list, edit (author only) and delete (any team member), each broadcast."""

from __future__ import annotations

from aiohttp import web
from aiohttp_apigami import docs, json_schema, match_info_schema, response_schema

from schemas.comments import CommentBodySchema, CommentPathSchema, CommentSchema
from schemas.contests import ProblemPathSchema

from ..access import member_session
from ..clock import utcnow
from ..errors import Forbidden, NotFound
from ..keys import EVENTS, STORE
from ..store.comments import Comment
from ..store.users import User
from ..wire import comment_to_wire
from .common import AUTH, MATCH, data, errors, path_problem


async def _problem(request: web.Request) -> tuple[User, str, str]:
    """The caller, the session id and a problem alias of its contest, from the path."""
    user, session, problem = await path_problem(request)
    return user, session.id, problem.alias


@docs(tags=["comments"], summary="Comment on a problem", security=AUTH)
@match_info_schema(ProblemPathSchema, put_into=MATCH)
@json_schema(CommentBodySchema, required=True)
@response_schema(CommentSchema, 201)
@errors(400, 401, 403, 404, 422)
async def create_comment(request: web.Request) -> web.Response:
    """POST /training-sessions/{ts}/problem/{alias}/comments."""
    user, session_id, alias = await _problem(request)
    comment = await request.app[STORE].comments.create(session_id, alias, user, data(request)["content"], utcnow())
    wire = comment_to_wire(comment)
    request.app[EVENTS].to_training(session_id, "PROBLEM_COMMENT_RECEIVED", wire)
    return web.json_response(wire, status=201)


@docs(tags=["comments"], summary="A problem's comments, oldest first", security=AUTH)
@match_info_schema(ProblemPathSchema, put_into=MATCH)
@response_schema(CommentSchema(many=True), 200)
@errors(401, 403, 404)
async def list_comments(request: web.Request) -> web.Response:
    """GET /training-sessions/{ts}/problem/{alias}/comments."""
    _, session_id, alias = await _problem(request)
    comments = await request.app[STORE].comments.of_problem(session_id, alias)
    return web.json_response([comment_to_wire(c) for c in comments])


async def _session_comment(request: web.Request) -> tuple[User, Comment]:
    """The caller and a comment of their team's session named by the path."""
    match = request[MATCH]
    user, session = await member_session(request, match["ts"])
    comment = await request.app[STORE].comments.get(match["comment_id"])
    if comment is None or comment.session_id != session.id:
        raise NotFound(f"no comment {match['comment_id']} in this session", {"comment_id": match["comment_id"]})
    return user, comment


async def _own_comment(request: web.Request) -> Comment:
    """A comment the caller wrote: only its author may edit it."""
    user, comment = await _session_comment(request)
    if comment.author.id != user.id:
        raise Forbidden("only the author may edit a comment", {"comment_id": comment.id})
    return comment


@docs(tags=["comments"], summary="Edit my comment", security=AUTH)
@match_info_schema(CommentPathSchema, put_into=MATCH)
@json_schema(CommentBodySchema, required=True)
@response_schema(CommentSchema, 200)
@errors(400, 401, 403, 404, 422)
async def edit_comment(request: web.Request) -> web.Response:
    """PATCH /training-sessions/{ts}/comments/{comment_id}."""
    comment = await _own_comment(request)
    updated = await request.app[STORE].comments.update(comment.id, data(request)["content"], utcnow())
    if updated is None:  # deleted by a concurrent request after the ownership check
        raise NotFound(f"no comment {comment.id} in this session", {"comment_id": comment.id})
    wire = comment_to_wire(updated)
    request.app[EVENTS].to_training(comment.session_id, "PROBLEM_COMMENT_UPDATED", wire)
    return web.json_response(wire)


@docs(
    tags=["comments"],
    summary="Delete a comment (any member of the session's team may)",
    security=AUTH,
    responses={204: {"description": "deleted"}},
)
@match_info_schema(CommentPathSchema, put_into=MATCH)
@errors(401, 403, 404)
async def delete_comment(request: web.Request) -> web.Response:
    """DELETE /training-sessions/{ts}/comments/{comment_id}."""
    _, comment = await _session_comment(request)
    if not await request.app[STORE].comments.delete(comment.id):  # a concurrent delete won
        raise NotFound(f"no comment {comment.id} in this session", {"comment_id": comment.id})
    request.app[EVENTS].to_training(comment.session_id, "PROBLEM_COMMENT_DELETED", {"commentId": comment.id})
    return web.Response(status=204)


def setup_comment_routes(app: web.Application) -> None:
    """Register the comment routes."""
    app.router.add_post("/training-sessions/{ts}/problem/{alias}/comments", create_comment)
    app.router.add_get("/training-sessions/{ts}/problem/{alias}/comments", list_comments)
    app.router.add_patch("/training-sessions/{ts}/comments/{comment_id}", edit_comment)
    app.router.add_delete("/training-sessions/{ts}/comments/{comment_id}", delete_comment)
