"""Typed configuration read once from the environment (and an optional .env file)."""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

AUTH_MODES = ("token", "trust")
METRICS_MODES = ("off", "local", "token")
REGISTRATION_MODES = ("open", "invite", "closed")
JUDGE_ISOLATION_MODES = ("strict", "auto", "weak")  # see server/judge/isolation.py
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
DEFAULT_CONTESTS_DIR = Path("data/contests")
_LOGIN = re.compile(r"[A-Za-z0-9_.\-]{1,64}")  # schemas.users.LOGIN, without importing the wire layer


class ConfigError(Exception):
    """A configuration value is unusable; the message names the variable."""


@dataclass(frozen=True, slots=True)
class Config:
    """Every setting (README, configuration), parsed and checked."""

    app_host: str = "127.0.0.1"
    app_port: int = 8000
    db_path: Path = Path("var/trainer.db")
    contests_dir: Path = DEFAULT_CONTESTS_DIR
    max_connections_per_group: int = 3
    max_sockets_per_user: int = 4
    snapshot_interval: float = 2.0
    auth_mode: str = "token"
    allow_origins: tuple[str, ...] = ("*",)
    judge_workers: int = 2
    judge_isolation: str = "auto"
    judge_queue_per_team: int = 10
    ws_heartbeat: float = 20.0
    max_message_bytes: int = 1_048_576
    max_code_bytes: int = 262_144
    log_level: str = "INFO"
    admin_logins: tuple[str, ...] = ()  # users who may upload contests, make invite codes, remove any member
    max_upload_bytes: int = 256 << 20  # largest contest package upload
    http_header_timeout: float = 10.0
    http_body_timeout: float = 60.0
    max_connections: int | None = None  # None: derived from the file-descriptor limit at start
    access_log: bool = False
    metrics: str = "local"
    metrics_token: str = ""
    # accounts (README, "Accounts")
    registration: str = "open"
    token_idle_days: int = 30
    max_tokens_per_user: int = 10
    auth_attempts_per_ip: int = 30
    auth_attempts_per_login: int = 10
    trusted_proxies: tuple[str, ...] = ()
    # quotas (README, "Quotas")
    max_teams_per_user: int = 20
    max_room_code_bytes: int = 2_097_152
    submissions_per_minute: int = 10


def _int(name: str, raw: str, minimum: int = 0, maximum: int | None = None) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be an integer, got {raw!r}") from None
    if value < minimum or (maximum is not None and value > maximum):
        upper = f" and at most {maximum}" if maximum is not None else ""
        raise ConfigError(f"{name} must be at least {minimum}{upper}, got {value}")
    return value


def _positive_float(name: str, raw: str) -> float:
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a number of seconds, got {raw!r}") from None
    if not value > 0:
        raise ConfigError(f"{name} must be greater than 0, got {raw!r}")
    return value


def _choice(name: str, raw: str, choices: tuple[str, ...], upper: bool = False) -> str:
    value = raw.strip().upper() if upper else raw.strip().lower()
    if value not in choices:
        raise ConfigError(f"{name} must be one of {', '.join(choices)}, got {raw!r}")
    return value


def _switch(name: str, raw: str) -> bool:
    value = raw.strip().lower()
    if value in ("1", "on", "yes", "true"):
        return True
    if value in ("0", "off", "no", "false"):
        return False
    raise ConfigError(f"{name} must be on or off, got {raw!r}")


def _auto_int(name: str, raw: str) -> int | None:
    """`auto` (derived at start) or an integer of at least 16."""
    if raw.strip().lower() == "auto":
        return None
    return _int(name, raw, 16)


def _contests_dir(name: str, raw: str) -> Path:
    path = Path(raw)
    if not path.is_dir():
        raise ConfigError(f"{name} must be an existing folder, got {raw!r}")
    return path


def _origins(name: str, raw: str) -> tuple[str, ...]:
    origins = tuple(o.strip().rstrip("/") for o in raw.split(",") if o.strip())
    if not origins:
        raise ConfigError(f"{name} must list at least one origin or '*'")
    return origins


def _logins(name: str, raw: str) -> tuple[str, ...]:
    logins = tuple(dict.fromkeys(login.strip() for login in raw.split(",") if login.strip()))
    bad = [login for login in logins if not _LOGIN.fullmatch(login)]
    if bad:
        raise ConfigError(f"{name} must list logins (letters, digits, '_', '.', '-'), got {bad[0]!r}")
    return logins


def _networks(name: str, raw: str) -> tuple[str, ...]:
    """Addresses or CIDR networks, kept in their normalised text form."""
    networks = []
    for item in (part.strip() for part in raw.split(",")):
        if not item:
            continue
        try:
            networks.append(str(ipaddress.ip_network(item, strict=False)))
        except ValueError:
            raise ConfigError(f"{name} must list IP addresses or networks (10.0.0.0/8), got {item!r}") from None
    return tuple(networks)


def _nonempty(name: str, raw: str) -> str:
    if not raw.strip():
        raise ConfigError(f"{name} must not be empty")
    return raw.strip()


_PARSERS: dict[str, tuple[str, Callable[[str, str], Any]]] = {
    "APP_HOST": ("app_host", _nonempty),
    "APP_PORT": ("app_port", lambda n, r: _int(n, r, 0, 65535)),
    "DB_PATH": ("db_path", lambda n, r: Path(_nonempty(n, r))),
    "CONTESTS_DIR": ("contests_dir", _contests_dir),
    "MAX_CONNECTIONS_PER_GROUP": ("max_connections_per_group", lambda n, r: _int(n, r, 1)),
    "MAX_SOCKETS_PER_USER": ("max_sockets_per_user", lambda n, r: _int(n, r, 1, 64)),
    "SNAPSHOT_INTERVAL": ("snapshot_interval", _positive_float),
    "AUTH_MODE": ("auth_mode", lambda n, r: _choice(n, r, AUTH_MODES)),
    "ALLOW_ORIGINS": ("allow_origins", _origins),
    "JUDGE_WORKERS": ("judge_workers", lambda n, r: _int(n, r, 1, 64)),
    "JUDGE_ISOLATION": ("judge_isolation", lambda n, r: _choice(n, r, JUDGE_ISOLATION_MODES)),
    "JUDGE_QUEUE_PER_TEAM": ("judge_queue_per_team", lambda n, r: _int(n, r, 1, 1000)),
    "WS_HEARTBEAT": ("ws_heartbeat", _positive_float),
    "MAX_MESSAGE_BYTES": ("max_message_bytes", lambda n, r: _int(n, r, 1024)),
    "MAX_CODE_BYTES": ("max_code_bytes", lambda n, r: _int(n, r, 1)),
    "LOG_LEVEL": ("log_level", lambda n, r: _choice(n, r, LOG_LEVELS, upper=True)),
    "ADMIN_LOGINS": ("admin_logins", _logins),
    "MAX_UPLOAD_BYTES": ("max_upload_bytes", lambda n, r: _int(n, r, 1024)),
    "HTTP_HEADER_TIMEOUT": ("http_header_timeout", _positive_float),
    "HTTP_BODY_TIMEOUT": ("http_body_timeout", _positive_float),
    "MAX_CONNECTIONS": ("max_connections", _auto_int),
    "ACCESS_LOG": ("access_log", _switch),
    "METRICS": ("metrics", lambda n, r: _choice(n, r, METRICS_MODES)),
    "METRICS_TOKEN": ("metrics_token", lambda n, r: r.strip()),
    "REGISTRATION": ("registration", lambda n, r: _choice(n, r, REGISTRATION_MODES)),
    "TOKEN_IDLE_DAYS": ("token_idle_days", lambda n, r: _int(n, r, 1, 365)),
    "MAX_TOKENS_PER_USER": ("max_tokens_per_user", lambda n, r: _int(n, r, 1, 1000)),
    "AUTH_ATTEMPTS_PER_IP": ("auth_attempts_per_ip", lambda n, r: _int(n, r, 1, 100_000)),
    "AUTH_ATTEMPTS_PER_LOGIN": ("auth_attempts_per_login", lambda n, r: _int(n, r, 1, 100_000)),
    "TRUSTED_PROXIES": ("trusted_proxies", _networks),
    "MAX_TEAMS_PER_USER": ("max_teams_per_user", lambda n, r: _int(n, r, 1, 10_000)),
    "MAX_ROOM_CODE_BYTES": ("max_room_code_bytes", lambda n, r: _int(n, r, 1)),
    "SUBMISSIONS_PER_MINUTE": ("submissions_per_minute", lambda n, r: _int(n, r, 1, 10_000)),
}


def read_env_file(path: Path) -> dict[str, str]:
    """Parse a simple KEY=VALUE .env file; a missing file gives no values."""
    values: dict[str, str] = {}
    if not path.is_file():
        return values
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        key = key.strip().removeprefix("export ").strip()
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[key] = value
    return values


def load_config(environ: Mapping[str, str] | None = None, env_file: Path | None = Path(".env")) -> Config:
    """Build the config: .env values first, the real environment wins; raises ConfigError."""
    merged: dict[str, str] = read_env_file(env_file) if env_file else {}
    merged.update(os.environ if environ is None else environ)
    kwargs: dict[str, Any] = {}
    for name, (field, parse) in _PARSERS.items():
        if name in merged:
            kwargs[field] = parse(name, merged[name])
    if "contests_dir" not in kwargs:
        kwargs["contests_dir"] = _contests_dir("CONTESTS_DIR", str(DEFAULT_CONTESTS_DIR))
    if kwargs.get("metrics") == "token" and len(kwargs.get("metrics_token", "")) < 16:
        raise ConfigError("METRICS_TOKEN must be set (at least 16 characters) when METRICS=token")
    config = Config(**kwargs)
    if config.max_room_code_bytes < config.max_code_bytes:
        raise ConfigError(
            f"MAX_ROOM_CODE_BYTES must be at least MAX_CODE_BYTES ({config.max_code_bytes}), "
            f"got {config.max_room_code_bytes}"
        )
    return config
