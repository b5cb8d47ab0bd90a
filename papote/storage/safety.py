"""Evidence of what the safety pipeline stopped or flagged, moderation cases, restrictions."""

from __future__ import annotations

from typing import Any

import orjson
from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from papote.storage.tables import cases, people, safety_events


async def record_event(
    connection: AsyncConnection,
    *,
    person_id: int,
    channel: str,
    client_id: str,
    message_id: int | None,
    action: str,
    labels: str,
    detail: dict[str, Any],
    text: str,
    now_ms: int,
) -> int:
    """Store once per (person, client id): a resend of a blocked message is not recorded twice."""
    existing = await connection.scalar(
        select(safety_events.c.id).where(
            safety_events.c.person_id == person_id, safety_events.c.client_id == client_id
        )
    )
    if existing is not None:
        return int(existing)
    result = await connection.execute(
        insert(safety_events)
        .values(
            person_id=person_id,
            channel=channel,
            client_id=client_id,
            message_id=message_id,
            action=action,
            labels=labels,
            detail=orjson.dumps(detail).decode(),
            text=text,
            created_ms=now_ms,
        )
        .returning(safety_events.c.id)
    )
    return int(result.scalar_one())


async def open_case(
    connection: AsyncConnection,
    *,
    priority: int,
    category: str,
    subject_id: int | None,
    minor_involved: bool,
    channel: str | None,
    safety_event_id: int | None,
    summary: str,
    now_ms: int,
    source: str = "automated",
) -> int:
    result = await connection.execute(
        insert(cases)
        .values(
            status="open",
            priority=priority,
            category=category,
            source=source,
            subject_id=subject_id,
            minor_involved=minor_involved,
            channel=channel,
            safety_event_id=safety_event_id,
            summary=summary,
            created_ms=now_ms,
        )
        .returning(cases.c.id)
    )
    return int(result.scalar_one())


async def open_cases(connection: AsyncConnection) -> list[dict[str, Any]]:
    rows = await connection.execute(
        select(cases).where(cases.c.status == "open").order_by(cases.c.priority, cases.c.created_ms)
    )
    return [dict(r._mapping) for r in rows]


async def restrict(connection: AsyncConnection, person_id: int, **values: Any) -> None:
    """Set muted_until_ms, suspended_until_ms or private_restricted on a person."""
    await connection.execute(update(people).where(people.c.id == person_id).values(**values))


async def restrictions(connection: AsyncConnection, person_id: int) -> dict[str, Any]:
    row = (
        await connection.execute(
            select(people.c.muted_until_ms, people.c.suspended_until_ms, people.c.private_restricted).where(
                people.c.id == person_id
            )
        )
    ).first()
    return dict(row._mapping) if row else {}
