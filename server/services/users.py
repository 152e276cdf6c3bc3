"""Registration, login and the current user."""

from __future__ import annotations

from dataclasses import dataclass

from ..auth import DUMMY_HASH, hash_password, new_token, token_hash, verify_password
from ..domain.errors import Conflict, Unauthenticated
from ..domain.records import User
from ..store import Store
from ..store.users import LoginTaken


@dataclass(frozen=True, slots=True)
class IssuedToken:
    """A user and a fresh token for them (the token is shown once; the store keeps its hash)."""

    user: User
    token: str


class UserService:
    """Accounts and their tokens."""

    def __init__(self, store: Store) -> None:
        self._store = store

    async def register(self, login: str, password: str, first_name: str | None, last_name: str | None) -> IssuedToken:
        """A new user with a personal token; Conflict when the login is taken. Names default to the login."""
        if await self._store.users.by_login(login) is not None:
            raise Conflict(f"login {login!r} is taken", {"login": login})
        first = (first_name or "").strip() or login
        last = (last_name or "").strip() or login
        token = new_token()
        try:
            user = await self._store.users.create(login, await hash_password(password), first, last, token_hash(token))
        except LoginTaken:  # registered by a concurrent request since the check above
            raise Conflict(f"login {login!r} is taken", {"login": login}) from None
        return IssuedToken(user, token)

    async def login(self, login: str, password: str) -> IssuedToken:
        """A new token for login and password; Unauthenticated otherwise, in the same time either way."""
        found = await self._store.users.credentials(login)
        stored = found[1] if found is not None else DUMMY_HASH
        if not await verify_password(password, stored) or found is None:
            raise Unauthenticated("wrong login or password")
        token = new_token()
        await self._store.users.add_token(found[0].id, token_hash(token))
        return IssuedToken(found[0], token)
