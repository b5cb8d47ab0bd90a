"""`papote audit …`: check the audit log's chain and read its last entries."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the command line loads SQLAlchemy only when an audit command runs
    from sqlalchemy.ext.asyncio import AsyncEngine

ANCHOR_FILE = "audit.anchor"


def register(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    add_storage_options: Callable[[argparse.ArgumentParser], None],
) -> None:
    audit = commands.add_parser("audit", help="the append-only, hash-chained audit log")
    sub = audit.add_subparsers(dest="audit_command", required=True)

    verify = sub.add_parser(
        "verify",
        help="check every entry's hash and the chain; compare with the anchor, then move it forward",
    )
    verify.add_argument(
        "--anchor",
        type=Path,
        help=f"anchor file (default: {ANCHOR_FILE} in the data dir); keep a copy out of the database's reach",
    )
    verify.add_argument(
        "--keep-anchor", action="store_true", help="compare with the anchor but do not move it forward"
    )
    add_storage_options(verify)
    verify.set_defaults(func=run_verify)

    show = sub.add_parser("show", help="print the last entries, one per line")
    show.add_argument("--last", type=int, default=20, metavar="N", help="how many entries (default 20)")
    add_storage_options(show)
    show.set_defaults(func=run_show)


async def _open(args: argparse.Namespace) -> tuple[AsyncEngine, Path]:
    """The database (schema brought up to date) and the data directory; no other service is started."""
    from papote.cli.database import open_engine
    from papote.cli.main import settings_from

    return await open_engine(args), settings_from(args).data_dir


async def run_verify(args: argparse.Namespace) -> int:
    from papote.moderation import audit

    engine, data_dir = await _open(args)
    try:
        anchor_path = args.anchor or data_dir / ANCHOR_FILE
        try:
            anchor = audit.read_anchor(anchor_path)
        except audit.AnchorError as error:
            print(f"ancre illisible ({error}) : journal non vérifié")
            return 1
        report = await audit.verify_database(engine, anchor)
        print(report.explain())
        if not report.ok:
            return 1
        if not args.keep_anchor:
            audit.write_anchor(anchor_path, report.anchor)
        return 0
    finally:
        await engine.dispose()


async def run_show(args: argparse.Namespace) -> int:
    from papote.moderation import audit

    engine, _ = await _open(args)
    try:
        async with engine.begin() as connection:
            entries = await audit.last(connection, max(0, args.last))
        for entry in entries:
            print(audit.format_entry(entry))
        return 0
    finally:
        await engine.dispose()
