"""Age claims: what people write about their own age, against the account and the room."""

from __future__ import annotations

import pytest

from papote.safety.base import Content, Context, Turn
from papote.safety.detectors.age_claims import MISMATCH_LABEL, AgeClaimDetector, claimed_age

CLAIMS = [
    ("j'ai 14 ans", 14),
    ("jai 14a", 14),
    ("J’ai 14ans 😊", 14),
    ("g 13 ans", 13),
    ("14 ans ici", 14),
    ("14 ans et toi ?", 14),
    ("15 ans", 15),
    ("14/f/lyon", 14),
    ("moi c'est 15 ans et toi", 15),
    ("j'ai quatorze ans", 14),
    ("j ai dix-sept ans", 17),
    ("j'ai eu 13 ans hier", 13),
    ("je vais avoir 15 ans", 14),
    ("je suis en 4e", 13),
    ("je suis en 3ème", 14),
    ("chui en seconde", 15),
    ("je suis en terminale", 17),
    ("jsuis au collège", 13),
    ("je suis lycéenne", 16),
    ("13 y/o", 13),
    ("i'm 13", 13),
    ("im thirteen", 13),
    ("je suis majeur", 18),
    ("je suis majeure et vaccinée", 18),
    ("je suis pas majeur", 16),
    ("je suis mineure", 16),
    ("j'ai 35 ans", 35),
    ("age: 16", 16),
]

NOT_CLAIMS = [
    "mon fils a 14 ans",
    "ma fille a 13 ans et elle est en 4e",
    "il y a 14 ans",
    "14 ans de prison pour lui",
    "j'avais 14 ans quand j'ai déménagé",
    "quand j'ai eu 14 ans on a déménagé",
    "j'ai 14 ans d'expérience dans le métier",
    "j'ai 10 ans de retard",
    "j'ai 2 a faire",
    "j'ai huit a rendre demain",
    "tu crois que j'ai 14 ans ?",
    "je suis en 3e année de médecine",
    "je suis en seconde position",
    "je suis majeur dans 2 mois",
    "i'm 5 min away",
    "10 ans, ça passe vite",
    "appelle le 119 ou le 3018",
    "rdv à 14h",
]


@pytest.mark.parametrize(("text", "age"), CLAIMS)
def test_claimed_age(text: str, age: int) -> None:
    assert claimed_age(text, year=2025) == age


@pytest.mark.parametrize("text", NOT_CLAIMS)
def test_not_an_age_claim(text: str) -> None:
    assert claimed_age(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "J'AI 14 ANS",
        "j'a\u200bi 14 ans",  # zero-width space
        "j'аі 14 аns",  # Cyrillic а and і
        "ｊ'ａｉ １４ ａｎｓ",  # fullwidth
    ],
)
def test_claims_survive_evasion(text: str) -> None:
    assert claimed_age(text) == 14


def test_birth_year_uses_the_given_year() -> None:
    assert claimed_age("je suis née en 2011", year=2025) == 14
    assert claimed_age("je suis de 2011", year=2026) == 15


def inspect(text: str, context: Context) -> list[tuple[str, float]]:
    return [(signal.label, signal.score) for signal in AgeClaimDetector().inspect(Content(text, context))]


def labels(text: str, context: Context) -> list[str]:
    return [label for label, _ in inspect(text, context)]


ADULT_DM_TO_MINOR = Context(channel="dm", sender_age_band="adult", recipient_age_band="minor")
MINOR_DM_TO_ADULT = Context(channel="dm", sender_age_band="minor", recipient_age_band="adult")
MINORS_ROOM = Context(channel="room", room_audience="minors", sender_age_band="minor")
ADULTS_ROOM = Context(channel="room", room_audience="adults", sender_age_band="adult")


def test_detector_name() -> None:
    assert AgeClaimDetector.name == "age_claims"


def test_adult_account_claiming_to_be_a_teen() -> None:
    assert labels("salut moi j'ai 14 ans", ADULT_DM_TO_MINOR) == [MISMATCH_LABEL]
    assert labels("je suis en 4e", ADULTS_ROOM) == [MISMATCH_LABEL]


def test_adult_claim_in_the_minors_room() -> None:
    assert labels("je suis majeur mdr", MINORS_ROOM) == [MISMATCH_LABEL]
    assert labels("j'ai 35 ans", MINORS_ROOM) == [MISMATCH_LABEL]


def test_under_thirteen_anywhere() -> None:
    assert labels("j'ai 12 ans", MINORS_ROOM) == [MISMATCH_LABEL]
    assert labels("j'ai 11 ans", Context(channel="room", room_audience="all")) == [MISMATCH_LABEL]


def test_consistent_claims_pass() -> None:
    assert labels("j'ai 15 ans et toi ?", MINORS_ROOM) == []
    assert labels("j'ai 35 ans", ADULTS_ROOM) == []
    assert labels("14 ans ici", Context(channel="room", room_audience="all", sender_age_band="minor")) == []


@pytest.mark.parametrize("text", NOT_CLAIMS)
def test_hard_negatives_give_no_signal(text: str) -> None:
    assert labels(text, ADULTS_ROOM) == []
    assert labels(text, MINORS_ROOM) == []


def test_sexual_context_makes_a_mismatch_a_minor_at_risk() -> None:
    assert labels("j'ai 14 ans, t'es coquine ?", ADULTS_ROOM) == ["minor_sexual_risk"]
    assert labels("j'ai 35 ans, envoie une photo sexy", MINORS_ROOM) == ["minor_sexual_risk"]


def test_minor_claim_answering_sexual_talk_from_an_adult() -> None:
    context = Context(
        channel="dm",
        sender_age_band="minor",
        recipient_age_band="adult",
        recent=(Turn("b", "t'es vierge ?"), Turn("self", "pk")),
    )
    assert labels("j'ai 14 ans", context) == ["minor_sexual_risk"]
    assert labels("j'ai 14 ans", MINOR_DM_TO_ADULT) == []


def test_adult_stating_age_amid_sexual_talk_with_a_minor() -> None:
    assert labels("j'ai 40 ans et je suis excité", ADULT_DM_TO_MINOR) == ["minor_sexual_risk"]


def test_teens_among_themselves_are_left_to_other_detectors() -> None:
    context = Context(channel="dm", sender_age_band="minor", recipient_age_band="minor")
    assert labels("j'ai 15 ans et toujours vierge lol", context) == []


def test_evidence_points_at_the_original_text() -> None:
    text = "Salut 👋 J’ai 14 ans"
    [signal] = AgeClaimDetector().inspect(Content(text, ADULTS_ROOM))
    assert signal.evidence is not None
    assert text[signal.evidence.start : signal.evidence.end] == signal.evidence.excerpt
    assert "14" in signal.evidence.excerpt
    assert 0.0 < signal.score <= 1.0


def test_messages_without_claims_are_cheap_and_silent() -> None:
    assert AgeClaimDetector().inspect(Content("salut ça va ?", ADULTS_ROOM)) == ()


# Each claim pattern is only searched when the text holds what all its matches hold ("moi",
# "suis"/"chui", "bientot", "19"/"20"...): every kind of trigger must still be found.
@pytest.mark.parametrize(
    ("text", "age"),
    [
        ("moi aussi 14 ans", 14),
        ("bientôt 16 ans", 15),
        ("j'aurai 15 ans en mai", 14),
        ("jsui en 5eme", 12),
        ("chuis au lycée", 16),
        ("je suis née en 2010", 15),
        ("born in 2008", 17),
        ("i'm underage", 16),
        ("i'm an adult", 18),
        ("13yo", 13),
        ("i am 15.", 15),
    ],
)
def test_each_kind_of_claim_passes_the_quick_tests(text: str, age: int) -> None:
    assert claimed_age(text, year=2025) == age
