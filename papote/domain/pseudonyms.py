"""Pseudonym rules: length, characters, reserved names, look-alikes of a taken name.

Two pseudonyms collide when their *key* is equal. The key folds what a reader
cannot tell apart at a glance: case, accents, look-alike letters from other
scripts, 0/O, 1/l/I, separators, and repeated letters.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from anyascii import anyascii
from confusable_homoglyphs import confusables

from papote.domain.errors import PapoteRefusal

PSEUDO_PATTERN = re.compile(r"^[^\W_][\w\-]*$")
RESERVED_STEMS = (
    "admin",
    "moderat",
    "modo",
    "papote",
    "staff",
    "support",
    "systeme",
    "system",
    "officiel",
    "police",
    "gendarm",
    "pharos",
)
_LONE_DIGIT = re.compile(r"(?<![0-9])[0-9](?![0-9])")
_LOOKALIKE_DIGITS = str.maketrans({"0": "o", "1": "l", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b"})


@lru_cache(maxsize=4096)
def _latin_skeleton_char(char: str) -> str:
    if char.isascii():
        return char
    found = confusables.is_confusable(char, preferred_aliases=["latin"], greedy=True)
    if found:
        for homoglyph in found[0]["homoglyphs"]:
            candidate = homoglyph["c"]
            if candidate.isascii() and candidate.isalnum():
                return str(candidate)
    return char


def pseudonym_key(pseudo: str) -> str:
    text = unicodedata.normalize("NFKC", pseudo)
    text = "".join(
        c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) not in ("Mn", "Cf")
    )
    text = "".join(_latin_skeleton_char(c) for c in text)
    text = re.sub(r"[^a-z0-9]", "", anyascii(text).lower())
    # A lone digit reads as a letter ("L3a", "Kev1n"); a run of digits is a number ("Marc92").
    text = _LONE_DIGIT.sub(lambda m: m.group(0).translate(_LOOKALIKE_DIGITS), text)
    text = text.replace("rn", "m").replace("vv", "w").replace("i", "l")
    return re.sub(r"([a-z])\1+", r"\1", text)


def validate_pseudonym(pseudo: str) -> str:
    """Return the pseudonym as it will be shown, or raise a refusal."""
    pseudo = unicodedata.normalize("NFC", pseudo.strip())
    if not 3 <= len(pseudo) <= 20:
        raise PapoteRefusal("pseudo_length")
    if not PSEUDO_PATTERN.match(pseudo) or any(unicodedata.category(c) in ("Cf", "Co", "Cs") for c in pseudo):
        raise PapoteRefusal("pseudo_characters")
    key = pseudonym_key(pseudo)
    if len(key) < 2:
        raise PapoteRefusal("pseudo_characters")
    if any(pseudonym_key(stem) in key for stem in RESERVED_STEMS):
        raise PapoteRefusal("pseudo_reserved")
    return pseudo
