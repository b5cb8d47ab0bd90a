"""Age claims written in messages, compared with the account's age band and the room.

"j'ai 14 ans" from an adult account, "je suis majeur" in the minors' room, or any
claim under 13 is worth a moderator's look; with sexual talk around it, it is a
minor at risk. `claimed_age` is reused by the conversation scorer.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import ClassVar

import ahocorasick

from papote.safety.base import Content, Context, Evidence, Signal
from papote.safety.detectors.rules import QuickPattern

MISMATCH_LABEL = "age_claim_mismatch"
MINIMUM_AGE = 13
ADULT_AGE = 18

# Apostrophes and quotes people type instead of "'".
_APOSTROPHES = frozenset("’‘ʼ`´′ʹ＇")
# The few Cyrillic/Greek letters that pass for Latin ones; enough for age claims.
_LOOKALIKES = {
    "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "у": "y", "х": "x", "і": "i", "ј": "j",
    "ѕ": "s", "ԁ": "d", "ο": "o", "α": "a", "ι": "i", "ν": "v", "œ": "oe", "æ": "ae", "ß": "ss",
}  # fmt: skip


@lru_cache(maxsize=8192)
def _fold_char(ch: str) -> str:
    if ch in _APOSTROPHES:
        return "'"
    if unicodedata.category(ch) == "Cf":  # zero-width joiners, soft hyphens, bidi marks
        return ""
    lowered = ch.lower()
    if lowered in _LOOKALIKES:
        return _LOOKALIKES[lowered]
    if ch.isascii():
        return lowered
    decomposed = unicodedata.normalize("NFKD", ch)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return stripped.casefold()


# Precomputed folds of the non-ASCII characters people type most (Latin accents, Greek,
# Cyrillic, punctuation and zero-width marks, fullwidth forms); `str.translate` is fast.
_FOLD_TABLE: dict[int, str] = {
    code: _fold_char(chr(code))
    for block in ((0x80, 0x250), (0x370, 0x530), (0x2000, 0x2070), (0xFE00, 0xFE10), (0xFF00, 0xFF5F))
    for code in range(*block)
}
# ASCII maps to itself: `str.translate` then never misses (a miss costs an exception inside).
_FOLD_TABLE.update({code: chr(code) for code in range(0x80)})
_FOLD_TABLE[ord("`")] = "'"
_NON_ASCII_RUN = re.compile(r"[^\x00-\x7f]+")


def _fold_run(match: re.Match[str]) -> str:
    return "".join(_fold_char(ch) for ch in match.group(0))


def plain_fold(text: str) -> str:
    """Lowercase, accents and look-alike letters folded, zero-width removed; digits kept as digits.

    This is the local fallback the brief asks for; unlike the shared normaliser it
    never turns digits into letters, which age claims need.
    """
    if text.isascii():  # the common case; the only ASCII character the table changes is "`"
        return text.replace("`", "'").lower()
    folded = text.translate(_FOLD_TABLE).lower()
    if folded.isascii():
        return folded
    return _NON_ASCII_RUN.sub(_fold_run, folded)  # emoji and rarer scripts


def fold_with_offsets(text: str) -> tuple[str, list[int]]:
    """Fold like `plain_fold` and keep, for each folded character, its index in `text`."""
    parts: list[str] = []
    offsets: list[int] = []
    for index, ch in enumerate(text):
        folded = _fold_char(ch)
        parts.append(folded)
        offsets.extend([index] * len(folded))
    offsets.append(len(text))
    return "".join(parts), offsets


# --- numbers written in words (ages only: 8 to 99) ---------------------------------------------

_FR_UNITS = (
    "zero", "un", "deux", "trois", "quatre", "cinq", "six", "sept", "huit", "neuf", "dix", "onze", "douze",
    "treize", "quatorze", "quinze", "seize",
)  # fmt: skip
_FR_TENS = {20: "vingt", 30: "trente", 40: "quarante", 50: "cinquante", 60: "soixante"}
_EN_UNITS = (
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
    "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen",
)  # fmt: skip
_EN_TENS = {20: "twenty", 30: "thirty", 40: "forty", 50: "fifty", 60: "sixty", 70: "seventy",
            80: "eighty", 90: "ninety"}  # fmt: skip


def _french_words(n: int) -> list[str]:
    if n <= 16:
        return [_FR_UNITS[n]]
    if n < 20:
        return [f"dix {_FR_UNITS[n - 10]}"]
    if n >= 80:
        base = "quatre vingt"
        rest = n - 80
        if rest == 0:
            return ["quatre vingts", "quatre vingt"]
        return [f"{base} {word}" for word in _french_words(rest)]
    if n >= 70:
        rest = n - 60
        words = [f"soixante {word}" for word in _french_words(rest)]
        if rest == 11:
            words.append("soixante et onze")
        return words
    tens = _FR_TENS[n - n % 10]
    unit = n % 10
    if unit == 0:
        return [tens]
    if unit == 1:
        return [f"{tens} et un", f"{tens} un"]
    return [f"{tens} {_FR_UNITS[unit]}"]


def _english_words(n: int) -> list[str]:
    if n < 20:
        return [_EN_UNITS[n]]
    tens = _EN_TENS[n - n % 10]
    unit = n % 10
    return [tens] if unit == 0 else [f"{tens} {_EN_UNITS[unit]}"]


def _number_words() -> dict[str, int]:
    words: dict[str, int] = {}
    for n in range(8, 100):
        for word in _french_words(n) + _english_words(n):
            words[word] = n
    return words


NUMBER_WORDS: dict[str, int] = _number_words()
_SEPARATORS = re.compile(r"[\s\-]+")


def _number(token: str) -> int | None:
    token = token.strip()
    if token.isdigit():
        return int(token)
    return NUMBER_WORDS.get(_SEPARATORS.sub(" ", token))


# --- the claims -------------------------------------------------------------------------------

# An age as digits with a unit ("14 ans", "14ans", "14a", "14 yo") or as words with "ans"
# ("quatorze ans", "dix-sept ans"); a bare "a" must stick to the digits ("j'ai 2 a faire" is no age).
_AGE = r"(?:(\d{1,2})(?:\s*ans?\b|a\b|ams\b|\s*yo\b)|([a-z]+(?:[\s\-]+[a-z]+){0,3}?)\s+ans\b)"
# After "ans": words that make it a duration or a comparison, not an age ("14 ans de prison").
_NOT_AN_AGE_AFTER = (
    r"(?!\s*(?:de\b|d'|d\s|des\b|du\b|plus\b|moins\b|que\b|qu'|apres\b|avant\b|depuis\b|deja\b"
    r"|pour\b|sans\b|ensemble\b|ago\b|of\b|later\b|dans\b))"
)
# Before the claim: narrative past, hypothesis, sarcasm or a quoted question.
_NOT_A_CLAIM_BEFORE = re.compile(
    r"(?:quand|lorsque|lorsqu'|depuis que|des que|apres que|si|comme si|crois que|crois qu'|penses que"
    r"|pense que|dirait que|dirait qu'|cru que|genre|if|when|since|like)\s*$"
)

# Each pattern is a `QuickPattern`: `re` tries these `\b`-led patterns at every position, so a text
# that lacks what every match holds ("moi", "suis", "19"/"20"...) is not searched at all.
_FIRST_PERSON_PATTERNS: tuple[tuple[QuickPattern, int], ...] = tuple(
    (QuickPattern(pattern), shift) for pattern, shift in (
        # j'ai 14 ans, jai 14a, j ai 14ans, g 14 ans, j'ai quatorze ans, j'ai eu 14 ans
        (re.compile(r"\b(?:j\s*'?\s*ai|jai|g|j)\s*(?:eu\s+|deja\s+)?" + _AGE + _NOT_AN_AGE_AFTER), 0),
        # moi 14 ans, moi c'est 14 ans, moi aussi 14 ans
        (re.compile(r"\bmoi\s*(?:c'?\s*est|c|:|,|aussi|perso)?\s*" + _AGE + _NOT_AN_AGE_AFTER), 0),
        # je vais avoir 15 ans, bientot 15 ans, je vais sur mes 15 ans -> one year younger today
        (re.compile(r"\b(?:je\s+vais\s+avoir|j'?\s*vais\s+avoir|jvais\s+avoir|je\s+vais\s+sur\s+mes|j'?\s*aurai"
                    r"|bientot)\s+" + _AGE + _NOT_AN_AGE_AFTER), -1),
        # i'm 13, im 13 y/o, i am thirteen, i'm 19 f
        (re.compile(r"\b(?:i'?\s*m|i\s+am)\s+(\d{1,2})()"
                    r"(?:\s*(?:y/?o\b|y\.o\b|yrs?\b|years?\s+old\b|ans\b)|(?=[^\w]*$)|\s*[,.!?;]|\s+(?:and|&|f)\b)"),
         0),
        (re.compile(r"\b(?:i'?\s*m|i\s+am)\s+()([a-z]+(?:[\s\-]+[a-z]+)?)(?:\s+years?\s+old\b|(?=[^\w]*$)|\s*[,.!?;])"),
         0),
        # 13 y/o, 13yo, 13 yrs old (first person implied in a chat)
        (re.compile(r"(?:^|[\s,(])(\d{1,2})()\s*(?:y/o\b|y\.o\b|yo\b|yrs?\s+old\b)"), 0),
        # age: 14, âge 14 ans
        (re.compile(r"^\s*(?:mon\s+)?age\s*[:=]?\s*(\d{1,2})()\b"), 0),
    )
)  # fmt: skip

# "14 ans ici", "14 ans et toi ?", "15 ans", "14 ans, f": only at the start of a message.
_START_PATTERN = re.compile(
    r"^\s*(?:et\s+)?(\d{1,2})\s*(?:ans?|a)\b\s*"
    r"(?=[^\w]*$|ici\b|et\s+(?:toi|vous|tu|t)\b|toi\b|[,/]?\s*(?:f|h|m|g|fille|garcon|gars|meuf|mec)\b)"
)
_ASL_PATTERN = re.compile(r"^\s*(\d{1,2})\s*[/,]\s*(?:f|h|m|g)\s*(?:[/,]|$)")

# School year -> the usual age in it (France).
_GRADES = {
    "cm1": 9, "cm2": 10, "6e": 11, "6eme": 11, "sixieme": 11, "5e": 12, "5eme": 12, "cinquieme": 12,
    "4e": 13, "4eme": 13, "quatrieme": 13, "3e": 14, "3eme": 14, "troisieme": 14, "seconde": 15,
    "2nde": 15, "2de": 15, "premiere": 16, "1ere": 16, "1re": 16, "terminale": 17, "term": 17, "tle": 17,
}  # fmt: skip
_GRADE_PATTERN = QuickPattern(
    re.compile(
        r"\b(?:je\s+suis|jsuis|j'?\s*suis|chui|chuis|jsui|suis)\s+(?:encore\s+|actuellement\s+|que\s+)?en\s+("
        + "|".join(sorted(_GRADES, key=len, reverse=True))
        + r")\b(?!\s*(?:annee|an\b|a\s+la\s+fac"
        r"|de\s+(?:licence|master|fac|medecine|droit|bts|but|prepa|doctorat)"
        r"|position|place|vitesse|ligne|rang|division|main|classe\s+de\s+prepa|semestre))"
    )
)
_SCHOOL_PATTERN = QuickPattern(
    re.compile(
        r"\b(?:je\s+suis|jsuis|j'?\s*suis|chui|chuis)\s+(?:encore\s+)?(?:au\s+(college|lycee)\b(?!\s+(?:de|d'|pour)\b)"
        r"|(collegien|collegienne|lyceen|lyceenne)\b)"
    )
)
_SCHOOL_AGES = {"college": 13, "collegien": 13, "collegienne": 13, "lycee": 16, "lyceen": 16, "lyceenne": 16}
# "je suis majeur(e)", "je suis pas majeur", "je suis mineur(e)", "i'm underage"
_MAJORITY_PATTERN = QuickPattern(
    re.compile(
        r"\b(?:je\s+suis|jsuis|j'?\s*suis|chui|chuis)\s+(?:(pas|plus|ne\s+suis\s+pas)\s+)?(majeure?|mineure?)\b"
        r"(?!\s*(?:dans|en\s+\d|l'an|bientot|a\s+partir|depuis))"
        r"|\b(?:je\s+ne\s+suis\s+pas|j'?\s*suis\s+pas)\s+(majeure?|mineure?)\b"
        r"|\bi'?\s*m\s+(underage|under\s+18|a\s+minor|over\s+18|an\s+adult)\b"
    )
)
# "je suis née en 2010", "je suis de 2011", "né en 2009"
_BIRTH_YEAR_PATTERN = QuickPattern(
    re.compile(r"\b(?:je\s+suis\s+(?:nee?\s+en|de)|nee?\s+en|born\s+in)\s+((?:19|20)\d\d)\b")
)
# Quick rejection: every claim has a digit or one of these fragments (plain `in` tests are
# far cheaper than one regex alternation).
# A number followed by what an age claim puts after it (ans, a, yo, /, 4e, 2nde, 1re, end of text),
# a birth year or a school year: "rdv à 14h" and "10€" stop here.
_DIGIT_CLAIM = re.compile(r"\d\s*(?:a|y|/|,|e|n|r|f|$)|(?:19|20)\d\d|cm[12]")
_ASCII_DIGIT = re.compile(r"[0-9]")
_ANY_DIGIT = re.compile(r"\d")
_HINTS = (" ans", "majeur", "mineur", "lycee", "college", "seconde", "premiere", "terminale", "ieme", "i'm",
          "im ", "i am", "underage", "adult", "minor")  # fmt: skip


def _hint_automaton() -> ahocorasick.Automaton:
    """All `_HINTS` in one pass over the text (a generator of `in` tests costs several times more)."""
    automaton = ahocorasick.Automaton()
    for hint in _HINTS:
        automaton.add_word(hint, hint)
    automaton.make_automaton()
    return automaton


_HINT_AUTOMATON = _hint_automaton()


@dataclass(frozen=True)
class AgeClaim:
    age: int
    start: int  # offsets in the folded text
    end: int
    strength: float  # how surely it is a first-person age claim (0..1)


def _accept(age: int | None) -> bool:
    return age is not None and 8 <= age <= 99


def _is_quoted_or_hypothetical(folded: str, start: int) -> bool:
    return _NOT_A_CLAIM_BEFORE.search(folded[max(0, start - 20) : start]) is not None


def _number_claims(folded: str) -> list[AgeClaim]:
    claims: list[AgeClaim] = []
    for pattern, shift in _FIRST_PERSON_PATTERNS:
        for match in pattern.finditer(folded):
            age = _number(match.group(1) or match.group(2))
            if age is None or _is_quoted_or_hypothetical(folded, match.start()):
                continue
            age += shift
            if _accept(age):
                claims.append(AgeClaim(age, match.start(), match.end(), 0.9))
    for anchored in (_START_PATTERN, _ASL_PATTERN):
        start_match = anchored.match(folded)
        if start_match is not None:
            age = int(start_match.group(1))
            if _accept(age):
                claims.append(AgeClaim(age, start_match.start(1), start_match.end(), 0.8))
    return claims


def _other_claims(folded: str, year: int | None) -> list[AgeClaim]:
    claims: list[AgeClaim] = []
    for match in _GRADE_PATTERN.finditer(folded):
        if not _is_quoted_or_hypothetical(folded, match.start()):
            claims.append(AgeClaim(_GRADES[match.group(1)], match.start(), match.end(), 0.8))
    for match in _SCHOOL_PATTERN.finditer(folded):
        place = match.group(1) or match.group(2)
        if not _is_quoted_or_hypothetical(folded, match.start()):
            claims.append(AgeClaim(_SCHOOL_AGES[place], match.start(), match.end(), 0.6))
    for match in _MAJORITY_PATTERN.finditer(folded):
        if not _is_quoted_or_hypothetical(folded, match.start()):
            claims.append(AgeClaim(_majority_age(match), match.start(), match.end(), 0.8))
    for match in _BIRTH_YEAR_PATTERN.finditer(folded):
        this_year = year if year is not None else datetime.date.today().year
        age = this_year - int(match.group(1))
        if _accept(age):
            claims.append(AgeClaim(age, match.start(), match.end(), 0.7))
    return claims


def _majority_age(match: re.Match[str]) -> int:
    """Majority words carry no number: 18 stands for "adult", 16 for "minor"."""
    negated = match.group(1) is not None or match.group(3) is not None
    word = match.group(2) or match.group(3) or ""
    if word:
        says_adult = word.startswith("majeur")
        return ADULT_AGE if says_adult != negated else 16
    english = match.group(4) or ""
    return ADULT_AGE if english in ("over 18", "an adult") else 16


def _may_claim_by_digits(folded: str) -> bool:
    """`_DIGIT_CLAIM` matches; every match holds a digit, and most texts have none, which a plain
    character class finds several times faster than `_DIGIT_CLAIM` itself (Unicode digits need `\\d`)."""
    if (_ASCII_DIGIT if folded.isascii() else _ANY_DIGIT).search(folded) is None:
        return False
    return _DIGIT_CLAIM.search(folded) is not None


def age_claims(folded: str, *, year: int | None = None) -> list[AgeClaim]:
    """Every first-person age claim in already-folded text (see `plain_fold`), in text order."""
    if not _may_claim_by_digits(folded) and next(_HINT_AUTOMATON.iter(folded), None) is None:
        return []  # ("age: 16" has a digit followed by the end of the text)
    claims = _number_claims(folded) + _other_claims(folded, year)
    claims.sort(key=lambda claim: claim.start)
    return claims


def claimed_age(text: str, *, year: int | None = None) -> int | None:
    """The age the writer claims for themself in `text`, or None. The first claim wins."""
    claims = age_claims(plain_fold(text), year=year)
    return claims[0].age if claims else None


# --- sexual context ---------------------------------------------------------------------------

_SEXUAL_CONTEXT = re.compile(
    r"\b(?:nudes?|nue?s?\b|toute?\s+nue?|a\s+poil|sexe|sexy|sex|sexto|sext|coquine?s?|cochonne?s?"
    r"|excitee?|bander|bandes?\s+(?:pour|deja|dur)|sucer|suce|baiser|baise|branler|branle|seins|nichons"
    r"|bite|queue|zizi|teub|cul\b|ton\s+cul|plan\s+cul|culotte|string|lingerie|sous[\s\-]?vetements?"
    r"|en\s+maillot|vierge|faire\s+l'?amour|fait\s+l'?amour|fais\s+l'?amour|caresse|calins?\s+coquins?"
    r"|horny|dick|pussy|boobs|tits|naked|webcam\s+(?:coquine|sexy|hot)|hot\b|chaude?\b|chaud\s+(?:pour|ce\s+soir))"
)


def has_sexual_context(folded: str) -> bool:
    return _SEXUAL_CONTEXT.search(folded) is not None


# --- the detector -----------------------------------------------------------------------------


def _mismatch_reason(age: int, context: Context) -> str | None:
    """Why this claimed age does not fit the account or the room, or None when it fits."""
    if age < MINIMUM_AGE:
        return "under_minimum_age"
    if context.sender_age_band == "adult" and age < ADULT_AGE:
        return "adult_account_claims_minor"
    if context.sender_age_band == "minor" and age >= ADULT_AGE:
        return "minor_account_claims_adult"
    if context.room_audience == "minors" and age >= ADULT_AGE:
        return "adult_claim_in_minors_room"
    if context.room_audience == "adults" and age < ADULT_AGE:
        return "minor_claim_in_adults_room"
    return None


def _sexual_around(folded: str, context: Context) -> bool:
    if has_sexual_context(folded):
        return True
    # The last few turns: a minor's age claim answering sexual talk is the risk.
    return any(has_sexual_context(plain_fold(turn.text)) for turn in context.recent[-4:])


def _minor_at_risk(age: int, mismatch: str | None, context: Context) -> bool:
    """A sexual context makes these claims a minor_sexual_risk."""
    if mismatch is not None:
        return True
    if age < ADULT_AGE:
        # A minor's claim amid sexual talk with an adult or in a mixed place; teens among
        # themselves are left to the other detectors.
        adult_near = context.recipient_age_band == "adult" or context.room_audience in ("adults", "all")
        return adult_near or context.sender_age_band == "adult"
    # An adult stating their age amid sexual talk with a minor.
    return context.recipient_age_band == "minor" or context.room_audience == "minors"


class AgeClaimDetector:
    """Signals age claims that contradict the account or the room (label "age_claim_mismatch")."""

    name: ClassVar[str] = "age_claims"

    def inspect(self, content: Content) -> Sequence[Signal]:
        text = content.text
        if not age_claims(plain_fold(text)):
            return ()  # the common case: no per-character offsets needed
        folded, offsets = fold_with_offsets(text)
        context = content.context
        sexual = _sexual_around(folded, context)
        for claim in age_claims(folded):
            mismatch = _mismatch_reason(claim.age, context)
            evidence = _evidence(text, offsets, claim)
            if sexual and _minor_at_risk(claim.age, mismatch, context):
                return (Signal(self.name, "minor_sexual_risk", min(1.0, 0.1 + claim.strength), evidence),)
            if mismatch is not None:
                return (Signal(self.name, MISMATCH_LABEL, claim.strength, evidence),)
        return ()


def _evidence(text: str, offsets: list[int], claim: AgeClaim) -> Evidence:
    start = offsets[claim.start]
    end = offsets[claim.end] if claim.end < len(offsets) else len(text)
    return Evidence(start, end, text[start:end].strip())
