"""Private conversations between two people, and blocks."""

from __future__ import annotations

from typing import Any

from sqlalchemy import String, and_, cast, delete, insert, literal, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from papote.domain.model import Conversation, conversation_channel
from papote.storage.tables import blocks, channels, conversations, people


def _pair(a: int, b: int) -> tuple[int, int]:
    return (a, b) if a < b else (b, a)


def conversation_from_row(row: Any) -> Conversation:
    r = row._mapping
    return Conversation(
        id=r["id"],
        person_low=r["person_low"],
        person_high=r["person_high"],
        requested_by=r["requested_by"],
        status=r["status"],
    )


async def get_between(connection: AsyncConnection, a: int, b: int) -> Conversation | None:
    low, high = _pair(a, b)
    row = (
        await connection.execute(
            select(conversations).where(
                conversations.c.person_low == low, conversations.c.person_high == high
            )
        )
    ).first()
    return conversation_from_row(row) if row else None


async def get_conversation(connection: AsyncConnection, conversation_id: int) -> Conversation | None:
    row = (
        await connection.execute(select(conversations).where(conversations.c.id == conversation_id))
    ).first()
    return conversation_from_row(row) if row else None


async def open_request(
    connection: AsyncConnection, requester: int, recipient: int, now_ms: int
) -> Conversation:
    """Create the conversation as a pending request (or reopen a declined one)."""
    existing = await get_between(connection, requester, recipient)
    if existing is not None:
        await set_status(connection, existing.id, "pending", now_ms, requested_by=requester)
        return Conversation(existing.id, existing.person_low, existing.person_high, requester, "pending")
    low, high = _pair(requester, recipient)
    try:
        async with connection.begin_nested():
            new_id = (
                await connection.execute(
                    insert(conversations)
                    .values(
                        person_low=low,
                        person_high=high,
                        requested_by=requester,
                        status="pending",
                        created_ms=now_ms,
                        updated_ms=now_ms,
                    )
                    .returning(conversations.c.id)
                )
            ).scalar_one()
            await connection.execute(insert(channels).values(id=conversation_channel(new_id), last_seq=0))
    except IntegrityError:  # the other side opened it at the same moment
        found = await get_between(connection, requester, recipient)
        if found is None:
            raise
        return found
    return Conversation(new_id, low, high, requester, "pending")


async def set_status(
    connection: AsyncConnection,
    conversation_id: int,
    status: str,
    now_ms: int,
    requested_by: int | None = None,
) -> None:
    values: dict[str, Any] = {"status": status, "updated_ms": now_ms}
    if requested_by is not None:
        values["requested_by"] = requested_by
    await connection.execute(
        update(conversations).where(conversations.c.id == conversation_id).values(**values)
    )


async def conversations_of(connection: AsyncConnection, person_id: int) -> list[dict[str, Any]]:
    rows = await connection.execute(
        select(conversations, channels.c.last_seq)
        .join(channels, channels.c.id == literal("d:", String) + cast(conversations.c.id, String))
        .where(or_(conversations.c.person_low == person_id, conversations.c.person_high == person_id))
        .order_by(conversations.c.updated_ms.desc())
    )
    result = []
    for row in rows:
        conversation = conversation_from_row(row)
        other = conversation.other(person_id)
        last_read = row.last_read_low if person_id == conversation.person_low else row.last_read_high
        result.append(
            {
                "id": conversation.id,
                "other_id": other,
                "status": conversation.status,
                "requested_by_me": conversation.requested_by == person_id,
                "last_seq": row.last_seq,
                "unread": max(0, row.last_seq - last_read),
            }
        )
    return result


async def mark_read(
    connection: AsyncConnection, conversation: Conversation, person_id: int, seq: int
) -> None:
    column = "last_read_low" if person_id == conversation.person_low else "last_read_high"
    await connection.execute(
        update(conversations)
        .where(conversations.c.id == conversation.id, conversations.c[column] < seq)
        .values({column: seq})
    )


async def pseudos(connection: AsyncConnection, ids: list[int]) -> dict[int, dict[str, Any]]:
    if not ids:
        return {}
    rows = await connection.execute(
        select(people.c.id, people.c.pseudo, people.c.age_band, people.c.gender).where(people.c.id.in_(ids))
    )
    return {r.id: {"pseudo": r.pseudo, "age_band": r.age_band, "gender": r.gender} for r in rows}


async def add_block(connection: AsyncConnection, blocker: int, blocked: int, now_ms: int) -> None:
    if await is_blocked(connection, blocker, blocked):
        return
    await connection.execute(insert(blocks).values(blocker_id=blocker, blocked_id=blocked, created_ms=now_ms))


async def remove_block(connection: AsyncConnection, blocker: int, blocked: int) -> None:
    await connection.execute(
        delete(blocks).where(blocks.c.blocker_id == blocker, blocks.c.blocked_id == blocked)
    )


async def is_blocked(connection: AsyncConnection, blocker: int, blocked: int) -> bool:
    found = await connection.scalar(
        select(blocks.c.blocker_id).where(blocks.c.blocker_id == blocker, blocks.c.blocked_id == blocked)
    )
    return found is not None


async def either_blocked(connection: AsyncConnection, a: int, b: int) -> bool:
    found = await connection.scalar(
        select(blocks.c.blocker_id).where(
            or_(
                and_(blocks.c.blocker_id == a, blocks.c.blocked_id == b),
                and_(blocks.c.blocker_id == b, blocks.c.blocked_id == a),
            )
        )
    )
    return found is not None


async def blocked_by(connection: AsyncConnection, blocker: int) -> set[int]:
    rows = await connection.execute(select(blocks.c.blocked_id).where(blocks.c.blocker_id == blocker))
    return {int(r.blocked_id) for r in rows}
