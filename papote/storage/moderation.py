"""Queries of moderation: room moderators, reports, frozen evidence, the case queue, decisions, appeals."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import and_, case, delete, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from papote.domain.errors import PapoteRefusal
from papote.storage.tables import (
    accounts,
    appeals,
    cases,
    connection_hashes,
    conversations,
    decisions,
    evidence,
    messages,
    people,
    removed_messages,
    reports,
    room_bans,
    room_moderators,
    rooms,
    safety_events,
)

QUEUE_LIMIT = 200
OPEN_STATUSES = ("open", "claimed", "escalated")


def _dict(row: Any) -> dict[str, Any]:
    # plain str keys: some column names come back as str subclasses, which orjson refuses
    return {str(key): value for key, value in row._mapping.items()}


def _dicts(rows: Any) -> list[dict[str, Any]]:
    return [_dict(r) for r in rows]


# --- room moderators ------------------------------------------------------------------------------


async def add_room_moderator(connection: AsyncConnection, room_id: str, person_id: int) -> None:
    await connection.execute(insert(room_moderators).values(room_id=room_id, person_id=person_id))


async def clear_room_moderator(connection: AsyncConnection, person_id: int) -> None:
    await connection.execute(delete(room_moderators).where(room_moderators.c.person_id == person_id))


async def account_of_pseudo(connection: AsyncConnection, pseudo_key: str) -> tuple[int, int, str] | None:
    """(account id, person id, role) of the registered account holding this pseudonym."""
    row = (
        await connection.execute(
            select(accounts.c.id, people.c.id.label("person_id"), accounts.c.role)
            .select_from(accounts.join(people, people.c.account_id == accounts.c.id))
            .where(accounts.c.pseudo_key == pseudo_key)
        )
    ).first()
    return (int(row.id), int(row.person_id), str(row.role)) if row else None


TOOL_COLUMNS = ("slow_mode_seconds", "registered_only", "hold_new_arrivals", "locked")


async def room_tools(connection: AsyncConnection, room_id: str) -> dict[str, Any] | None:
    """A room's emergency settings, with its room moderators' ids (who may still write when locked)."""
    row = (
        await connection.execute(
            select(*(rooms.c[name] for name in TOOL_COLUMNS)).where(rooms.c.id == room_id)
        )
    ).first()
    if row is None:
        return None
    tools = _dict(row)
    ids = await connection.execute(
        select(room_moderators.c.person_id).where(room_moderators.c.room_id == room_id)
    )
    tools["moderator_ids"] = sorted(int(r.person_id) for r in ids)
    return tools


async def set_room_tools(connection: AsyncConnection, room_id: str, **values: Any) -> bool:
    result = await connection.execute(update(rooms).where(rooms.c.id == room_id).values(**values))
    return bool(result.rowcount)


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


# --- kick, room ban, age band, removal over a period ----------------------------------------------


async def ban_from_room(
    connection: AsyncConnection, room_id: str, person_id: int, until_ms: int, decision_id: int
) -> None:
    """One ban per person and room: a new one replaces the old."""
    await lift_room_ban(connection, room_id, person_id)
    await connection.execute(
        insert(room_bans).values(
            room_id=room_id, person_id=person_id, until_ms=until_ms, decision_id=decision_id
        )
    )


async def lift_room_ban(connection: AsyncConnection, room_id: str, person_id: int) -> None:
    await connection.execute(
        delete(room_bans).where(room_bans.c.room_id == room_id, room_bans.c.person_id == person_id)
    )


async def room_banned_until(
    connection: AsyncConnection, room_id: str, person_id: int, now: int
) -> int | None:
    """When this person's ban from this room ends; None when they are not banned from it."""
    found = await connection.scalar(
        select(room_bans.c.until_ms).where(
            room_bans.c.room_id == room_id, room_bans.c.person_id == person_id, room_bans.c.until_ms > now
        )
    )
    return int(found) if found is not None else None


async def set_age_band(connection: AsyncConnection, person_id: int, band: str) -> None:
    await connection.execute(update(people).where(people.c.id == person_id).values(age_band=band))


async def age_band_of(connection: AsyncConnection, person_id: int) -> str | None:
    found = await connection.scalar(select(people.c.age_band).where(people.c.id == person_id))
    return str(found) if found is not None else None


async def freeze_conversations_across_bands(
    connection: AsyncConnection, person_id: int, now: int
) -> list[int]:
    """Freeze the person's live private conversations with people of another band; returns their ids."""
    band = await age_band_of(connection, person_id)
    other = people.alias("other")
    mine = or_(conversations.c.person_low == person_id, conversations.c.person_high == person_id)
    partner = case(
        (conversations.c.person_low == person_id, conversations.c.person_high),
        else_=conversations.c.person_low,
    )
    rows = await connection.execute(
        select(conversations.c.id)
        .select_from(conversations.join(other, other.c.id == partner))
        .where(mine, conversations.c.status.in_(("pending", "accepted")), other.c.age_band != band)
    )
    ids = [int(r.id) for r in rows]
    if ids:
        await connection.execute(
            update(conversations).where(conversations.c.id.in_(ids)).values(status="frozen", updated_ms=now)
        )
    return ids


async def hide_messages_since(
    connection: AsyncConnection, person_id: int, since_ms: int, decision_id: int
) -> list[int]:
    """Hide every visible message the person sent since `since_ms`, in every channel; remember which."""
    rows = await connection.execute(
        select(messages.c.id).where(
            messages.c.sender_id == person_id, messages.c.created_ms >= since_ms, messages.c.hidden.is_(False)
        )
    )
    ids = [int(r.id) for r in rows]
    if ids:
        await connection.execute(
            update(messages).where(messages.c.id.in_(ids)).values(hidden=True, flags="removed")
        )
        await connection.execute(
            insert(removed_messages), [{"decision_id": decision_id, "message_id": i} for i in ids]
        )
    return ids


async def unhide_removed(connection: AsyncConnection, decision_id: int) -> int:
    """Show again exactly the messages a `remove_messages` decision hid; returns how many."""
    ids = select(removed_messages.c.message_id).where(removed_messages.c.decision_id == decision_id)
    result = await connection.execute(
        update(messages)
        .where(messages.c.id.in_(ids), messages.c.flags == "removed")
        .values(hidden=False, flags="")
    )
    return int(result.rowcount or 0)


async def warnings_since(connection: AsyncConnection, person_id: int, since_ms: int) -> int:
    """Human warnings about this person since `since_ms` that no appeal reversed (DSA art. 23 policy)."""
    found = await connection.scalar(
        select(func.count()).where(
            decisions.c.person_id == person_id,
            decisions.c.action == "warn",
            decisions.c.automated.is_(False),
            decisions.c.reversed_ms.is_(None),
            decisions.c.created_ms >= since_ms,
        )
    )
    return int(found or 0)


async def band_corrected(connection: AsyncConnection, person_id: int) -> bool:
    """Whether a moderator corrected this person's age band (and no appeal reversed it)."""
    query = select(decisions.c.id).where(
        decisions.c.person_id == person_id,
        decisions.c.action == "correct_age_band",
        decisions.c.reversed_ms.is_(None),
    )
    return await connection.scalar(query.limit(1)) is not None
