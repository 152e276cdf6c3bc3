"""`python -m server`: serve; `python -m server backup PATH`: copy the database; `python -m server healthcheck`."""

from __future__ import annotations

import argparse
import logging
import sys

from .config import ConfigError, load_config
from .memory import raise_mmap_threshold


def _arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m server", description="Team Trainer server")
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("serve", help="serve until SIGTERM/SIGINT (the default)")
    backup = commands.add_parser("backup", help="copy the database (DB_PATH) to PATH while the server runs")
    backup.add_argument("path", help="the copy to write (replaced atomically if it exists)")
    commands.add_parser("healthcheck", help="exit 0 when the server on APP_PORT can write its database and judge")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Parse config, stop with one clear line when it is bad, otherwise run the command."""
    args = _arguments(sys.argv[1:] if argv is None else argv)
    try:
        config = load_config()
    except ConfigError as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        return 2
    logging.basicConfig(level=config.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if args.command == "backup":
        from .backup import backup_command

        return backup_command(config, args.path)
    if args.command == "healthcheck":
        from .healthcheck import healthcheck

        return healthcheck(config)
    from .runner import serve

    raise_mmap_threshold()
    return serve(config)


if __name__ == "__main__":
    sys.exit(main())
