"""Uploaded photos and the hash banks of known images."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from papote.storage.tables import bank_hashes, hash_banks, images, messages


async def insert_image(connection: AsyncConnection, **fields: Any) -> int:
    result = await connection.execute(insert(images).values(**fields).returning(images.c.id))
    return int(result.scalar_one())


async def get_image(connection: AsyncConnection, image_id: int) -> dict[str, Any] | None:
    row = (await connection.execute(select(images).where(images.c.id == image_id))).first()
    return dict(row._mapping) if row else None


async def set_status(connection: AsyncConnection, image_id: int, status: str) -> None:
    await connection.execute(update(images).where(images.c.id == image_id).values(status=status))


async def message_with_image(connection: AsyncConnection, message_id: int) -> dict[str, Any] | None:
    """The message (channel, sender, visibility) and the image it carries, or None."""
    query = (
        select(
            messages.c.id.label("message_id"),
            messages.c.channel,
            messages.c.sender_id,
            messages.c.hidden,
            messages.c.flags,
            images,
        )
        .select_from(messages.join(images, images.c.id == messages.c.image_id))
        .where(messages.c.id == message_id)
    )
    row = (await connection.execute(query)).first()
    return dict(row._mapping) if row else None


async def images_sent(connection: AsyncConnection, sender_id: int, channel: str) -> int:
    """How many photos this person has already sent in this channel (the first one arrives blurred)."""
    query = select(func.count()).where(
        messages.c.channel == channel, messages.c.sender_id == sender_id, messages.c.image_id.is_not(None)
    )
    return int(await connection.scalar(query) or 0)


async def images_of_message_ids(connection: AsyncConnection, ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    if not ids:
        return {}
    query = select(images.c.id, images.c.width, images.c.height, images.c.status).where(images.c.id.in_(ids))
    return {row.id: dict(row._mapping) for row in await connection.execute(query)}


# --- hash banks ------------------------------------------------------------------------------------


async def ensure_bank(connection: AsyncConnection, name: str, category: str, distance: int, now: int) -> None:
    """Create the bank, or check that an existing one has the same category (its distance is updated)."""
    found = (await connection.execute(select(hash_banks).where(hash_banks.c.name == name))).first()
    if found is None:
        await connection.execute(
            insert(hash_banks).values(name=name, category=category, distance=distance, created_ms=now)
        )
    elif found.category != category:
        raise ValueError(f"bank {name} already exists with category {found.category}")
    elif found.distance != distance:
        await connection.execute(
            update(hash_banks).where(hash_banks.c.name == name).values(distance=distance)
        )


async def add_hashes(connection: AsyncConnection, bank: str, rows: Sequence[dict[str, Any]], now: int) -> int:
    """Add hash rows (`pdq`, `sha256`, `label`, `source`); returns how many were added."""
    if not rows:
        return 0
    await connection.execute(
        insert(bank_hashes),
        [
            {
                "bank": bank,
                "pdq": r.get("pdq"),
                "sha256": r.get("sha256"),
                "label": r.get("label") or "",
                "source": r.get("source") or "",
                "created_ms": now,
            }
            for r in rows
        ],
    )
    return len(rows)


async def banks(connection: AsyncConnection) -> list[dict[str, Any]]:
    """Every bank with its number of hashes."""
    counts = select(bank_hashes.c.bank, func.count().label("hashes")).group_by(bank_hashes.c.bank).subquery()
    query = (
        select(hash_banks, func.coalesce(counts.c.hashes, 0).label("hashes"))
        .select_from(hash_banks.outerjoin(counts, counts.c.bank == hash_banks.c.name))
        .order_by(hash_banks.c.name)
    )
    return [dict(row._mapping) for row in await connection.execute(query)]


async def hashes_after(
    connection: AsyncConnection, last_id: int, limit: int = 50_000
) -> list[dict[str, Any]]:
    query = (
        select(bank_hashes.c.id, bank_hashes.c.bank, bank_hashes.c.pdq, bank_hashes.c.sha256)
        .where(bank_hashes.c.id > last_id)
        .order_by(bank_hashes.c.id)
        .limit(limit)
    )
    return [dict(row._mapping) for row in await connection.execute(query)]


async def purge_unused_before(connection: AsyncConnection, cutoff_ms: int) -> list[dict[str, Any]]:
    """Delete photos older than the cutoff that no message carries any more (their messages were purged,
    or they were never sent). Removed and quarantined photos are evidence: kept. Returns the rows deleted."""
    carried = select(messages.c.image_id).where(messages.c.image_id.is_not(None))
    query = select(images.c.id, images.c.sha256, images.c.thumbnail_sha256, images.c.preview_sha256).where(
        images.c.status == "ready", images.c.created_ms < cutoff_ms, images.c.id.not_in(carried)
    )
    rows = [dict(row._mapping) for row in await connection.execute(query)]
    if rows:
        await connection.execute(delete(images).where(images.c.id.in_([row["id"] for row in rows])))
    return rows


async def files_in_use(connection: AsyncConnection, digests: Sequence[str]) -> set[str]:
    """Which of these file digests some remaining photo still uses (files are shared by content)."""
    if not digests:
        return set()
    used: set[str] = set()
    for column in (images.c.sha256, images.c.thumbnail_sha256, images.c.preview_sha256):
        used |= set((await connection.execute(select(column).where(column.in_(digests)))).scalars())
    return used


async def hide_message(connection: AsyncConnection, message_id: int) -> None:
    """A removed message stays as evidence but is shown to nobody."""
    await connection.execute(
        update(messages).where(messages.c.id == message_id).values(hidden=True, flags="removed")
    )
