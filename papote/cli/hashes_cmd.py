"""`papote hashes …`: the banks of known images (imported hash lists, images added by the operator)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

from papote.domain.errors import PapoteRefusal
from papote.images.errors import ImageRefused

CATEGORIES = ("csam", "ncii", "terror", "other")
DEFAULT_DISTANCE = 31  # PDQ's usual match threshold (bits out of 256)


def register(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    add_storage_options: Callable[[argparse.ArgumentParser], None],
) -> None:
    hashes = commands.add_parser("hashes", help="hash banks of known images")
    sub = hashes.add_subparsers(dest="hashes_command", required=True)

    add_image = sub.add_parser(
        "add-image", help="add images to a bank, as a moderator's removal adds them to the internal bank"
    )
    _bank_options(add_image)
    add_image.add_argument("images", nargs="+", type=Path, metavar="IMAGE")
    add_storage_options(add_image)
    add_image.set_defaults(func=run_add_image)

    importing = sub.add_parser(
        "import", help="import a hash list: one PDQ hash (64 hex digits) per line, optionally ',label'"
    )
    _bank_options(importing)
    importing.add_argument("file", type=Path, metavar="FILE")
    add_storage_options(importing)
    importing.set_defaults(func=run_import)

    listing = sub.add_parser("list", help="list the banks and how many hashes each holds")
    add_storage_options(listing)
    listing.set_defaults(func=run_list)


def _bank_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--bank", required=True, help="bank name (created on first use)")
    parser.add_argument("--category", required=True, choices=CATEGORIES)
    parser.add_argument(
        "--distance",
        type=int,
        default=DEFAULT_DISTANCE,
        help=f"largest PDQ distance that counts as a match (default {DEFAULT_DISTANCE})",
    )


async def run_add_image(args: argparse.Namespace) -> int:
    from papote.cli.admin_cmd import _services
    from papote.domain import images

    files = [(path.name, path.read_bytes()) for path in args.images]
    services = await _services(args)
    try:
        added = await images.add_images_to_bank(services, args.bank, args.category, files, args.distance)
        print(f"{added} empreintes ajoutées à la banque {args.bank} ({len(files)} images)")
        return 0
    except (ImageRefused, PapoteRefusal, ValueError) as error:
        print(f"refusé : {_explain(error)}")
        return 2
    finally:
        await services.engine.dispose()


async def run_import(args: argparse.Namespace) -> int:
    from papote.cli.admin_cmd import _services
    from papote.domain import images

    lines = args.file.read_text(encoding="utf-8").splitlines()
    services = await _services(args)
    try:
        added = await images.import_hash_list(
            services, args.bank, args.category, lines, args.file.name, args.distance
        )
        print(f"{added} empreintes importées dans la banque {args.bank}")
        return 0
    except (PapoteRefusal, ValueError) as error:
        print(f"refusé : {_explain(error)}")
        return 2
    finally:
        await services.engine.dispose()


async def run_list(args: argparse.Namespace) -> int:
    from papote.cli.admin_cmd import _services
    from papote.domain import images

    services = await _services(args)
    try:
        for bank in await images.list_banks(services):
            fields = (
                bank["name"],
                bank["category"],
                f"distance {bank['distance']}",
                f"{bank['hashes']} empreintes",
            )
            print("\t".join(fields))
        return 0
    finally:
        await services.engine.dispose()


def _explain(error: Exception) -> str:
    if isinstance(error, ImageRefused | PapoteRefusal):
        return f"{error.code}: {error.fr}"
    return str(error)
