"""Users and their access tokens."""

from __future__ import annotations

import sqlite3

from ..clock import to_iso, utcnow
from ..domain.records import User
from .database import Database


class LoginTaken(Exception):
    """Another user already has this login."""


_COLUMNS = "id, login, first_name, last_name"


def _user(row: sqlite3.Row) -> User:
    return User(row["id"], row["login"], row["first_name"], row["last_name"])


class UserRepository:
    """SQL for users and tokens."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def create(self, login: str, password_hash: str, first_name: str, last_name: str, token_hash: str) -> User:
        """Insert a user with their first token in one transaction; raises LoginTaken."""
        try:
            async with self._db.transaction() as conn:
                cur = await conn.execute(
                    "INSERT INTO users (login, password_hash, first_name, last_name, dt_created) "
                    "VALUES (?, ?, ?, ?, ?)",
                    (login, password_hash, first_name, last_name, to_iso(utcnow())),
                )
                user_id = cur.lastrowid
                assert user_id is not None
                await conn.execute(
                    "INSERT INTO tokens (token_hash, user_id, dt_created) VALUES (?, ?, ?)",
                    (token_hash, user_id, to_iso(utcnow())),
                )
        except sqlite3.IntegrityError:
            raise LoginTaken(login) from None
        return User(user_id, login, first_name, last_name)

    async def get(self, user_id: int) -> User | None:
        """A user by id."""
        row = await self._db.fetch_one(f"SELECT {_COLUMNS} FROM users WHERE id = ?", (user_id,))
        return _user(row) if row else None

    async def by_login(self, login: str) -> User | None:
        """A user by login (case-sensitive, as registered)."""
        row = await self._db.fetch_one(f"SELECT {_COLUMNS} FROM users WHERE login = ?", (login,))
        return _user(row) if row else None

    async def credentials(self, login: str) -> tuple[User, str] | None:
        """A user by login with their password hash (for logging in; the hash goes nowhere else)."""
        row = await self._db.fetch_one(f"SELECT {_COLUMNS}, password_hash FROM users WHERE login = ?", (login,))
        return (_user(row), row["password_hash"]) if row else None

    async def add_token(self, user_id: int, token_hash: str) -> None:
        """Remember a token (by its hash) for a user."""
        await self._db.write(
            "INSERT INTO tokens (token_hash, user_id, dt_created) VALUES (?, ?, ?)",
            (token_hash, user_id, to_iso(utcnow())),
        )

    async def by_token_hash(self, token_hash: str) -> User | None:
        """The user a token hash belongs to."""
        row = await self._db.fetch_one(
            "SELECT u.id, u.login, u.first_name, u.last_name "
            "FROM tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = ?",
            (token_hash,),
        )
        return _user(row) if row else None
