"""The retention job deletes old messages and frees expired guests' pseudonyms (in-process, real SQLite)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import select, update

from papote.app import prepare_services
from papote.domain import people, retention, rooms
from papote.domain.messages import send_to_room
from papote.domain.model import now_ms
from papote.settings import Settings
from papote.storage.tables import messages


async def test_purge_removes_expired_messages_and_guests(tmp_path: Path) -> None:
    services = await prepare_services(Settings(data_dir=tmp_path, retention_days=30, new_arrival_seconds=0))
    services.log.start()
    try:
        entry = await people.enter(services, "Vieux_Message", dt.date(1990, 1, 1), accept_rules=True)
        await rooms.join(services, entry.person, "accueil")
        old = (await send_to_room(services, entry.person, "accueil", "all", "old1", "ancien")).message
        recent = (await send_to_room(services, entry.person, "accueil", "all", "new1", "récent")).message
        async with services.transaction() as connection:
            forty_days_ago = now_ms() - 40 * 86_400_000
            await connection.execute(
                update(messages).where(messages.c.id == old.id).values(created_ms=forty_days_ago)
            )
        report = await retention.purge(services)
        assert report.messages_deleted == 1
        async with services.transaction() as connection:
            left = {row.id for row in await connection.execute(select(messages.c.id))}
        assert left == {recent.id}
        thirteen_hours_later = now_ms() + 13 * 3_600_000  # guest sessions last 12 hours
        later = await retention.purge(services, at_ms=thirteen_hours_later)
        assert later.guests_expired == 1
        again = await people.enter(services, "Vieux_Message", dt.date(1991, 1, 1), accept_rules=True)
        assert again.person.id != entry.person.id
        assert "accueil" not in await rooms.my_rooms(services, entry.person)
    finally:
        await services.log.close()
        await services.engine.dispose()
