"""Connection records (the legal one-year log) and their keyed hashes."""

from __future__ import annotations

from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from papote.storage.tables import connection_hashes, connection_records, people


async def record(
    connection: AsyncConnection,
    *,
    person_id: int,
    kind: str,
    ip: str,
    port: int,
    ip_hash: str,
    device_hash: str | None,
    at_ms: int,
) -> None:
    await connection.execute(
        insert(connection_records).values(person_id=person_id, kind=kind, ip=ip, port=port, at_ms=at_ms)
    )
    await connection.execute(
        insert(connection_hashes).values(
            person_id=person_id, ip_hash=ip_hash, device_hash=device_hash, at_ms=at_ms
        )
    )


async def purge_before(connection: AsyncConnection, cutoff_ms: int) -> int:
    """Connection records and their hashes older than the legal period go."""
    result = await connection.execute(
        delete(connection_records).where(connection_records.c.at_ms < cutoff_ms)
    )
    await connection.execute(delete(connection_hashes).where(connection_hashes.c.at_ms < cutoff_ms))
    return int(result.rowcount or 0)


async def suspended_on_device(connection: AsyncConnection, device_hash: str, now_ms: int) -> bool:
    """Whether someone suspended (or banned) right now has used this device."""
    query = (
        select(people.c.id)
        .select_from(connection_hashes.join(people, people.c.id == connection_hashes.c.person_id))
        .where(connection_hashes.c.device_hash == device_hash, people.c.suspended_until_ms > now_ms)
        .limit(1)
    )
    return await connection.scalar(query) is not None
