"""Carrying out a safety verdict: evidence, moderation case, sanction. The only writer of those."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from papote.bus.base import Event
from papote.domain.errors import PapoteRefusal
from papote.domain.events import notice
from papote.domain.model import Person, now_ms, person_topic
from papote.domain.safety_gate import SUSPEND_PENDING_REVIEW_MS, Screening
from papote.domain.services import Services
from papote.moderation import audit, reports
from papote.storage import safety as store


def minor_involved(sender: Person, recipient: Person | None = None, audience: str | None = None) -> bool:
    if sender.age_band == "minor" or (recipient is not None and recipient.age_band == "minor"):
        return True
    return audience in ("minors", "all")


async def carry_out(
    services: Services,
    sender: Person,
    *,
    channel: str,
    client_id: str,
    text: str,
    screening: Screening,
    message_id: int | None,
    minor: bool,
) -> int | None:
    """Record the evidence, open the case and apply the sanction the verdict asks for. Returns the case id."""
    verdict = screening.verdict
    labels = ",".join(verdict.labels)
    detail = _detail(screening)
    now = now_ms()
    case_id = None
    async with services.transaction() as connection:
        event_id = await store.record_event(
            connection,
            person_id=sender.id,
            channel=channel,
            client_id=client_id,
            message_id=message_id,
            action=verdict.action.value,
            labels=labels,
            detail=detail,
            text=text,
            now_ms=now,
        )
        if verdict.case_priority is not None:
            case_id = await store.open_case(
                connection,
                priority=verdict.case_priority,
                category=_category(verdict.labels),
                subject_id=sender.id,
                minor_involved=minor,
                channel=channel,
                safety_event_id=event_id,
                summary=f"{verdict.action.value}: {labels}",
                now_ms=now,
            )
            item: dict[str, Any] = {"safety_event": event_id, "action": verdict.action.value}
            item["labels"] = list(verdict.labels)
            item |= {"message": message_id, "client_id": client_id, "text": text, "detail": detail}
            await reports.freeze_automated(
                connection, case_id=case_id, channel=channel, person_id=sender.id, item=item, now=now
            )
        until = None
        if verdict.sanction == "suspend":
            until = now + SUSPEND_PENDING_REVIEW_MS
            await store.restrict(connection, sender.id, suspended_until_ms=until)
        elif verdict.sanction == "mute":
            until = services.gate.mute(sender.id)
            await store.restrict(connection, sender.id, muted_until_ms=until)
        statement = None
        if until is not None and verdict.sanction is not None:
            statement = await _automated_decision(
                connection, sender, verdict.sanction, until, case_id, verdict.labels, message_id, now
            )
        if "age_claim_mismatch" in verdict.labels or any(
            s.label == "age_claim_mismatch" for s in verdict.signals
        ):
            await store.restrict(connection, sender.id, private_restricted=True)
        await audit.record(  # every automated decision, in the same transaction as its effects
            connection,
            actor_kind="system",
            actor_id=None,
            action=f"safety.{verdict.action.value}",
            subject_kind="person",
            subject_id=sender.id,
            details={
                "labels": list(verdict.labels),
                "channel": channel,
                "message": message_id,
                "safety_event": event_id,
                "case": case_id,
                "sanction": verdict.sanction,
            },
            at_ms=now,
        )
    events = [statement] if statement is not None else []  # the statement first: a suspension closes
    if verdict.sanction == "suspend":
        events.append(suspension_event(sender))
    if events:
        await services.bus.publish(events)
    return case_id


async def _automated_decision(
    connection: AsyncConnection,
    sender: Person,
    sanction: str,
    until: int,
    case_id: int | None,
    labels: tuple[str, ...],
    message_id: int | None,
    now: int,
) -> Event:
    """A sanction the pipeline applied itself is a decision too: recorded, stated, open to appeal."""
    # imported here: papote.moderation.decisions reaches papote.domain.messages, which imports this module
    from papote.moderation import decisions

    decision = await decisions.record_automated(
        connection,
        case_id=case_id,
        person_id=sender.id,
        action=sanction,
        until_ms=until,
        category=_category(labels),
        labels=list(labels),
        message_id=message_id,
        now=now,
    )
    return decisions.statement_event(decision)


def suspension_event(person: Person) -> Event:
    frame = {
        "type": "suspended",
        "message": {
            "fr": "Votre compte est suspendu le temps qu'un modérateur examine un message. "
            "Vous recevrez la décision et ses motifs.",
            "en": "Your account is suspended while a moderator reviews a message. "
            "You will receive the decision and its reasons.",
        },
    }
    return notice(person_topic(person.id), frame, close_code=4403)


async def refuse_blocked(
    services: Services,
    sender: Person,
    *,
    channel: str,
    client_id: str,
    text: str,
    screening: Screening,
    minor: bool,
) -> None:
    """Keep the evidence, then tell the sender why the message went nowhere."""
    await carry_out(
        services,
        sender,
        channel=channel,
        client_id=client_id,
        text=text,
        screening=screening,
        message_id=None,
        minor=minor,
    )
    verdict = screening.verdict
    reason = verdict.reasons[0] if verdict.reasons else None
    raise PapoteRefusal(
        "message_blocked",
        fr=f"Message non envoyé. {reason.fr}" if reason else "",
        en=f"Message not sent. {reason.en}" if reason else "",
        details={"labels": list(verdict.labels), "rule": reason.rule if reason else None},
    )


def _category(labels: tuple[str, ...]) -> str:
    order = ("csam_signal", "minor_sexual_risk", "threat", "self_harm", "ncii", "hate", "drug_sale")
    for label in order:
        if label in labels:
            return label
    return labels[0] if labels else "other"


def _detail(screening: Screening) -> dict[str, Any]:
    verdict = screening.verdict
    return {
        "scores": verdict.scores,
        "signals": [
            {
                "detector": s.detector,
                "label": s.label,
                "score": round(s.score, 3),
                "evidence": [s.evidence.start, s.evidence.end] if s.evidence else None,
            }
            for s in verdict.signals
        ],
        "rules": [r.rule for r in verdict.reasons],
    }
