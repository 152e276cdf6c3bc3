"""Comments per problem: any member writes and deletes, only the author edits; each change is announced."""

from __future__ import annotations

from ..clock import utcnow
from ..domain.bus import EventBus
from ..domain.errors import Forbidden, NotFound
from ..domain.events import CommentDeleted, CommentEdited, CommentPosted
from ..domain.records import Comment, User
from ..store import Store
from .access import AccessService


class CommentService:
    """The comment rules of a session's team."""

    def __init__(self, store: Store, access: AccessService, bus: EventBus) -> None:
        self._store = store
        self._access = access
        self._bus = bus

    async def post(self, user: User, session_id: str, alias: str, content: str) -> Comment:
        """A new comment on a problem of the session."""
        session, problem = await self._access.member_problem(user, session_id, alias)
        comment = await self._store.comments.create(session.id, problem.alias, user, content, utcnow())
        self._bus.publish(CommentPosted(comment))
        return comment

    async def of_problem(self, user: User, session_id: str, alias: str) -> list[Comment]:
        """A problem's comments, oldest first."""
        session, problem = await self._access.member_problem(user, session_id, alias)
        return await self._store.comments.of_problem(session.id, problem.alias)

    async def edit(self, user: User, session_id: str, comment_id: str, content: str) -> Comment:
        """Change a comment's text: its author only."""
        comment = await self._comment(user, session_id, comment_id)
        if comment.author.id != user.id:
            raise Forbidden("only the author may edit a comment", {"comment_id": comment.id})
        updated = await self._store.comments.update(comment.id, content, utcnow())
        if updated is None:  # deleted by a concurrent request after the checks
            raise NotFound(f"no comment {comment.id} in this session", {"comment_id": comment.id})
        self._bus.publish(CommentEdited(updated))
        return updated

    async def delete(self, user: User, session_id: str, comment_id: str) -> None:
        """Delete a comment: any member of the session's team (the client offers it on every comment)."""
        comment = await self._comment(user, session_id, comment_id)
        if not await self._store.comments.delete(comment.id):  # a concurrent delete won
            raise NotFound(f"no comment {comment.id} in this session", {"comment_id": comment.id})
        self._bus.publish(CommentDeleted(comment.session_id, comment.id))

    async def _comment(self, user: User, session_id: str, comment_id: str) -> Comment:
        session = await self._access.member_session(user, session_id)
        comment = await self._store.comments.get(comment_id)
        if comment is None or comment.session_id != session.id:
            raise NotFound(f"no comment {comment_id} in this session", {"comment_id": comment_id})
        return comment
