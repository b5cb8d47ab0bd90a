"""The moderators' queue: cases by urgency, one case with its frozen evidence and history, claims."""

from __future__ import annotations

import hashlib
from typing import Any

import orjson
from sqlalchemy.ext.asyncio import AsyncConnection

from papote.domain.errors import PapoteRefusal
from papote.domain.model import Person, now_ms
from papote.domain.pseudonyms import pseudonym_key
from papote.domain.services import Services
from papote.moderation import audit, permissions
from papote.moderation.decisions import checked_id
from papote.storage import moderation as store

# "open" is every case not yet decided, claimed or not: a claim does not take a case out of the queue.
# An escalated case (legal referral) stays in the queue, first, until a moderator closes it.
STATUSES = {
    "open": ("open", "claimed", "escalated"),
    "claimed": ("claimed",),
    "escalated": ("escalated",),
    "closed": ("closed",),
}
QUEUE_FIELDS = (
    "id",
    "priority",
    "category",
    "status",
    "target_kind",
    "target_id",
    "minor_involved",
    "source",
    "created_ms",
    "claimed_by",
    "channel",
    "summary",
)


async def queue(services: Services, person: Person, status: object = "open") -> list[dict[str, Any]]:
    """Cases in the order moderators should take them; a room moderator sees only their rooms'."""
    moderator = await permissions.moderator(services, person)
    if not isinstance(status, str) or status not in STATUSES:
        raise PapoteRefusal("bad_request", details={"field": "status", "allowed": list(STATUSES)})
    async with services.transaction() as connection:
        rows = await store.queue(connection, STATUSES[status], moderator.channels)
    return [{key: row[key] for key in QUEUE_FIELDS} for row in rows]


async def detail(services: Services, person: Person, case_id: object) -> dict[str, Any]:
    """A case with its reports, frozen evidence (digests checked again) and the person's history."""
    moderator = await permissions.moderator(services, person)
    number = checked_id(case_id, "case_id")
    async with services.transaction() as connection:
        case = await store.get_case(connection, number)
        if case is None:
            raise PapoteRefusal("case_not_found")
        moderator.check(case["channel"])
        found = {key: case[key] for key in (*QUEUE_FIELDS, "subject_id", "safety_event_id", "closed_ms")}
        found["reports"] = [_report(r) for r in await store.reports_of_case(connection, number)]
        found["evidence"] = [_evidence(e) for e in await store.evidence_of_case(connection, number)]
        found["history"] = await _history(connection, case["subject_id"], number)
    return found


def _report(row: dict[str, Any]) -> dict[str, Any]:
    keys = ("id", "source", "kind", "target_id", "category", "text", "created_ms", "reporter_id")
    return {key: row[key] for key in keys}


def _evidence(row: dict[str, Any]) -> dict[str, Any]:
    intact = hashlib.sha256(row["content"].encode("utf-8")).hexdigest() == row["sha256"]
    return {
        "id": row["id"],
        "report_id": row["report_id"],
        "part": row["part"],
        "content": orjson.loads(row["content"]),
        "sha256": row["sha256"],
        "intact": intact,  # the stored digest still matches the stored content
        "legal_hold": row["legal_hold"],
        "created_ms": row["created_ms"],
    }


async def _history(connection: Any, person_id: int | None, case_id: int) -> dict[str, Any]:
    if person_id is None:
        return {"cases": [], "decisions": [], "other_pseudonyms": []}
    return {
        "cases": await store.cases_of_person(connection, person_id, case_id),
        "decisions": await store.decisions_of_person(connection, person_id),
        "other_pseudonyms": await store.other_pseudonyms(connection, person_id),
    }


async def claim(
    services: Services, person: Person, case_id: object, assign_to: object = None
) -> dict[str, Any]:
    """Take a case (or take it over), or, for a global moderator, give it to another moderator who may
    handle it: the queue shows who handles it."""
    moderator = await permissions.moderator(services, person)
    number = checked_id(case_id, "case_id")
    now = now_ms()
    async with services.transaction() as connection:
        case = await store.get_case(connection, number)
        if case is None:
            raise PapoteRefusal("case_not_found")
        moderator.check(case["channel"])
        if case["status"] == "closed":
            raise PapoteRefusal("case_closed")
        handler = moderator.person.id
        if assign_to is not None:
            handler = await _assignee(connection, moderator, assign_to, case["channel"])
        status = "escalated" if case["status"] == "escalated" else "claimed"  # a claim keeps the referral
        await store.update_case(connection, number, status=status, claimed_by=handler, claimed_ms=now)
        await audit.record(
            connection,
            actor_kind=moderator.actor_kind,
            actor_id=moderator.person.id,
            action="case.claimed" if assign_to is None else "case.assigned",
            subject_kind="case",
            subject_id=number,
            details={"previous": case["claimed_by"], "handler": handler},
            at_ms=now,
        )
    return {"case": number, "claimed_by": handler}


async def _assignee(
    connection: AsyncConnection, moderator: permissions.Moderator, pseudo: object, channel: str | None
) -> int:
    """Only a global moderator assigns, and only to staff who may handle this case's channel."""
    if moderator.rooms is not None or not isinstance(pseudo, str):
        raise PapoteRefusal("forbidden")
    found = await store.account_of_pseudo(connection, pseudonym_key(pseudo))
    if found is None or found[2] not in permissions.MODERATOR_ROLES:
        raise PapoteRefusal("person_not_found")
    _, person_id, role = found
    if role == "room_moderator":
        room = channel[2:] if channel and channel.startswith("r:") else None
        if room is None or room not in await store.moderated_rooms(connection, person_id):
            raise PapoteRefusal("forbidden")
    return int(person_id)
