"""The shipped lexicons: what they must catch, in French and English, and the hard negatives they must pass.

Examples are the requests and manoeuvres a moderator must catch, with fictional names and addresses.
These tests look at the rules alone (no classifier, no policy), so a failure points at a lexicon line.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from papote.safety.base import LABELS
from papote.safety.detectors.rules import DEFAULT_LEXICON_DIR, Lexicon, load_lexicon, match_text

THRESHOLD = 0.6  # the policy's default: a rule below it is evidence only


@pytest.fixture(scope="module")
def lexicon() -> Lexicon:
    return load_lexicon(DEFAULT_LEXICON_DIR)


def flagged(lexicon: Lexicon, text: str) -> set[str]:
    """Labels a rule gives with a score the policy counts."""
    return {hit.label for hit in match_text(lexicon, text) if hit.score >= THRESHOLD}


def test_every_public_label_has_a_french_and_an_english_file() -> None:
    names = {path.name for path in Path(DEFAULT_LEXICON_DIR).glob("*.txt")}
    for label in LABELS:
        assert f"{label}.fr.txt" in names, label
        assert f"{label}.en.txt" in names, label


THREATS_FR = [
    "je vais te retrouver et te faire la peau",
    "t'es mort a la sortie, je t'attends",
    "continue comme ca et je viens chez toi avec mes potes",
    "encore un mot et t'es morte",
    "je t'attends devant chez toi avec une batte ce soir",
    "je viens demain avec un couteau, tu vas voir",
    "je vais publier ton adresse sur le groupe",
    "je sais dans quel college va ta soeur",
    "ton fils sort a 16h30, je l'ai vu ce matin devant le portail",
    "tu vas finir a l'hopital si tu continues",
    "tu vas me le payer, crois moi",
    "je vais cramer ta caisse cette nuit",
    "tu sais ce qui arrive a ceux qui parlent trop ?",
    "sinon je te defonce, compris ?",
    "je vais te lyncher devant tout le monde",
    "t'as 48h sinon je publie tes photos",
    "paye ou je poste la video",
    "allez on va le tabasser a la sortie",
    "j e  v a i s  t e  s a i g n e r",
]
THREATS_EN = [
    "i'm gonna find you and make you pay",
    "i know where your kids go to school",
    "i'll post your address on the server",
    "you won't see it coming",
    "i'm bringing a gun tomorrow",
    "say that again and you're dead",
    "pay or i leak the video",
    "i'm going to burn your house down",
]


@pytest.mark.parametrize("text", THREATS_FR + THREATS_EN)
def test_threats_are_caught(lexicon: Lexicon, text: str) -> None:
    assert "threat" in flagged(lexicon, text)


SOLICITATIONS_FR = [
    "envoie des photos sans rien, personne le saura",
    "qui est chaude pour un plan cul ce soir ?",
    "ca te dit de coucher avec moi ce soir ?",
    "je veux te voir toute nue en cam",
    "H 40 cherche une coquine pour ce soir",
    "retire ton soutif devant la cam",
    "plan d'un soir sur lyon, mp",
    "t'es en string la ?",
    "je vends mes culottes portees, prix en mp",
    "combien pour une nuit avec toi ?",
    "ѕех cam ce soir ?",
]
SOLICITATIONS_EN = [
    "send nudes pls",
    "wanna hook up tonight?",
    "take your shirt off for me",
    "i want to see you naked",
    "how much for an hour?",
    "send me something spicy",
]


@pytest.mark.parametrize("text", SOLICITATIONS_FR + SOLICITATIONS_EN)
def test_sexual_solicitations_are_caught(lexicon: Lexicon, text: str) -> None:
    assert "sexual_solicitation" in flagged(lexicon, text)


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("add me on snap, mine is lea_fictive92", "contact_offplatform"),
        ("selling weed, dm me for the menu", "drug_sale"),
        ("all immigrants are criminals", "hate"),
        ("muslims should be deported", "hate"),
        ("go back to where you came from", "hate"),
        ("you're worthless, nobody would miss you", "harassment"),
        ("how old are you? send me a pic", "minor_sexual_risk"),
        ("i want to kill myself tonight", "self_harm"),
        ("come alone, don't tell anyone", "meetup_risk"),
        ("i have her nudes, i'll post them", "ncii"),
        ("double your bitcoin, guaranteed returns", "scam_spam"),
    ],
)
def test_english_coverage_across_labels(lexicon: Lexicon, text: str, label: str) -> None:
    assert label in flagged(lexicon, text)


HARD_NEGATIVES = [
    # games, sport, hyperbole
    "je vais te defoncer a fifa ce soir mdr",
    "je vais te tirer dessus au paintball samedi",
    "t'es mort, je campe dans la zone sur fortnite",
    "ma mere va me tuer, j'ai rate le bus",
    "i'm gonna destroy you at chess tonight lol",
    "i'll shoot you a message later",
    "i'll never hurt you, promise",
    "i'll get you a coffee on my way",
    "i'll break your record at the gym",
    # friendly meet-ups and everyday requests
    "je t'attends devant chez toi a 8h pour le foot",
    "je viens chez toi avec mes potes pour ton anniv",
    "envoie-moi la photo de ton dessin",
    "t'es chaude pour un plan cine ce soir ?",
    "tu veux venir boire un verre avec nous ?",
    "tes photos de vacances sont trop belles, envoie-les a ta mere",
    # French words that are English insults, and the other way round
    "le train a vingt minutes de retard",
    "mon idiot de chat a renverse son bol",
    # news, prevention, counter-speech
    "il a recu des menaces de mort, la police enquete",
    "si quelqu'un te menace de publier tes photos, appelle le 3018",
    "calling someone a faggot is homophobic, stop it",
    "dire que les arabes sont des voleurs c'est raciste",
    "the doctor asked me to take my shirt off for the exam",
    "le cours d'education sexuelle parle de consentement",
    "quelqu'un a vole les nudes de mon ex et les a publiees, j'ai porte plainte",
]


@pytest.mark.parametrize("text", HARD_NEGATIVES)
def test_hard_negatives_pass(lexicon: Lexicon, text: str) -> None:
    assert flagged(lexicon, text) & {"threat", "sexual_solicitation", "hate", "harassment"} == set()


def test_sextortion_needs_both_the_images_and_the_pressure(lexicon: Lexicon) -> None:
    assert "threat" in flagged(lexicon, "si tu me bloques, tes photos partent chez tout le monde")
    assert "threat" not in flagged(lexicon, "tes photos sont trop belles")
    assert "threat" not in flagged(lexicon, "si tu me bloques je comprendrai")


def test_a_relative_seen_is_a_threat_only_with_stalking(lexicon: Lexicon) -> None:
    assert "threat" in flagged(lexicon, "ta fille est au lycee fictif, je l'ai suivie hier")
    assert "threat" not in flagged(lexicon, "ta fille a grandi, elle est trop mignonne")


def test_new_rules_keep_existing_rule_ids(lexicon: Lexicon) -> None:
    # Moderator cases cite rules by file and line: additions go at the end of each file.
    hit = next(h for h in match_text(lexicon, "je sais ou tu habites") if h.label == "threat")
    assert hit.rule == "threat.fr:40"
