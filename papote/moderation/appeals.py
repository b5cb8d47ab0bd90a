"""Appeals (DSA art. 20): six months, free, once per decision, decided by a different human moderator.

A reversal is carried out at once: the restriction is lifted, the removed message shown again.
"""

from __future__ import annotations

from typing import Any

from papote.bus.base import Event
from papote.domain.errors import PapoteRefusal
from papote.domain.events import notice
from papote.domain.model import Person, now_ms, person_topic
from papote.domain.services import Services
from papote.moderation import audit, decisions, permissions
from papote.storage import moderation as store

OUTCOMES = ("uphold", "reverse")
MAX_TEXT = 2000


async def appeal(services: Services, person: Person, decision_id: object, text: object) -> int:
    """The person affected contests a decision; returns the appeal id."""
    number = decisions.checked_id(decision_id, "decision_id")
    if not isinstance(text, str) or len(text) > MAX_TEXT:
        raise PapoteRefusal("bad_request", details={"field": "text", "max_chars": MAX_TEXT})
    now = now_ms()
    async with services.transaction() as connection:
        decision = await store.get_decision(connection, number)
        # Someone else's decision answers like a missing one: ids do not reveal other people's sanctions.
        if decision is None or decision["person_id"] != person.id:
            raise PapoteRefusal("decision_not_found")
        if now > decision["appeal_until_ms"]:
            raise PapoteRefusal("appeal_closed")
        appeal_id = await store.insert_appeal(
            connection,
            decision_id=number,
            person_id=person.id,
            text=text.strip(),
            status="open",
            created_ms=now,
        )
        await audit.record(
            connection,
            actor_kind="system",
            actor_id=None,
            action="appeal.filed",
            subject_kind="decision",
            subject_id=number,
            details={"appeal": appeal_id, "person": person.id},
            at_ms=now,
        )
    return appeal_id


async def open_appeals(services: Services, person: Person) -> list[dict[str, Any]]:
    """Appeals waiting for a moderator, oldest first (a room moderator: their rooms' only)."""
    moderator = await permissions.moderator(services, person)
    async with services.transaction() as connection:
        return await store.open_appeals(connection, moderator.channels)


async def decide(
    services: Services, person: Person, appeal_id: object, outcome: object, reason: object
) -> str:
    """Uphold or reverse; never by the moderator who took the decision. Returns the appeal's new status."""
    moderator = await permissions.moderator(services, person)
    number = decisions.checked_id(appeal_id, "appeal_id")
    if outcome not in OUTCOMES:
        raise PapoteRefusal("bad_request", details={"field": "outcome", "allowed": list(OUTCOMES)})
    if not isinstance(reason, str) or not reason.strip() or len(reason) > MAX_TEXT:
        raise PapoteRefusal("bad_request", details={"field": "reason", "max_chars": MAX_TEXT})
    status = "reversed" if outcome == "reverse" else "upheld"
    now = now_ms()
    async with services.transaction() as connection:
        found = await store.get_appeal(connection, number)
        if found is None:
            raise PapoteRefusal("appeal_not_found")
        decision = await store.get_decision(connection, found["decision_id"])
        assert decision is not None  # a foreign key
        case = await store.get_case(connection, decision["case_id"]) if decision["case_id"] else None
        moderator.check(case["channel"] if case else None)
        if decision["moderator_id"] == moderator.person.id:
            raise PapoteRefusal("forbidden", details={"reason": "you took this decision"})
        fields = {"status": status, "decided_by": moderator.person.id, "decided_ms": now}
        if not await store.decide_appeal(connection, number, **fields, outcome_reason=reason.strip()):
            raise PapoteRefusal("appeal_decided")
        if status == "reversed":
            await decisions.lift(connection, decision)
            await store.mark_reversed(connection, decision["id"], now)
        await audit.record(
            connection,
            actor_kind=moderator.actor_kind,
            actor_id=moderator.person.id,
            action="appeal.decided",
            subject_kind="decision",
            subject_id=decision["id"],
            details={"appeal": number, "outcome": status, "reason": reason.strip()[:500]},
            at_ms=now,
        )
    if status == "reversed" and decision["action"] == "mute":
        decisions.set_mute_here(services, decision["person_id"], None)
    await services.bus.publish(
        [decided_event(found["person_id"], number, decision["id"], status, reason.strip())]
    )
    return status


def decided_event(person_id: int, appeal_id: int, decision_id: int, status: str, reason: str) -> Event:
    if status == "reversed":
        fr = f"Votre recours est accepté : la décision n° {decision_id} est annulée. Motif : "
        en = f"Your appeal is granted: decision {decision_id} is reversed and its effects lifted. Reason: "
    else:
        fr = f"Votre recours est rejeté : la décision n° {decision_id} est maintenue. Motif : "
        en = f"Your appeal is rejected: decision {decision_id} stands. Reason: "
    # Beyond the appeal, out-of-court dispute settlement (DSA art. 21) and the courts remain open.
    fr_after = (
        " Vous pouvez encore saisir un organisme de règlement extrajudiciaire des litiges ou la justice."
    )
    en_after = " You may still turn to an out-of-court dispute settlement body or to the courts."
    frame = {
        "type": "appeal_decided",
        "appeal": appeal_id,
        "decision_id": decision_id,
        "outcome": status,
        "reason": reason,
        "message": {"fr": fr + reason + fr_after, "en": en + reason + en_after},
    }
    return notice(person_topic(person_id), frame)
