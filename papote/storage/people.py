"""People, accounts, sessions and pseudonym claims."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from papote.domain.errors import PapoteRefusal
from papote.domain.model import Person
from papote.storage.tables import accounts, people, pseudo_claims, sessions


def person_from_row(row: Any, role: str | None = None) -> Person:
    r = row._mapping
    return Person(
        id=r["id"],
        pseudo=r["pseudo"],
        age_band=r["age_band"],
        gender=r["gender"],
        departement=r["departement"],
        registered=r["account_id"] is not None,
        created_ms=r["created_ms"],
        role=role or r.get("role") or "user",
    )


_PERSON_COLUMNS = [*people.c, accounts.c.role]
_PERSON_JOIN = people.outerjoin(accounts, people.c.account_id == accounts.c.id)


async def get_person(connection: AsyncConnection, person_id: int) -> Person | None:
    row = (
        await connection.execute(
            select(*_PERSON_COLUMNS).select_from(_PERSON_JOIN).where(people.c.id == person_id)
        )
    ).first()
    return person_from_row(row) if row else None


async def find_online_by_pseudo(connection: AsyncConnection, pseudo_key: str, now_ms: int) -> Person | None:
    """The person currently holding this pseudonym (a live guest or an account)."""
    claim = (
        await connection.execute(select(pseudo_claims).where(pseudo_claims.c.pseudo_key == pseudo_key))
    ).first()
    if claim is None or (claim.expires_ms is not None and claim.expires_ms <= now_ms):
        return None
    return await get_person(connection, claim.person_id)


async def claim_pseudonym(
    connection: AsyncConnection, pseudo_key: str, person_id: int, expires_ms: int | None, now_ms: int
) -> None:
    await connection.execute(
        delete(pseudo_claims).where(
            pseudo_claims.c.pseudo_key == pseudo_key,
            pseudo_claims.c.expires_ms.is_not(None),
            pseudo_claims.c.expires_ms <= now_ms,
        )
    )
    try:
        async with connection.begin_nested():
            await connection.execute(
                insert(pseudo_claims).values(
                    pseudo_key=pseudo_key, person_id=person_id, expires_ms=expires_ms
                )
            )
    except IntegrityError as error:
        raise PapoteRefusal("pseudo_taken") from error


async def extend_claim(connection: AsyncConnection, person_id: int, expires_ms: int) -> None:
    await connection.execute(
        update(pseudo_claims)
        .where(pseudo_claims.c.person_id == person_id, pseudo_claims.c.expires_ms.is_not(None))
        .values(expires_ms=expires_ms)
    )


async def insert_person(
    connection: AsyncConnection,
    *,
    pseudo: str,
    pseudo_key: str,
    birth_date: dt.date,
    age_band: str,
    gender: str | None,
    departement: str | None,
    now_ms: int,
) -> int:
    result = await connection.execute(
        insert(people)
        .values(
            pseudo=pseudo,
            pseudo_key=pseudo_key,
            birth_date=birth_date,
            age_band=age_band,
            gender=gender,
            departement=departement,
            created_ms=now_ms,
            last_seen_ms=now_ms,
        )
        .returning(people.c.id)
    )
    return int(result.scalar_one())


async def insert_claiming_person(
    connection: AsyncConnection,
    *,
    pseudo: str,
    pseudo_key: str,
    birth_date: dt.date,
    age_band: str,
    gender: str | None,
    departement: str | None,
    claim_expires_ms: int | None,
    now_ms: int,
) -> int:
    """A new person who holds the pseudonym (until `claim_expires_ms`, or for good when None)."""
    person_id = await insert_person(
        connection,
        pseudo=pseudo,
        pseudo_key=pseudo_key,
        birth_date=birth_date,
        age_band=age_band,
        gender=gender,
        departement=departement,
        now_ms=now_ms,
    )
    await claim_pseudonym(connection, pseudo_key, person_id, claim_expires_ms, now_ms)
    return person_id


async def insert_session(
    connection: AsyncConnection, token_hash: str, person_id: int, now_ms: int, expires_ms: int
) -> None:
    await connection.execute(
        insert(sessions).values(
            token_hash=token_hash, person_id=person_id, created_ms=now_ms, expires_ms=expires_ms
        )
    )


async def session_person(connection: AsyncConnection, token_hash: str, now_ms: int) -> Person | None:
    row = (
        await connection.execute(
            select(sessions.c.person_id).where(
                sessions.c.token_hash == token_hash, sessions.c.expires_ms > now_ms
            )
        )
    ).first()
    return await get_person(connection, row.person_id) if row else None


async def extend_session(connection: AsyncConnection, token_hash: str, expires_ms: int) -> None:
    await connection.execute(
        update(sessions).where(sessions.c.token_hash == token_hash).values(expires_ms=expires_ms)
    )


async def delete_session(connection: AsyncConnection, token_hash: str) -> int | None:
    row = (
        await connection.execute(
            delete(sessions).where(sessions.c.token_hash == token_hash).returning(sessions.c.person_id)
        )
    ).first()
    return int(row.person_id) if row else None


async def live_session_count(connection: AsyncConnection, person_id: int, now_ms: int) -> int:
    rows = await connection.execute(
        select(sessions.c.token_hash).where(sessions.c.person_id == person_id, sessions.c.expires_ms > now_ms)
    )
    return len(rows.all())


async def release_guest_claim(connection: AsyncConnection, person_id: int) -> None:
    await connection.execute(
        delete(pseudo_claims).where(
            pseudo_claims.c.person_id == person_id, pseudo_claims.c.expires_ms.is_not(None)
        )
    )


async def birth_date_of(connection: AsyncConnection, person_id: int) -> dt.date:
    value = await connection.scalar(select(people.c.birth_date).where(people.c.id == person_id))
    if value is None:
        raise LookupError(person_id)
    return value  # type: ignore[no-any-return]


async def set_age_band(connection: AsyncConnection, person_id: int, band: str) -> None:
    await connection.execute(update(people).where(people.c.id == person_id).values(age_band=band))


async def insert_account(
    connection: AsyncConnection, *, email: str, password_hash: str, pseudo_key: str, role: str, now_ms: int
) -> int:
    try:
        async with connection.begin_nested():
            result = await connection.execute(
                insert(accounts)
                .values(
                    email=email,
                    password_hash=password_hash,
                    pseudo_key=pseudo_key,
                    role=role,
                    created_ms=now_ms,
                )
                .returning(accounts.c.id)
            )
            return int(result.scalar_one())
    except IntegrityError as error:
        raise PapoteRefusal("email_taken") from error


async def attach_account(
    connection: AsyncConnection, person_id: int, account_id: int, pseudo_key: str
) -> None:
    await connection.execute(update(people).where(people.c.id == person_id).values(account_id=account_id))
    await connection.execute(
        update(pseudo_claims).where(pseudo_claims.c.pseudo_key == pseudo_key).values(expires_ms=None)
    )


async def account_by_email(connection: AsyncConnection, email: str) -> Any:
    return (await connection.execute(select(accounts).where(accounts.c.email == email))).first()


async def person_of_account(connection: AsyncConnection, account_id: int) -> Person | None:
    row = (
        await connection.execute(
            select(*_PERSON_COLUMNS).select_from(_PERSON_JOIN).where(people.c.account_id == account_id)
        )
    ).first()
    return person_from_row(row) if row else None


async def set_role(connection: AsyncConnection, account_id: int, role: str) -> None:
    await connection.execute(update(accounts).where(accounts.c.id == account_id).values(role=role))


async def expired_guest_ids(connection: AsyncConnection, now_ms: int) -> list[int]:
    """Guests whose every session has expired: their pseudonym and rooms are freed."""
    rows = await connection.execute(
        select(pseudo_claims.c.person_id).where(
            pseudo_claims.c.expires_ms.is_not(None), pseudo_claims.c.expires_ms <= now_ms
        )
    )
    return [int(r.person_id) for r in rows]


async def delete_expired_sessions(connection: AsyncConnection, now_ms: int) -> None:
    await connection.execute(delete(sessions).where(sessions.c.expires_ms <= now_ms))
