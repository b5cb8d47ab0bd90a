"""Reading a channel's log back, and the retention purge."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import ColumnElement, and_, delete, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection

from papote.storage.tables import channels, messages, people

_COLUMNS = (
    messages.c.id,
    messages.c.channel,
    messages.c.seq,
    messages.c.sender_id,
    messages.c.kind,
    messages.c.text,
    messages.c.created_ms,
    messages.c.flags,
    messages.c.image_id,
    people.c.pseudo,
    people.c.age_band,
)


async def read(
    connection: AsyncConnection,
    channel: str,
    *,
    after_seq: int | None = None,
    before_seq: int | None = None,
    limit: int = 50,
    hide_senders: Collection[int] = (),
    include_hidden: bool = False,
    viewer_id: int | None = None,
) -> list[dict[str, Any]]:
    """Messages in ascending seq.

    With `after_seq`: the oldest ones after it. Otherwise: the newest ones before `before_seq`.
    """
    query = (
        select(*_COLUMNS)
        .select_from(messages.join(people, people.c.id == messages.c.sender_id))
        .where(messages.c.channel == channel)
    )
    if not include_hidden:  # held or removed messages are for moderators only, and their own author
        visible: ColumnElement[bool] = messages.c.hidden.is_(False)
        if viewer_id is not None:
            own_held = and_(messages.c.sender_id == viewer_id, messages.c.flags == "held")
            visible = or_(visible, own_held)
        query = query.where(visible)
    if hide_senders:
        query = query.where(messages.c.sender_id.not_in(list(hide_senders)))
    if after_seq is not None:
        query = query.where(messages.c.seq > after_seq).order_by(messages.c.seq).limit(limit)
        rows = list(await connection.execute(query))
    else:
        if before_seq is not None:
            query = query.where(messages.c.seq < before_seq)
        rows = list(await connection.execute(query.order_by(messages.c.seq.desc()).limit(limit)))
        rows.reverse()
    return [dict(r._mapping) for r in rows]


async def purge_before(connection: AsyncConnection, cutoff_ms: int) -> int:
    result = await connection.execute(delete(messages).where(messages.c.created_ms < cutoff_ms))
    return int(result.rowcount or 0)


async def last_seq(connection: AsyncConnection, channel: str) -> int:
    return int(await connection.scalar(select(channels.c.last_seq).where(channels.c.id == channel)) or 0)
