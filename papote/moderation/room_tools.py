"""Room tools for emergencies: slow mode, only registered accounts may write, hold new arrivals' messages
for review, lock the room (only moderators write). Enforced when sending (`messages.send_to_room`)."""

from __future__ import annotations

from typing import Any

from papote.domain import rooms
from papote.domain.errors import PapoteRefusal
from papote.domain.model import Person, now_ms, room_channel
from papote.domain.services import Services
from papote.moderation import audit, permissions
from papote.storage import moderation as store

SWITCHES = ("registered_only", "hold_new_arrivals", "locked")
MAX_SLOW_MODE_SECONDS = 3600


async def set_tools(
    services: Services, person: Person, room_id: object, settings: dict[str, Any]
) -> dict[str, Any]:
    """A moderator of the room changes its tools; returns every tool's current value. Audited."""
    moderator = await permissions.moderator(services, person)
    if not isinstance(room_id, str) or not room_id:
        raise PapoteRefusal("bad_request", details={"field": "room"})
    moderator.check(room_channel(room_id))
    values = checked_settings(settings)
    now = now_ms()
    async with services.transaction() as connection:
        if values and not await store.set_room_tools(connection, room_id, **values):
            raise PapoteRefusal("room_not_found")
        current = await store.room_tools(connection, room_id)
        if current is None:
            raise PapoteRefusal("room_not_found")
        await audit.record(
            connection,
            actor_kind=moderator.actor_kind,
            actor_id=moderator.person.id,
            action="room.tools",
            subject_kind="room",
            subject_id=room_id,
            details=values,
            at_ms=now,
        )
    await rooms.refresh_rules(services, [room_id])  # this node at once; others within seconds
    current.pop("moderator_ids")
    return {"room": room_id, **current}


def checked_settings(settings: dict[str, Any]) -> dict[str, Any]:
    """The tools the frame sets (absent ones keep their value); `slow_mode` is renamed to its column."""
    values: dict[str, Any] = {}
    slow = settings.get("slow_mode")
    if slow is not None:
        if not isinstance(slow, int) or isinstance(slow, bool) or not 0 <= slow <= MAX_SLOW_MODE_SECONDS:
            raise PapoteRefusal("bad_request", details={"field": "slow_mode", "max": MAX_SLOW_MODE_SECONDS})
        values["slow_mode_seconds"] = slow
    for name in SWITCHES:
        value = settings.get(name)
        if value is None:
            continue
        if not isinstance(value, bool):
            raise PapoteRefusal("bad_request", details={"field": name})
        values[name] = value
    return values
