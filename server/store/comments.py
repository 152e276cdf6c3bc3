"""Comments per problem of a training session."""

from __future__ import annotations

import sqlite3
import uuid
from datetime import datetime

from ..clock import from_iso, to_iso
from ..domain.records import Comment, User
from .database import Database
from .users import user_from_row

_SELECT = (
    "SELECT c.id, c.session_id, c.problem_alias, c.content, c.dt_created, c.dt_updated, "
    "u.id AS a_id, u.login AS a_login, u.first_name AS a_first_name, u.last_name AS a_last_name "
    "FROM comments c JOIN users u ON u.id = c.author_id"
)


def _comment(row: sqlite3.Row) -> Comment:
    return Comment(
        row["id"],
        row["session_id"],
        row["problem_alias"],
        user_from_row(row, "a_"),
        row["content"],
        from_iso(row["dt_created"]),
        from_iso(row["dt_updated"]),
    )


class CommentRepository:
    """SQL for comments."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def create(self, session_id: str, alias: str, author: User, content: str, now: datetime) -> Comment:
        """Store a new comment."""
        comment = Comment(str(uuid.uuid4()), session_id, alias, author, content, now, now)
        await self._db.write(
            "INSERT INTO comments (id, session_id, problem_alias, author_id, content, dt_created, dt_updated) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (comment.id, session_id, alias, author.id, content, to_iso(now), to_iso(now)),
        )
        return comment

    async def get(self, comment_id: str) -> Comment | None:
        """One comment."""
        row = await self._db.fetch_one(f"{_SELECT} WHERE c.id = ?", (comment_id,))
        return _comment(row) if row else None

    async def of_problem(self, session_id: str, alias: str) -> list[Comment]:
        """A problem's comments, oldest first."""
        rows = await self._db.fetch_all(
            f"{_SELECT} WHERE c.session_id = ? AND c.problem_alias = ? ORDER BY c.dt_created, c.rowid",
            (session_id, alias),
        )
        return [_comment(r) for r in rows]

    async def update(self, comment_id: str, content: str, now: datetime) -> Comment | None:
        """Change a comment's text; None when it no longer exists."""
        async with self._db.transaction() as conn:
            cur = await conn.execute(
                "UPDATE comments SET content = ?, dt_updated = ? WHERE id = ?", (content, to_iso(now), comment_id)
            )
            if cur.rowcount == 0:
                return None
            async with conn.execute(f"{_SELECT} WHERE c.id = ?", (comment_id,)) as cursor:
                row = await cursor.fetchone()
        return _comment(row) if row else None

    async def delete(self, comment_id: str) -> bool:
        """Remove a comment; False when it was already gone."""
        async with self._db.transaction() as conn:
            cur = await conn.execute("DELETE FROM comments WHERE id = ?", (comment_id,))
            return cur.rowcount > 0
