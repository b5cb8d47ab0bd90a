"""Who may moderate what: roles come from `accounts.role`, room moderators' rooms from `room_moderators`."""

from __future__ import annotations

from dataclasses import dataclass

from papote.domain.errors import PapoteRefusal
from papote.domain.model import Person, room_channel
from papote.domain.pseudonyms import pseudonym_key
from papote.domain.services import Services
from papote.moderation import audit
from papote.storage import moderation as store
from papote.storage import people as people_store
from papote.storage import rooms as room_store

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


async def administrator(services: Services, person: Person) -> Person:
    """The person, if an administrator right now (roles are read afresh); `forbidden` otherwise."""
    if await current_role(services, person) != "admin":
        raise PapoteRefusal("forbidden")
    return person


async def set_role(
    services: Services,
    pseudo: str,
    role: str,
    room: str | None = None,
    *,
    actor_kind: str = "operator",
    actor_id: int | None = None,
) -> str:
    """An operator (CLI) or an administrator (console) gives an existing account a role; returns the
    previous role.

    A room moderator gets `room` added to their rooms; any other role drops their rooms."""
    if role not in ROLES:
        raise PapoteRefusal("bad_request", details={"field": "role", "allowed": list(ROLES)})
    if (role == "room_moderator") != (room is not None):
        raise PapoteRefusal("bad_request", details={"field": "room"})
    async with services.transaction() as connection:
        found = await store.account_of_pseudo(connection, pseudonym_key(pseudo))
        if found is None:
            raise PapoteRefusal("person_not_found")
        account_id, person_id, previous = found
        await people_store.set_role(connection, account_id, role)
        if room is None:
            await store.clear_room_moderator(connection, person_id)
        elif await room_store.get_room(connection, room) is None:
            raise PapoteRefusal("room_not_found")
        elif room not in await store.moderated_rooms(connection, person_id):
            await store.add_room_moderator(connection, room, person_id)
        await audit.record(
            connection,
            actor_kind=actor_kind,
            actor_id=actor_id,
            action="account.role",
            subject_kind="person",
            subject_id=person_id,
            details={"previous": previous, "role": role, "room": room},
        )
    return previous
