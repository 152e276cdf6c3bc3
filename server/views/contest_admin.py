"""Uploading a contest package and reloading the contests folder (admins only, no restart)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import tempfile
from pathlib import Path

from aiohttp import web
from aiohttp_apigami import docs, response_schema

from schemas.contests import InstalledContestSchema, ReloadReportSchema

from ..connections import large_body
from ..http_errors import PayloadTooLarge, ValidationFailed
from .common import AUTH, caller, dump, errors, services
from .forms import FORM_OVERHEAD, form_parts, part_chunks

_CHUNK = 1 << 20
_INSTALLED = InstalledContestSchema()
_REPORT = ReloadReportSchema()
_FORM_DOC = {
    "required": True,
    "content": {"multipart/form-data": {"schema": {"$ref": "#/components/schemas/UploadForm"}}},
}


async def _save_upload(request: web.Request, folder: Path, limit: int) -> Path:
    """The multipart `file` part streamed to a file in `folder`, refused (413) as soon as it passes `limit`.

    The form's own bounds (a declared size within limit + FORM_OVERHEAD, few parts, none nested) are
    checked by views.forms before anything is read.
    """
    target = folder / "upload.zip"

    def too_large() -> PayloadTooLarge:
        return PayloadTooLarge(f"the archive is larger than {limit} bytes", {"limit": limit})

    async with contextlib.aclosing(form_parts(request, limit + FORM_OVERHEAD)) as parts:
        async for part in parts:
            if part.name != "file":
                continue
            with open(target, "wb") as out:  # noqa: ASYNC230 - each chunk's write goes to a thread below
                async for chunk in part_chunks(part, limit, too_large, _CHUNK):
                    await asyncio.to_thread(out.write, chunk)
            return target
    raise ValidationFailed("missing form fields", {"fields": {"file": ["Missing data for required field."]}})


@docs(
    tags=["contests"],
    summary="Upload a contest package (admins): a contest folder, one problem package or a Polygon package",
    description="The zip is checked and loaded completely before it is installed; a broken one changes nothing "
    "and is answered 422 with every fault in `details.errors`. The contest is available at once.",
    security=AUTH,
    requestBody=_FORM_DOC,
)
@response_schema(InstalledContestSchema, 201)
@errors(400, 401, 403, 409, 411, 413, 422)
@large_body
async def upload_contest(request: web.Request) -> web.Response:
    """POST /contests."""
    user = await caller(request)
    admin = services(request).contest_admin
    admin.check_admin(user)  # before reading a possibly large body
    folder = Path(await asyncio.to_thread(tempfile.mkdtemp, prefix="tt-upload-"))
    try:
        archive = await _save_upload(request, folder, admin.max_upload_bytes)
        installed = await admin.install(user, archive)
    finally:
        await asyncio.to_thread(_remove, folder)
    return dump(_INSTALLED, installed, 201)


def _remove(folder: Path) -> None:
    for entry in folder.iterdir():
        with contextlib.suppress(OSError):
            os.unlink(entry)
    with contextlib.suppress(OSError):
        folder.rmdir()


@docs(tags=["contests"], summary="Read the contests folder again (admins); rooms keep running", security=AUTH)
@response_schema(ReloadReportSchema, 200)
@errors(401, 403)
async def reload_contests(request: web.Request) -> web.Response:
    """POST /contests/reload."""
    return dump(_REPORT, await services(request).contest_admin.reload(await caller(request)))


def setup_contest_admin_routes(app: web.Application) -> None:
    """Register the contest administration routes."""
    app.router.add_post("/contests", upload_contest)
    app.router.add_post("/contests/reload", reload_contests)
