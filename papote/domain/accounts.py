"""Accounts created by operators (moderators, administrators, trusted flaggers)."""

from __future__ import annotations

import asyncio
import datetime as dt

from sqlalchemy.ext.asyncio import AsyncConnection

from papote.domain.errors import PapoteRefusal
from papote.domain.model import Person, age_band_for, now_ms
from papote.domain.people import MINIMUM_PASSWORD, _hasher, check_email
from papote.domain.pseudonyms import pseudonym_key, validate_pseudonym
from papote.domain.services import Services
from papote.storage import moderation as moderation_store
from papote.storage import people as store
from papote.storage import rooms as room_store


async def create_account(
    services: Services,
    email: str,
    password: str,
    pseudo: str,
    birth_date: dt.date,
    role: str,
    room: str | None = None,
) -> Person:
    email = check_email(email)
    if len(password) < MINIMUM_PASSWORD:
        raise PapoteRefusal("password_weak")
    pseudo = validate_pseudonym(pseudo) if role == "user" else _staff_pseudo(pseudo)
    band = age_band_for(birth_date)
    key = pseudonym_key(pseudo)
    password_hash = await asyncio.to_thread(_hasher.hash, password)
    now = now_ms()
    async with services.transaction() as connection:
        account_id = await store.insert_account(
            connection, email=email, password_hash=password_hash, pseudo_key=key, role=role, now_ms=now
        )
        person_id = await store.insert_claiming_person(
            connection,
            pseudo=pseudo,
            pseudo_key=key,
            birth_date=birth_date,
            age_band=band,
            gender=None,
            departement=None,
            claim_expires_ms=None,
            now_ms=now,
        )
        await store.attach_account(connection, person_id, account_id, key)
        if role == "room_moderator":
            await _assign_room(connection, person_id, room)
        person = await store.get_person(connection, person_id)
    assert person is not None
    return person


async def _assign_room(connection: AsyncConnection, person_id: int, room: str | None) -> None:
    """A room moderator acts only in their room: one must be named, and exist."""
    if not room:
        raise PapoteRefusal("bad_request", details={"field": "room"})
    if await room_store.get_room(connection, room) is None:
        raise PapoteRefusal("room_not_found")
    await moderation_store.add_room_moderator(connection, room, person_id)


def _staff_pseudo(pseudo: str) -> str:
    """Staff may carry reserved words (\"Modo_Lea\"); length and characters still apply."""
    try:
        return validate_pseudonym(pseudo)
    except PapoteRefusal as refusal:
        if refusal.code != "pseudo_reserved":
            raise
        return pseudo.strip()
