"""Comments per problem: create, list, edit (author only) and delete (any team member), each broadcast."""

from __future__ import annotations

from aiohttp import web
from aiohttp_apigami import docs, json_schema, match_info_schema, response_schema

from schemas.comments import CommentBodySchema, CommentPathSchema, CommentSchema
from schemas.contests import ProblemPathSchema

from .common import AUTH, MATCH, caller, data, dump, errors, match, services

_COMMENT = CommentSchema()
_COMMENTS = CommentSchema(many=True)


@docs(tags=["comments"], summary="Comment on a problem", security=AUTH)
@match_info_schema(ProblemPathSchema, put_into=MATCH)
@json_schema(CommentBodySchema, required=True)
@response_schema(CommentSchema, 201)
@errors(400, 401, 403, 404, 422)
async def create_comment(request: web.Request) -> web.Response:
    """POST /training-sessions/{ts}/problem/{alias}/comments."""
    path = match(request)
    comment = await services(request).comments.post(
        await caller(request), path["ts"], path["alias"], data(request)["content"]
    )
    return dump(_COMMENT, comment, 201)


@docs(tags=["comments"], summary="A problem's comments, oldest first", security=AUTH)
@match_info_schema(ProblemPathSchema, put_into=MATCH)
@response_schema(CommentSchema(many=True), 200)
@errors(401, 403, 404)
async def list_comments(request: web.Request) -> web.Response:
    """GET /training-sessions/{ts}/problem/{alias}/comments."""
    path = match(request)
    comments = await services(request).comments.of_problem(await caller(request), path["ts"], path["alias"])
    return dump(_COMMENTS, comments)


@docs(tags=["comments"], summary="Edit my comment", security=AUTH)
@match_info_schema(CommentPathSchema, put_into=MATCH)
@json_schema(CommentBodySchema, required=True)
@response_schema(CommentSchema, 200)
@errors(400, 401, 403, 404, 422)
async def edit_comment(request: web.Request) -> web.Response:
    """PATCH /training-sessions/{ts}/comments/{comment_id}."""
    path = match(request)
    comment = await services(request).comments.edit(
        await caller(request), path["ts"], path["comment_id"], data(request)["content"]
    )
    return dump(_COMMENT, comment)


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
    path = match(request)
    await services(request).comments.delete(await caller(request), path["ts"], path["comment_id"])
    return web.Response(status=204)


def setup_comment_routes(app: web.Application) -> None:
    """Register the comment routes."""
    app.router.add_post("/training-sessions/{ts}/problem/{alias}/comments", create_comment)
    app.router.add_get("/training-sessions/{ts}/problem/{alias}/comments", list_comments)
    app.router.add_patch("/training-sessions/{ts}/comments/{comment_id}", edit_comment)
    app.router.add_delete("/training-sessions/{ts}/comments/{comment_id}", delete_comment)
