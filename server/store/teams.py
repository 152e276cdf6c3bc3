"""Teams and their members."""

from __future__ import annotations

from ..clock import to_iso, utcnow
from ..domain.records import Team, TeamSummary, User
from .database import Database


class TeamRepository:
    """SQL for teams and memberships."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def create(self, name: str, creator_id: int, member_ids: list[int]) -> int:
        """Insert a team; the creator is the first member, duplicates are ignored."""
        ordered = list(dict.fromkeys([creator_id, *member_ids]))
        async with self._db.transaction() as conn:
            cur = await conn.execute(
                "INSERT INTO teams (name, creator_id, dt_created) VALUES (?, ?, ?)",
                (name, creator_id, to_iso(utcnow())),
            )
            team_id = cur.lastrowid
            await conn.executemany(
                "INSERT INTO team_members (team_id, user_id, position) VALUES (?, ?, ?)",
                [(team_id, uid, pos) for pos, uid in enumerate(ordered)],
            )
        assert team_id is not None
        return team_id

    async def get(self, team_id: int) -> Team | None:
        """A team with its members, or None."""
        row = await self._db.fetch_one("SELECT id, name FROM teams WHERE id = ?", (team_id,))
        if row is None:
            return None
        members = await self._db.fetch_all(
            "SELECT u.id, u.login, u.first_name, u.last_name FROM team_members m "
            "JOIN users u ON u.id = m.user_id WHERE m.team_id = ? ORDER BY m.position",
            (team_id,),
        )
        users = tuple(User(r["id"], r["login"], r["first_name"], r["last_name"]) for r in members)
        return Team(row["id"], row["name"], users)

    async def of_user(self, user_id: int) -> list[TeamSummary]:
        """Every team the user belongs to, oldest first."""
        rows = await self._db.fetch_all(
            "SELECT t.id, t.name FROM teams t JOIN team_members m ON m.team_id = t.id "
            "WHERE m.user_id = ? ORDER BY t.id",
            (user_id,),
        )
        return [TeamSummary(r["id"], r["name"]) for r in rows]

    async def is_member(self, team_id: int, user_id: int) -> bool:
        """True when the user belongs to the team."""
        row = await self._db.fetch_one(
            "SELECT 1 FROM team_members WHERE team_id = ? AND user_id = ?", (team_id, user_id)
        )
        return row is not None

    async def add_member(self, team_id: int, user_id: int) -> bool:
        """Add a member at the end; False when already a member."""
        async with self._db.transaction() as conn:
            cur = await conn.execute(
                "INSERT OR IGNORE INTO team_members (team_id, user_id, position) "
                "SELECT ?, ?, COALESCE(MAX(position), -1) + 1 FROM team_members WHERE team_id = ?",
                (team_id, user_id, team_id),
            )
            return cur.rowcount > 0

    async def remove_member(self, team_id: int, user_id: int) -> bool:
        """Remove a member; False when they were not one."""
        async with self._db.transaction() as conn:
            cur = await conn.execute("DELETE FROM team_members WHERE team_id = ? AND user_id = ?", (team_id, user_id))
            return cur.rowcount > 0

    async def names(self, team_ids: list[int]) -> dict[int, str]:
        """Names of the given teams by id."""
        if not team_ids:
            return {}
        unique = sorted(set(team_ids))
        rows = await self._db.fetch_all(
            f"SELECT id, name FROM teams WHERE id IN ({','.join('?' * len(unique))})", unique
        )
        return {r["id"]: r["name"] for r in rows}
