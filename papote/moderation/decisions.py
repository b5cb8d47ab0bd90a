"""Moderator actions on a case, the decision row, and the statement of reasons (DSA art. 17).

Every decision is written with its effects, the case's closing and its audit entry in one transaction;
the person affected then gets a `statement_of_reasons` event: what was done, the facts, the rule,
whether it was automated, and how to appeal (six months, free, decided by another human moderator).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from papote.bus.base import Event
from papote.domain.errors import PapoteRefusal
from papote.domain.events import notice
from papote.domain.model import Person, now_ms, person_topic
from papote.domain.services import Services
from papote.moderation import audit, permissions
from papote.moderation.reports import outcome_event
from papote.safety.policy import HOUSE_RULES
from papote.storage import moderation as store
from papote.storage import safety as safety_store

ACTIONS = ("dismiss", "remove_content", "warn", "mute", "suspend", "ban", "restrict_private")
TIMED = ("mute", "suspend")  # these need a duration
DAY_MS = 86_400_000
APPEAL_MS = 183 * DAY_MS  # six months (DSA art. 20)
PERMANENT_UNTIL_MS = 253_402_300_799_000  # 9999-12-31T23:59:59Z: a ban
MAX_DURATION_SECONDS = 366 * 86_400
MAX_REASON = 2000
CLOSE_SUSPENDED = 4403
PHOTO_BANKS = {"csam_signal": "csam", "ncii": "ncii"}  # categories whose removed photos are banked

# A conversation label cites the house rule it breaks.
RULE_OF = {"grooming": "minor_sexual_risk", "ambush": "threat", "drug_deal": "drug_sale"}
GENERAL_RULE = ("Charte de Papote et loi française.", "Papote's house rules and French law.")

WHAT = {
    "remove_content": ("un de vos messages a été retiré", "one of your messages was removed"),
    "warn": ("avertissement", "warning"),
    "mute": ("vous ne pouvez plus écrire pendant {fr}", "you cannot write for {en}"),
    "suspend": ("votre compte est suspendu pendant {fr}", "your account is suspended for {en}"),
    "ban": ("votre compte est fermé définitivement", "your account is closed permanently"),
    "restrict_private": ("vos messages privés sont désactivés", "your private messages are turned off"),
}


@dataclass(frozen=True)
class Effects:
    """What happens outside the database once the decision is committed."""

    decision: dict[str, Any]
    reporters: list[tuple[int, int]]  # (reporter id, report id)
    lifted: list[dict[str, Any]] = field(default_factory=list)  # automated sanctions a dismissal undid


# --- acting on a case -----------------------------------------------------------------------------


async def act(
    services: Services, person: Person, case_id: object, action: object, reason: object, duration: object
) -> int:
    """A moderator's decision on a case; returns the decision id."""
    moderator = await permissions.moderator(services, person)
    case_number = checked_id(case_id, "case_id")
    action_name, why, seconds = _checked(action, reason, duration)
    now = now_ms()
    async with services.transaction() as connection:
        case = await store.get_case(connection, case_number)
        if case is None:
            raise PapoteRefusal("case_not_found")
        moderator.check(case["channel"])
        if case["status"] == "closed":
            raise PapoteRefusal("case_closed")
        decision = await _decide(connection, case, moderator, action_name, why, seconds, now)
        lifted = await _lift_automated(connection, case_number, now) if action_name == "dismiss" else []
        await store.update_case(connection, case_number, status="closed", closed_ms=now)
        await audit.record(
            connection,
            actor_kind=moderator.actor_kind,
            actor_id=moderator.person.id,
            action=f"decision.{action_name}",
            subject_kind="case",
            subject_id=case_number,
            details=_audit_details(decision),
            at_ms=now,
        )
        reports = await store.reports_of_case(connection, case_number)
    reporters = [(r["reporter_id"], r["id"]) for r in reports if r["reporter_id"] is not None]
    await carry_out(services, Effects(decision, reporters, lifted), case["category"])
    return int(decision["id"])


async def _lift_automated(connection: AsyncConnection, case_id: int, now: int) -> list[dict[str, Any]]:
    """A human found nothing wrong: the suspension or mute the pipeline applied pending review ends now."""
    pending = await store.automated_decisions_of_case(connection, case_id)
    for decision in pending:
        await lift(connection, decision)
        await store.mark_reversed(connection, decision["id"], now)
    return pending


def checked_id(value: object, field: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise PapoteRefusal("bad_request", details={"field": field})
    return value


def _checked(action: object, reason: object, duration: object) -> tuple[str, str, int | None]:
    if action not in ACTIONS:
        raise PapoteRefusal("bad_request", details={"field": "action", "allowed": list(ACTIONS)})
    if not isinstance(reason, str) or not reason.strip() or len(reason) > MAX_REASON:
        raise PapoteRefusal("bad_request", details={"field": "reason", "max_chars": MAX_REASON})
    if action not in TIMED:
        return str(action), reason.strip(), None
    if (
        not isinstance(duration, int)
        or isinstance(duration, bool)
        or not 0 < duration <= MAX_DURATION_SECONDS
    ):
        raise PapoteRefusal("bad_request", details={"field": "duration", "max": MAX_DURATION_SECONDS})
    return str(action), reason.strip(), duration


async def _decide(
    connection: AsyncConnection,
    case: dict[str, Any],
    moderator: permissions.Moderator,
    action: str,
    reason: str,
    seconds: int | None,
    now: int,
) -> dict[str, Any]:
    person_id = case["subject_id"] if action != "dismiss" else None
    if action != "dismiss" and person_id is None:  # a room report names nobody: only dismiss applies
        raise PapoteRefusal("bad_request", details={"field": "action", "reason": "no person in this case"})
    concerned = await _message_of(connection, case)  # quoted in the facts whatever the action
    message_id = concerned if action == "remove_content" else None
    if action == "remove_content" and message_id is None:
        raise PapoteRefusal("bad_request", details={"field": "action", "reason": "no message in this case"})
    decision: dict[str, Any] = {
        "case_id": case["id"],
        "person_id": person_id,
        "moderator_id": moderator.person.id,
        "action": action,
        "reason": reason,
        "duration_seconds": seconds,
        "facts": await _facts(connection, case, concerned),
        "rule": rule_for(case["category"])[0],
        "automated": False,
        "message_id": message_id,
        "created_ms": now,
        "appeal_until_ms": now + APPEAL_MS,
    }
    decision["id"] = await store.insert_decision(connection, **decision)
    if person_id is not None:
        await apply(connection, decision, now)
    return decision


async def _message_of(connection: AsyncConnection, case: dict[str, Any]) -> int | None:
    if case["target_kind"] in ("message", "image") and str(case["target_id"]).isdigit():
        return int(case["target_id"])
    if case["safety_event_id"] is not None:
        return await store.message_of_safety_event(connection, case["safety_event_id"])
    return None


async def _facts(connection: AsyncConnection, case: dict[str, Any], message_id: int | None) -> str:
    """What the statement says happened: the category, where, and the message concerned (an excerpt)."""
    facts = f"Dossier {case['id']} ({case['category']})"
    if case["channel"]:
        facts += f", {_place(case['channel'])}"
    if message_id is not None:
        row = await store.message_row(connection, message_id)
        if row is not None:
            when = dt.datetime.fromtimestamp(row["created_ms"] / 1000, dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
            facts += f", message du {when} : « {row['text'][:200]} »"
    return facts + "."


def _place(channel: str) -> str:
    kind, _, key = channel.partition(":")
    return f"salon {key}" if kind == "r" else "conversation privée"


def rule_for(category: str) -> tuple[str, str]:
    return HOUSE_RULES.get(RULE_OF.get(category, category), GENERAL_RULE)


def _audit_details(decision: dict[str, Any]) -> dict[str, Any]:
    keys = ("id", "person_id", "action", "duration_seconds", "message_id", "automated")
    details = {key: decision[key] for key in keys}
    details["reason"] = decision["reason"][:500]  # the full text is in the decision row
    return details


# --- effects --------------------------------------------------------------------------------------


async def apply(connection: AsyncConnection, decision: dict[str, Any], now: int) -> None:
    """Write the restriction the decision carries (inside the caller's transaction)."""
    action, person_id, seconds = decision["action"], decision["person_id"], decision["duration_seconds"]
    if action == "mute":
        await safety_store.restrict(connection, person_id, muted_until_ms=now + seconds * 1000)
    elif action == "suspend":
        await safety_store.restrict(connection, person_id, suspended_until_ms=now + seconds * 1000)
    elif action == "ban":
        await safety_store.restrict(connection, person_id, suspended_until_ms=PERMANENT_UNTIL_MS)
    elif action == "restrict_private":
        await safety_store.restrict(connection, person_id, private_restricted=True)
    elif action == "remove_content":
        await store.set_message_hidden(connection, decision["message_id"], True)


async def lift(connection: AsyncConnection, decision: dict[str, Any]) -> None:
    """Undo what `apply` did (a reversal on appeal)."""
    action, person_id = decision["action"], decision["person_id"]
    if action == "mute":
        await safety_store.restrict(connection, person_id, muted_until_ms=None)
    elif action in ("suspend", "ban"):
        await safety_store.restrict(connection, person_id, suspended_until_ms=None)
    elif action == "restrict_private":
        await safety_store.restrict(connection, person_id, private_restricted=False)
    elif action == "remove_content" and decision["message_id"] is not None:
        await store.set_message_hidden(connection, decision["message_id"], False)


def set_mute_here(services: Services, person_id: int, until_ms: int | None) -> None:
    """The gate checks mutes in memory on the hot path; this node's copy follows the decision (other
    nodes read it from the database when the person connects)."""
    services.gate.mute_until(person_id, until_ms)


async def carry_out(services: Services, effects: Effects, category: str) -> None:
    """After the commit: photo banking, the node's mute, the statement, the suspension, the reporters."""
    decision = effects.decision
    action, person_id = decision["action"], decision["person_id"]
    if action == "remove_content" and category in PHOTO_BANKS:
        await _bank_photo(services, decision["message_id"], PHOTO_BANKS[category])
    if action == "mute":
        set_mute_here(services, person_id, decision["created_ms"] + decision["duration_seconds"] * 1000)
    events: list[Event] = [lifted_event(lifted) for lifted in effects.lifted]
    for lifted in effects.lifted:
        if lifted["action"] == "mute":
            set_mute_here(services, lifted["person_id"], None)
    if person_id is not None:
        events.append(statement_event(decision))
        if action in ("suspend", "ban"):
            events.append(closing_event(person_id))
    events += [outcome_event(reporter, report, action) for reporter, report in effects.reporters]
    await services.bus.publish(events)


async def _bank_photo(services: Services, message_id: int, bank_category: str) -> None:
    from papote.domain import images  # imported here: images imports verdicts, which records decisions

    try:
        await images.remove_photo(services, message_id, bank_category)
    except PapoteRefusal as refusal:
        if refusal.code != "image_not_found":  # a text message: hiding it was all there was to do
            raise


# --- automated decisions --------------------------------------------------------------------------


async def record_automated(
    connection: AsyncConnection,
    *,
    case_id: int | None,
    person_id: int,
    action: str,
    until_ms: int,
    category: str,
    labels: list[str],
    message_id: int | None,
    now: int,
) -> dict[str, Any]:
    """A sanction the safety pipeline applied itself (mute or suspension pending review)."""
    where = f", message {message_id}" if message_id is not None else ""
    decision: dict[str, Any] = {
        "case_id": case_id,
        "person_id": person_id,
        "moderator_id": None,
        "action": action,
        "reason": "Détection automatique : " + ", ".join(labels),
        "duration_seconds": max(1, (until_ms - now) // 1000),
        "facts": f"Dossier {case_id} ({category}){where}." if case_id else f"Catégorie {category}{where}.",
        "rule": rule_for(category)[0],
        "automated": True,
        "message_id": None,  # an automated hold or block is not a removal a reversal would restore
        "created_ms": now,
        "appeal_until_ms": now + APPEAL_MS,
    }
    decision["id"] = await store.insert_decision(connection, **decision)
    return decision


# --- the statement of reasons ---------------------------------------------------------------------


def lifted_event(decision: dict[str, Any]) -> Event:
    """Told to the person whose automated sanction a moderator lifted after review."""
    frame = {
        "type": "sanction_lifted",
        "decision_id": decision["id"],
        "message": {
            "fr": "Un modérateur a examiné la détection automatique : la restriction est levée. Désolé pour "
            "la gêne.",
            "en": "A moderator reviewed the automated detection: the restriction is lifted. Sorry for the "
            "trouble.",
        },
    }
    return notice(person_topic(decision["person_id"]), frame)


def duration_words(seconds: int | None) -> tuple[str, str]:
    if not seconds:
        return "", ""
    for size, fr, en in ((86_400, "jour", "day"), (3600, "heure", "hour"), (60, "minute", "minute")):
        if seconds >= size:
            count = round(seconds / size)
            plural = "s" if count > 1 else ""
            return f"{count} {fr}{plural}", f"{count} {en}{plural}"
    return f"{seconds} secondes", f"{seconds} seconds"


def statement_message(decision: dict[str, Any]) -> dict[str, str]:
    """What was done, why, whether automated, how to appeal: French first."""
    fr_words, en_words = duration_words(decision["duration_seconds"])
    what_fr, what_en = WHAT[decision["action"]]
    what_fr, what_en = what_fr.format(fr=fr_words), what_en.format(en=en_words)
    rule_fr, rule_en = _rule_texts(decision["rule"])
    until = dt.datetime.fromtimestamp(decision["appeal_until_ms"] / 1000, dt.UTC).strftime("%Y-%m-%d")
    if decision["automated"]:
        how_fr = (
            "Cette décision a été prise automatiquement par nos outils de détection, avant examen humain."
        )
        how_en = "This decision was taken automatically by our detection tools, before human review."
    else:
        how_fr = "Cette décision a été prise par un·e modérateur·rice, après examen humain."
        how_en = "This decision was taken by a moderator, after human review."
    return {
        "fr": f"Décision n° {decision['id']} : {what_fr}. Motif : {decision['reason']} Faits : "
        f"{decision['facts']} Règle : {rule_fr} {how_fr} Vous pouvez la contester gratuitement jusqu'au "
        f"{until} depuis Papote : un·e autre modérateur·rice examinera votre recours.",
        "en": f"Decision {decision['id']}: {what_en}. Reason: {decision['reason']} Facts: "
        f"{decision['facts']} Rule: {rule_en} {how_en} You may appeal for free until {until} "
        "from Papote: another moderator will review your appeal.",
    }


def _rule_texts(rule_fr: str) -> tuple[str, str]:
    for fr, en in (*HOUSE_RULES.values(), GENERAL_RULE):
        if fr == rule_fr:
            return fr, en
    return rule_fr, rule_fr


def statement_event(decision: dict[str, Any]) -> Event:
    frame = {
        "type": "statement_of_reasons",
        "decision_id": decision["id"],
        "action": decision["action"],
        "reason": decision["reason"],
        "facts": decision["facts"],
        "rule": decision["rule"],
        "automated": decision["automated"],
        "duration": decision["duration_seconds"],
        "appeal_until": decision["appeal_until_ms"],
        "message": statement_message(decision),
    }
    return notice(person_topic(decision["person_id"]), frame)


def closing_event(person_id: int) -> Event:
    """Sent after the statement: the person's connections close once both frames are written."""
    frame = {
        "type": "suspended",
        "message": {
            "fr": "Votre compte est suspendu. La décision et ses motifs vous ont été envoyés.",
            "en": "Your account is suspended. The decision and its reasons were sent to you.",
        },
    }
    return notice(person_topic(person_id), frame, close_code=CLOSE_SUSPENDED)


async def decisions_about(services: Services, person: Person) -> list[dict[str, Any]]:
    """The decisions taken about this person (readable even while suspended, to appeal them)."""
    async with services.transaction() as connection:
        return await store.statements_of_person(connection, person.id)
