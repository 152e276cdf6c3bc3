"""Persistence behind a small interface: one Store with a repository per record kind."""

from __future__ import annotations

from pathlib import Path

from .comments import CommentRepository
from .database import Database
from .invites import InviteRepository
from .problem_states import ProblemStateRepository
from .sessions import SessionRepository
from .snapshots import SnapshotRepository
from .submissions import SubmissionRepository
from .teams import TeamRepository
from .users import UserRepository


class Store:
    """The application's durable records, on one SQLite database (built closed; open() connects)."""

    def __init__(self, path: Path) -> None:
        self.db = db = Database(path)
        self.users = UserRepository(db)
        self.invites = InviteRepository(db)
        self.teams = TeamRepository(db)
        self.sessions = SessionRepository(db)
        self.snapshots = SnapshotRepository(db)
        self.problem_states = ProblemStateRepository(db)
        self.submissions = SubmissionRepository(db)
        self.comments = CommentRepository(db)

    async def open(self) -> None:
        """Open (create, migrate) the database file."""
        await self.db.open()

    async def close(self) -> None:
        """Close the database."""
        await self.db.close()

    async def ping(self) -> bool:
        """True when the database answers a query."""
        row = await self.db.fetch_one("SELECT 1")
        return row is not None
