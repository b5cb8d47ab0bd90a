"""Entering Papote, registering, logging in and out.

Entering takes a pseudonym and a date of birth; the server derives the age band.
A session token lives in an HttpOnly cookie; only its SHA-256 is stored.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import re
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from papote.domain import rooms as room_actions
from papote.domain.errors import PapoteRefusal
from papote.domain.model import GENDERS, Person, age_band_for, now_ms
from papote.domain.pseudonyms import pseudonym_key, validate_pseudonym
from papote.domain.services import Services
from papote.safety.pseudonyms import check_pseudonym
from papote.storage import moderation as moderation_store
from papote.storage import people as store
from papote.storage import safety as safety_store

EMAIL_PATTERN = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,189}\.[^@\s]{2,}$")
DEPARTEMENT_PATTERN = re.compile(r"^(0[1-9]|[1-8][0-9]|9[0-5]|2A|2B|97[1-6])$")
MINIMUM_PASSWORD = 10
_hasher = PasswordHasher()


@dataclass(frozen=True)
class Entry:
    person: Person
    token: str
    expires_ms: int


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def parse_birth_date(value: object) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError as error:
        raise PapoteRefusal("invalid_birth_date") from error


def check_profile(gender: str | None, departement: str | None) -> tuple[str | None, str | None]:
    gender = gender or None
    if gender is not None and gender not in GENDERS:
        raise PapoteRefusal("invalid_gender")
    departement = (departement or "").strip().upper() or None
    if departement is not None and not DEPARTEMENT_PATTERN.match(departement):
        raise PapoteRefusal("invalid_departement")
    return gender, departement


async def enter(
    services: Services,
    pseudo: str,
    birth_date: object,
    gender: str | None = None,
    departement: str | None = None,
    accept_rules: bool = False,
) -> Entry:
    if not accept_rules:
        raise PapoteRefusal("rules_not_accepted")
    born = parse_birth_date(birth_date)
    band = age_band_for(born)
    pseudo = validate_pseudonym(pseudo)
    check = check_pseudonym(pseudo)
    if not check.ok:
        raise PapoteRefusal(check.code or "pseudo_offensive", check.fr, check.en)
    gender, departement = check_profile(gender, departement)
    key = pseudonym_key(pseudo)
    now = now_ms()
    expires = now + services.settings.guest_session_hours * 3_600_000
    token = secrets.token_urlsafe(32)
    async with services.transaction() as connection:
        person_id = await store.insert_claiming_person(
            connection,
            pseudo=pseudo,
            pseudo_key=key,
            birth_date=born,
            age_band=band,
            gender=gender,
            departement=departement,
            claim_expires_ms=expires,
            now_ms=now,
        )
        await store.insert_session(connection, token_hash(token), person_id, now, expires)
        person = await store.get_person(connection, person_id)
    assert person is not None
    return Entry(person, token, expires)


async def authenticate(services: Services, token: str | None) -> Person | None:
    """The person of a live session; a suspended person is refused with `account_suspended`."""
    if not token:
        return None
    async with services.transaction() as connection:
        person = await store.session_person(connection, token_hash(token), now_ms())
        if person is None:
            return None
        restrictions = await safety_store.restrictions(connection, person.id)
    suspended_until = restrictions.get("suspended_until_ms")
    if suspended_until and suspended_until > now_ms():
        raise PapoteRefusal("account_suspended")
    services.gate.mute_until(person.id, restrictions.get("muted_until_ms"))  # survives a restart
    return person


async def session_owner(services: Services, token: str | None) -> Person | None:
    """The person of a live session even while suspended: only to read one's decisions and appeal them."""
    if not token:
        return None
    async with services.transaction() as connection:
        return await store.session_person(connection, token_hash(token), now_ms())


async def touch(services: Services, token: str, person: Person) -> None:
    """A connection keeps a guest's session (and pseudonym) alive."""
    hours = (
        services.settings.guest_session_hours
        if not person.registered
        else 24 * services.settings.account_session_days
    )
    expires = now_ms() + hours * 3_600_000
    async with services.transaction() as connection:
        await store.extend_session(connection, token_hash(token), expires)
        await store.extend_claim(connection, person.id, expires)


async def register(services: Services, person: Person, email: str, password: str) -> Person:
    """Give the current pseudonym an account, so it is kept and private rooms can be created."""
    if person.registered:
        raise PapoteRefusal("already_registered")
    email = check_email(email)
    if len(password) < MINIMUM_PASSWORD:
        raise PapoteRefusal("password_weak")
    password_hash = await asyncio.to_thread(_hasher.hash, password)
    async with services.transaction() as connection:
        key = pseudonym_key(person.pseudo)
        account_id = await store.insert_account(
            connection, email=email, password_hash=password_hash, pseudo_key=key, role="user", now_ms=now_ms()
        )
        await store.attach_account(connection, person.id, account_id, key)
        updated = await store.get_person(connection, person.id)
    assert updated is not None
    return updated


def check_email(email: str) -> str:
    email = email.strip().lower()
    if not EMAIL_PATTERN.match(email):
        raise PapoteRefusal("email_invalid")
    return email


async def login(services: Services, email: str, password: str) -> Entry:
    email = email.strip().lower()
    async with services.transaction() as connection:
        account = await store.account_by_email(connection, email)
    if account is None or not await _password_matches(account.password_hash, password):
        raise PapoteRefusal("login_failed")
    now = now_ms()
    expires = now + services.settings.account_session_days * 86_400_000
    token = secrets.token_urlsafe(32)
    async with services.transaction() as connection:
        person = await store.person_of_account(connection, account.id)
        if person is None:
            raise PapoteRefusal("login_failed")
        band = age_band_for(await store.birth_date_of(connection, person.id))
        # A birthday turns a minor into an adult; a moderator's correction of a false birth date stands.
        if band != person.age_band and not await moderation_store.band_corrected(connection, person.id):
            await store.set_age_band(connection, person.id, band)
        await store.insert_session(connection, token_hash(token), person.id, now, expires)
        person = await store.get_person(connection, person.id)
    assert person is not None
    return Entry(person, token, expires)


async def _password_matches(password_hash: str, password: str) -> bool:
    try:
        return bool(await asyncio.to_thread(_hasher.verify, password_hash, password))
    except (VerificationError, InvalidHashError):
        return False


async def logout(services: Services, token: str) -> None:
    now = now_ms()
    async with services.transaction() as connection:
        person_id = await store.delete_session(connection, token_hash(token))
        if person_id is None:
            return
        person = await store.get_person(connection, person_id)
        if person is None or person.registered or await store.live_session_count(connection, person_id, now):
            return
        await store.release_guest_claim(connection, person_id)
    await room_actions.leave_all(services, person)


async def current(services: Services, person_id: int) -> Person:
    """The person as stored now (a connection's copy may predate a registration or a correction)."""
    async with services.transaction() as connection:
        person = await store.get_person(connection, person_id)
    if person is None:
        raise PapoteRefusal("not_authenticated")
    return person
