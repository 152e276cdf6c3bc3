"""Accounts: registration (open, by invite code, or by an admin), login, logout, password change."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from ..auth import DUMMY_HASH, hash_password, new_token, token_hash, verify_password
from ..clock import utcnow
from ..domain.bus import EventBus
from ..domain.errors import Conflict, Forbidden, Invalid, Unauthenticated
from ..domain.events import TokensRevoked
from ..domain.records import User
from ..store import Store
from ..store.users import InviteUnusable, LoginTaken
from .access import AccessService
from .throttle import AuthThrottle

OPEN, INVITE, CLOSED = "open", "invite", "closed"  # REGISTRATION


@dataclass(frozen=True, slots=True)
class IssuedToken:
    """A user and a fresh token for them (the token is shown once; the store keeps its hash)."""

    user: User
    token: str


@dataclass(frozen=True, slots=True)
class NewAccount:
    """What registering asks for."""

    login: str
    password: str
    first_name: str | None = None
    last_name: str | None = None
    invite_code: str | None = None


class UserService:
    """Accounts and their tokens, with REGISTRATION, the per-user token cap and sign-in throttling."""

    def __init__(
        self,
        store: Store,
        access: AccessService,
        bus: EventBus,
        throttle: AuthThrottle,
        registration: str = OPEN,
        max_tokens: int = 10,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._store = store
        self._access = access
        self._bus = bus
        self._throttle = throttle
        self.registration = registration
        self._max_tokens = max_tokens
        self._clock = clock

    async def register(self, account: NewAccount, client: str, by: User | None = None) -> IssuedToken:
        """A new user with a personal token; names default to the login.

        `by` is the admin creating the account (allowed in every REGISTRATION mode, not throttled);
        anyone else is throttled per client address and login, and needs REGISTRATION=open, or =invite
        with a usable invite code (one use is spent). Conflict when the login is taken.
        """
        invite_hash = None
        if by is not None:
            self._access.require_admin(by)
        else:
            self._throttle.attempt(client, account.login)
            invite_hash = self._admission(account.invite_code)
        login = account.login
        if await self._store.users.by_login(login) is not None:
            raise Conflict(f"login {login!r} is taken", {"login": login})
        first = (account.first_name or "").strip() or login
        last = (account.last_name or "").strip() or login
        token = new_token()
        password_hash = await hash_password(account.password)
        try:
            user = await self._store.users.create(
                login, password_hash, first, last, token_hash(token), self._clock(), invite_hash
            )
        except LoginTaken:  # registered by a concurrent request since the check above
            raise Conflict(f"login {login!r} is taken", {"login": login}) from None
        except InviteUnusable:  # spent by a concurrent registration since the check
            raise Invalid.field("invite_code", "unknown, used up or expired") from None
        return IssuedToken(user, token)

    def _admission(self, invite_code: str | None) -> str | None:
        """The hash of the invite code to spend under REGISTRATION=invite; refuses a closed registration."""
        if self.registration == CLOSED:
            raise Forbidden("registration is closed: an admin creates accounts", {"registration": CLOSED})
        if self.registration == OPEN:
            return None
        if not invite_code:
            raise Invalid.field("invite_code", "registration needs an invite code from an admin")
        return token_hash(invite_code)

    async def login(self, login: str, password: str, client: str) -> IssuedToken:
        """A new token for login and password; Unauthenticated otherwise, in the same time either way.

        Throttled per client address and per login. A user keeps at most MAX_TOKENS_PER_USER tokens:
        the least recently used beyond that are revoked (their other browsers must sign in again).
        """
        self._throttle.attempt(client, login)
        found = await self._store.users.credentials(login)
        stored = found[1] if found is not None else DUMMY_HASH
        if not await verify_password(password, stored) or found is None:
            raise Unauthenticated("wrong login or password")
        user = found[0]
        now = self._clock()
        await self._store.users.revoke_tokens(user.id, idle_before=now - self._access.token_idle)
        token = new_token()
        await self._store.users.add_token(user.id, token_hash(token), now, self._max_tokens)
        return IssuedToken(user, token)

    async def logout(self, user: User, token: str) -> None:
        """Revoke the token the caller used (a token already gone is fine: the caller is logged out)."""
        hashed = token_hash(token)
        await self._store.users.revoke_token(hashed)
        self._bus.publish(TokensRevoked(user.id, (hashed,)))

    async def logout_everywhere(self, user: User) -> int:
        """Revoke every token of the user, this one included; the number revoked."""
        revoked = await self._store.users.revoke_tokens(user.id)
        self._bus.publish(TokensRevoked(user.id, None))
        return revoked

    async def change_password(self, user: User, token: str, current: str, new: str, client: str) -> int:
        """Set a new password after checking the current one; every other token is revoked (the number).

        The current password is checked like a login (throttled), so a stolen token cannot be used to
        guess it quickly; a wrong one is 422 on `current_password`, not 401 (the token is fine).
        """
        self._throttle.attempt(client, user.login)
        stored = await self._store.users.password_hash(user.id)
        if stored is None or not await verify_password(current, stored):
            raise Invalid.field("current_password", "wrong password")
        kept = token_hash(token)
        revoked = await self._store.users.set_password(user.id, await hash_password(new), kept)
        self._bus.publish(TokensRevoked(user.id, None, kept=kept))
        return revoked
