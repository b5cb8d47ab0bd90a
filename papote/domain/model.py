"""Plain values of the chat domain: who is here, where they talk, what they said."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass
from typing import Literal

from papote.domain.errors import PapoteRefusal

AgeBand = Literal["minor", "adult"]
Audience = Literal["minors", "adults", "all"]
AUDIENCES: tuple[Audience, ...] = ("minors", "adults", "all")
GENDERS = ("femme", "homme", "autre")
MINIMUM_AGE = 13
ADULT_AGE = 18


def now_ms() -> int:
    return int(time.time() * 1000)


def age_on(birth_date: dt.date, today: dt.date) -> int:
    had_birthday = (today.month, today.day) >= (birth_date.month, birth_date.day)
    return today.year - birth_date.year - (0 if had_birthday else 1)


def age_band_for(birth_date: dt.date, today: dt.date | None = None) -> AgeBand:
    """The server alone derives the band; a client never chooses it."""
    today = today or dt.date.today()
    if birth_date > today or birth_date.year < today.year - 120:
        raise PapoteRefusal("invalid_birth_date")
    age = age_on(birth_date, today)
    if age < MINIMUM_AGE:
        raise PapoteRefusal("too_young")
    return "adult" if age >= ADULT_AGE else "minor"


def audience_refusal(audience: str, band: str) -> str | None:
    """The refusal code when a person of `band` may not be in a room for `audience`."""
    if audience == "minors" and band != "minor":
        return "audience_minors_only"
    if audience == "adults" and band != "adult":
        return "audience_adults_only"
    return None


def private_contact_allowed(band_a: str, band_b: str) -> bool:
    """An adult and a minor can never talk in private, whatever the client sends."""
    return band_a == band_b


@dataclass(frozen=True)
class Person:
    id: int
    pseudo: str
    age_band: AgeBand
    gender: str | None
    departement: str | None
    registered: bool
    created_ms: int
    role: str = "user"

    def public(self) -> dict[str, object]:
        return {"pseudo": self.pseudo, "age_band": self.age_band, "gender": self.gender}


@dataclass(frozen=True)
class Room:
    id: str
    name: str
    topic: str
    audience: Audience
    kind: Literal["public", "private"]
    owner_id: int | None = None
    slow_mode_seconds: int = 0  # 0: off; otherwise one message per person per that many seconds

    @property
    def channel(self) -> str:
        return room_channel(self.id)

    @property
    def topic_key(self) -> str:
        return f"room:{self.id}"

    def public(self) -> dict[str, object]:
        return {
            "id": self.id,
            "name": self.name,
            "topic": self.topic,
            "audience": self.audience,
            "kind": self.kind,
            "slow_mode_seconds": self.slow_mode_seconds,
        }


@dataclass(frozen=True)
class Conversation:
    id: int
    person_low: int
    person_high: int
    requested_by: int
    status: Literal["pending", "accepted", "declined", "blocked", "frozen"]

    @property
    def channel(self) -> str:
        return conversation_channel(self.id)

    def other(self, person_id: int) -> int:
        return self.person_high if person_id == self.person_low else self.person_low


@dataclass(frozen=True)
class StoredMessage:
    id: int
    channel: str
    seq: int
    sender_id: int
    client_id: str
    kind: str
    text: str
    created_ms: int
    duplicate: bool = False
    flags: str = ""  # "held", "blur" or "tip" when the safety pipeline said so
    image_id: int | None = None  # kind "image"


def room_channel(room_id: str) -> str:
    return f"r:{room_id}"


def conversation_channel(conversation_id: int) -> str:
    return f"d:{conversation_id}"


def person_topic(person_id: int) -> str:
    return f"person:{person_id}"
