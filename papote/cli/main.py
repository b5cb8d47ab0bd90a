"""`papote …`: every command reads the same settings (flags, then PAPOTE_* variables, then defaults)."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence

from papote import logs
from papote.cli import admin_cmd, audit_cmd, hashes_cmd, legal_cmd, report_cmd, safety_cmd, serve_cmd
from papote.settings import Settings


def add_storage_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--database", help="database URL (env PAPOTE_DATABASE_URL); default: SQLite in the data dir"
    )
    parser.add_argument("--data-dir", help="data directory (env PAPOTE_DATA_DIR); default: ./papote-data")


def settings_from(args: argparse.Namespace) -> Settings:
    from pathlib import Path

    data_dir = getattr(args, "data_dir", None)
    return Settings.from_env(
        database_url=getattr(args, "database", None),
        data_dir=Path(data_dir) if data_dir else None,
        host=getattr(args, "host", None),
        port=getattr(args, "port", None),
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="papote", description="Papote: a chat that is easy to enter and safe."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    serve_cmd.register(commands, add_storage_options)
    admin_cmd.register(commands, add_storage_options)
    hashes_cmd.register(commands, add_storage_options)
    safety_cmd.register(commands, add_storage_options)
    audit_cmd.register(commands, add_storage_options)
    legal_cmd.register(commands, add_storage_options)
    report_cmd.register(commands, add_storage_options)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    logs.install()
    args = build_parser().parse_args(argv)
    result = args.func(args)
    if asyncio.iscoroutine(result):
        result = asyncio.run(result)
    return int(result or 0)


if __name__ == "__main__":
    sys.exit(main())
