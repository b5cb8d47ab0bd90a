"""Lexicon format, matching over normalised views, reloading, and the shipped lexicons."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import pytest

from papote.safety.base import LABELS, Content, Context
from papote.safety.detectors.rules import (
    DEFAULT_LEXICON_DIR,
    Lexicon,
    LexiconError,
    LexiconStore,
    QuickPattern,
    RulesDetector,
    _requirements,
    load_lexicon,
    match_text,
    parse_lexicon,
)


def lexicon(text: str, name: str = "threat.fr.txt") -> Lexicon:
    return parse_lexicon([(name, text)])


def labels(lex: Lexicon, text: str) -> dict[str, float]:
    return {hit.label: hit.score for hit in match_text(lex, text)}


# --- the line format -------------------------------------------------------------------------


def test_phrase_matches_on_word_boundaries_only() -> None:
    lex = lexicon("te buter\n")
    assert labels(lex, "je vais te buter") == {"threat": 0.9}
    assert labels(lex, "ste butera") == {}


def test_comment_and_blank_lines_are_ignored() -> None:
    lex = lexicon("# te buter\n\n   \n")
    assert len(lex) == 0
    assert labels(lex, "je vais te buter") == {}


def test_explicit_score() -> None:
    assert labels(lexicon("fais gaffe a toi => 0.7\n"), "fais gaffe à toi") == {"threat": 0.7}


def test_prefix_and_suffix_wildcards() -> None:
    lex = lexicon("egorg*\n*massacre => 0.5\n")
    assert labels(lex, "il va t'égorger") == {"threat": 0.9}
    assert labels(lex, "un vrai autoMASSACRE") == {"threat": 0.5}
    assert labels(lex, "regorge") == {}


def test_word_wildcard_allows_up_to_three_words() -> None:
    lex = lexicon("je vais * tuer\n")
    assert labels(lex, "je vais te tuer") == {"threat": 0.9}
    assert labels(lex, "je vais venir vous tuer") == {"threat": 0.9}
    assert labels(lex, "je vais au parc avec mon chien puis tuer le temps") == {}


def test_braces_spell_out_alternatives() -> None:
    lex = lexicon("{je vais|on va} * {te buter|te crever}\n")
    assert labels(lex, "on va venir te crever") == {"threat": 0.9}
    assert labels(lex, "je vais te buter") == {"threat": 0.9}
    assert labels(lex, "il va te buter") == {}


def test_regex_lines() -> None:
    lex = parse_lexicon([("drug_sale.fr.txt", r"re:\b\d+\s?g\s+de\s+beuh\b" + "\n")])
    assert labels(lex, "5 g de beuh") == {"drug_sale": 0.9}
    assert labels(lex, "5 kg de farine") == {}


def test_groups_only_count_together() -> None:
    lex = parse_lexicon([("drug_sale.fr.txt", "@drug beuh\n@offer livraison\n&& drug offer => 0.8\n")])
    assert labels(lex, "la beuh c'est mauvais pour la mémoire") == {}
    assert labels(lex, "livraison demain") == {}
    assert labels(lex, "beuh dispo, livraison rapide") == {"drug_sale": 0.8}


def test_groups_are_shared_across_files() -> None:
    lex = parse_lexicon(
        [
            ("drug_sale.fr.txt", "@drug beuh\n"),
            ("scam_spam.fr.txt", "@bait clique ici\n&& bait drug => 0.7\n"),
        ]
    )
    assert labels(lex, "clique ici pour la beuh") == {"scam_spam": 0.7}


def test_group_cue_with_its_own_score_also_counts_alone() -> None:
    lex = parse_lexicon([("meetup_risk.fr.txt", "@secret viens seule => 0.9\n")])
    assert labels(lex, "viens seule") == {"meetup_risk": 0.9}


def test_exception_switches_the_label_off_for_the_message() -> None:
    lex = lexicon("je vais te tuer\n! prochain round\n")
    assert labels(lex, "je vais te tuer") == {"threat": 0.9}
    assert labels(lex, "je vais te tuer au prochain round") == {}


def test_exception_only_affects_its_own_label() -> None:
    lex = parse_lexicon(
        [("threat.fr.txt", "je vais te tuer\n! prochain round\n"), ("harassment.fr.txt", "connard\n")]
    )
    assert labels(lex, "connard, je vais te tuer au prochain round") == {"harassment": 0.9}


def test_best_score_per_label_wins() -> None:
    lex = lexicon("te retrouver => 0.4\nje sais ou tu habites\n")
    assert labels(lex, "je sais où tu habites, je vais te retrouver") == {"threat": 0.9}


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("threats.fr.txt", "x\n", "file name"),
        ("unknown_label.fr.txt", "x\n", "file name"),
        ("threat.fr.txt", "&& nogroup => 0.9\n", "unknown group"),
        ("threat.fr.txt", "&& broken\n", "combination"),
        ("threat.fr.txt", "re:(unclosed\n", "threat.fr.txt:1"),
        ("threat.fr.txt", "ok\n{a|b\n", "threat.fr.txt:2"),
        ("threat.fr.txt", "te*tuer\n", "'*'"),
        ("threat.fr.txt", "* tuer\n", "'*'"),
    ],
)
def test_lexicon_errors_name_the_problem(name: str, text: str, message: str) -> None:
    with pytest.raises(LexiconError, match=message.replace("*", r"\*").replace("(", r"\(")):
        parse_lexicon([(name, text)])


@pytest.mark.parametrize(
    ("pattern", "required"),
    [
        (r"\b\d+\s?(?:e|euros?)\b", {"digit"}),
        (r"\b(?:1[0-5]|[89])\s?ans\b", {"digit"}),
        (r"[a-z]+\.(?:com|fr)\b", {"dot"}),
        (r"(?:https?://|www\.)\S+", set()),
        (r"(?:\d)?abc", set()),
        (r"a(?=\d)", set()),
        (r"(?i)x\d", set()),
        (r"abc|\d", set()),
    ],
)
def test_regex_requirements_are_inferred_safely(pattern: str, required: set[str]) -> None:
    assert _requirements(pattern) == required


def test_a_regex_needing_a_digit_also_sees_number_words() -> None:
    lex = parse_lexicon([("drug_sale.fr.txt", r"re:\b\d+\s?euros\b" + "\n")])
    assert labels(lex, "vingt euros") == {"drug_sale": 0.9}
    assert labels(lex, "quelques euros") == {}


def test_signal_only_label_files_are_accepted() -> None:
    lex = parse_lexicon([("sexual_image_request.fr.txt", "filme toi\n")])
    assert labels(lex, "filme toi") == {"sexual_image_request": 0.9}


# --- matching over normalised views, evidence ----------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "je vais te buter",
        "JE VAIS TE BUTER",
        "j3 v4is t3 but3r",
        "je vais te b u t e r",
        "je vais te buuuuuter",
    ],
)
def test_evasions_still_match(text: str) -> None:
    assert labels(lexicon("te buter\n"), text) == {"threat": 0.9}


def test_look_alike_letters_match() -> None:
    assert labels(lexicon("snapchat\n", "contact_offplatform.fr.txt"), "ѕnаpсhаt") == {
        "contact_offplatform": 0.9
    }


def test_evidence_points_at_the_original_text(tmp_path: Path) -> None:
    (tmp_path / "harassment.fr.txt").write_text("salope\n", encoding="utf-8")
    detector = RulesDetector(LexiconStore(tmp_path, background=False))
    text = "Bonjour... S-A-L-O-O-O-P-E !"
    (signal,) = detector.inspect(Content(text, Context(channel="room", room_audience="all")))
    assert signal.evidence is not None
    assert signal.evidence.excerpt == "S-A-L-O-O-O-P-E"
    assert text[signal.evidence.start : signal.evidence.end] == "S-A-L-O-O-O-P-E"
    assert signal.rule == "harassment.fr:1"
    assert signal.detector == "rules"


# --- reloading --------------------------------------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def write(path: Path, text: str, mtime: float) -> None:
    path.write_text(text, encoding="utf-8")
    os.utime(path, (mtime, mtime))


def test_edits_are_picked_up_after_at_most_one_second(tmp_path: Path) -> None:
    clock = Clock()
    write(tmp_path / "threat.fr.txt", "te buter\n", 1_000)
    store = LexiconStore(tmp_path, clock=clock, background=False)
    assert labels(store.current(), "je vais te fracasser") == {}

    write(tmp_path / "threat.fr.txt", "te buter\nte fracasser\n", 2_000)
    clock.now += 0.5
    assert labels(store.current(), "je vais te fracasser") == {}  # not looked at yet
    clock.now += 0.6
    assert labels(store.current(), "je vais te fracasser") == {"threat": 0.9}


def test_new_and_removed_files_are_noticed(tmp_path: Path) -> None:
    clock = Clock()
    write(tmp_path / "threat.fr.txt", "te buter\n", 1_000)
    store = LexiconStore(tmp_path, clock=clock, background=False)
    write(tmp_path / "hate.fr.txt", "sale race\n", 1_000)
    clock.now += 2
    assert labels(store.current(), "sale race") == {"hate": 0.9}
    (tmp_path / "hate.fr.txt").unlink()
    clock.now += 2
    assert labels(store.current(), "sale race") == {}


def test_a_broken_edit_keeps_the_previous_rules(tmp_path: Path) -> None:
    clock = Clock()
    write(tmp_path / "threat.fr.txt", "te buter\n", 1_000)
    store = LexiconStore(tmp_path, clock=clock, background=False)
    write(tmp_path / "threat.fr.txt", "te buter\nre:(oops\n", 2_000)
    clock.now += 2
    assert labels(store.current(), "je vais te buter") == {"threat": 0.9}
    assert store.last_error is not None and "threat.fr.txt:2" in store.last_error
    write(tmp_path / "threat.fr.txt", "te fracasser\n", 3_000)
    clock.now += 2
    assert labels(store.current(), "je vais te fracasser") == {"threat": 0.9}
    assert store.last_error is None


def test_background_reload_keeps_serving_the_previous_rules(tmp_path: Path) -> None:
    clock = Clock()
    write(tmp_path / "threat.fr.txt", "te buter\n", 1_000)
    store = LexiconStore(tmp_path, clock=clock)
    write(tmp_path / "threat.fr.txt", "te fracasser\n", 2_000)
    clock.now += 2
    first = store.current()  # starts the reload, answers with what it has
    assert labels(first, "je vais te buter") == {"threat": 0.9}
    deadline = time.monotonic() + 10
    while labels(store.current(), "je vais te fracasser") == {} and time.monotonic() < deadline:
        time.sleep(0.01)
    assert labels(store.current(), "je vais te fracasser") == {"threat": 0.9}


# --- the shipped lexicons ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def shipped() -> Lexicon:
    return load_lexicon(DEFAULT_LEXICON_DIR)


def test_every_label_has_french_and_english_files() -> None:
    names = {path.name for path in DEFAULT_LEXICON_DIR.glob("*.txt")}
    for label in LABELS:
        assert f"{label}.fr.txt" in names
        assert f"{label}.en.txt" in names


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("ajoute-moi sur snap, on sera plus tranquilles", "contact_offplatform"),
        ("donne moi ton 06 stp", "contact_offplatform"),
        ("🍃❄️💊 dispo, livraison sur paris", "drug_sale"),
        ("qui a de la beuh vers la gare ?", "drug_sale"),
        ("3g pour 30e, je livre", "drug_sale"),
        ("les arabes sont des rats", "hate"),
        ("sale pd", "hate"),
        ("je sais où tu habites", "threat"),
        ("je vais venir te crever", "threat"),
        ("ferme ta gueule connard", "harassment"),
        ("va te pendre", "harassment"),
        ("envoie une photo de toi nue", "sexual_solicitation"),
        ("t'as quel âge ? t'as déjà fait ta puberté ?", "minor_sexual_risk"),
        ("tes parents sont là ? envoie moi une photo de toi", "minor_sexual_risk"),
        ("échange de pics de jeunes, mp", "csam_signal"),
        ("cp trade sur telegram", "csam_signal"),
        ("leak de mon ex, qui veut ?", "ncii"),
        ("je vais balancer tes nudes à tous tes contacts", "ncii"),
        ("je double tes cryptos en 24h", "scam_spam"),
        ("clique sur ce lien pour ta cam gratuite : cams-fictives.xyz", "scam_spam"),
        ("viens chez moi ce soir, viens seule", "meetup_risk"),
        ("je veux en finir", "self_harm"),
        ("j'ai plus envie de vivre", "self_harm"),
        ("j e  v e u x  m o u r i r", "self_harm"),
        ("dis à ta mère que tu dors chez une copine", "meetup_risk"),
        ("vends accès à une collection de jeunes", "csam_signal"),
        ("cp dispo en mp", "csam_signal"),
        ("paye ou je la publie", "ncii"),
        ("coupons pcs, envoie moi les codes", "scam_spam"),
        ("fais une vidéo de toi sous la douche", "sexual_image_request"),
    ],
)
def test_shipped_lexicons_catch_the_manoeuvres(shipped: Lexicon, text: str, label: str) -> None:
    assert label in labels(shipped, text)


@pytest.mark.parametrize(
    "text",
    [
        "je vais te tuer au prochain round",
        "t'es mort de rire mdr",
        "dire 'sale pd' c'est homophobe, arrête",
        "il m'a traité de connard devant tout le monde",
        "mon fils de 13 ans joue au foot le samedi",
        "ma fille est en cp, elle adore sa maîtresse",
        "les salles de shoot font débat à Paris",
        "il s'est fait arrêter pour trafic, d'après le journal",
        "si tu as des idées noires, appelle le 3114",
        "je meurs de faim, on mange ?",
        "mets le gâteau au four 30 minutes",
        "attention aux arnaques au faux conseiller bancaire",
        "on se retrouve au café en centre ville, ma soeur est au courant",
        "je suis en retard, désolé",
        "cc ça va ? t'es dispo ce soir ?",
        "ne donne jamais ton snap à un inconnu",
        "l'auto-palpation aide à dépister le cancer du sein",
        "je cherche des photos de jeunes chiots pour mon exposé",
        "connard de réveil, il a pas sonné",
        "fdp = frais de port offerts",
        "je me suis coupé le doigt en cuisinant",
        "j'ai rendez-vous chez le médecin, il m'a prescrit du xanax avec une ordonnance",
    ],
)
def test_shipped_lexicons_let_hard_negatives_pass(shipped: Lexicon, text: str) -> None:
    assert {label: score for label, score in labels(shipped, text).items() if score >= 0.6} == {}


# --- QuickPattern: the same answers as `re`, found faster ----------------------------------------

QUICK_PATTERNS = [
    r"\b(?:[6-9]|1[0-5])\s?yo\b",
    r"\$\s?\d+|\b\d+\s?(?:bucks|dollars|quid|usd|gbp)\b",
    r"\b\d+(?:[.,]\d+)?\s?(?:€|e|eur|euros?|balles|boules|keus)\b",
    r"\b(?:14|88|1488)\b\s*(?:!|heil|sieg|✊)",
    r"\ba\s\d{2,3}\b",
    r"(?<![\d+])0[67](?:[\s.]?\d\d){4}(?!\d)",
    r"\b(?:ta|ton)\s+(?:copine|cousine)\s+de\s+(?:[5-9]|1[0-5])\s?ans\b",
    r"(?:^|\s)snap\s*:\s*\w+",
    r"x*",
    r"(?i)SNAP\s*\d+",
    r"(\d)\1{3}",
    r"\b(?:j\s*'?\s*ai|jai|g|j)\s*(\d{1,2})\s*ans?\b",
    r"\bmoi\s*(\d{1,2})\b",
    r"\b(?:i'?\s*m|i\s+am)\s+(\d{1,2})",
    r"\b_?x\d",
]
QUICK_TEXTS = [
    "",
    "j'ai 14 ans et toi",
    "il a 13yo, 13 yo, 12 yo",
    "10€ le g, 20 euros les 2, 3,5 balles",
    "$50 or 50 bucks, 30usd",
    "1488 heil ! 14 88 ✊ 88!",
    "rdv a 15h, a 120 km, a 12",
    "mon 06 12 34 56 78 ou 07.12.34.56.78",
    "ta cousine de 12 ans",
    "snap : lea_fictive92, SNAP 1234, snap 99",
    "aaaa 1111 22 3333",
    "je vais te tuer au prochain round",
    "en cas d'urgence c'est le 112, ou le 15 pour le samu",
    "jai 14 ans, j'ai 15ans, g 16 an, déjà 12 ans, mj 13 ans, j 12a",
    "moi 14 et toi ? émoi 15, moi15, amoi 16",
    "i'm 13, im 14, i am 15, him 16, mi 17",
    "_x1 x2 ax3 _ax4 é x5",
]


@pytest.mark.parametrize("source", QUICK_PATTERNS)
def test_quick_pattern_finds_exactly_what_re_finds(source: str) -> None:
    pattern = re.compile(source)
    quick = QuickPattern(pattern)
    for text in QUICK_TEXTS + [t.upper() for t in QUICK_TEXTS]:
        for start in range(len(text) + 1):  # every suffix: matches at every place of the text
            assert _found(quick.search(text[start:])) == _found(pattern.search(text[start:]))
        assert [m.span() for m in quick.finditer(text)] == [m.span() for m in pattern.finditer(text)]


def _found(match: re.Match[str] | None) -> object:
    return None if match is None else (match.span(), match.groups())


def test_quick_pattern_learns_what_every_match_holds() -> None:
    quick = QuickPattern(re.compile(r"\b(?:[6-9]|1[0-5])\s?yo\b"))
    assert quick.needs == ("yo",)
    # Opening with `\\b`: only where a word begins ("114 yo" is not tried at "14").
    assert quick.starts is not None and quick.starts.pattern == "[16789](?<!\\w.)"
    # "eur" and "euro" hold "e": a text holding them holds "e", so only "e" is tested.
    money = QuickPattern(re.compile(r"\b\d+\s?(?:€|e|eur|euros?)\b"))
    assert money.needs == ("e", "€")
    assert money.starts is not None and money.starts.pattern == "[\\d](?<!\\w.)"
    # A word-initial letter or two is rare enough to be looked for; more letters are not.
    assert QuickPattern(re.compile(r"\ba\s\d{2,3}\b")).starts is not None
    assert QuickPattern(re.compile(r"\b(?:ta|ton|sa|son|le)\s+\d")).starts is None
    assert QuickPattern(re.compile(r"a\s\d{2,3}\b")).starts is None  # no `\b`: "a" is everywhere


def test_quick_pattern_leaves_what_it_does_not_understand_to_re() -> None:
    for source in (r"(?i)snap", r"x*", r"(\w)\1", r"[^a]b"):
        quick = QuickPattern(re.compile(source))
        assert quick.starts is None
    assert QuickPattern(re.compile(r"(?i)snap")).needs is None  # case-insensitive: "SNAP" matches too
    assert QuickPattern(re.compile(r"(?i)snap")).search("mon SNAP") is not None


def test_shipped_regex_lines_fire_on_each_kind_of_trigger() -> None:
    lexicon = load_lexicon(DEFAULT_LEXICON_DIR)
    texts = ("10€ le g dispo", "13 yo", "livraison 5 grammes 20 balles")
    fired = {hit.label for text in texts for hit in match_text(lexicon, text)}
    assert "drug_sale" in fired
    assert {hit.label for hit in match_text(lexicon, "1488 heil")} >= {"hate"}
