"""The real app serving real packages: statements with their images, the asset route, limits in the problem list."""

from __future__ import annotations

import re
import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient

from server.config import Config
from server.keys import CONTEST_INSTALLER, CONTESTS

from .support.api import Account, Api, error_of
from .support.packages import write_contest

PACKAGES = Path(__file__).parent / "packages"


@pytest.fixture
def contests_dir(tmp_path: Path) -> Path:
    """Contest 1 (two small problems) and contest 50, the test packages (its D waits for a derived limit)."""
    root = tmp_path / "contests"
    root.mkdir()
    write_contest(root, 1, "Warm-up")
    shutil.copytree(PACKAGES, root / "formats")
    return root


@pytest.fixture
def config(config: Config) -> Config:
    """The shared config, behind a TLS proxy on this host (tests here send X-Forwarded-Proto only on purpose)."""
    return replace(config, trusted_proxies=("127.0.0.1",))


async def formats_session(api: Api, client: TestClient) -> tuple[Account, str]:
    """A user with a session of contest 50, once its time limits are derived."""
    installer = client.app[CONTEST_INSTALLER]
    assert installer.settling is not None
    assert await installer.settling == [50]  # measured by the judge right after start
    alice = await api.register()
    session = await api.session(alice, (await api.team(alice))["id"], contest_id=50)
    return alice, session["id"]


async def test_pending_contest_is_available_once_its_limits_are_derived(api: Api, client: TestClient) -> None:
    assert 50 in client.app[CONTESTS].pending or 50 in client.app[CONTESTS]  # held back, or measured already
    alice, ts = await formats_session(api, client)
    problems = (await (await client.get(f"/contests/{ts}/problems", headers=alice.headers)).json())["problems"]
    limits = {p["alias"]: p["limits"][0]["timeLimit"] for p in problems}
    assert limits == {"A": 1500, "B": 1000, "C": 2000, "D": 1000, "E": 500, "F": 1000, "G": 1500}
    assert {p["alias"]: p["testCount"] for p in problems}["B"] == 5
    memory = {p["alias"]: p["limits"][0]["memoryLimit"] for p in problems}
    assert memory["E"] == 128 << 20 and memory["G"] == 256 << 20


async def test_statement_images_are_served_to_members(api: Api, client: TestClient) -> None:
    alice, ts = await formats_session(api, client)
    resp = await client.get(f"/contests/{ts}/problems/A/statement", headers=alice.headers)
    html = await resp.text()
    assert resp.content_type == "text/html" and '<table class="sample-tests">' in html
    image = re.search(r'<img src="([^"]+)"', html)
    assert image is not None
    url = image.group(1)
    # absolute: the client injects the HTML into a page on its own origin
    assert url == str(client.make_url(f"/contests/{ts}/problems/A/statement/triangle.png"))
    path = url[url.index("/contests/") :]
    resp = await client.get(path, headers=alice.headers)
    assert resp.status == 200 and resp.content_type == "image/png"
    assert (await resp.read()) == (PACKAGES / "hypotenuse" / "problem_statement" / "triangle.png").read_bytes()
    assert "sandbox" in resp.headers["Content-Security-Policy"] and resp.headers["X-Content-Type-Options"] == "nosniff"
    # a browser loading <img> sends the client's cookie, not the header
    assert (await client.get(path, headers={"Cookie": f"access_token={alice.token}"})).status == 200
    await error_of(await client.get(path), 401)
    mallory = await api.register()
    await error_of(await client.get(path, headers=mallory.headers), 403)


async def test_statement_images_keep_the_clients_https_behind_a_trusted_proxy(api: Api, client: TestClient) -> None:
    """Behind a TLS proxy the page is https: an http image URL would be mixed content, and miss the Secure cookie."""
    alice, ts = await formats_session(api, client)
    headers = {**alice.headers, "X-Forwarded-Proto": "https", "Host": "trainer.example"}
    html = await (await client.get(f"/contests/{ts}/problems/A/statement", headers=headers)).text()
    image = re.search(r'<img src="([^"]+)"', html)
    assert image is not None
    assert image.group(1) == f"https://trainer.example/contests/{ts}/problems/A/statement/triangle.png"


@pytest.mark.parametrize(
    "name",
    [
        "nothing.png",
        "../problem.yaml",
        "..%2Fproblem.yaml",
        "%2E%2E/%2E%2E/problem.yaml",
        "problem.en.md",
        "/etc/passwd",
    ],
)
async def test_only_the_statements_own_files_are_served(api: Api, client: TestClient, name: str) -> None:
    alice, ts = await formats_session(api, client)
    resp = await client.get(f"/contests/{ts}/problems/A/statement/{name}", headers=alice.headers)
    assert resp.status == 404, await resp.text()


async def test_pdf_statement(api: Api, client: TestClient) -> None:
    alice, ts = await formats_session(api, client)
    html = await (await client.get(f"/contests/{ts}/problems/F/statement", headers=alice.headers)).text()
    assert 'type="application/pdf"' in html
    resp = await client.get(f"/contests/{ts}/problems/F/statement/problem.pdf", headers=alice.headers)
    assert resp.status == 200 and resp.content_type == "application/pdf"
    assert (await resp.read()).startswith(b"%PDF-")


async def test_statement_without_images_is_served_as_loaded(api: Api, client: TestClient) -> None:
    alice, ts = await formats_session(api, client)
    resp = await client.get(f"/contests/{ts}/problems/G/statement", headers=alice.headers)
    body = await resp.read()
    assert body == client.app[CONTESTS].get(50).problems["G"].statement_html  # type: ignore[union-attr]
