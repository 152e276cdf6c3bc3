"""The import direction of docs/architecture.md: views, ws → services → store, rooms, domain; no aiohttp below."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SERVER = Path(__file__).resolve().parents[1] / "server"

# Packages and modules that must not import aiohttp, nor any of the layers above them.
BELOW_THE_WEB = ("domain", "services", "rooms", "store", "contests", "judge", "scoring", "auth", "origins", "clock")
FORBIDDEN: dict[str, tuple[str, ...]] = {
    "domain": ("services", "store", "rooms", "ws", "views", "contests", "judge"),
    "services": ("views", "ws", "app", "keys", "middleware", "http_errors"),
    "rooms": ("services", "store", "views", "ws", "app", "keys"),
    "store": ("services", "rooms", "views", "ws", "app", "keys"),
    "contests": ("services", "store", "rooms", "views", "ws", "app", "keys"),
    "judge": ("services", "store", "rooms", "views", "ws", "app", "keys", "contests"),
}


def _modules(part: str) -> list[Path]:
    target = SERVER / part
    return sorted(target.rglob("*.py")) if target.is_dir() else [target.with_suffix(".py")]


def _imports(path: Path) -> set[str]:
    """Top-level names imported (absolute `aiohttp...`, relative `..services` as 'server.services')."""
    found: set[str] = set()
    package = path.relative_to(SERVER.parent).with_suffix("").parts[:-1]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                found.add(".".join([*base, *(node.module.split(".") if node.module else [])]))
            elif node.module:
                found.add(node.module)
    return found


@pytest.mark.parametrize("part", BELOW_THE_WEB)
def test_nothing_below_the_web_layers_imports_aiohttp(part: str) -> None:
    for path in _modules(part):
        bad = sorted(name for name in _imports(path) if name.split(".")[0] == "aiohttp")
        assert not bad, f"{path.relative_to(SERVER)} imports {bad}"


@pytest.mark.parametrize("part", sorted(FORBIDDEN))
def test_each_layer_imports_only_below_itself(part: str) -> None:
    for path in _modules(part):
        for name in _imports(path):
            parts = name.split(".")
            if parts[0] != "server" or len(parts) < 2:
                continue
            assert parts[1] not in FORBIDDEN[part], f"{path.relative_to(SERVER)} imports {name}"


def test_views_hold_no_sql_and_call_services() -> None:
    for path in _modules("views"):
        imports = _imports(path)
        assert not any(name.startswith("server.store") for name in imports), f"{path.name} reaches the store"
        assert "server.keys" not in imports or path.name in ("common.py", "health.py", "submissions.py"), path.name
