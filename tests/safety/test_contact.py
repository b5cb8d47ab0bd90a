"""Phone numbers, handles, invitation links, e-mails and plain links."""

from __future__ import annotations

import time

import pytest

from papote.safety.base import Content, Context, Signal
from papote.safety.detectors.contact import ContactDetector, find_phone_numbers, prepare_digits

DETECTOR = ContactDetector()


def inspect(text: str) -> list[Signal]:
    return list(DETECTOR.inspect(Content(text, Context(channel="dm"))))


def rules(text: str) -> set[str]:
    return {signal.rule for signal in inspect(text)}


@pytest.mark.parametrize(
    "text",
    [
        "06 12 34 56 78",
        "06.12.34.56.78",
        "0612345678",
        "06-12-34-56-78",
        "+33 6 12 34 56 78",
        "0033 6 12 34 56 78",
        "06/12/34/56/78",
        "06_12_34_56_78",
        "0 6 1 2 3 4 5 6 7 8",
        "O6 12 34 56 78",
        "o6.12.34.56.78",
        "０６ １２ ３４ ５６ ７８",
        "zéro six douze trente-quatre cinquante-six soixante-dix-huit",
        "zero 6 12 34 56 78",
    ],
)
def test_phone_numbers_in_every_spelling(text: str) -> None:
    found = [s for s in inspect(f"appelle moi au {text} ce soir") if s.rule == "contact.phone"]
    assert len(found) == 1
    assert found[0].label == "contact_offplatform"
    assert found[0].evidence is not None
    assert found[0].evidence.excerpt.strip() == text


def test_numbers_from_unassigned_french_ranges_still_count() -> None:
    # People share numbers the metadata calls unassigned; the shape is enough in France.
    assert [number for _, _, number in find_phone_numbers("06 39 98 12 34")] == ["+33639981234"]


@pytest.mark.parametrize("text", ["drogues info service : 0 800 23 13 13", "fil santé jeunes 0800 235 236"])
def test_service_numbers_are_not_personal_contact(text: str) -> None:
    assert "contact.phone" not in rules(text)


def test_foreign_numbers_must_be_valid() -> None:
    assert [number for _, _, number in find_phone_numbers("+44 7911 123456")] == ["+447911123456"]
    assert find_phone_numbers("+44 1 2345 6789 0000") == []


def test_a_number_written_twice_is_still_found() -> None:
    assert [n for _, _, n in find_phone_numbers("06 12 34 56 78 06 12 34 56 78")] == ["+33612345678"] * 2


@pytest.mark.parametrize(
    "text", ["s.n.a.p." * 500, "a." * 2000, "a@" * 2000, "06 12 34 56 78 " * 100, "www.x.com/" * 400]
)
def test_long_hostile_texts_stay_fast(text: str) -> None:
    start = time.perf_counter()
    inspect(text)
    assert time.perf_counter() - start < 0.5  # no catastrophic backtracking (was 0.8 s before bounding)


def test_phone_number_is_normalised_to_e164() -> None:
    assert [number for _, _, number in find_phone_numbers("06 12 34 56 78")] == ["+33612345678"]


@pytest.mark.parametrize(
    "text",
    [
        "appelle le 15, le 17 ou le 18",
        "en Europe c'est le 112, et le 114 par SMS",
        "le 115 pour un hébergement d'urgence",
        "enfant en danger : 119",
        "idées noires : 3114, jour et nuit",
        "harcèlement en ligne : le 3018",
        "violences conjugales : 3919",
        "rendez-vous à 20h30 le 12 03 2026",
        "j'ai eu 15 sur 20 et lui 12",
    ],
)
def test_emergency_short_numbers_and_dates_are_not_contact(text: str) -> None:
    assert "contact.phone" not in rules(text)


def test_prepare_digits_keeps_offsets() -> None:
    text = "o6/12_34.56.78"
    assert prepare_digits(text) == "06 12 34 56 78"
    assert len(prepare_digits(text)) == len(text)


@pytest.mark.parametrize(
    "text",
    [
        "mon snap c'est lea_fictive92",
        "snap: lea_fictive92",
        "ajoute moi snap lea_fictive92",
        "insta: @julie_fictive",
        "mon insta c'est julie.fictive",
        "👻 lea.fictive",
        "tg @fictif_groupe",
        "kik: max_fictif",
        "wtsp = max_fictif",
        "s n a p : ryan_fictif",
        "s.n.a.p = jules_fictif",
        "📸👻 ajoutez moi : zoe_fictive",
    ],
)
def test_handles(text: str) -> None:
    assert "contact.handle" in rules(text)


@pytest.mark.parametrize(
    "text",
    [
        "je suis sur snap tous les jours",
        "snap c'est nul maintenant",
        "j'ai vu ça sur insta hier",
        "le filtre snap est drôle",
        "discord est en panne",
        "ajoute moi : demain",
        "mon insta c'est que de la bouffe",
    ],
)
def test_talking_about_apps_is_not_a_handle(text: str) -> None:
    assert "contact.handle" not in rules(text)


@pytest.mark.parametrize(
    "text",
    [
        "rejoins t.me/fictif_groupe",
        "https://t.me/+AbCdEf",
        "discord.gg/fictif12",
        "https://discord.com/invite/fictif12",
        "wa.me/33612345678",
        "chat.whatsapp.com/Fictif123",
        "snapchat.com/add/lea_fictive92",
        "instagram.com/julie_fictive",
        "tiktok.com/@max_fictif",
    ],
)
def test_invitation_links(text: str) -> None:
    assert "contact.invite_link" in rules(text)


@pytest.mark.parametrize(
    "text",
    ["écris moi : lea.fictive@exemple.fr", "lea (at) exemple (point) fr", "lea arobase exemple point com"],
)
def test_emails(text: str) -> None:
    assert "contact.email" in rules(text)


def test_discord_tag() -> None:
    assert "contact.discord_tag" in rules("mon discord : fictif#1234")


def test_plain_link_is_a_link_signal_not_contact() -> None:
    signals = inspect("regarde www.exemple.com/article")
    assert [(s.label, s.rule) for s in signals] == [("link", "contact.link")]


def test_email_domain_is_not_reported_as_a_link() -> None:
    assert "contact.link" not in rules("lea.fictive@exemple.fr")


def test_ordinary_chat_gives_nothing() -> None:
    assert inspect("salut, ça va ? on se voit demain au lycée pour le devoir de maths") == []


# Each regex runs only when the text holds what all its matches hold; each kind of trigger still fires.
@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("rajoutez-moi: zoe_fictive", "contact.handle"),  # "ajout" inside "rajoutez", no platform named
        ("add moa @zoe.fictive", "contact.handle"),
        ("ajt moi lea_fictive92", "contact.handle"),
        ("tik tok: max_fictif", "contact.handle"),  # "tik tok" holds the hint "tik"
        ("whats app = max_fictif", "contact.handle"),
        ("mon 👻 c'est lea_fictive92", "contact.handle"),
        ("lea [at] exemple.fr", "contact.email"),
        ("lea {at} exemple dot com", "contact.email"),
        ("lea\tat\texemple.fr", "contact.email"),  # any space around "at", not only " "
        ("lea (arobase) exemple . fr", "contact.email"),
        ("lea arrobase exemple point fr", "contact.email"),
        ("va sur fictif-invest.xyz", "contact.link"),
        ("http://exemple-fictif/page.html", "contact.link"),
        ("www.exemple-fictif", "contact.link"),
        ("site.fictif.online/promo", "contact.link"),
    ],
)
def test_each_trigger_still_reaches_its_pattern(text: str, rule: str) -> None:
    assert rule in rules(text)


@pytest.mark.parametrize(
    "text",
    [
        "moi je préfère le foot",  # "moi" without "ajoute", "add" or "ajt"
        "le chat est sur la table. bon appétit",  # "at" and "." but no "at" standing alone
        "fin de la partie. gg à tous",  # a dot, but no domain ending right after one
        "j'ai lu l'article en entier.",
    ],
)
def test_gated_patterns_stay_quiet_on_ordinary_chat(text: str) -> None:
    assert rules(text) == set()
