"""Sending to a room, and catching up after a reconnect."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Awaitable
from dataclasses import dataclass, replace
from typing import Any

from papote.bus.base import Event
from papote.domain import verdicts
from papote.domain.errors import PapoteRefusal
from papote.domain.events import encode, history_item, room_message_event
from papote.domain.images import Attachment, image_policy, room_image_context, stricter
from papote.domain.model import Conversation, Person, StoredMessage, room_channel
from papote.domain.room_rules import RoomTools
from papote.domain.safety_gate import Screening, seconds_here
from papote.domain.services import Services
from papote.domain.verdicts import minor_involved
from papote.safety.base import Action, Reason
from papote.storage import conversations as conversation_store
from papote.storage import history as history_store
from papote.storage import rooms as room_store
from papote.storage.message_log import NewMessage

CLIENT_ID_PATTERN = re.compile(r"^[A-Za-z0-9_\-]{1,64}$")
# Bidirectional overrides let a message spoof how other text reads; other controls have no place in chat.
_STRIPPED = dict.fromkeys(
    [c for c in range(32) if c not in (9, 10)] + [0x7F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)]
)
REPLAY_LIMIT = 1000
STAFF_ROLES = ("moderator", "admin")
DEFAULT_HOLD_SECONDS = 600  # "hold new arrivals" when new arrivals' limits are off (new_arrival_seconds 0)
ARRIVAL_HOLD = Reason(
    "room_tools",
    "Ce salon relit les messages des nouveaux venus : le vôtre sera visible après relecture par "
    "la modération.",
    "This room reviews newcomers' messages: yours will be visible once a moderator has read it.",
)


def check_text(text: object, max_chars: int, with_image: bool = False) -> tuple[str, str]:
    """Return (kind, text): "/me waves" is an action, a photo's caption may be empty.
    Refuse empty and over-long messages."""
    if with_image and text is None:
        text = ""
    if not isinstance(text, str):
        raise PapoteRefusal("bad_request")
    cleaned = unicodedata.normalize("NFC", text).translate(_STRIPPED).strip()
    kind = "text"
    if with_image:
        kind = "image"
    elif cleaned.lower().startswith("/me "):
        kind, cleaned = "action", cleaned[4:].strip()
    if not cleaned and not with_image:
        raise PapoteRefusal("message_empty")
    if len(cleaned) > max_chars:
        raise PapoteRefusal("message_too_long", details={"max": max_chars, "length": len(cleaned)})
    return kind, cleaned


def check_client_id(client_id: object) -> str:
    if not isinstance(client_id, str) or not CLIENT_ID_PATTERN.match(client_id):
        raise PapoteRefusal("message_id_invalid")
    return client_id


@dataclass(frozen=True)
class Sent:
    """A stored message, and what the sender is told when the safety pipeline did more than let it through."""

    message: StoredMessage
    notice: dict[str, Any] | None = None


def send_to_room(
    services: Services,
    sender: Person,
    room_id: str,
    audience: str | None,
    client_id: object,
    text: object,
    slow_mode_seconds: int = 0,
    photo: Attachment | None = None,
) -> Awaitable[Sent]:
    """Check and queue a room message (the caller checked membership); await it to learn the outcome.

    Everything up to the queue is synchronous on purpose: messages keep their arrival order.
    """
    kind, cleaned = check_text(text, services.settings.max_message_chars, with_image=photo is not None)
    client_id = check_client_id(client_id)
    channel = room_channel(room_id)
    tools = services.room_rules.tools(room_id)
    check_room_tools(sender, tools)
    gate = services.gate
    gate.check_may_send(
        sender, cleaned or f"[image {client_id}]", room=room_id, slow_mode_seconds=slow_mode_seconds
    )
    context = gate.room_context(sender, audience, channel)
    screening = gate.screen(cleaned, context) if cleaned else gate.nothing_to_screen()
    if photo is not None:
        screening = stricter(screening, photo.screening(image_policy(services), room_image_context(context)))
    if not screening.blocked and holds_new_arrival(services, sender, tools):
        screening = held_for_review(screening)
    minor = minor_involved(sender, audience=audience)
    if screening.blocked:
        return _refused(
            verdicts.refuse_blocked(
                services,
                sender,
                channel=channel,
                client_id=client_id,
                text=cleaned,
                screening=screening,
                minor=minor,
            )
        )
    message = screened_message(services, channel, sender, client_id, kind, cleaned, screening, photo)

    def events_for(stored: StoredMessage) -> list[Event]:
        return [] if screening.hidden else [room_message_event(stored, sender, room_id, screening.extra)]

    pending = services.log.enqueue(message, events_for)
    return finish(services, sender, pending, screening, channel, client_id, cleaned, minor)


def is_room_staff(person: Person, tools: RoomTools) -> bool:
    return person.role in STAFF_ROLES or person.id in tools.moderator_ids


def check_room_tools(sender: Person, tools: RoomTools) -> None:
    """A locked room: only its moderators write; registered only: guests may not write."""
    if is_room_staff(sender, tools):
        return
    if tools.locked:
        raise PapoteRefusal("room_locked")
    if tools.registered_only and not sender.registered:
        raise PapoteRefusal("room_registered_only")


def holds_new_arrival(services: Services, sender: Person, tools: RoomTools) -> bool:
    if not tools.hold_new_arrivals or is_room_staff(sender, tools):
        return False
    threshold = services.settings.new_arrival_seconds or DEFAULT_HOLD_SECONDS
    return seconds_here(sender) < threshold


def held_for_review(screening: Screening) -> Screening:
    """Stored hidden, flagged "held", with a case, as a `hold` verdict of the pipeline would be."""
    if screening.hidden:
        return screening
    verdict = screening.verdict
    priority = 3 if verdict.case_priority is None else min(verdict.case_priority, 3)
    held = replace(
        verdict, action=Action.HOLD, reasons=(ARRIVAL_HOLD, *verdict.reasons), case_priority=priority
    )
    return Screening(held, hidden=True, flags="held")


def screened_message(
    services: Services,
    channel: str,
    sender: Person,
    client_id: str,
    kind: str,
    text: str,
    screening: Screening,
    photo: Attachment | None = None,
) -> NewMessage:
    """The message as it will be stored, with what the safety pipeline said; remembered as context."""
    if text:
        services.gate.remember(channel, sender.id, text)
    labels = ",".join(screening.verdict.labels)
    image_id = photo.image_id if photo is not None else None
    return NewMessage(
        channel, sender.id, client_id, kind, text, screening.hidden, screening.flags, labels, image_id
    )


async def _refused(refusing: Awaitable[None]) -> Sent:
    await refusing  # records the evidence, then raises the refusal
    raise AssertionError("a blocked message is never stored")


async def finish(
    services: Services,
    sender: Person,
    pending: Awaitable[StoredMessage],
    screening: Screening,
    channel: str,
    client_id: str,
    text: str,
    minor: bool,
) -> Sent:
    stored = await pending
    if screening.needs_record and not stored.duplicate:
        await verdicts.carry_out(
            services,
            sender,
            channel=channel,
            client_id=client_id,
            text=text,
            screening=screening,
            message_id=stored.id,
            minor=minor,
        )
    return Sent(stored, screening.notice())


async def replay(services: Services, person: Person, positions: dict[str, int]) -> list[tuple[str, int, str]]:
    """Frames of every message after each position the person may still read: (channel, seq, frame)."""
    frames: list[tuple[str, int, str]] = []
    async with services.transaction() as connection:
        hidden = await conversation_store.blocked_by(connection, person.id)
        for channel, after in positions.items():
            render = await _renderer(connection, person, channel)
            if render is None:
                continue
            rows = await history_store.read(
                connection,
                channel,
                after_seq=after,
                limit=REPLAY_LIMIT,
                hide_senders=hidden,
                viewer_id=person.id,
            )
            frames.extend((channel, row["seq"], encode(render(row))) for row in rows)
    return frames


async def _renderer(connection: Any, person: Person, channel: str) -> Any:
    kind, _, key = channel.partition(":")
    if kind == "r" and await room_store.is_member(connection, key, person.id):
        return lambda row: {"type": "message", **history_item(row, key)}
    if kind == "d" and key.isdigit():
        conversation = await conversation_store.get_conversation(connection, int(key))
        if conversation is None or not may_read(conversation, person.id):
            return None
        names = await conversation_store.pseudos(
            connection, [conversation.person_low, conversation.person_high]
        )

        def render(row: dict[str, Any]) -> dict[str, Any]:
            recipient = conversation.other(row["sender_id"])
            item = history_item(row)
            return {
                "type": "private_message",
                "conversation": conversation.id,
                "recipient": names[recipient]["pseudo"],
                **item,
            }

        return render
    return None


async def may_see_message(connection: Any, viewer: Person, row: dict[str, Any]) -> bool:
    """Whether `viewer` may see this stored message (what fetching its photo requires)."""
    if row["hidden"] and row["sender_id"] != viewer.id:
        return False
    if row["sender_id"] in await conversation_store.blocked_by(connection, viewer.id):
        return False
    kind, _, key = str(row["channel"]).partition(":")
    if kind == "r":
        return bool(await room_store.is_member(connection, key, viewer.id))
    if kind == "d" and key.isdigit():
        conversation = await conversation_store.get_conversation(connection, int(key))
        return conversation is not None and may_read(conversation, viewer.id)
    return False


def may_read(conversation: Conversation, person_id: int) -> bool:
    """Both sides read an accepted (or blocked) conversation; a pending request only its author."""
    if person_id not in (conversation.person_low, conversation.person_high):
        return False
    return conversation.status in ("accepted", "blocked", "frozen") or conversation.requested_by == person_id
