"""Users, their access tokens (stored as hashes, with their last use) and their passwords."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from ..clock import from_iso, to_iso, utcnow
from ..domain.records import StoredToken, User
from .database import Database


class LoginTaken(Exception):
    """Another user already has this login."""


class InviteUnusable(Exception):
    """The registration invite code is unknown, used up or expired."""


_COLUMNS = "id, login, first_name, last_name"


def user_from_row(row: sqlite3.Row, prefix: str = "") -> User:
    """A user from the users columns of a row, named `<prefix>id`, `<prefix>login` and so on."""
    return User(row[f"{prefix}id"], row[f"{prefix}login"], row[f"{prefix}first_name"], row[f"{prefix}last_name"])


class UserRepository:
    """SQL for users and tokens."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def create(
        self,
        login: str,
        password_hash: str,
        first_name: str,
        last_name: str,
        token_hash: str,
        now: datetime | None = None,
        invite_hash: str | None = None,
    ) -> User:
        """Insert a user with their first token in one transaction, spending one use of an invite code if given.

        Raises LoginTaken or InviteUnusable; either way nothing is written (the code keeps its use).
        """
        stamp = to_iso(now or utcnow())
        try:
            async with self._db.transaction() as conn:
                if invite_hash is not None:
                    cur = await conn.execute(
                        "UPDATE invite_codes SET uses_left = uses_left - 1 "
                        "WHERE code_hash = ? AND uses_left > 0 AND expires_at > ?",
                        (invite_hash, stamp),
                    )
                    if cur.rowcount == 0:
                        raise InviteUnusable
                cur = await conn.execute(
                    "INSERT INTO users (login, password_hash, first_name, last_name, dt_created) "
                    "VALUES (?, ?, ?, ?, ?)",
                    (login, password_hash, first_name, last_name, stamp),
                )
                user_id = cur.lastrowid
                assert user_id is not None
                await conn.execute(
                    "INSERT INTO tokens (token_hash, user_id, dt_created, last_used) VALUES (?, ?, ?, ?)",
                    (token_hash, user_id, stamp, stamp),
                )
        except sqlite3.IntegrityError:
            raise LoginTaken(login) from None
        return User(user_id, login, first_name, last_name)

    async def get(self, user_id: int) -> User | None:
        """A user by id."""
        row = await self._db.fetch_one(f"SELECT {_COLUMNS} FROM users WHERE id = ?", (user_id,))
        return user_from_row(row) if row else None

    async def by_login(self, login: str) -> User | None:
        """A user by login (case-sensitive, as registered)."""
        row = await self._db.fetch_one(f"SELECT {_COLUMNS} FROM users WHERE login = ?", (login,))
        return user_from_row(row) if row else None

    async def credentials(self, login: str) -> tuple[User, str] | None:
        """A user by login with their password hash (for logging in; the hash goes nowhere else)."""
        row = await self._db.fetch_one(f"SELECT {_COLUMNS}, password_hash FROM users WHERE login = ?", (login,))
        return (user_from_row(row), row["password_hash"]) if row else None

    async def password_hash(self, user_id: int) -> str | None:
        """A user's password hash (to check the current password before a change)."""
        row = await self._db.fetch_one("SELECT password_hash FROM users WHERE id = ?", (user_id,))
        return row["password_hash"] if row else None

    async def set_password(self, user_id: int, password_hash: str, keep_token_hash: str | None) -> int:
        """Change a password and revoke every token of the user but `keep_token_hash`; the number revoked."""
        async with self._db.transaction() as conn:
            await conn.execute("UPDATE users SET password_hash = ? WHERE id = ?", (password_hash, user_id))
            cur = await conn.execute(
                "DELETE FROM tokens WHERE user_id = ? AND token_hash IS NOT ?", (user_id, keep_token_hash)
            )
            return cur.rowcount

    async def add_token(self, user_id: int, token_hash: str, now: datetime, keep: int) -> int:
        """Remember a new token and revoke the least recently used beyond the newest `keep`; the number revoked."""
        stamp = to_iso(now)
        async with self._db.transaction() as conn:
            await conn.execute(
                "INSERT INTO tokens (token_hash, user_id, dt_created, last_used) VALUES (?, ?, ?, ?)",
                (token_hash, user_id, stamp, stamp),
            )
            cur = await conn.execute(
                "DELETE FROM tokens WHERE user_id = ? AND token_hash NOT IN ("
                "SELECT token_hash FROM tokens WHERE user_id = ? "
                "ORDER BY last_used DESC, dt_created DESC, rowid DESC LIMIT ?)",
                (user_id, user_id, keep),
            )
            return cur.rowcount

    async def token(self, token_hash: str) -> StoredToken | None:
        """The user a token hash belongs to, with the token's last use."""
        row = await self._db.fetch_one(
            "SELECT u.id, u.login, u.first_name, u.last_name, t.last_used "
            "FROM tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = ?",
            (token_hash,),
        )
        return StoredToken(user_from_row(row), from_iso(row["last_used"])) if row else None

    async def touch_token(self, token_hash: str, now: datetime) -> None:
        """Record a use of the token (callers do this coarsely, not on every request)."""
        await self._db.write("UPDATE tokens SET last_used = ? WHERE token_hash = ?", (to_iso(now), token_hash))

    async def revoke_token(self, token_hash: str) -> bool:
        """Forget one token; False when it was not known."""
        async with self._db.transaction() as conn:
            cur = await conn.execute("DELETE FROM tokens WHERE token_hash = ?", (token_hash,))
            return cur.rowcount > 0

    async def revoke_tokens(self, user_id: int, idle_before: datetime | None = None) -> int:
        """Forget every token of a user, or only those unused since `idle_before`; the number revoked."""
        async with self._db.transaction() as conn:
            if idle_before is None:
                cur = await conn.execute("DELETE FROM tokens WHERE user_id = ?", (user_id,))
            else:
                cur = await conn.execute(
                    "DELETE FROM tokens WHERE user_id = ? AND last_used < ?", (user_id, to_iso(idle_before))
                )
            return cur.rowcount

    async def token_count(self, user_id: int) -> int:
        """How many tokens a user holds."""
        row = await self._db.fetch_one("SELECT COUNT(*) AS n FROM tokens WHERE user_id = ?", (user_id,))
        return int(row["n"]) if row else 0
