"""Rooms: the default public rooms, joining and leaving, private invite-only rooms."""

from __future__ import annotations

import re
import secrets
import unicodedata
from typing import Any

from papote.domain.errors import PapoteRefusal
from papote.domain.events import history_item, notice
from papote.domain.model import AUDIENCES, Person, Room, audience_refusal, now_ms, person_topic
from papote.domain.pseudonyms import pseudonym_key
from papote.domain.room_rules import RoomTools
from papote.domain.services import Services
from papote.moderation import audit
from papote.storage import history as history_store
from papote.storage import moderation as moderation_store
from papote.storage import people as people_store
from papote.storage import rooms as store
from papote.storage.conversations import blocked_by

DEFAULT_ROOMS: tuple[tuple[str, str, str, str], ...] = (
    ("accueil", "Accueil", "all", "Pour faire connaissance, tous âges : règles les plus strictes."),
    ("ados-13-17", "Ados 13-17", "minors", "Réservé aux 13-17 ans. Aucun adulte ne peut entrer."),
    ("18-25", "18-25", "adults", "Les 18-25 ans."),
    ("25-40", "25-40", "adults", "Les 25-40 ans."),
    ("40-plus", "40+", "adults", "Les plus de 40 ans."),
    ("lgbt", "LGBT+", "adults", "Salon LGBT+ bienveillant, réservé aux adultes."),
    ("jeux-video", "Jeux vidéo", "all", "Parlons jeux, tous âges."),
    ("musique", "Musique", "all", "Ce que vous écoutez en ce moment, tous âges."),
    ("ile-de-france", "Île-de-France", "adults", "Paris et sa région, entre adultes."),
    ("auvergne-rhone-alpes", "Auvergne-Rhône-Alpes", "adults", "Lyon, Grenoble et alentours, entre adultes."),
    ("sud", "Sud", "adults", "Marseille, Toulouse, Nice, Montpellier… entre adultes."),
)


async def ensure_default_rooms(services: Services) -> int:
    """Create the default rooms on first start. Returns how many were created."""
    async with services.transaction() as connection:
        if await store.room_count(connection):
            return 0
        now = now_ms()
        for position, (room_id, name, audience, topic) in enumerate(DEFAULT_ROOMS):
            room = Room(room_id, name, topic, audience, "public")  # type: ignore[arg-type]
            await store.insert_room(connection, room, position, now)
    return len(DEFAULT_ROOMS)


async def create_room(
    services: Services,
    name: str,
    audience: str,
    topic: str = "",
    kind: str = "public",
    owner: Person | None = None,
    room_id: str | None = None,
) -> Room:
    name = name.strip()
    if not 3 <= len(name) <= 40:
        raise PapoteRefusal("room_name_invalid")
    if audience not in AUDIENCES:
        raise PapoteRefusal("audience_invalid")
    if owner is not None and (code := audience_refusal(audience, owner.age_band)):
        raise PapoteRefusal(code)
    room_id = room_id or _slug(name, private=kind == "private")
    room = Room(room_id, name, topic.strip()[:200], audience, kind, owner.id if owner else None)  # type: ignore[arg-type]
    async with services.transaction() as connection:
        await store.insert_room(connection, room, 100, now_ms())
        if owner is not None:
            await store.add_member(connection, room.id, owner.id, now_ms())
    if owner is not None:
        await services.bus.publish([_joined_control(owner, room)])
    return room


def _slug(name: str, private: bool) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    base = re.sub(r"[^a-z0-9]+", "-", ascii_name).strip("-")[:28] or "salon"
    return f"p-{base}-{secrets.token_hex(3)}" if private else base


async def list_rooms(services: Services, person: Person) -> list[dict[str, Any]]:
    async with services.transaction() as connection:
        found = await store.visible_rooms(connection, person.id)
    for room in found:
        refusal = audience_refusal(room["audience"], person.age_band)
        room["allowed"] = refusal is None
        room["mine"] = room.pop("owner_id", None) == person.id
    return found


async def access_room(
    services: Services, person: Person, room_id: str, *, must_be_member: bool = False
) -> Room:
    """The room, if this person may be in it; otherwise a refusal with the reason."""
    async with services.transaction() as connection:
        room = await store.get_room(connection, room_id)
        if room is None:
            raise PapoteRefusal("room_not_found")
        if code := audience_refusal(room.audience, person.age_band):
            raise PapoteRefusal(code)
        member = await store.is_member(connection, room_id, person.id)
        if room.kind == "private" and not member:
            status = await store.invitation_status(connection, room_id, person.id)
            if status != "pending" or must_be_member:
                raise PapoteRefusal("not_invited")
        if must_be_member and not member:
            raise PapoteRefusal("not_room_member")
    return room


async def join(services: Services, person: Person, room_id: str) -> dict[str, Any]:
    room = await access_room(services, person, room_id)
    now = now_ms()
    async with services.transaction() as connection:
        if until := await moderation_store.room_banned_until(connection, room.id, person.id, now):
            raise PapoteRefusal("room_banned", details={"until": until})
        if room.kind == "private":
            await store.set_invitation_status(connection, room.id, person.id, "accepted")
        is_new = await store.add_member(connection, room.id, person.id, now)
        hidden = await blocked_by(connection, person.id)
        rows = await history_store.read(
            connection,
            room.channel,
            limit=services.settings.history_on_join,
            hide_senders=hidden,
            viewer_id=person.id,
        )
        members = await store.members(connection, room.id)
        last_seq = await history_store.last_seq(connection, room.channel)
        tools = await moderation_store.room_tools(connection, room.id)
    if tools is not None:  # before any message of this connection: a locked room is locked at once
        services.room_rules.put(room.id, room.audience, room.slow_mode_seconds, tools_from(tools))
    events = [_joined_control(person, room)]
    if is_new:
        events.append(notice(room.topic_key, {"type": "join", "room": room.id, "member": person.public()}))
    await services.bus.publish(events)
    return {
        "room": room.public(),
        "members": [_public_member(m) for m in members],
        "history": [history_item(r, room.id) for r in rows],
        "last_seq": last_seq,
    }


def _public_member(member: dict[str, Any]) -> dict[str, Any]:
    return {k: member[k] for k in ("pseudo", "age_band", "gender", "role")}


def _joined_control(person: Person, room: Room) -> Any:
    return notice(
        person_topic(person.id), {"type": "joined", "room": room.public()}, subscribe=room.topic_key
    )


async def leave(services: Services, person: Person, room_id: str) -> None:
    async with services.transaction() as connection:
        room = await store.get_room(connection, room_id)
        if room is None:
            raise PapoteRefusal("room_not_found")
        removed = await store.remove_member(connection, room_id, person.id)
    await _publish_leave(services, person, room, removed)


async def _publish_leave(services: Services, person: Person, room: Room, removed: bool) -> None:
    events = [notice(person_topic(person.id), {"type": "left", "room": room.id}, unsubscribe=room.topic_key)]
    if removed:
        events.append(notice(room.topic_key, {"type": "leave", "room": room.id, "pseudo": person.pseudo}))
    await services.bus.publish(events)


def removal_events(person_id: int, pseudo: str, room_id: str, reason: str) -> list[Any]:
    """A moderator took the person out of a room: every node unsubscribes their connections, the room
    sees them leave. `reason` tells the client why (kick, room_ban, correct_age_band)."""
    topic = f"room:{room_id}"
    frame = {"type": "left", "room": room_id, "reason": reason}
    return [
        notice(person_topic(person_id), frame, unsubscribe=topic),
        notice(topic, {"type": "leave", "room": room_id, "pseudo": pseudo}),
    ]


async def leave_all(services: Services, person: Person) -> None:
    async with services.transaction() as connection:
        room_ids = await store.rooms_of(connection, person.id)
    for room_id in room_ids:
        await leave(services, person, room_id)


async def members(services: Services, person: Person, room_id: str) -> list[dict[str, Any]]:
    room = await access_room(services, person, room_id)
    async with services.transaction() as connection:
        return [_public_member(m) for m in await store.members(connection, room.id)]


async def history(
    services: Services,
    person: Person,
    room_id: str,
    after_seq: int | None,
    before_seq: int | None,
    limit: int,
) -> list[dict[str, Any]]:
    room = await access_room(services, person, room_id, must_be_member=False)
    async with services.transaction() as connection:
        if room.kind == "private" and not await store.is_member(connection, room.id, person.id):
            raise PapoteRefusal("not_room_member")
        hidden = await blocked_by(connection, person.id)
        rows = await history_store.read(
            connection,
            room.channel,
            after_seq=after_seq,
            before_seq=before_seq,
            viewer_id=person.id,
            limit=limit,
            hide_senders=hidden,
        )
    return [history_item(r, room.id) for r in rows]


async def mark_read(services: Services, person: Person, room_id: str, seq: int) -> None:
    async with services.transaction() as connection:
        await store.mark_read(connection, room_id, person.id, seq)


async def invite(services: Services, owner: Person, room_id: str, pseudo: str) -> None:
    async with services.transaction() as connection:
        room = await store.get_room(connection, room_id)
        if room is None or room.kind != "private":
            raise PapoteRefusal("room_not_found")
        if room.owner_id != owner.id:
            raise PapoteRefusal("not_room_owner")
        guest = await people_store.find_online_by_pseudo(connection, pseudonym_key(pseudo), now_ms())
        if guest is None:
            raise PapoteRefusal("person_not_found")
        if code := audience_refusal(room.audience, guest.age_band):
            raise PapoteRefusal(code)
        await store.upsert_invitation(connection, room.id, guest.id, owner.id, now_ms())
    frame = {"type": "invitation", "room": room.public(), "from": owner.pseudo}
    await services.bus.publish([notice(person_topic(guest.id), frame)])


async def decline_invitation(services: Services, person: Person, room_id: str) -> None:
    async with services.transaction() as connection:
        if await store.invitation_status(connection, room_id, person.id) != "pending":
            raise PapoteRefusal("invitation_not_found")
        await store.set_invitation_status(connection, room_id, person.id, "declined")


async def pending_invitations(services: Services, person: Person) -> list[dict[str, Any]]:
    async with services.transaction() as connection:
        return await store.pending_invitations(connection, person.id)


async def my_rooms(services: Services, person: Person) -> list[str]:
    async with services.transaction() as connection:
        return await store.rooms_of(connection, person.id)


def tools_from(row: dict[str, Any]) -> RoomTools:
    return RoomTools(
        registered_only=bool(row["registered_only"]),
        hold_new_arrivals=bool(row["hold_new_arrivals"]),
        locked=bool(row["locked"]),
        moderator_ids=frozenset(row["moderator_ids"]),
    )


async def refresh_rules(services: Services, room_ids: list[str]) -> None:
    """Re-read the audience, slow mode and tools of these rooms into the node's cache (`RoomRules`)."""
    try:
        async with services.transaction() as connection:
            found = [
                (
                    await store.get_room(connection, room_id),
                    await moderation_store.room_tools(connection, room_id),
                )
                for room_id in room_ids
            ]
    finally:
        for room_id in room_ids:
            services.room_rules.release(room_id)
    for room, tools in found:
        if room is not None:
            services.room_rules.put(
                room.id, room.audience, room.slow_mode_seconds, tools_from(tools) if tools else None
            )


async def set_slow_mode(services: Services, room_id: str, seconds: int) -> None:
    if seconds < 0:
        raise PapoteRefusal("bad_request", details={"field": "seconds"})
    async with services.transaction() as connection:
        if not await store.set_slow_mode(connection, room_id, seconds):
            raise PapoteRefusal("room_not_found")
        await audit.record(
            connection,
            actor_kind="operator",
            actor_id=None,
            action="room.slow_mode",
            subject_kind="room",
            subject_id=room_id,
            details={"seconds": seconds},
        )
    await refresh_rules(services, [room_id])
