"""Who may moderate what: roles come from `accounts.role`, room moderators' rooms from `room_moderators`."""

from __future__ import annotations

from dataclasses import dataclass

from papote.domain.errors import PapoteRefusal
from papote.domain.model import Person, room_channel
from papote.domain.services import Services
from papote.storage import moderation as store
from papote.storage import people as people_store

ROLES = ("user", "room_moderator", "moderator", "admin", "trusted_flagger")
GLOBAL_ROLES = ("moderator", "admin")
MODERATOR_ROLES = ("room_moderator", *GLOBAL_ROLES)


@dataclass(frozen=True)
class Moderator:
    """A person allowed to handle cases: everywhere, or only in `rooms` (a room moderator)."""

    person: Person
    rooms: tuple[str, ...] | None  # None: every case

    @property
    def channels(self) -> list[str] | None:
        """The channels whose cases this moderator sees; None: all of them."""
        return None if self.rooms is None else [room_channel(room) for room in self.rooms]

    @property
    def actor_kind(self) -> str:
        """How the audit log names them."""
        return "admin" if self.person.role == "admin" else "moderator"

    def may_handle(self, channel: str | None) -> bool:
        if self.rooms is None:
            return True
        return channel is not None and channel in (self.channels or [])

    def check(self, channel: str | None) -> None:
        if not self.may_handle(channel):
            raise PapoteRefusal("forbidden")


async def moderator(services: Services, person: Person) -> Moderator:
    """The person as a moderator, read afresh (a role may have been taken away); `forbidden` otherwise."""
    async with services.transaction() as connection:
        current = await people_store.get_person(connection, person.id)
        if current is None or current.role not in MODERATOR_ROLES:
            raise PapoteRefusal("forbidden")
        if current.role in GLOBAL_ROLES:
            return Moderator(current, None)
        return Moderator(current, tuple(await store.moderated_rooms(connection, current.id)))


async def current_role(services: Services, person: Person) -> str:
    async with services.transaction() as connection:
        current = await people_store.get_person(connection, person.id)
    return current.role if current is not None else "user"
