"""Rooms, their members and invitations."""

from __future__ import annotations

from typing import Any

from sqlalchemy import String, delete, func, insert, literal, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from papote.domain.errors import PapoteRefusal
from papote.domain.model import Room, room_channel
from papote.storage.tables import accounts, channels, people, room_invitations, room_members, rooms


def room_from_row(row: Any) -> Room:
    r = row._mapping
    return Room(
        id=r["id"],
        name=r["name"],
        topic=r["topic"],
        audience=r["audience"],
        kind=r["kind"],
        owner_id=r["owner_id"],
        slow_mode_seconds=r.get("slow_mode_seconds") or 0,
    )


async def get_room(connection: AsyncConnection, room_id: str) -> Room | None:
    row = (await connection.execute(select(rooms).where(rooms.c.id == room_id))).first()
    return room_from_row(row) if row else None


async def insert_room(connection: AsyncConnection, room: Room, position: int, now_ms: int) -> None:
    try:
        async with connection.begin_nested():
            await connection.execute(
                insert(rooms).values(
                    **room.public(), owner_id=room.owner_id, position=position, created_ms=now_ms
                )
            )
            await connection.execute(insert(channels).values(id=room_channel(room.id), last_seq=0))
    except IntegrityError as error:
        raise PapoteRefusal("room_exists") from error


async def set_slow_mode(connection: AsyncConnection, room_id: str, seconds: int) -> bool:
    result = await connection.execute(
        update(rooms).where(rooms.c.id == room_id).values(slow_mode_seconds=seconds)
    )
    return bool(result.rowcount)


async def room_count(connection: AsyncConnection) -> int:
    return int(await connection.scalar(select(func.count()).select_from(rooms)) or 0)


async def visible_rooms(connection: AsyncConnection, person_id: int) -> list[dict[str, Any]]:
    """Public rooms plus the private rooms the person belongs to, with counts."""
    member_count = (
        select(func.count()).where(room_members.c.room_id == rooms.c.id).correlate(rooms).scalar_subquery()
    )
    mine = (
        select(room_members.c.last_read_seq)
        .where(room_members.c.room_id == rooms.c.id, room_members.c.person_id == person_id)
        .correlate(rooms)
        .scalar_subquery()
    )
    query = (
        select(rooms, member_count.label("members"), mine.label("last_read"), channels.c.last_seq)
        .join(channels, channels.c.id == literal("r:", String) + rooms.c.id)
        .order_by(rooms.c.position, rooms.c.name)
    )
    result = []
    for row in await connection.execute(query):
        joined = row.last_read is not None
        if row.kind == "private" and not joined:
            continue
        result.append(
            {
                **room_from_row(row).public(),
                "owner_id": row.owner_id,
                "members": row.members,
                "joined": joined,
                "last_seq": row.last_seq,
                "unread": max(0, row.last_seq - row.last_read) if joined else 0,
            }
        )
    return result


async def add_member(connection: AsyncConnection, room_id: str, person_id: int, now_ms: int) -> bool:
    """True when the person was not a member before."""
    exists = await connection.scalar(
        select(room_members.c.person_id).where(
            room_members.c.room_id == room_id, room_members.c.person_id == person_id
        )
    )
    if exists is not None:
        return False
    last_seq = await connection.scalar(
        select(channels.c.last_seq).where(channels.c.id == room_channel(room_id))
    )
    await connection.execute(
        insert(room_members).values(
            room_id=room_id, person_id=person_id, joined_ms=now_ms, last_read_seq=last_seq or 0
        )
    )
    return True


async def remove_member(connection: AsyncConnection, room_id: str, person_id: int) -> bool:
    result = await connection.execute(
        delete(room_members).where(room_members.c.room_id == room_id, room_members.c.person_id == person_id)
    )
    return bool(result.rowcount)


async def rooms_of(connection: AsyncConnection, person_id: int) -> list[str]:
    rows = await connection.execute(
        select(room_members.c.room_id).where(room_members.c.person_id == person_id)
    )
    return [r.room_id for r in rows]


async def is_member(connection: AsyncConnection, room_id: str, person_id: int) -> bool:
    found = await connection.scalar(
        select(room_members.c.person_id).where(
            room_members.c.room_id == room_id, room_members.c.person_id == person_id
        )
    )
    return found is not None


async def members(connection: AsyncConnection, room_id: str) -> list[dict[str, Any]]:
    rows = await connection.execute(
        select(people.c.id, people.c.pseudo, people.c.age_band, people.c.gender, accounts.c.role)
        .select_from(room_members.join(people, people.c.id == room_members.c.person_id))
        .outerjoin(accounts, accounts.c.id == people.c.account_id)
        .where(room_members.c.room_id == room_id)
        .order_by(func.lower(people.c.pseudo))
    )
    return [
        {"id": r.id, "pseudo": r.pseudo, "age_band": r.age_band, "gender": r.gender, "role": r.role or "user"}
        for r in rows
    ]


async def mark_read(connection: AsyncConnection, room_id: str, person_id: int, seq: int) -> None:
    await connection.execute(
        update(room_members)
        .where(
            room_members.c.room_id == room_id,
            room_members.c.person_id == person_id,
            room_members.c.last_read_seq < seq,
        )
        .values(last_read_seq=seq)
    )


async def upsert_invitation(
    connection: AsyncConnection, room_id: str, person_id: int, invited_by: int, now_ms: int
) -> None:
    await connection.execute(
        delete(room_invitations).where(
            room_invitations.c.room_id == room_id, room_invitations.c.person_id == person_id
        )
    )
    await connection.execute(
        insert(room_invitations).values(
            room_id=room_id, person_id=person_id, invited_by=invited_by, status="pending", created_ms=now_ms
        )
    )


async def invitation_status(connection: AsyncConnection, room_id: str, person_id: int) -> str | None:
    status = await connection.scalar(
        select(room_invitations.c.status).where(
            room_invitations.c.room_id == room_id, room_invitations.c.person_id == person_id
        )
    )
    return str(status) if status is not None else None


async def set_invitation_status(
    connection: AsyncConnection, room_id: str, person_id: int, status: str
) -> None:
    await connection.execute(
        update(room_invitations)
        .where(room_invitations.c.room_id == room_id, room_invitations.c.person_id == person_id)
        .values(status=status)
    )


async def pending_invitations(connection: AsyncConnection, person_id: int) -> list[dict[str, Any]]:
    rows = await connection.execute(
        select(rooms.c.id, rooms.c.name, people.c.pseudo)
        .select_from(
            room_invitations.join(rooms, rooms.c.id == room_invitations.c.room_id).join(
                people, people.c.id == room_invitations.c.invited_by
            )
        )
        .where(room_invitations.c.person_id == person_id, room_invitations.c.status == "pending")
    )
    return [{"room": r.id, "name": r.name, "from": r.pseudo} for r in rows]
