"""Contests without restarts: uploads installed atomically or refused whole, reloads that keep what works."""

from __future__ import annotations

import asyncio
import dataclasses
import os
import shutil
import zipfile
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import yaml
from aiohttp.test_utils import TestClient

from server.app import create_app
from server.config import Config
from server.contests.archive import ArchiveTooLarge
from server.contests.errors import PackageError
from server.contests.install import ContestConflict, ContestInstaller
from server.contests.loader import load_catalog
from server.contests.models import ContestCatalog
from server.contests.timelimits import TimeLimitCache
from server.keys import CONTEST_INSTALLER

from .support.api import Account, Api, error_of
from .support.judge import open_judge
from .support.packages import write_contest
from .support.ws import ClientFactory, frame, joined, training, until

PACKAGES = Path(__file__).parent / "packages"


def zip_folder(folder: Path, archive: Path, prefix: str | None = None) -> Path:
    """Zip a folder, its files under `prefix/` (default: the folder's name)."""
    prefix = folder.name if prefix is None else prefix
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                z.write(path, (Path(prefix) / path.relative_to(folder)).as_posix())
    return archive


@pytest.fixture
def contests_dir(tmp_path: Path) -> Path:
    root = tmp_path / "contests"
    root.mkdir()
    write_contest(root, 1, "Warm-up")
    return root


@pytest.fixture
def installer(contests_dir: Path, tmp_path: Path) -> ContestInstaller:
    catalog = load_catalog(contests_dir)
    return ContestInstaller(catalog, contests_dir, TimeLimitCache(tmp_path / "var" / "timelimits.json"))


def visible(root: Path) -> list[str]:
    return sorted(p.name for p in root.iterdir())


async def test_single_kattis_problem_becomes_a_contest(installer: ContestInstaller, tmp_path: Path) -> None:
    archive = zip_folder(PACKAGES / "summands", tmp_path / "summands.zip")
    installed = await installer.install(archive)
    contest = installed.contest
    assert (contest.id, contest.name, contest.duration, list(contest.problems)) == (2, "Two Summands", 18000, ["A"])
    assert installer.catalog.get(2) is contest and installed.folder.parent == installer.contests_dir
    problem = contest.problems["A"]
    assert problem.validation == "custom" and problem.validator is not None
    assert problem.validator.folder.is_relative_to(installed.folder)  # paths name the installed files
    assert all(t.input_path.is_file() for t in problem.tests)
    assert visible(installer.contests_dir) == sorted(["contest-1", installed.folder.name])  # no staging left
    meta = yaml.safe_load((installed.folder / "contest.yaml").read_text())
    assert meta["id"] == 2 and meta["problems"] == [{"alias": "A", "path": "summands"}]


async def test_polygon_package_at_the_archive_root(installer: ContestInstaller, tmp_path: Path) -> None:
    archive = zip_folder(PACKAGES / "divisor", tmp_path / "divisor.zip", prefix="")
    installed = await installer.install(archive)
    problem = installed.contest.problems["A"]
    assert problem.package_format == "polygon" and installed.contest.name == "Proper Divisor"
    assert problem.validator is not None and problem.validator.kind == "testlib"


async def test_contest_package_with_derived_time_limit(installer: ContestInstaller, tmp_path: Path) -> None:
    archive = zip_folder(PACKAGES, tmp_path / "formats.zip", prefix="formats")
    with open_judge(tmp_path / "judge-work") as judge:
        installer.judge = judge.judge
        installed = await installer.install(archive)
    contest = installed.contest
    assert contest.id == 50 and len(contest.problems) == 7 and not contest.pending
    assert (contest.problems["D"].time_limit, contest.problems["D"].time_limit_source) == (1.0, "derived")
    assert installer.catalog.get(50) is contest


async def test_without_a_judge_the_default_limit_is_used(installer: ContestInstaller, tmp_path: Path) -> None:
    installed = await installer.install(zip_folder(PACKAGES / "legacysum", tmp_path / "l.zip"))
    assert installed.contest.problems["A"].time_limit_source == "default"


async def test_broken_upload_is_refused_whole(installer: ContestInstaller, tmp_path: Path) -> None:
    before = visible(installer.contests_dir)
    with pytest.raises(PackageError) as caught:
        await installer.install(zip_folder(PACKAGES / "broken" / "kattis", tmp_path / "k.zip"))
    assert len(caught.value.errors) == 4 and "data/sample/1.in has no .ans file" in caught.value.errors
    with pytest.raises(PackageError, match="generators"):
        await installer.install(zip_folder(PACKAGES / "broken" / "polygon", tmp_path / "p.zip"))
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "readme.txt").write_text("hi")
    with pytest.raises(PackageError, match=r"no contest\.yaml, problem\.yaml or package\.xml"):
        await installer.install(zip_folder(tmp_path / "notes", tmp_path / "n.zip"))
    (tmp_path / "fake.zip").write_bytes(b"not a zip")
    with pytest.raises(PackageError, match="not a zip"):
        await installer.install(tmp_path / "fake.zip")
    assert visible(installer.contests_dir) == before and list(installer.catalog.contests) == [1]


async def test_too_large(installer: ContestInstaller, tmp_path: Path) -> None:
    installer.limits = type(installer.limits)(max_archive_bytes=100)
    with pytest.raises(ArchiveTooLarge):
        await installer.install(zip_folder(PACKAGES / "greeting", tmp_path / "g.zip"))


async def test_id_conflict_and_replace(installer: ContestInstaller, contests_dir: Path, tmp_path: Path) -> None:
    other = write_contest(tmp_path / "upload", 1, "Warm-up, second edition", aliases="A")
    with pytest.raises(ContestConflict, match="contest id 1 is already used by 'Warm-up'"):
        await installer.install(zip_folder(other, tmp_path / "c.zip"))
    installed = await installer.install(zip_folder(other, tmp_path / "c.zip"), replace=True)
    assert installer.catalog.get(1) is installed.contest and installed.contest.name == "Warm-up, second edition"
    assert visible(contests_dir) == [installed.folder.name]  # the replaced package's folder is gone


async def test_reload_keeps_what_still_works(installer: ContestInstaller, contests_dir: Path) -> None:
    catalog = installer.catalog
    readers_view = catalog.contests
    old = catalog.get(1)
    write_contest(contests_dir, 7, "Added later")
    (contests_dir / "contest-1" / "contest.yaml").write_text("id: [broken\n")
    report = await installer.reload()
    assert report.loaded == [7] and report.kept == [1] and report.removed == []
    assert "contest-1" in report.failed and "not valid YAML" in report.failed["contest-1"][0]
    assert catalog.get(1) is old and catalog.get(7) is not None and 7 in catalog
    assert list(readers_view) == [1]  # a view taken before the swap stays a consistent snapshot
    shutil.rmtree(contests_dir / "contest-7")
    assert (await installer.reload()).removed == [7] and 7 not in catalog


def test_catalog_interface() -> None:
    catalog = ContestCatalog()
    assert len(catalog) == 0 and catalog.free_id() == 1 and catalog.get(1) is None
    from server.contests.models import Contest

    first = Contest(3, "x", 60, {})
    assert catalog.add(first) is None and catalog.free_id() == 4
    second = Contest(3, "y", 60, {})
    assert catalog.add(second) is first and catalog.get(3) is second
    assert catalog.remove(3) is second and 3 not in catalog and catalog.remove(3) is None


async def test_reload_in_the_running_app_keeps_rooms(client: TestClient, contests_dir: Path) -> None:
    api = Api(client)
    alice = await api.register()
    session = await api.session(alice, (await api.team(alice))["id"])
    ws = await training(client, alice, session["id"])
    await joined(ws, alice.id)
    meta = yaml.safe_load((contests_dir / "contest-1" / "b-sum" / "problem.yaml").read_text())
    meta["name"] = "Sum B, revised"
    (contests_dir / "contest-1" / "b-sum" / "problem.yaml").write_text(yaml.safe_dump(meta))
    report = await client.app[CONTEST_INSTALLER].reload()
    assert report.loaded == [1] and not report.failed
    await ws.send_str(frame("CODE_EDITOR_UPDATE", code="x = 1", problemAlias="B"))
    echo = await until(ws, "CODE_EDITOR_UPDATE")
    assert echo["payload"]["code"] == "x = 1" and not ws.closed
    problems = await (await client.get(f"/contests/{session['id']}/problems", headers=alice.headers)).json()
    assert [p["name"] for p in problems["problems"]] == ["Sum A", "Sum B, revised"]
    await ws.close()


# --- through the REST API: POST /contests and POST /contests/reload (admins only) -----------------------------


async def _upload(client: TestClient, who: Account, archive: Path) -> Any:
    form = aiohttp.FormData()
    body = await asyncio.to_thread(archive.read_bytes)
    form.add_field("file", body, filename=archive.name, content_type="application/zip")
    return await client.post("/contests", data=form, headers=who.headers)


@pytest.fixture
async def admin_client(aiohttp_client: ClientFactory, config: Config) -> TestClient:
    return await aiohttp_client(
        create_app(dataclasses.replace(config, admin_logins=("root",), max_upload_bytes=64 << 10))
    )


async def test_an_admin_uploads_a_package_and_teams_play_it_at_once(admin_client: TestClient, tmp_path: Path) -> None:
    api = Api(admin_client)
    admin, player = await api.register("root"), await api.register()
    resp = await _upload(admin_client, admin, zip_folder(PACKAGES / "summands", tmp_path / "summands.zip"))
    assert resp.status == 201, await resp.text()
    installed = await resp.json()
    assert installed["contest"]["name"] == "Two Summands" and installed["warnings"] == []
    contests = await (await admin_client.get("/contests", headers=player.headers)).json()
    assert installed["contest"] in contests
    team = await api.team(player)
    session = await api.session(player, team["id"], installed["contest"]["id"])
    problems = await (await admin_client.get(f"/contests/{session['id']}/problems", headers=player.headers)).json()
    assert [p["alias"] for p in problems["problems"]] == ["A"]


async def test_uploads_are_refused_whole_and_for_non_admins(
    admin_client: TestClient, tmp_path: Path, contests_dir: Path
) -> None:
    api = Api(admin_client)
    admin, player = await api.register("root"), await api.register()
    good = zip_folder(PACKAGES / "summands", tmp_path / "summands.zip")
    await error_of(await _upload(admin_client, player, good), 403)
    before = visible(contests_dir)
    listed = await (await admin_client.get("/contests", headers=admin.headers)).json()
    broken = tmp_path / "broken.zip"
    with zipfile.ZipFile(broken, "w") as z:
        z.writestr("p/problem.yaml", "name: [unclosed\n")
    error = await error_of(await _upload(admin_client, admin, broken), 422)
    assert error["details"]["errors"] and all(isinstance(e, str) for e in error["details"]["errors"])
    big = tmp_path / "big.zip"
    with zipfile.ZipFile(big, "w", zipfile.ZIP_STORED) as z:
        z.writestr("p/data.bin", os.urandom(100 << 10))
    await error_of(await _upload(admin_client, admin, big), 413)
    await error_of(await admin_client.post("/contests", data=b"not a form", headers=admin.headers), 400)
    assert visible(contests_dir) == before  # nothing half-installed
    assert await (await admin_client.get("/contests", headers=admin.headers)).json() == listed


async def test_an_archive_the_file_system_cannot_unpack_is_a_422_not_a_500(
    admin_client: TestClient, tmp_path: Path, contests_dir: Path
) -> None:
    admin = await Api(admin_client).register("root")
    before = visible(contests_dir)
    clash = tmp_path / "clash.zip"
    with zipfile.ZipFile(clash, "w") as z:
        z.writestr("p/problem.yaml", "name: x\n")
        z.writestr("p/data", "a file")
        z.writestr("p/data/secret/1.in", "and a folder")
    error = await error_of(await _upload(admin_client, admin, clash), 422)
    assert error["details"]["errors"] == ["p/data: is both a file and a folder in the archive"]
    assert visible(contests_dir) == before


async def test_an_admin_reloads_the_contests_folder(admin_client: TestClient, contests_dir: Path) -> None:
    api = Api(admin_client)
    admin, player = await api.register("root"), await api.register()
    await error_of(await admin_client.post("/contests/reload", headers=player.headers), 403)
    write_contest(contests_dir, 77, "Added on disk", 600, "A")
    resp = await admin_client.post("/contests/reload", headers=admin.headers)
    assert resp.status == 200, await resp.text()
    report = await resp.json()
    assert 77 in report["loaded"] and report["failed"] == {}
    assert any(c["id"] == 77 for c in await (await admin_client.get("/contests", headers=player.headers)).json())
