"""`papote report transparency --from DATE --to DATE --format html|json|csv [--out FILE]`."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Callable
from pathlib import Path


def register(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    add_storage_options: Callable[[argparse.ArgumentParser], None],
) -> None:
    report = commands.add_parser("report", help="reports for the public and the regulator")
    sub = report.add_subparsers(dest="report_command", required=True)
    transparency = sub.add_parser("transparency", help="the transparency report (DSA art. 15 and 24)")
    transparency.add_argument(
        "--from", dest="start", required=True, type=dt.date.fromisoformat, metavar="DATE"
    )
    transparency.add_argument("--to", dest="end", required=True, type=dt.date.fromisoformat, metavar="DATE")
    transparency.add_argument("--format", required=True, choices=("html", "json", "csv"))
    transparency.add_argument("--out", type=Path, help="file to write (default: standard output)")
    add_storage_options(transparency)
    transparency.set_defaults(func=run_transparency)


async def run_transparency(args: argparse.Namespace) -> int:
    from papote.cli.database import database
    from papote.moderation.transparency import FORMATS, build

    if args.end < args.start:
        print("refusé : --to est avant --from", file=sys.stderr)
        return 2
    async with database(args) as engine, engine.connect() as connection:
        report = await build(connection, args.start, args.end)
    text = FORMATS[args.format](report)
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0
