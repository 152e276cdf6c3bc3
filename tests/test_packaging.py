"""The container files and the package agree with the code (no Docker engine here to build them)."""

from __future__ import annotations

import configparser
import re
from pathlib import Path

import yaml

from server.judge.launcher import HEADERS, SOURCES

ROOT = Path(__file__).parent.parent


def test_dockerfile_copies_what_exists_and_runs_the_module() -> None:
    text = (ROOT / "Dockerfile").read_text()
    for line in re.findall(r"^COPY (.+)$", text, flags=re.M):
        *sources, _target = line.split()
        for source in sources:
            assert (ROOT / source).exists(), f"Dockerfile copies a missing {source}"
    assert 'CMD ["python", "-m", "server"]' in text
    assert "EXPOSE 8000" in text and "APP_HOST=0.0.0.0" in text
    assert (ROOT / "server" / "__main__.py").is_file()
    for tool in ("g++", "gcc", "python3"):  # what the judge runs submissions with
        assert f" {tool} " in text


def test_compose_serves_8000_with_the_database_on_a_named_volume() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    service = compose["services"]["trainer"]
    assert "8000:8000" in service["ports"]
    db_dir = str(Path(service["environment"]["DB_PATH"]).parent)
    volume, _, mount = service["volumes"][0].partition(":")
    assert mount == db_dir and volume in compose["volumes"]


def test_package_ships_the_judge_launcher_source() -> None:
    config = configparser.ConfigParser()
    config.read(ROOT / "setup.cfg")
    patterns = [p.strip() for p in config["options.package_data"]["server.judge"].split(",")]
    assert {"*.c", "*.h"} <= set(patterns)
    for source in (*SOURCES, *HEADERS):
        assert source.is_file() and source.parent == ROOT / "server" / "judge"
