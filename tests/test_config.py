"""Configuration parsing: defaults, .env, environment precedence, one-line errors."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from server.config import _PARSERS, Config, ConfigError, load_config, read_env_file

ROOT = Path(__file__).parent.parent


def test_defaults_match_spec(tmp_path: Path) -> None:
    (tmp_path / "c").mkdir()
    config = load_config({"CONTESTS_DIR": str(tmp_path / "c")}, env_file=None)
    assert config == Config(contests_dir=tmp_path / "c")
    assert (config.app_host, config.app_port, config.auth_mode) == ("127.0.0.1", 8000, "token")
    assert config.allow_origins == ("*",)


def test_env_file_is_read_and_environment_wins(tmp_path: Path) -> None:
    (tmp_path / "c").mkdir()
    env = tmp_path / ".env"
    env.write_text(f"# comment\nAPP_PORT=9001\nAUTH_MODE='trust'\nCONTESTS_DIR={tmp_path / 'c'}\nLOG_LEVEL=debug\n")
    config = load_config({"APP_PORT": "9002", "ALLOW_ORIGINS": "http://a.test, http://b.test/"}, env_file=env)
    assert config.app_port == 9002 and config.auth_mode == "trust" and config.log_level == "DEBUG"
    assert config.allow_origins == ("http://a.test", "http://b.test")


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("APP_PORT", "eighty"),
        ("APP_PORT", "70000"),
        ("AUTH_MODE", "open"),
        ("CONTESTS_DIR", "/no/such/folder"),
        ("SNAPSHOT_INTERVAL", "0"),
        ("MAX_CONNECTIONS_PER_GROUP", "0"),
        ("MAX_SOCKETS_PER_USER", "0"),
        ("MAX_SOCKETS_PER_USER", "65"),
        ("JUDGE_WORKERS", "x"),
        ("JUDGE_ISOLATION", "none"),
        ("JUDGE_QUEUE_PER_TEAM", "0"),
        ("LOG_LEVEL", "LOUD"),
        ("ALLOW_ORIGINS", " , "),
        ("HTTP_HEADER_TIMEOUT", "0"),
        ("HTTP_BODY_TIMEOUT", "soon"),
        ("MAX_CONNECTIONS", "8"),
        ("MAX_CONNECTIONS", "many"),
        ("ACCESS_LOG", "maybe"),
        ("METRICS", "public"),
        ("REGISTRATION", "maybe"),
        ("ADMIN_LOGINS", "root, not a login"),
        ("TOKEN_IDLE_DAYS", "0"),
        ("TOKEN_IDLE_DAYS", "366"),
        ("MAX_TOKENS_PER_USER", "0"),
        ("AUTH_ATTEMPTS_PER_IP", "0"),
        ("AUTH_ATTEMPTS_PER_LOGIN", "many"),
        ("TRUSTED_PROXIES", "10.0.0.0/8, proxy.local"),
        ("MAX_TEAMS_PER_USER", "0"),
        ("MAX_ROOM_CODE_BYTES", "1000"),  # below MAX_CODE_BYTES
        ("SUBMISSIONS_PER_MINUTE", "0"),
    ],
)
def test_bad_values_name_the_variable(name: str, value: str) -> None:
    with pytest.raises(ConfigError, match=name):
        load_config({name: value, "CONTESTS_DIR": str(ROOT / "data" / "contests")} | {name: value}, env_file=None)


def test_operations_settings(tmp_path: Path) -> None:
    (tmp_path / "c").mkdir()
    env = {"CONTESTS_DIR": str(tmp_path / "c"), "MAX_CONNECTIONS": "auto", "ACCESS_LOG": "on", "METRICS": "off"}
    config = load_config(env, env_file=None)
    assert (config.max_connections, config.access_log, config.metrics) == (None, True, "off")
    assert load_config(env | {"MAX_CONNECTIONS": "500"}, env_file=None).max_connections == 500
    with pytest.raises(ConfigError, match="METRICS_TOKEN"):
        load_config(env | {"METRICS": "token", "METRICS_TOKEN": "short"}, env_file=None)
    token = load_config(env | {"METRICS": "token", "METRICS_TOKEN": "a" * 32}, env_file=None)
    assert token.metrics_token == "a" * 32


def test_defaults_without_environment_load_the_sample_contests(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    config = load_config({}, env_file=None)
    assert config.contests_dir == Path("data/contests") and config.db_path == Path("var/trainer.db")


def test_bad_config_stops_start_with_one_line(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "server"],
        cwd=ROOT,
        env={"APP_PORT": "nope", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "APP_PORT" in lines[0]


def test_account_and_quota_settings(tmp_path: Path) -> None:
    (tmp_path / "c").mkdir()
    config = load_config(
        {
            "CONTESTS_DIR": str(tmp_path / "c"),
            "REGISTRATION": "Invite",
            "ADMIN_LOGINS": " root, ops.team ,root",
            "TOKEN_IDLE_DAYS": "7",
            "TRUSTED_PROXIES": "127.0.0.1, 10.0.0.0/8, ::1",
            "MAX_ROOM_CODE_BYTES": "262144",
            "SUBMISSIONS_PER_MINUTE": "3",
        },
        env_file=None,
    )
    assert config.registration == "invite" and config.admin_logins == ("root", "ops.team")
    assert config.token_idle_days == 7 and config.trusted_proxies == ("127.0.0.1/32", "10.0.0.0/8", "::1/128")
    assert config.max_room_code_bytes == config.max_code_bytes and config.submissions_per_minute == 3
    defaults = Config()
    assert (defaults.registration, defaults.admin_logins, defaults.trusted_proxies) == ("open", (), ())


# --- the operator's documents: README's configuration table and .env.example --------------------------------


def readme_defaults() -> dict[str, str]:
    """README's configuration table: each variable and its default as written (the cell's `code`; none: empty)."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("\n## Configuration\n", 1)[1].split("\n## ", 1)[0]
    table: dict[str, str] = {}
    for line in section.splitlines():
        if not line.startswith("| `"):
            continue
        names_cell, default_cell = line.strip("|").split("|")[:2]
        names = re.findall(r"`([A-Z_]+)`", names_cell)
        values = re.findall(r"`([^`]*)`", default_cell)
        if len(names) > 1:  # `APP_HOST`, `APP_PORT` | `127.0.0.1`, `8000`
            assert len(values) == len(names), line
            table.update(zip(names, values, strict=True))
        else:  # the first value; what follows explains it (`auto` (`strict` in Docker))
            table[names[0]] = values[0] if values else ""
    return table


def env_example() -> tuple[dict[str, str], set[str]]:
    """.env.example's variables with values, and those only mentioned in a comment (`# METRICS_TOKEN=`)."""
    path = ROOT / ".env.example"
    commented = set(re.findall(r"^#\s*([A-Z_]+)=", path.read_text(encoding="utf-8"), re.MULTILINE))
    return read_env_file(path), commented


def not_the_default(values: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str, Any, Any]]:
    """The variables whose documented value, read as the server reads it, is not the server's default."""
    monkeypatch.chdir(ROOT)  # CONTESTS_DIR's default is relative to the working folder
    defaults = Config()
    wrong = []
    for name, raw in values.items():
        field = _PARSERS[name][0]
        got = getattr(load_config({name: raw}, env_file=None), field)
        if got != getattr(defaults, field):
            wrong.append((name, raw, got, getattr(defaults, field)))
    return wrong


def test_readme_and_env_example_list_every_variable() -> None:
    variables = set(_PARSERS)
    set_values, commented = env_example()
    assert set(readme_defaults()) == variables
    assert set(set_values) | commented == variables
    assert not set(set_values) & commented


def test_readme_and_env_example_give_the_servers_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    assert not_the_default(readme_defaults(), monkeypatch) == []
    assert not_the_default(env_example()[0], monkeypatch) == []
