"""Queries of moderation: room moderators, reports, frozen evidence, the case queue, decisions, appeals."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import and_, case, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from papote.domain.errors import PapoteRefusal
from papote.storage.tables import (
    accounts,
    appeals,
    cases,
    connection_hashes,
    decisions,
    evidence,
    messages,
    people,
    reports,
    room_moderators,
    safety_events,
)

QUEUE_LIMIT = 200
OPEN_STATUSES = ("open", "claimed")


def _dict(row: Any) -> dict[str, Any]:
    # plain str keys: some column names come back as str subclasses, which orjson refuses
    return {str(key): value for key, value in row._mapping.items()}


def _dicts(rows: Any) -> list[dict[str, Any]]:
    return [_dict(r) for r in rows]


# --- room moderators ------------------------------------------------------------------------------


async def add_room_moderator(connection: AsyncConnection, room_id: str, person_id: int) -> None:
    await connection.execute(insert(room_moderators).values(room_id=room_id, person_id=person_id))


async def moderated_rooms(connection: AsyncConnection, person_id: int) -> list[str]:
    rows = await connection.execute(
        select(room_moderators.c.room_id).where(room_moderators.c.person_id == person_id)
    )
    return sorted(str(r.room_id) for r in rows)


# --- what a report freezes ------------------------------------------------------------------------

_MESSAGE_COLUMNS = (
    messages.c.id,
    messages.c.channel,
    messages.c.seq,
    messages.c.sender_id,
    people.c.pseudo.label("sender"),
    messages.c.kind,
    messages.c.text,
    messages.c.created_ms,
    messages.c.hidden,
    messages.c.flags,
    messages.c.labels,
    messages.c.image_id,
)
_MESSAGES_WITH_SENDER = messages.join(people, people.c.id == messages.c.sender_id)


async def message_row(connection: AsyncConnection, message_id: int) -> dict[str, Any] | None:
    row = (
        await connection.execute(
            select(*_MESSAGE_COLUMNS).select_from(_MESSAGES_WITH_SENDER).where(messages.c.id == message_id)
        )
    ).first()
    return _dict(row) if row else None


async def messages_around(
    connection: AsyncConnection, channel: str, seq: int, before: int, after: int
) -> list[dict[str, Any]]:
    """Up to `before` messages before `seq` and `after` after it, hidden ones included, in seq order."""
    base = select(*_MESSAGE_COLUMNS).select_from(_MESSAGES_WITH_SENDER).where(messages.c.channel == channel)
    earlier = _dicts(
        await connection.execute(
            base.where(messages.c.seq < seq).order_by(messages.c.seq.desc()).limit(before)
        )
    )
    later = _dicts(
        await connection.execute(base.where(messages.c.seq > seq).order_by(messages.c.seq).limit(after))
    )
    return [*reversed(earlier), *later]


async def latest_messages(
    connection: AsyncConnection, *, channel: str | None = None, sender_id: int | None = None, limit: int = 10
) -> list[dict[str, Any]]:
    """The newest messages of a channel, or of a sender in rooms (never their private conversations)."""
    query = select(*_MESSAGE_COLUMNS).select_from(_MESSAGES_WITH_SENDER)
    if channel is not None:
        query = query.where(messages.c.channel == channel)
    if sender_id is not None:
        query = query.where(messages.c.sender_id == sender_id, messages.c.channel.like("r:%"))
    rows = _dicts(await connection.execute(query.order_by(messages.c.id.desc()).limit(limit)))
    rows.reverse()
    return rows


async def person_record(connection: AsyncConnection, person_id: int) -> dict[str, Any] | None:
    """The person, their account (without the password hash), restrictions and keyed connection hashes."""
    row = (
        await connection.execute(
            select(
                people, accounts.c.email, accounts.c.role, accounts.c.created_ms.label("account_created_ms")
            )
            .select_from(people.outerjoin(accounts, people.c.account_id == accounts.c.id))
            .where(people.c.id == person_id)
        )
    ).first()
    if row is None:
        return None
    record = _dict(row)
    record["birth_date"] = record["birth_date"].isoformat()
    hashes = await connection.execute(
        select(connection_hashes.c.ip_hash, connection_hashes.c.device_hash, connection_hashes.c.at_ms)
        .where(connection_hashes.c.person_id == person_id)
        .order_by(connection_hashes.c.id.desc())
        .limit(20)
    )
    record["connection_hashes"] = _dicts(hashes)
    return record


async def person_by_pseudo(connection: AsyncConnection, pseudo_key: str) -> int | None:
    """The newest person who used this pseudonym (they may have left since)."""
    found = await connection.scalar(
        select(people.c.id).where(people.c.pseudo_key == pseudo_key).order_by(people.c.id.desc()).limit(1)
    )
    return int(found) if found is not None else None


async def other_pseudonyms(connection: AsyncConnection, person_id: int) -> list[str]:
    """Pseudonyms seen from the same address or device (keyed hashes only), for ban evasion."""
    mine = (
        await connection.execute(
            select(connection_hashes.c.ip_hash, connection_hashes.c.device_hash).where(
                connection_hashes.c.person_id == person_id
            )
        )
    ).all()
    ip_hashes = {r.ip_hash for r in mine}
    device_hashes = {r.device_hash for r in mine if r.device_hash}
    if not mine:
        return []
    rows = await connection.execute(
        select(people.c.pseudo)
        .distinct()
        .select_from(connection_hashes.join(people, people.c.id == connection_hashes.c.person_id))
        .where(
            connection_hashes.c.person_id != person_id,
            or_(
                connection_hashes.c.ip_hash.in_(ip_hashes), connection_hashes.c.device_hash.in_(device_hashes)
            ),
        )
        .limit(50)
    )
    return sorted(str(r.pseudo) for r in rows)


# --- reports and evidence -------------------------------------------------------------------------


async def open_case_on(
    connection: AsyncConnection, target_kind: str, target_id: str
) -> dict[str, Any] | None:
    row = (
        await connection.execute(
            select(cases).where(
                cases.c.target_kind == target_kind,
                cases.c.target_id == target_id,
                cases.c.status.in_(OPEN_STATUSES),
            )
        )
    ).first()
    return _dict(row) if row else None


async def update_case(connection: AsyncConnection, case_id: int, **values: Any) -> None:
    await connection.execute(update(cases).where(cases.c.id == case_id).values(**values))


async def insert_report(connection: AsyncConnection, **values: Any) -> int:
    result = await connection.execute(insert(reports).values(**values).returning(reports.c.id))
    return int(result.scalar_one())


async def insert_evidence(connection: AsyncConnection, **values: Any) -> int:
    result = await connection.execute(insert(evidence).values(**values).returning(evidence.c.id))
    return int(result.scalar_one())


async def evidence_of_case(connection: AsyncConnection, case_id: int) -> list[dict[str, Any]]:
    return _dicts(
        await connection.execute(
            select(evidence).where(evidence.c.case_id == case_id).order_by(evidence.c.id)
        )
    )


async def reports_of_case(connection: AsyncConnection, case_id: int) -> list[dict[str, Any]]:
    return _dicts(
        await connection.execute(select(reports).where(reports.c.case_id == case_id).order_by(reports.c.id))
    )


# --- the queue ------------------------------------------------------------------------------------


async def queue(
    connection: AsyncConnection, statuses: Sequence[str], channels: Sequence[str] | None
) -> list[dict[str, Any]]:
    """Cases by priority, then minor involved, then trusted-flagger origin, then waiting time.

    `channels`: only cases in these channels (a room moderator's rooms); None: every case."""
    query = select(cases).where(cases.c.status.in_(list(statuses)))
    if channels is not None:
        query = query.where(cases.c.channel.in_(list(channels)))
    flagger_first = case((cases.c.source == "trusted_flagger", 0), else_=1)
    query = query.order_by(
        cases.c.priority, cases.c.minor_involved.desc(), flagger_first, cases.c.created_ms, cases.c.id
    ).limit(QUEUE_LIMIT)
    return _dicts(await connection.execute(query))


async def get_case(connection: AsyncConnection, case_id: int) -> dict[str, Any] | None:
    row = (await connection.execute(select(cases).where(cases.c.id == case_id))).first()
    return _dict(row) if row else None


async def cases_of_person(
    connection: AsyncConnection, person_id: int, except_case: int
) -> list[dict[str, Any]]:
    rows = await connection.execute(
        select(cases.c.id, cases.c.category, cases.c.status, cases.c.source, cases.c.created_ms)
        .where(cases.c.subject_id == person_id, cases.c.id != except_case)
        .order_by(cases.c.id.desc())
        .limit(50)
    )
    return _dicts(rows)


# --- decisions ------------------------------------------------------------------------------------


async def insert_decision(connection: AsyncConnection, **values: Any) -> int:
    result = await connection.execute(insert(decisions).values(**values).returning(decisions.c.id))
    return int(result.scalar_one())


async def get_decision(connection: AsyncConnection, decision_id: int) -> dict[str, Any] | None:
    row = (await connection.execute(select(decisions).where(decisions.c.id == decision_id))).first()
    return _dict(row) if row else None


async def decisions_of_person(connection: AsyncConnection, person_id: int) -> list[dict[str, Any]]:
    rows = await connection.execute(
        select(
            decisions.c.id,
            decisions.c.case_id,
            decisions.c.action,
            decisions.c.reason,
            decisions.c.automated,
            decisions.c.created_ms,
            decisions.c.reversed_ms,
        )
        .where(decisions.c.person_id == person_id)
        .order_by(decisions.c.id.desc())
        .limit(50)
    )
    return _dicts(rows)


async def mark_reversed(connection: AsyncConnection, decision_id: int, now_ms: int) -> None:
    await connection.execute(
        update(decisions).where(decisions.c.id == decision_id).values(reversed_ms=now_ms)
    )


async def set_message_hidden(connection: AsyncConnection, message_id: int, hidden: bool) -> None:
    """Hide a removed message (flag "removed"), or show it again after a reversal."""
    await connection.execute(
        update(messages)
        .where(messages.c.id == message_id)
        .values(hidden=hidden, flags="removed" if hidden else "")
    )


# --- appeals --------------------------------------------------------------------------------------


async def insert_appeal(connection: AsyncConnection, **values: Any) -> int:
    try:
        async with connection.begin_nested():
            result = await connection.execute(insert(appeals).values(**values).returning(appeals.c.id))
            return int(result.scalar_one())
    except IntegrityError as error:  # one appeal per decision: the unique constraint settles races
        raise PapoteRefusal("appeal_exists") from error


async def get_appeal(connection: AsyncConnection, appeal_id: int) -> dict[str, Any] | None:
    row = (await connection.execute(select(appeals).where(appeals.c.id == appeal_id))).first()
    return _dict(row) if row else None


async def open_appeals(connection: AsyncConnection, channels: Sequence[str] | None) -> list[dict[str, Any]]:
    """Open appeals, oldest first, with their decision; `channels` as in `queue`."""
    query = (
        select(
            appeals.c.id,
            appeals.c.decision_id,
            appeals.c.text,
            appeals.c.created_ms,
            appeals.c.person_id,
            people.c.pseudo,
            decisions.c.action,
            decisions.c.reason,
            decisions.c.moderator_id,
            decisions.c.automated,
            decisions.c.case_id,
        )
        .select_from(
            appeals.join(decisions, decisions.c.id == appeals.c.decision_id)
            .join(people, people.c.id == appeals.c.person_id)
            .outerjoin(cases, cases.c.id == decisions.c.case_id)
        )
        .where(appeals.c.status == "open")
        .order_by(appeals.c.created_ms, appeals.c.id)
        .limit(QUEUE_LIMIT)
    )
    if channels is not None:
        query = query.where(and_(cases.c.channel.is_not(None), cases.c.channel.in_(list(channels))))
    return _dicts(await connection.execute(query))


async def decide_appeal(connection: AsyncConnection, appeal_id: int, **values: Any) -> bool:
    """Record the outcome once: False when someone else decided it first."""
    result = await connection.execute(
        update(appeals).where(appeals.c.id == appeal_id, appeals.c.status == "open").values(**values)
    )
    return bool(result.rowcount)


async def message_of_safety_event(connection: AsyncConnection, safety_event_id: int) -> int | None:
    found = await connection.scalar(
        select(safety_events.c.message_id).where(safety_events.c.id == safety_event_id)
    )
    return int(found) if found is not None else None


async def statements_of_person(connection: AsyncConnection, person_id: int) -> list[dict[str, Any]]:
    """Every decision about a person, newest first, with what its statement of reasons says."""
    columns = (
        decisions.c.id,
        decisions.c.action,
        decisions.c.reason,
        decisions.c.facts,
        decisions.c.rule,
        decisions.c.automated,
        decisions.c.duration_seconds,
        decisions.c.created_ms,
        decisions.c.appeal_until_ms,
        decisions.c.reversed_ms,
    )
    query = (
        select(*columns).where(decisions.c.person_id == person_id).order_by(decisions.c.id.desc()).limit(100)
    )
    return _dicts(await connection.execute(query))


async def automated_decisions_of_case(connection: AsyncConnection, case_id: int) -> list[dict[str, Any]]:
    """Sanctions the safety pipeline applied itself for this case and nobody has reversed yet."""
    query = select(decisions).where(
        decisions.c.case_id == case_id, decisions.c.automated.is_(True), decisions.c.reversed_ms.is_(None)
    )
    return _dicts(await connection.execute(query))
