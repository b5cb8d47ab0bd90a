"""Queries of the audit log. The chaining and the checks live in `papote.moderation.audit`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import func, insert, select, text
from sqlalchemy.ext.asyncio import AsyncConnection

from papote.storage.tables import audit_log

# One fixed key for PostgreSQL's advisory lock that serialises appends (any constant works; this one
# is the first 8 bytes of sha256("papote.audit_log"), read as a signed integer, so no other lock uses it).
APPEND_LOCK_KEY = -0x417BC2C3AF2CA7D


async def lock_for_append(connection: AsyncConnection) -> None:
    """Hold the append lock until the caller's transaction ends.

    On PostgreSQL a transaction-level advisory lock; on SQLite every transaction already holds the
    database's write lock from its start (`BEGIN IMMEDIATE`, see `papote.storage.database`)."""
    if connection.dialect.name == "postgresql":
        await connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": APPEND_LOCK_KEY})


async def last_entry(connection: AsyncConnection) -> dict[str, Any] | None:
    row = (await connection.execute(select(audit_log).order_by(audit_log.c.id.desc()).limit(1))).first()
    return dict(row._mapping) if row else None


async def insert_entry(connection: AsyncConnection, entry: Mapping[str, Any]) -> None:
    await connection.execute(insert(audit_log).values(**entry))


async def entries_after(connection: AsyncConnection, after_id: int, limit: int) -> list[dict[str, Any]]:
    """Up to `limit` entries with an id above `after_id`, oldest first (to read the whole log in pages)."""
    query = select(audit_log).where(audit_log.c.id > after_id).order_by(audit_log.c.id).limit(limit)
    return [dict(row._mapping) for row in await connection.execute(query)]


async def last_entries(connection: AsyncConnection, count: int) -> list[dict[str, Any]]:
    """The newest `count` entries, oldest first."""
    query = select(audit_log).order_by(audit_log.c.id.desc()).limit(count)
    rows = [dict(row._mapping) for row in await connection.execute(query)]
    return rows[::-1]


async def entries_about(
    connection: AsyncConnection, subject_kind: str, subject_id: str
) -> list[dict[str, Any]]:
    """Every entry about one subject (a case, a person...), oldest first."""
    query = (
        select(audit_log)
        .where(audit_log.c.subject_kind == subject_kind, audit_log.c.subject_id == subject_id)
        .order_by(audit_log.c.id)
    )
    return [dict(row._mapping) for row in await connection.execute(query)]


async def count_entries(connection: AsyncConnection) -> int:
    return int(await connection.scalar(select(func.count()).select_from(audit_log)) or 0)
