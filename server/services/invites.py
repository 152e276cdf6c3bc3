"""Registration invite codes: admins create, list and withdraw them; REGISTRATION=invite needs one."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from ..auth import new_token, token_hash
from ..clock import utcnow
from ..domain.errors import NotFound
from ..domain.records import InviteCode, User
from ..store import Store
from .access import AccessService


@dataclass(frozen=True, slots=True)
class IssuedInvite:
    """A new code (shown once: the store keeps its hash) and its record."""

    code: str
    invite: InviteCode


class InviteService:
    """Admin-only management of registration invite codes."""

    def __init__(self, store: Store, access: AccessService, clock: Callable[[], datetime] = utcnow) -> None:
        self._store = store
        self._access = access
        self._clock = clock

    async def create(self, admin: User, uses: int, days: int) -> IssuedInvite:
        """A code good for `uses` registrations within `days` days."""
        self._access.require_admin(admin)
        now = self._clock()
        await self._store.invites.purge(now)  # spent and expired codes are only clutter
        code = new_token()
        invite = await self._store.invites.create(token_hash(code), admin.id, uses, now, now + timedelta(days=days))
        return IssuedInvite(code, invite)

    async def usable(self, admin: User) -> list[InviteCode]:
        """Codes that can still be used, newest first (their text is not kept, only their ids)."""
        self._access.require_admin(admin)
        return await self._store.invites.usable(self._clock())

    async def withdraw(self, admin: User, invite_id: int) -> None:
        """Make a code unusable; NotFound for an unknown id."""
        self._access.require_admin(admin)
        if not await self._store.invites.delete(invite_id):
            raise NotFound(f"no invite code {invite_id}", {"invite_id": invite_id})
