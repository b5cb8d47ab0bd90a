"""Reports (DSA art. 16, notice and action): check what is reported, freeze the evidence, open or join a case.

Evidence rows hold their own copy of the reported item and its context (canonical JSON and its SHA-256),
so the retention purge may delete the original messages: the evidence outlives them until the case is
closed and any legal hold lifted.
"""

from __future__ import annotations

import hashlib
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from papote.bus.base import Event
from papote.domain.errors import PapoteRefusal
from papote.domain.events import notice
from papote.domain.model import Conversation, Person, conversation_channel, now_ms, person_topic, room_channel
from papote.domain.pseudonyms import pseudonym_key
from papote.domain.services import Services
from papote.moderation import audit
from papote.moderation.permissions import current_role
from papote.safety.base import LABELS
from papote.storage import conversations as conversation_store
from papote.storage import images as image_store
from papote.storage import moderation as store
from papote.storage import rooms as room_store
from papote.storage import safety as safety_store

KINDS = ("message", "image", "user", "room", "conversation")
CATEGORIES = (*LABELS, "other", "illegal_other")
MAX_TEXT = 2000
CONTEXT_BEFORE = 5  # up to 10 surrounding messages: five before the reported one, five after
CONTEXT_AFTER = 5
CONTEXT_LATEST = 10  # a person, a room or a conversation: its latest messages

# 0 is looked at first. The four labels the issue puts first are 0 or 1.
PRIORITY = {
    "csam_signal": 0,
    "minor_sexual_risk": 0,
    "threat": 1,
    "self_harm": 1,
    "ncii": 2,
    "illegal_other": 2,
    "hate": 2,
    "drug_sale": 2,
    "sexual_solicitation": 2,
    "meetup_risk": 2,
    "contact_offplatform": 3,
    "harassment": 3,
    "scam_spam": 3,
    "other": 3,
}
MINOR_CATEGORIES = ("csam_signal", "minor_sexual_risk")

PUBLIC_REPORTS_PER_WINDOW = 5
PUBLIC_WINDOW_MS = 10 * 60_000


@dataclass
class Target:
    """What a report points at, once checked: the case's subject, channel and the evidence to freeze."""

    kind: str
    key: str  # cases.target_id
    subject_id: int | None
    channel: str | None
    minor: bool
    parts: dict[str, Any]  # evidence part -> content


def canonical(content: Any) -> tuple[str, str]:
    """Canonical JSON of the content and the SHA-256 of its UTF-8 bytes."""
    text = audit.canonical_json(content)
    return text, hashlib.sha256(text.encode("utf-8")).hexdigest()


async def report(
    services: Services,
    reporter: Person | None,
    kind: object,
    target_id: object,
    category: object,
    text: object = None,
    *,
    ip_hash: str | None = None,
) -> int:
    """File a report (`reporter` None: the public page) and return its id."""
    kind, category, note = _checked(kind, category, text)
    role = await _role(services, reporter)
    source = "trusted_flagger" if role == "trusted_flagger" else "report" if reporter else "public"
    now = now_ms()
    async with services.transaction() as connection:
        target = await _target(connection, reporter, kind, target_id)
        minor = (
            target.minor
            or category in MINOR_CATEGORIES
            or (reporter is not None and reporter.age_band == "minor")
        )
        case_id = await _open_or_join(connection, target, category, source, minor, now)
        report_id = await store.insert_report(
            connection,
            case_id=case_id,
            reporter_id=reporter.id if reporter else None,
            source=source,
            kind=kind,
            target_id=target.key,
            category=category,
            text=note,
            ip_hash=ip_hash,
            created_ms=now,
        )
        digests = await _freeze(connection, target, case_id, report_id, now)
        await audit.record(
            connection,
            actor_kind="system",
            actor_id=None,
            action="report.received",
            subject_kind="case",
            subject_id=case_id,
            details={"report": report_id, "source": source, "category": category, "evidence": digests},
            at_ms=now,
        )
    if reporter is not None:
        await services.bus.publish([received_event(reporter.id, report_id)])
    return report_id


def _checked(kind: object, category: object, text: object) -> tuple[str, str, str]:
    if kind not in KINDS:
        raise PapoteRefusal("bad_request", details={"field": "kind", "allowed": list(KINDS)})
    if category not in CATEGORIES:
        raise PapoteRefusal("bad_request", details={"field": "category", "allowed": list(CATEGORIES)})
    if text is not None and (not isinstance(text, str) or len(text) > MAX_TEXT):
        raise PapoteRefusal("bad_request", details={"field": "text", "max_chars": MAX_TEXT})
    return str(kind), str(category), (text or "").strip()


async def _role(services: Services, reporter: Person | None) -> str:
    if reporter is None:
        return "public"
    return await current_role(services, reporter)  # read afresh: the role may have changed since login


# --- the target -----------------------------------------------------------------------------------


async def _target(
    connection: AsyncConnection, reporter: Person | None, kind: str, target_id: object
) -> Target:
    if kind in ("message", "image"):
        return await _message_target(connection, reporter, kind, _int_id(target_id))
    if kind == "conversation":
        return await _conversation_target(connection, reporter, _int_id(target_id))
    if kind == "room":
        return await _room_target(connection, reporter, target_id)
    return await _user_target(connection, target_id)


def _int_id(value: object) -> int:
    if isinstance(value, str) and value.isdigit():
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise PapoteRefusal("report_target_not_found")
    return value


async def _message_target(
    connection: AsyncConnection, reporter: Person | None, kind: str, message_id: int
) -> Target:
    row = await store.message_row(connection, message_id)
    # The same answer for "does not exist" and "not yours to see": a report never confirms a message exists.
    if row is None or (reporter is not None and not await _may_report(connection, reporter, row)):
        raise PapoteRefusal("report_target_not_found")
    if kind == "image" and row["image_id"] is None:
        raise PapoteRefusal("report_target_not_found")
    context = await store.messages_around(
        connection, row["channel"], row["seq"], CONTEXT_BEFORE, CONTEXT_AFTER
    )
    parts: dict[str, Any] = {"item": row, "context": context}
    if row["image_id"] is not None:
        parts["image"] = _image_hashes(await image_store.get_image(connection, row["image_id"]))
    sender = await store.person_record(connection, row["sender_id"])
    parts["person"] = sender
    minor = await _minor_channel(connection, row["channel"]) or (sender or {}).get("age_band") == "minor"
    return Target(kind, str(message_id), row["sender_id"], row["channel"], minor, parts)


async def _may_report(connection: AsyncConnection, reporter: Person, row: dict[str, Any]) -> bool:
    """A message of a room the reporter is in, or of a conversation they are part of. Unlike reading,
    having blocked its sender does not stop a report: "block and report" is the usual way."""
    if row["hidden"] and row["sender_id"] != reporter.id:
        return False
    kind, _, key = str(row["channel"]).partition(":")
    if kind == "r":
        return bool(await room_store.is_member(connection, key, reporter.id))
    if kind == "d" and key.isdigit():
        conversation = await conversation_store.get_conversation(connection, int(key))
        return conversation is not None and _part_of(conversation, reporter.id)
    return False


def _part_of(conversation: Conversation, person_id: int) -> bool:
    """Either side, whatever the status: an unwanted request is exactly what its recipient reports."""
    return person_id in (conversation.person_low, conversation.person_high)


def _image_hashes(image: dict[str, Any] | None) -> dict[str, Any] | None:
    if image is None:
        return None
    keys = ("id", "sha256", "source_sha256", "pdq", "pdq_quality", "mime", "width", "height", "status")
    return {key: image[key] for key in keys}


async def _conversation_target(
    connection: AsyncConnection, reporter: Person | None, conversation_id: int
) -> Target:
    conversation = await conversation_store.get_conversation(connection, conversation_id)
    if conversation is None or (reporter is not None and not _part_of(conversation, reporter.id)):
        raise PapoteRefusal("report_target_not_found")
    channel = conversation_channel(conversation_id)
    # the subject is the other side; from the public page, nobody can tell which side: none
    subject = conversation.other(reporter.id) if reporter is not None else None
    both = [
        await store.person_record(connection, p) for p in (conversation.person_low, conversation.person_high)
    ]
    parts: dict[str, Any] = {
        "item": {"conversation": conversation_id, "channel": channel, "status": conversation.status},
        "context": await store.latest_messages(connection, channel=channel, limit=CONTEXT_LATEST),
        "person": [record for record in both if record is not None],
    }
    minor = any(record is not None and record["age_band"] == "minor" for record in both)
    return Target("conversation", str(conversation_id), subject, channel, minor, parts)


async def _room_target(connection: AsyncConnection, reporter: Person | None, room_id: object) -> Target:
    if not isinstance(room_id, str) or not room_id:
        raise PapoteRefusal("report_target_not_found")
    room = await room_store.get_room(connection, room_id)
    if room is None or (
        reporter is not None
        and room.kind == "private"
        and not await room_store.is_member(connection, room_id, reporter.id)
    ):
        raise PapoteRefusal("report_target_not_found")
    channel = room_channel(room_id)
    parts: dict[str, Any] = {
        "item": {
            "room": room_id,
            "name": room.name,
            "topic": room.topic,
            "audience": room.audience,
            "kind": room.kind,
        },
        "context": await store.latest_messages(connection, channel=channel, limit=CONTEXT_LATEST),
    }
    return Target("room", room_id, room.owner_id, channel, room.audience in ("minors", "all"), parts)


async def _user_target(connection: AsyncConnection, pseudo: object) -> Target:
    if not isinstance(pseudo, str) or not pseudo.strip():
        raise PapoteRefusal("report_target_not_found")
    person_id = await store.person_by_pseudo(connection, pseudonym_key(pseudo.strip()))
    record = await store.person_record(connection, person_id) if person_id is not None else None
    if person_id is None or record is None:
        raise PapoteRefusal("report_target_not_found")
    parts: dict[str, Any] = {
        "item": {"person": person_id, "pseudo": record["pseudo"]},
        "context": await store.latest_messages(connection, sender_id=person_id, limit=CONTEXT_LATEST),
        "person": record,
    }
    return Target("user", str(person_id), person_id, None, record["age_band"] == "minor", parts)


async def _minor_channel(connection: AsyncConnection, channel: str) -> bool:
    kind, _, key = channel.partition(":")
    if kind == "r":
        room = await room_store.get_room(connection, key)
        return room is not None and room.audience in ("minors", "all")
    return False


# --- the case and the evidence --------------------------------------------------------------------


async def _open_or_join(
    connection: AsyncConnection, target: Target, category: str, source: str, minor: bool, now: int
) -> int:
    """A second report on the same target joins the open case, raising it if it is more urgent."""
    priority = PRIORITY[category]
    case_source = "trusted_flagger" if source == "trusted_flagger" else "report"
    existing = await store.open_case_on(connection, target.kind, target.key)
    if existing is not None:
        changes: dict[str, Any] = {}
        if priority < existing["priority"]:
            changes |= {"priority": priority, "category": category}
        if minor and not existing["minor_involved"]:
            changes["minor_involved"] = True
        if case_source == "trusted_flagger" and existing["source"] != "trusted_flagger":
            changes["source"] = case_source
        if changes:
            await store.update_case(connection, existing["id"], **changes)
        return int(existing["id"])
    case_id = await safety_store.open_case(
        connection,
        priority=priority,
        category=category,
        subject_id=target.subject_id,
        minor_involved=minor,
        channel=target.channel,
        safety_event_id=None,
        summary=f"{case_source}: {target.kind} {target.key}",
        now_ms=now,
        source=case_source,
    )
    await store.update_case(connection, case_id, target_kind=target.kind, target_id=target.key)
    return case_id


async def _freeze(
    connection: AsyncConnection, target: Target, case_id: int, report_id: int | None, now: int
) -> dict[str, str]:
    """One evidence row per part; returns part -> SHA-256 (for the audit log)."""
    digests = {}
    for part, content in target.parts.items():
        if content is None:
            continue
        text, digest = canonical(content)
        await store.insert_evidence(
            connection,
            case_id=case_id,
            report_id=report_id,
            part=part,
            content=text,
            sha256=digest,
            created_ms=now,
        )
        digests[part] = digest
    return digests


# --- what the reporter is told --------------------------------------------------------------------


def received_event(reporter_id: int, report_id: int) -> Event:
    frame = {
        "type": "report_received",
        "report": report_id,
        "message": {
            "fr": "Merci, votre signalement a bien été reçu. Un·e modérateur·rice l'examine et vous serez "
            "informé·e de la suite. En cas de danger immédiat, appelez le 17 ou le 112.",
            "en": "Thank you, your report was received. A moderator will review it and you will be told "
            "the outcome. In immediate danger, call 17 or 112 (France).",
        },
    }
    return notice(person_topic(reporter_id), frame)


def outcome_event(reporter_id: int, report_id: int, action: str) -> Event:
    acted = action != "dismiss"
    frame = {
        "type": "report_outcome",
        "report": report_id,
        "outcome": "action_taken" if acted else "no_action",
        "message": {
            "fr": "Votre signalement a été examiné : des mesures ont été prises. Merci."
            if acted
            else "Votre signalement a été examiné : il n'a pas conduit à une mesure. Merci de l'avoir fait.",
            "en": "Your report was reviewed: action was taken. Thank you."
            if acted
            else "Your report was reviewed: it did not lead to action. Thank you for reporting.",
        },
    }
    return notice(person_topic(reporter_id), frame)


# --- the public report page -----------------------------------------------------------------------


class WindowLimiter:
    """At most `limit` events per key in a sliding window; keys are keyed hashes, never addresses."""

    def __init__(self, limit: int, window_ms: int, max_keys: int = 50_000) -> None:
        self.limit = limit
        self.window_ms = window_ms
        self.max_keys = max_keys
        self._seen: OrderedDict[str, list[int]] = OrderedDict()

    def allow(self, key: str, now: int | None = None) -> bool:
        now = now if now is not None else int(time.time() * 1000)
        recent = [t for t in self._seen.pop(key, []) if t > now - self.window_ms]
        allowed = len(recent) < self.limit
        if allowed:
            recent.append(now)
        self._seen[key] = recent
        while len(self._seen) > self.max_keys:  # the oldest keys go first: memory stays bounded
            self._seen.popitem(last=False)
        return allowed


public_limiter = WindowLimiter(PUBLIC_REPORTS_PER_WINDOW, PUBLIC_WINDOW_MS)


async def public_report(services: Services, ip: str, body: dict[str, Any]) -> int:
    """The public report page's backend: no session, no name; limited per keyed hash of the address."""
    ip_hash = services.keyed_hash(f"ip:{ip}")
    if services.settings.rate_limits and not public_limiter.allow(ip_hash):
        raise PapoteRefusal("rate_limited", details={"retry_after": PUBLIC_WINDOW_MS // 1000})
    return await report(
        services,
        None,
        body.get("kind"),
        body.get("target_id"),
        body.get("category"),
        body.get("text"),
        ip_hash=ip_hash,
    )


async def freeze_automated(
    connection: AsyncConnection,
    *,
    case_id: int,
    channel: str,
    person_id: int,
    item: dict[str, Any],
    now: int,
) -> dict[str, str]:
    """An automated verdict's case keeps its evidence the same way a report's does: the flagged item, the
    channel's latest messages before it, and the person's record, each with its SHA-256."""
    context = (
        await store.latest_messages(connection, channel=channel) if channel.startswith(("r:", "d:")) else []
    )
    parts = {"item": item, "context": context, "person": await store.person_record(connection, person_id)}
    target = Target("automated", str(case_id), person_id, channel, False, parts)
    return await _freeze(connection, target, case_id, None, now)
