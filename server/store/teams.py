"""Teams, their members and owner, and invitations to join them."""

from __future__ import annotations

from datetime import datetime

import aiosqlite

from ..clock import from_iso, to_iso, utcnow
from ..domain.records import Invitation, Team, TeamSummary, User
from .database import Database
from .users import user_from_row


class TeamLimitReached(Exception):
    """The user already belongs to the most teams allowed."""


class InvitationLimitReached(Exception):
    """The team already has the most invitations waiting for an answer."""


class LastMember(Exception):
    """The member is the team's only one, and a team is never left empty."""


async def _check_team_count(conn: aiosqlite.Connection, user_id: int, max_teams: int | None) -> None:
    """Raise TeamLimitReached when the user cannot belong to one more team (inside the write transaction)."""
    if max_teams is None:
        return
    async with conn.execute("SELECT COUNT(*) FROM team_members WHERE user_id = ?", (user_id,)) as cursor:
        row = await cursor.fetchone()
    if row is not None and row[0] >= max_teams:
        raise TeamLimitReached(user_id)


class TeamRepository:
    """SQL for teams, memberships and invitations."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def create(
        self,
        name: str,
        creator_id: int,
        invitee_ids: list[int],
        now: datetime | None = None,
        max_teams: int | None = None,
    ) -> int:
        """Insert a team whose only member (and owner) is its creator, and invite the others, atomically.

        Raises TeamLimitReached when the creator already belongs to `max_teams` teams.
        """
        stamp = to_iso(now or utcnow())
        invitees = [uid for uid in dict.fromkeys(invitee_ids) if uid != creator_id]
        async with self._db.transaction() as conn:
            await _check_team_count(conn, creator_id, max_teams)
            cur = await conn.execute(
                "INSERT INTO teams (name, creator_id, dt_created) VALUES (?, ?, ?)", (name, creator_id, stamp)
            )
            team_id = cur.lastrowid
            assert team_id is not None
            await conn.execute(
                "INSERT INTO team_members (team_id, user_id, position) VALUES (?, ?, 0)", (team_id, creator_id)
            )
            await conn.executemany(
                "INSERT INTO team_invitations (team_id, user_id, inviter_id, dt_created) VALUES (?, ?, ?, ?)",
                [(team_id, uid, creator_id, stamp) for uid in invitees],
            )
        return team_id

    async def get(self, team_id: int) -> Team | None:
        """A team with its members and owner (not its invitations: see invited()), or None."""
        row = await self._db.fetch_one("SELECT id, name, creator_id FROM teams WHERE id = ?", (team_id,))
        if row is None:
            return None
        members = await self._db.fetch_all(
            "SELECT u.id, u.login, u.first_name, u.last_name FROM team_members m "
            "JOIN users u ON u.id = m.user_id WHERE m.team_id = ? ORDER BY m.position",
            (team_id,),
        )
        return Team(row["id"], row["name"], tuple(user_from_row(r) for r in members), row["creator_id"])

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

    async def remove_member(self, team_id: int, user_id: int) -> bool:
        """Remove a member; False when they were not one, LastMember when they are the only one.

        The count is checked in the same transaction as the delete, so two last members leaving at
        once cannot both go. An owner who leaves hands the team to the next member.
        """
        async with self._db.transaction() as conn:
            async with conn.execute("SELECT COUNT(*) FROM team_members WHERE team_id = ?", (team_id,)) as cursor:
                row = await cursor.fetchone()
            cur = await conn.execute("DELETE FROM team_members WHERE team_id = ? AND user_id = ?", (team_id, user_id))
            if cur.rowcount == 0:
                return False
            if row is None or row[0] <= 1:
                raise LastMember(team_id)
            await conn.execute(
                "UPDATE teams SET creator_id = (SELECT user_id FROM team_members WHERE team_id = ? "
                "ORDER BY position LIMIT 1) WHERE id = ? AND creator_id = ? "
                "AND EXISTS (SELECT 1 FROM team_members WHERE team_id = ?)",
                (team_id, team_id, user_id, team_id),
            )
            return True

    async def names(self, team_ids: list[int]) -> dict[int, str]:
        """Names of the given teams by id."""
        if not team_ids:
            return {}
        unique = sorted(set(team_ids))
        rows = await self._db.fetch_all(
            f"SELECT id, name FROM teams WHERE id IN ({','.join('?' * len(unique))})", unique
        )
        return {r["id"]: r["name"] for r in rows}

    # -- invitations ------------------------------------------------------------------------------------------

    async def invite(
        self, team_id: int, user_id: int, inviter_id: int, now: datetime, max_pending: int | None = None
    ) -> bool:
        """Invite a user; False when they were already invited.

        Raises InvitationLimitReached when the team already has `max_pending` invitations waiting;
        counted inside the write transaction, so invitations sent together cannot pass it together.
        """
        async with self._db.transaction() as conn:
            async with conn.execute(
                "SELECT COUNT(*), COALESCE(SUM(user_id = ?), 0) FROM team_invitations WHERE team_id = ?",
                (user_id, team_id),
            ) as cursor:
                pending, already = await cursor.fetchone() or (0, 0)
            if already:
                return False
            if max_pending is not None and pending >= max_pending:
                raise InvitationLimitReached(team_id)
            await conn.execute(
                "INSERT INTO team_invitations (team_id, user_id, inviter_id, dt_created) VALUES (?, ?, ?, ?)",
                (team_id, user_id, inviter_id, to_iso(now)),
            )
            return True

    async def invited(self, team_id: int) -> list[User]:
        """The users a team invited who have not answered yet, oldest invitation first."""
        rows = await self._db.fetch_all(
            "SELECT u.id, u.login, u.first_name, u.last_name FROM team_invitations i "
            "JOIN users u ON u.id = i.user_id WHERE i.team_id = ? ORDER BY i.dt_created, i.rowid",
            (team_id,),
        )
        return [user_from_row(r) for r in rows]

    async def invitations_of(self, user_id: int) -> list[Invitation]:
        """A user's pending invitations, oldest first, with the team and who invited them."""
        rows = await self._db.fetch_all(
            "SELECT t.id AS team_id, t.name AS team_name, i.dt_created, "
            "u.id, u.login, u.first_name, u.last_name, "
            "v.id AS v_id, v.login AS v_login, v.first_name AS v_first_name, v.last_name AS v_last_name "
            "FROM team_invitations i JOIN teams t ON t.id = i.team_id JOIN users u ON u.id = i.user_id "
            "JOIN users v ON v.id = i.inviter_id WHERE i.user_id = ? ORDER BY i.dt_created, i.rowid",
            (user_id,),
        )
        return [
            Invitation(
                TeamSummary(r["team_id"], r["team_name"]),
                user_from_row(r),
                user_from_row(r, "v_"),
                from_iso(r["dt_created"]),
            )
            for r in rows
        ]

    async def accept(self, team_id: int, user_id: int, max_teams: int | None = None) -> bool:
        """Turn an invitation into a membership (the new member goes last); False when there was none.

        Raises TeamLimitReached (and keeps the invitation) when the user is in `max_teams` teams already.
        """
        async with self._db.transaction() as conn:
            async with conn.execute(
                "SELECT 1 FROM team_invitations WHERE team_id = ? AND user_id = ?", (team_id, user_id)
            ) as cursor:
                if await cursor.fetchone() is None:
                    return False
            await _check_team_count(conn, user_id, max_teams)
            await conn.execute("DELETE FROM team_invitations WHERE team_id = ? AND user_id = ?", (team_id, user_id))
            await conn.execute(
                "INSERT OR IGNORE INTO team_members (team_id, user_id, position) "
                "SELECT ?, ?, COALESCE(MAX(position), -1) + 1 FROM team_members WHERE team_id = ?",
                (team_id, user_id, team_id),
            )
            return True

    async def withdraw(self, team_id: int, user_id: int) -> bool:
        """Delete an invitation (declined by the user or withdrawn by the team); False when there was none."""
        async with self._db.transaction() as conn:
            cur = await conn.execute(
                "DELETE FROM team_invitations WHERE team_id = ? AND user_id = ?", (team_id, user_id)
            )
            return cur.rowcount > 0
