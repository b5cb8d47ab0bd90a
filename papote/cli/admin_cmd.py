"""`papote admin …` and `papote purge`: operator commands on the same database as the server."""

from __future__ import annotations

import argparse
import datetime as dt
from collections.abc import Callable

from papote.domain.errors import PapoteRefusal

ROLES = ("user", "room_moderator", "moderator", "admin", "trusted_flagger")


def register(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    add_storage_options: Callable[[argparse.ArgumentParser], None],
) -> None:
    admin = commands.add_parser("admin", help="operator commands")
    sub = admin.add_subparsers(dest="admin_command", required=True)

    create_room = sub.add_parser("create-room", help="create a public room")
    create_room.add_argument("--name", required=True)
    create_room.add_argument("--audience", required=True, choices=("minors", "adults", "all"))
    create_room.add_argument("--topic", default="")
    create_room.add_argument("--id", dest="room_id", help="room id (default: from the name)")
    add_storage_options(create_room)
    create_room.set_defaults(func=run_create_room)

    account = sub.add_parser("create-account", help="create a registered account with a role")
    account.add_argument("--email", required=True)
    account.add_argument("--password", required=True)
    account.add_argument("--pseudo", required=True)
    account.add_argument("--birth-date", required=True, help="YYYY-MM-DD")
    account.add_argument("--role", default="user", choices=ROLES)
    account.add_argument("--room", help="room a room_moderator moderates")
    add_storage_options(account)
    account.set_defaults(func=run_create_account)

    set_role = sub.add_parser("set-role", help="give an existing account a role (audited)")
    set_role.add_argument("--pseudo", required=True)
    set_role.add_argument("--role", required=True, choices=ROLES)
    set_role.add_argument("--room", help="room a room_moderator moderates")
    add_storage_options(set_role)
    set_role.set_defaults(func=run_set_role)

    slow = sub.add_parser("set-slow-mode", help="one message per person every N seconds in a room (0: off)")
    slow.add_argument("--room", required=True)
    slow.add_argument("--seconds", type=int, required=True)
    add_storage_options(slow)
    slow.set_defaults(func=run_set_slow_mode)

    remove = sub.add_parser(
        "remove-photo", help="remove a photo message as illegal or non-consensual, and bank the photo"
    )
    remove.add_argument(
        "--message", type=int, required=True, help="the message id (acks and events carry it)"
    )
    remove.add_argument("--category", required=True, choices=("csam", "ncii", "terror", "other"))
    add_storage_options(remove)
    remove.set_defaults(func=run_remove_photo)

    rooms = sub.add_parser("list-rooms", help="list rooms")
    add_storage_options(rooms)
    rooms.set_defaults(func=run_list_rooms)

    purge = commands.add_parser("purge", help="run the retention job now")
    add_storage_options(purge)
    purge.set_defaults(func=run_purge)

    upgrade = commands.add_parser("migrate", help="bring the database schema up to date")
    add_storage_options(upgrade)
    upgrade.set_defaults(func=run_migrate)


async def _services(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    from papote.app import prepare_services
    from papote.cli.main import settings_from

    return await prepare_services(settings_from(args))


async def run_create_room(args: argparse.Namespace) -> int:
    from papote.domain import rooms

    services = await _services(args)
    try:
        room = await rooms.create_room(
            services, args.name, args.audience, topic=args.topic, room_id=args.room_id
        )
        print(f"salon créé : {room.id} ({room.audience})")
        return 0
    except PapoteRefusal as refusal:
        print(f"refusé : {refusal.code}: {refusal.fr}")
        return 2
    finally:
        await services.engine.dispose()


async def run_create_account(args: argparse.Namespace) -> int:
    from papote.domain import accounts

    services = await _services(args)
    try:
        birth = dt.date.fromisoformat(args.birth_date)
        person = await accounts.create_account(
            services, args.email, args.password, args.pseudo, birth, args.role, room=args.room
        )
        print(f"compte créé : {person.pseudo} ({args.role})")
        return 0
    except (PapoteRefusal, ValueError) as error:
        code = error.code if isinstance(error, PapoteRefusal) else "invalid_birth_date"
        print(f"refusé : {code}")
        return 2
    finally:
        await services.engine.dispose()


async def run_set_role(args: argparse.Namespace) -> int:
    from papote.moderation import permissions

    services = await _services(args)
    try:
        previous = await permissions.set_role(services, args.pseudo, args.role, args.room)
        print(f"rôle de {args.pseudo} : {previous} → {args.role}")
        return 0
    except PapoteRefusal as refusal:
        print(f"refusé : {refusal.code}: {refusal.fr}")
        return 2
    finally:
        await services.engine.dispose()


async def run_set_slow_mode(args: argparse.Namespace) -> int:
    from papote.domain import rooms

    services = await _services(args)
    try:
        await rooms.set_slow_mode(services, args.room, args.seconds)
        print(f"mode lent du salon {args.room} : {args.seconds} s (appliqué en quelques secondes)")
        return 0
    except PapoteRefusal as refusal:
        print(f"refusé : {refusal.code}: {refusal.fr}")
        return 2
    finally:
        await services.engine.dispose()


async def run_remove_photo(args: argparse.Namespace) -> int:
    from papote.domain import images

    services = await _services(args)
    try:
        banked = await images.remove_photo(services, args.message, args.category)
        print(f"photo retirée et ajoutée à la banque internal-{args.category} ({banked} empreintes)")
        return 0
    except PapoteRefusal as refusal:
        print(f"refusé : {refusal.code}: {refusal.fr}")
        return 2
    finally:
        await services.engine.dispose()


async def run_list_rooms(args: argparse.Namespace) -> int:
    from sqlalchemy import select

    from papote.storage.tables import rooms

    services = await _services(args)
    async with services.transaction() as connection:
        for row in await connection.execute(select(rooms).order_by(rooms.c.position)):
            print(f"{row.id}\t{row.audience}\t{row.kind}\t{row.name}")
    await services.engine.dispose()
    return 0


async def run_purge(args: argparse.Namespace) -> int:
    from papote.domain import retention

    services = await _services(args)
    report = await retention.purge(services)
    print(
        f"messages supprimés : {report.messages_deleted} ; invités expirés : {report.guests_expired} ; "
        f"photos supprimées : {report.images_deleted} ; relevés de connexion supprimés : "
        f"{report.connection_records_deleted} ; pièces de preuve supprimées : {report.evidence_deleted}"
    )
    await services.engine.dispose()
    return 0


async def run_migrate(args: argparse.Namespace) -> int:
    services = await _services(args)
    print("schéma à jour")
    await services.engine.dispose()
    return 0
