"""Event frames, serialised once for every recipient (see docs/protocol.md)."""

from __future__ import annotations

from typing import Any

import orjson

from papote.bus.base import Event
from papote.domain.model import Person, StoredMessage, person_topic


def encode(frame: dict[str, Any]) -> str:
    return orjson.dumps(frame).decode()


def message_fields(message: StoredMessage, sender: Person) -> dict[str, Any]:
    fields = {
        "channel": message.channel,
        "seq": message.seq,
        "id": message.id,
        "client_id": message.client_id,
        "sender": sender.pseudo,
        "sender_band": sender.age_band,
        "kind": message.kind,
        "text": message.text,
        "ts": message.created_ms,
    }
    if message.image_id is not None:
        fields |= image_urls(message.id)
    return fields


def image_urls(message_id: int) -> dict[str, str]:
    """Where a message's photo is fetched; the server checks on each fetch that the viewer may see it."""
    base = f"/api/messages/{message_id}"
    return {
        "image_url": f"{base}/image",
        "thumbnail_url": f"{base}/thumbnail",
        "preview_url": f"{base}/preview",
    }


def room_message_event(
    message: StoredMessage, sender: Person, room_id: str, extra: dict[str, Any] | None = None
) -> Event:
    frame = encode({"type": "message", "room": room_id, **message_fields(message, sender), **(extra or {})})
    return Event(f"room:{room_id}", frame, message.channel, message.seq, sender.id)


def private_message_events(
    message: StoredMessage,
    sender: Person,
    recipient: Person,
    conversation_id: int,
    extra: dict[str, Any] | None = None,
) -> list[Event]:
    frame = encode(
        {
            "type": "private_message",
            "conversation": conversation_id,
            "recipient": recipient.pseudo,
            **message_fields(message, sender),
            **(extra or {}),
        }
    )
    return [
        Event(person_topic(person_id), frame, message.channel, message.seq, sender.id)
        for person_id in (sender.id, recipient.id)
    ]


def history_item(row: dict[str, Any], room_id: str | None = None) -> dict[str, Any]:
    item = {
        "channel": row["channel"],
        "seq": row["seq"],
        "id": row["id"],
        "sender": row["pseudo"],
        "sender_band": row["age_band"],
        "kind": row["kind"],
        "text": row["text"],
        "ts": row["created_ms"],
    }
    if row.get("image_id") is not None:
        item |= image_urls(row["id"])
    flags = row.get("flags", "")
    if "blur" in flags:
        item["blurred"] = True
    if "held" in flags:  # only its author ever reads it back: awaiting moderation
        item["held"] = True
    if room_id is not None:
        item["room"] = room_id
    return item


def notice(topic: str, frame: dict[str, Any], **control: Any) -> Event:
    return Event(topic, encode(frame), **control)
