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
from papote.domain import rooms
from papote.domain.errors import PapoteRefusal
from papote.domain.events import notice
from papote.domain.model import Person, audience_refusal, now_ms, person_topic
from papote.domain.services import Services
from papote.moderation import audit, permissions
from papote.moderation.reports import outcome_event
from papote.safety.policy import HOUSE_RULES
from papote.storage import moderation as store
from papote.storage import people as people_store
from papote.storage import rooms as room_store
from papote.storage import safety as safety_store

ACTIONS = (
    "dismiss",
    "remove_content",
    "warn",
    "mute",
    "suspend",
    "ban",
    "restrict_private",
    "kick",
    "room_ban",
    "correct_age_band",
    "remove_messages",
    "escalate",
)
TIMED = (
    "mute",
    "suspend",
    "room_ban",
    "remove_messages",
)  # these need a duration (remove_messages: the period)
IN_A_ROOM = ("kick", "room_ban")  # these need the case's room
LEAVING = ("kick", "room_ban", "correct_age_band")  # these may take the person out of rooms
OTHER_BAND = {"adult": "minor", "minor": "adult"}
BAND_WORDS = {"adult": "adulte", "minor": "mineur·e"}
# Repeat offenders (DSA art. 23, docs/moderation.md): a third warning within 12 months is a 24 h suspension.
REPEAT_WINDOW_MS = 365 * 86_400_000
REPEAT_WARNINGS = 2
REPEAT_SUSPENSION_SECONDS = 86_400
REPEAT_REASON = " (troisième avertissement en 12 mois : suspension de 24 heures, politique de récidive)"
DAY_MS = 86_400_000
APPEAL_MS = 183 * DAY_MS  # six months (DSA art. 20)
PERMANENT_UNTIL_MS = 253_402_300_799_000  # 9999-12-31T23:59:59Z: a ban
MAX_DURATION_SECONDS = 366 * 86_400
MAX_REASON = 2000
CLOSE_SUSPENDED = 4403
CLOSE_RECONNECT = 4409  # the person's age band changed: connections close so the next one reads it afresh
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
    "kick": ("vous avez été exclu·e du salon", "you were removed from the room"),
    "room_ban": (
        "vous êtes exclu·e du salon pendant {fr}",
        "you are banned from the room for {en}",
    ),
    "correct_age_band": ("votre tranche d'âge a été corrigée", "your age band was corrected"),
    "remove_messages": (
        "vos messages envoyés pendant les {fr} précédant la décision ont été retirés",
        "your messages sent during the {en} before the decision were removed",
    ),
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
        if action_name == "escalate":
            return await _escalate(connection, case, moderator, why, now)
        action_name, why, seconds = await repeat_policy(connection, case, action_name, why, seconds, now)
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


async def repeat_policy(
    connection: AsyncConnection,
    case: dict[str, Any],
    action: str,
    reason: str,
    seconds: int | None,
    now: int,
) -> tuple[str, str, int | None]:
    """A warning to someone already warned twice by a human within 12 months becomes a 24 h suspension."""
    person_id = case["subject_id"]
    if action != "warn" or person_id is None:
        return action, reason, seconds
    if await store.warnings_since(connection, person_id, now - REPEAT_WINDOW_MS) < REPEAT_WARNINGS:
        return action, reason, seconds
    return "suspend", reason + REPEAT_REASON, REPEAT_SUSPENSION_SECONDS


async def _escalate(
    connection: AsyncConnection, case: dict[str, Any], moderator: permissions.Moderator, reason: str, now: int
) -> int:
    """Legal referral: the case stays open, first in the queue. Nothing is sent to the person (it could
    tip off a suspect), so the decision names nobody: the person's own list of decisions never shows it."""
    decision: dict[str, Any] = {
        "case_id": case["id"],
        "person_id": None,
        "moderator_id": moderator.person.id,
        "action": "escalate",
        "reason": reason,
        "duration_seconds": None,
        "facts": await _facts(connection, case, await _message_of(connection, case)),
        "rule": rule_for(case["category"])[0],
        "automated": False,
        "message_id": None,
        "created_ms": now,
        "appeal_until_ms": now,  # nobody was told, nobody can appeal
    }
    decision["id"] = await store.insert_decision(connection, **decision)
    await store.update_case(connection, case["id"], status="escalated", priority=0)
    await audit.record(
        connection,
        actor_kind=moderator.actor_kind,
        actor_id=moderator.person.id,
        action="case.escalated",
        subject_kind="case",
        subject_id=case["id"],
        details={"decision": decision["id"], "subject_id": case["subject_id"], "reason": reason},
        at_ms=now,
    )
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
    if action in IN_A_ROOM and room_of(case["channel"]) is None:
        raise PapoteRefusal("bad_request", details={"field": "action", "reason": "no room in this case"})
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
        "facts": await _facts(connection, case, concerned) + await _band_fact(connection, action, person_id),
        "rule": rule_for(case["category"])[0],
        "automated": False,
        "message_id": message_id,
        "created_ms": now,
        "appeal_until_ms": now + APPEAL_MS,
    }
    decision["id"] = await store.insert_decision(connection, **decision)
    if person_id is not None:
        decision["left_rooms"] = await apply(connection, decision, now)
    return decision


async def _band_fact(connection: AsyncConnection, action: str, person_id: int | None) -> str:
    """A band correction states both bands in the facts (what was declared, what it becomes)."""
    if action != "correct_age_band" or person_id is None:
        return ""
    band = await store.age_band_of(connection, person_id) or "adult"
    return f" Tranche d'âge corrigée : {BAND_WORDS[band]} → {BAND_WORDS[OTHER_BAND[band]]}."


def room_of(channel: str | None) -> str | None:
    kind, _, key = (channel or "").partition(":")
    return key if kind == "r" and key else None


async def _room_of_decision(connection: AsyncConnection, decision: dict[str, Any]) -> str | None:
    case = await store.get_case(connection, decision["case_id"]) if decision["case_id"] else None
    return room_of(case["channel"]) if case else None


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


async def apply(connection: AsyncConnection, decision: dict[str, Any], now: int) -> list[str]:
    """Write the restriction the decision carries (inside the caller's transaction); returns the rooms
    the person was taken out of."""
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
    elif action == "remove_messages":
        await store.hide_messages_since(connection, person_id, now - seconds * 1000, decision["id"])
    elif action in LEAVING:
        return await _take_out(connection, decision, now)
    return []


async def _take_out(connection: AsyncConnection, decision: dict[str, Any], now: int) -> list[str]:
    action, person_id = decision["action"], decision["person_id"]
    if action == "correct_age_band":
        return await _correct_band(connection, person_id, now)
    room_id = await _room_of_decision(connection, decision)
    if room_id is None:
        return []
    if action == "room_ban":
        until = now + decision["duration_seconds"] * 1000
        await store.ban_from_room(connection, room_id, person_id, until, decision["id"])
    await room_store.remove_member(connection, room_id, person_id)
    return [room_id]


async def _correct_band(connection: AsyncConnection, person_id: int, now: int) -> list[str]:
    """Set the other band, leave the rooms whose audience no longer fits, freeze private conversations
    with people of the other band."""
    band = OTHER_BAND[await store.age_band_of(connection, person_id) or "adult"]
    await store.set_age_band(connection, person_id, band)
    left = []
    for room_id in await room_store.rooms_of(connection, person_id):
        room = await room_store.get_room(connection, room_id)
        if room is not None and audience_refusal(room.audience, band):
            await room_store.remove_member(connection, room_id, person_id)
            left.append(room_id)
    await store.freeze_conversations_across_bands(connection, person_id, now)
    return left


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
    elif action == "remove_messages":
        await store.unhide_removed(connection, decision["id"])
    elif action == "room_ban" and (room_id := await _room_of_decision(connection, decision)):
        await store.lift_room_ban(connection, room_id, person_id)
    elif action == "correct_age_band":
        # The band goes back; rooms may be joined again; frozen conversations stay frozen (safer).
        band = await store.age_band_of(connection, person_id) or "minor"
        await store.set_age_band(connection, person_id, OTHER_BAND[band])


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
        events.append(statement_event(decision))  # first: the person learns why before being taken out
        events += await _removals(services, decision)
        if action in ("suspend", "ban"):
            events.append(closing_event(person_id))
        if action == "correct_age_band":
            events.append(reconnect_event(person_id))
    events += [outcome_event(reporter, report, action) for reporter, report in effects.reporters]
    await services.bus.publish(events)


async def _removals(services: Services, decision: dict[str, Any]) -> list[Event]:
    """Unsubscribe the person's connections from the rooms they were taken out of, on every node."""
    left: list[str] = decision.get("left_rooms") or []
    if not left:
        return []
    async with services.transaction() as connection:
        person = await people_store.get_person(connection, decision["person_id"])
    if person is None:
        return []
    return [
        e
        for room_id in left
        for e in rooms.removal_events(person.id, person.pseudo, room_id, decision["action"])
    ]


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


def reconnect_event(person_id: int) -> Event:
    """After an age band correction: connections close, the next one reads the corrected band."""
    frame = {
        "type": "age_band_corrected",
        "message": {
            "fr": "Votre tranche d'âge a été corrigée. Reconnectez-vous pour continuer.",
            "en": "Your age band was corrected. Reconnect to continue.",
        },
    }
    return notice(person_topic(person_id), frame, close_code=CLOSE_RECONNECT)


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
