"""Contests without restarts: an admin uploads a package or reloads CONTESTS_DIR; rooms keep running."""

from __future__ import annotations

from pathlib import Path

from ..contests.archive import ArchiveTooLarge
from ..contests.errors import PackageError
from ..contests.install import ContestConflict, ContestInstaller, Installed
from ..contests.loader import ReloadReport
from ..domain.errors import Conflict, Invalid, TooLarge
from ..domain.records import User
from .access import AccessService


class ContestAdminService:
    """Installs uploaded packages and reloads the contests folder, for admins only."""

    def __init__(self, installer: ContestInstaller, access: AccessService) -> None:
        self._installer = installer
        self._access = access

    @property
    def max_upload_bytes(self) -> int:
        """The largest archive accepted."""
        return self._installer.limits.max_archive_bytes

    def check_admin(self, user: User) -> None:
        """Forbidden for anyone not in ADMIN_LOGINS (checked before an upload is read)."""
        self._access.require_admin(user)

    async def install(self, user: User, archive: Path) -> Installed:
        """Install an uploaded zip (a contest folder, one problem package, or a Polygon package), all or nothing.

        Invalid lists every fault of a broken package, TooLarge an archive or content over the limits,
        Conflict a contest id already in use.
        """
        self._access.require_admin(user)
        try:
            return await self._installer.install(archive)
        except ArchiveTooLarge as exc:
            raise TooLarge("the archive is too large", {"errors": exc.errors}) from None
        except ContestConflict as exc:
            raise Conflict("a contest with this id is already installed", {"errors": exc.errors}) from None
        except PackageError as exc:
            raise Invalid("the package cannot be loaded", {"errors": exc.errors}) from None

    async def reload(self, user: User) -> ReloadReport:
        """Read CONTESTS_DIR again; contests whose folder broke keep their loaded version."""
        self._access.require_admin(user)
        return await self._installer.reload()
