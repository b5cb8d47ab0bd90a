"""`papote legal export CASE_ID --out DIR`: the bundle for the authorities, recorded in the audit log."""

from __future__ import annotations

import argparse
import getpass
from collections.abc import Callable
from pathlib import Path


def register(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    add_storage_options: Callable[[argparse.ArgumentParser], None],
) -> None:
    legal = commands.add_parser("legal", help="legal exports (requisitions, DSA art. 18)")
    sub = legal.add_subparsers(dest="legal_command", required=True)
    export = sub.add_parser("export", help="write a case's evidence, decisions and records to a new folder")
    export.add_argument("case_id", type=int, metavar="CASE_ID")
    export.add_argument("--out", required=True, type=Path, help="a folder that does not exist yet")
    export.add_argument("--by", default=None, help="who asks for the export (default: the system user)")
    export.add_argument("--basis", default="", help="the legal basis, e.g. a requisition's reference")
    add_storage_options(export)
    export.set_defaults(func=run_export)

    for name, held in (("hold", True), ("release", False)):
        verb = "put" if held else "lift"
        command = sub.add_parser(name, help=f"{verb} a legal hold on a case's evidence (kept until released)")
        command.add_argument("case_id", type=int, metavar="CASE_ID")
        command.add_argument("--by", default=None, help="who asks (default: the system user)")
        command.add_argument("--basis", default="", help="the legal basis, e.g. a requisition's reference")
        add_storage_options(command)
        command.set_defaults(func=run_hold, held=held)


async def run_export(args: argparse.Namespace) -> int:
    from papote.cli.database import database
    from papote.moderation.legal import CaseNotFound, export_case

    if args.out.exists():
        print(f"refusé : {args.out} existe déjà (un export ne remplace jamais un autre)")
        return 2
    try:
        async with database(args) as engine, engine.begin() as connection:
            report = await export_case(
                connection, args.case_id, args.out, args.by or getpass.getuser(), args.basis
            )
    except CaseNotFound:
        print(f"refusé : aucun dossier n° {args.case_id}")
        return 2
    state = "intactes" if report.evidence_intact else "ALTÉRÉES (voir evidence.json)"
    print(
        f"export du dossier {args.case_id} : {report.folder} ({len(report.files)} fichiers, preuves {state})"
    )
    return 0 if report.evidence_intact else 1


async def run_hold(args: argparse.Namespace) -> int:
    from papote.cli.database import database
    from papote.moderation.holds import set_hold

    try:
        async with database(args) as engine, engine.begin() as connection:
            pieces = await set_hold(
                connection, args.case_id, args.held, args.by or getpass.getuser(), args.basis
            )
    except LookupError:
        print(f"refusé : aucun dossier n° {args.case_id}")
        return 2
    state = "sous conservation légale" if args.held else "libérées de la conservation légale"
    print(f"dossier {args.case_id} : {pieces} pièces {state}")
    return 0
