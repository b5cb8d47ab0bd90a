"""Shared text normalisation for every text detector.

`normalize(text)` returns several views of one message, each with a map back
to the original text so evidence can point at what the person actually typed:

- `plain`: NFKC, zero-width and combining marks removed, look-alike letters
  folded to Latin (visual skeleton *before* transliteration, so Cyrillic "р"
  becomes "p", not "r"), accents folded, casefolded. Emoji are kept as they are.
- `folded`: `plain` with leetspeak undone inside words that contain letters
  ("s3x" -> "sex", "p3d0" -> "pedo"; "13ans", "10€" and "lea92" are left alone).
- `compact`: `folded` with separators inside words removed ("s.n.a.p", "s-e-x",
  "t'as" -> "tas") and runs of single spaced letters joined ("s p a c e d").
- `collapsed`: `compact` where words with a letter repeated 3+ times have every
  repeated letter collapsed ("salooooope" -> "salope", "mdrrrr" -> "mdr").
- `digits`: `plain` with French/English number words turned into digits
  ("zéro six douze" -> "0612", "soixante-dix-huit" -> "78").
- `translit`: phonetic transliteration (anyascii), right for genuine non-Latin
  words ("снапчат" -> "snapchat"); equal to `plain` for Latin text.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections.abc import Callable
from functools import lru_cache
from typing import NamedTuple

import ahocorasick
from anyascii import anyascii
from confusable_homoglyphs import confusables

__all__ = ["LEET", "Form", "Normalized", "fold_key", "normalize", "skeleton"]

# Characters that stand for letters inside words (leetspeak).
LEET: dict[str, str] = {
    "0": "o",
    "1": "i",
    "3": "e",
    "4": "a",
    "5": "s",
    "7": "t",
    "@": "a",
    "$": "s",
    "€": "e",
}
# "1" also stands for "l" ("sa1ope"); that reading goes into an extra view.
LEET_ONE_ALT = "l"

# Symbols kept verbatim instead of transliterated: leet symbols must survive to
# the leet pass, and emoji are matched as themselves by the lexicons.
_KEEP_SYMBOLS = frozenset("€$@")

# Suffixes after a number that mark a real quantity ("13ans", "5euros"), not leet.
_UNIT_SUFFIXES = frozenset(
    {
        "ans", "an", "a", "h", "min", "mn", "s", "sec", "e", "eme", "er", "ere", "nd", "rd", "th", "st",
        "k", "km", "m", "cm", "mm", "kg", "g", "l", "cl", "ml", "x", "eur", "euros", "euro", "balles",
    }
)  # fmt: skip

_WORD_RE = re.compile(r"[a-z]+")
_LEET_HINT_RE = re.compile(r"[0-9@$€]")
_TIME_RE = re.compile(r"^\d{1,2}h\d{0,2}$")
_TOKEN_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789@$€")
_NON_ASCII_RE = re.compile(r"[^\x00-\x7f]")
# Separators slipped between two word characters: "s.n.a.p", "s-e-x", "t'as".
_SEPARATORS_RE = re.compile(r"[.\-_*|~+·•'`^]+")
# Three or more single characters separated by spaces: "s p a c e d".
_SPACED_RE = re.compile(r"(?<!\S)[^\W_](?:\s+[^\W_]){2,}(?!\S)")
_SPACED_HINT_RE = re.compile(r" \S \S ")
_SPACES_RE = re.compile(r"\s+")
_APOSTROPHE_HYPHEN_RE = re.compile(r"(?<=[^\W_])['\-](?=[^\W_])")
_DROP_CATEGORIES = frozenset({"Mn", "Me", "Cf", "Cc", "Cs", "Co", "Cn"})


class Form(NamedTuple):
    """One view of the message and the way back from its characters to the original text.

    A root view (plain, folded, digits, translit) carries per-character original
    spans: `starts`/`ends`, None when it lines up character for character with the
    original (the common case, kept cheap; `ends` None means end = start + 1).
    A derived view (compact, collapsed) is its `parent` with some characters
    dropped; `cuts`/`shifts` say how far to shift an index to find it in the parent,
    and are only used when a match has to be located (rarely), so building is cheap.
    A view that changes nothing is its parent view itself (when nothing needs compacting, the
    "compact" view is the "folded" form, named "folded"): `name` says how the form was built.
    """

    name: str
    text: str
    starts: tuple[int, ...] | None = None
    ends: tuple[int, ...] | None = None
    parent: Form | None = None
    cuts: tuple[int, ...] = ()  # child positions where a dropped stretch was
    shifts: tuple[int, ...] = ()  # characters dropped before each cut, cumulated
    stretch: bool = False  # a kept character also stands for the dropped ones right after it

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Map a `[start, end)` range of this view back to the original text."""
        size = len(self.text)
        if size == 0:
            return (0, 0)
        start = min(max(start, 0), size - 1)
        end = min(max(end, start + 1), size)
        if self.parent is not None:
            first = self._in_parent(start)
            last = self._in_parent(end - 1) + 1
            if self.stretch:
                last = self._in_parent(end) if end < size else len(self.parent.text)
            return self.parent.span(first, last)
        if self.starts is None:
            return (start, end)
        if self.ends is None:
            return (self.starts[start], self.starts[end - 1] + 1)
        return (self.starts[start], self.ends[end - 1])

    def _in_parent(self, index: int) -> int:
        position = bisect_right(self.cuts, index) - 1
        return index + (self.shifts[position] if position >= 0 else 0)

    def origin(self, index: int) -> tuple[int, int]:
        """Original span of the character at `index` of this view."""
        return self.span(index, index + 1)

    def drop(self, name: str, spans: list[tuple[int, int]], *, stretch: bool = False) -> Form:
        """This view without the characters of `spans` (sorted, not overlapping)."""
        pieces: list[str] = []
        cuts: list[int] = []
        shifts: list[int] = []
        cursor = 0
        dropped = 0
        for start, end in spans:
            pieces.append(self.text[cursor:start])
            dropped += end - start
            cuts.append(start - dropped + (end - start))
            shifts.append(dropped)
            cursor = end
        pieces.append(self.text[cursor:])
        return Form(name, "".join(pieces), None, None, self, tuple(cuts), tuple(shifts), stretch)


def _root(
    name: str, text: str, starts: tuple[int, ...] | None = None, ends: tuple[int, ...] | None = None
) -> Form:
    """`Form(name, text, starts, ends)` without the generated Python `__new__` (several per message)."""
    return tuple.__new__(Form, (name, text, starts, ends, None, (), (), False))


class Normalized:
    """Every normalised view of one text. Read-only by convention: shared through `normalize`'s cache.

    A plain class rather than a frozen dataclass: one is built per message, and a frozen dataclass's
    generated `__init__` sets each field through `object.__setattr__` (3 % of the pipeline's time).
    """

    def __init__(
        self,
        original: str,
        plain: str,
        folded: str,
        compact: str,
        collapsed: str,
        digits: str,
        translit: str,
        views: tuple[Form, ...],
        forms: tuple[Form, ...],
    ) -> None:
        self.original = original
        self.plain = plain
        self.folded = folded
        self.compact = compact
        self.collapsed = collapsed
        self.digits = digits
        self.translit = translit
        self.views = views  # every named view, with its map to the original
        self.forms = forms  # the distinct views worth scanning for words, `folded` first

    def __repr__(self) -> str:
        return f"Normalized(original={self.original!r}, forms={[form.name for form in self.forms]!r})"

    def view(self, name: str) -> Form:
        """The named view ("plain", "folded", "compact", "collapsed", "digits", "translit")."""
        index = _VIEW_INDEX.get(name)
        if index is not None:
            return self.views[index]
        raise KeyError(name)


# Where each named view sits in `Normalized.views` (the order `normalize` builds them in).
_VIEW_INDEX = {
    name: index
    for index, name in enumerate(("plain", "folded", "compact", "collapsed", "digits", "translit"))
}


# --- per-character folding ------------------------------------------------------


@lru_cache(maxsize=8192)
def _skeleton_char(ch: str) -> str:
    """Latin look-alike of one non-ASCII letter, or "" when there is none."""
    found = confusables.is_confusable(ch, preferred_aliases=["latin"], greedy=True)
    if not found:
        return ""
    for glyph in found[0]["homoglyphs"]:
        candidate = glyph["c"]
        if len(candidate) == 1 and candidate.isascii() and candidate.isalpha():
            # An upper-case glyph that looks like "l" is meant as "I" (Greek Iota).
            if candidate == "l" and ch.isupper():
                return "i"
            return str(candidate).lower()
    return ""


@lru_cache(maxsize=16384)
def _fold_char(ch: str) -> str:
    """Fold one character: NFKC, strip marks, Latin look-alike, transliterate, casefold."""
    if ch.isascii():
        return ch.lower()
    out: list[str] = []
    for part in unicodedata.normalize("NFKC", ch):
        for sub in unicodedata.normalize("NFD", part):
            out.append(_fold_simple(sub))
    return "".join(out)


def _fold_simple(ch: str) -> str:
    if ch.isascii():
        return ch.lower()
    category = unicodedata.category(ch)
    if category in _DROP_CATEGORIES:
        return ""
    if ch in _KEEP_SYMBOLS or category == "So":
        return ch
    if category.startswith("Z"):
        return " "
    if category.startswith("L"):
        latin = _skeleton_char(ch)
        if latin:
            return latin
    return anyascii(ch).casefold()


@lru_cache(maxsize=16384)
def _translit_char(ch: str) -> str:
    """Phonetic transliteration of one character (no look-alike folding)."""
    if ch.isascii():
        return ch.lower()
    out: list[str] = []
    for part in unicodedata.normalize("NFKC", ch):
        for sub in unicodedata.normalize("NFD", part):
            category = unicodedata.category(sub)
            if category in _DROP_CATEGORIES:
                continue
            keep = category == "So" or sub in _KEEP_SYMBOLS
            out.append(sub if keep else anyascii(sub).casefold())
    return "".join(out)


def _fold(name: str, text: str, fold: Callable[[str], str], non_ascii: set[str]) -> Form:
    """Fold `text` one character at a time; `non_ascii` is the set of its non-ASCII characters."""
    if not non_ascii:
        return _root(name, text.lower())
    table = {ord(ch): fold(ch) for ch in non_ascii}
    if all(len(piece) == 1 for piece in table.values()):
        return _root(name, _replace_all(text, table).lower())
    starts: list[int] = []
    ends: list[int] = []
    pieces: list[str] = []
    for index, ch in enumerate(text):
        piece = table.get(ord(ch), ch.lower())
        pieces.append(piece)
        if piece:
            starts.extend([index] * len(piece))
            ends.extend([index + 1] * len(piece))
            continue
        # A dropped mark (accent, zero-width space) belongs to the character before it.
        position = len(ends) - 1
        while position >= 0 and starts[position] == starts[-1]:
            ends[position] = index + 1
            position -= 1
    return Form(name, "".join(pieces), tuple(starts), tuple(ends))


def _replace_all(text: str, table: dict[int, str]) -> str:
    """`text.translate(table)` for a table of a few non-ASCII characters, several times faster.

    `str.translate` looks every character up, and each ASCII one misses (an exception inside);
    one `str.replace` per distinct non-ASCII character skips them. Replacing in turn equals
    translating at once only if no replacement is itself replaced later: when a character folds
    to another non-ASCII character, `translate` is used.
    """
    for code, piece in table.items():
        if piece != chr(code) and not piece.isascii():
            return text.translate(table)
    for code, piece in table.items():
        text = text.replace(chr(code), piece)
    return text


# --- leetspeak -----------------------------------------------------------------


def _keep_digits(token: str) -> bool:
    """True when the digits of a mixed token are a real number, not leet."""
    if _TIME_RE.match(token):
        return True
    head = len(token) - len(token.lstrip("0123456789"))
    tail = len(token) - len(token.rstrip("0123456789"))
    middle = token[head : len(token) - tail]
    if any(c.isdigit() for c in middle):
        return False
    if head and not tail:
        return head >= 2 or middle in _UNIT_SUFFIXES
    if tail and not head:
        return tail >= 2
    return False


def _leet_tokens(text: str) -> list[tuple[int, int]]:
    """Spans of the tokens that hold at least one leet character."""
    spans: list[tuple[int, int]] = []
    for hit in _LEET_HINT_RE.finditer(text):
        position = hit.start()
        if spans and position < spans[-1][1]:
            continue
        start = position
        while start > 0 and text[start - 1] in _TOKEN_CHARS:
            start -= 1
        end = position + 1
        while end < len(text) and text[end] in _TOKEN_CHARS:
            end += 1
        spans.append((start, end))
    return spans


def _leet_positions(text: str) -> list[int]:
    """Indices of the leet characters to read as letters (same for both readings of "1")."""
    if not _LEET_HINT_RE.search(text):
        return []
    positions: list[int] = []
    for start, end in _leet_tokens(text):
        token = text[start:end]
        if token.isdigit() or not _WORD_RE.search(token) or _keep_digits(token):
            continue
        for offset, c in enumerate(token):
            # "@" opens a mention ("@lea"); it is only a letter inside a word.
            if c in LEET and not (c == "@" and offset == 0):
                positions.append(start + offset)
    return positions


def _unleet(text: str, positions: list[int], one: str) -> str:
    if not positions:
        return text
    chars = list(text)
    for position in positions:
        c = chars[position]
        chars[position] = one if c == "1" else LEET[c]
    return "".join(chars)


# --- separators and repeats --------------------------------------------------------


def _compact(folded: Form, name: str = "compact") -> Form:
    """Drop separators inside words and join spaced-out single letters."""
    form = folded
    text = form.text
    spans: list[tuple[int, int]] = []
    if _SEPARATORS_RE.search(text) is not None:  # most messages have none: skip building the list
        spans = [
            m.span()
            for m in _SEPARATORS_RE.finditer(text)
            if m.start() > 0
            and m.end() < len(text)
            and text[m.start() - 1].isalnum()
            and text[m.end()].isalnum()
        ]
    if spans:
        form = form.drop(name, spans)
    if _SPACED_HINT_RE.search(f" {form.text} "):
        spaced: list[tuple[int, int]] = []
        for match in _SPACED_RE.finditer(form.text):
            offset = match.start()
            for gap in _SPACES_RE.finditer(match.group()):
                # "j e  v e u x": one space joins letters, a wider gap stays a word break.
                end = offset + gap.end()
                spaced.append((offset + gap.start(), end if gap.end() - gap.start() == 1 else end - 1))
        if spaced:
            form = form.drop(name, spaced)
    return form


def _collapse(compact: Form) -> Form:
    """In words with a letter repeated 3+ times, collapse every repeated letter."""
    text = compact.text
    if next(_TRIPLES.iter(text), None) is None:
        return compact
    spans: list[tuple[int, int]] = []
    for match in _WORD_RE.finditer(text):
        word = match.group()
        if next(_TRIPLES.iter(word), None) is None:
            continue
        base = match.start()
        spans.extend((base + m.start() + 1, base + m.end()) for m in _RUN_RE.finditer(word))
    # Each kept letter also stands for the repeats after it, so evidence covers them.
    return compact.drop("collapsed", spans, stretch=True)


def _triples() -> ahocorasick.Automaton:
    automaton = ahocorasick.Automaton()
    for letter in "abcdefghijklmnopqrstuvwxyz":
        automaton.add_word(letter * 3, letter)
    automaton.make_automaton()
    return automaton


_TRIPLES = _triples()
_RUN_RE = re.compile(r"([a-z])\1+")


# --- number words ---------------------------------------------------------------

_UNITS: dict[str, int] = {
    "zero": 0, "un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6, "sept": 7,
    "huit": 8, "neuf": 9, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "seven": 7,
    "eight": 8, "nine": 9,
}  # fmt: skip
_TEENS: dict[str, int] = {
    "dix": 10, "onze": 11, "douze": 12, "treize": 13, "quatorze": 14, "quinze": 15, "seize": 16,
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
}  # fmt: skip
_TENS: dict[str, int] = {
    "vingt": 20, "vingts": 20, "trente": 30, "quarante": 40, "cinquante": 50, "soixante": 60,
    "septante": 70, "huitante": 80, "octante": 80, "nonante": 90, "twenty": 20, "thirty": 30,
    "forty": 40, "fourty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
}  # fmt: skip
_HUNDREDS = frozenset({"cent", "cents", "hundred"})
_THOUSANDS = frozenset({"mille", "thousand"})
_JOINERS = frozenset({"et", "and"})
_NUMBER_WORDS = frozenset({*_UNITS, *_TEENS, *_TENS, *_HUNDREDS, *_THOUSANDS})
_ONE_WORDS = frozenset({"un", "une", "one"})
_GAP_RE = re.compile(r"[\s\-,]*(?:(?:et|and)[\s\-]+)?")


def _below_hundred(words: list[str], i: int) -> tuple[int, int] | None:
    """Parse one number below 100 starting at words[i]; return (value, next index)."""
    word = words[i]
    nxt = words[i + 1] if i + 1 < len(words) else ""
    if word == "quatre" and nxt in ("vingt", "vingts"):
        return _after_tens(words, i + 2, 80)
    if word in _TENS:
        return _after_tens(words, i + 1, _TENS[word])
    if word == "dix" and nxt in ("sept", "huit", "neuf"):
        return (10 + _UNITS[nxt], i + 2)
    if word in _TEENS:
        return (_TEENS[word], i + 1)
    if word in _UNITS:
        return (_UNITS[word], i + 1)
    return None


def _after_tens(words: list[str], i: int, tens: int) -> tuple[int, int]:
    """The unit (or, after 60 and 80, the teen) that completes a tens word."""
    j = i + 1 if i < len(words) and words[i] in _JOINERS else i
    if j >= len(words):
        return (tens, i)
    rest = _below_hundred(words, j)
    if rest is None:
        return (tens, i)
    value, after = rest
    if tens in (60, 80) and 10 <= value <= 19:
        return (tens + value, after)
    if 1 <= value <= 9 and words[j] not in _TEENS:
        return (tens + value, after)
    return (tens, i)


def _hundreds(words: list[str], i: int) -> tuple[int, int] | None:
    """[unit] cent [below 100], or a plain number below 100."""
    value: int | None = None
    parsed = _below_hundred(words, i) if i < len(words) else None
    if parsed is not None:
        value, i = parsed
    if i < len(words) and words[i] in _HUNDREDS and (value is None or 1 <= value <= 9):
        total = (value or 1) * 100
        rest = _below_hundred(words, i + 1) if i + 1 < len(words) else None
        if rest is None:
            return (total, i + 1)
        return (total + rest[0], rest[1])
    return None if value is None else (value, i)


def _one_number(words: list[str], i: int) -> tuple[int, int] | None:
    parsed = _hundreds(words, i)
    value, j = parsed if parsed is not None else (None, i)
    if j < len(words) and words[j] in _THOUSANDS:
        total = (value or 1) * 1000
        rest = _hundreds(words, j + 1)
        if rest is None:
            return (total, j + 1)
        return (total + rest[0], rest[1])
    return None if value is None else (value, j)


def parse_numbers(words: list[str]) -> list[int]:
    """The numbers a person dictates with these words: ["zero", "six", "douze"] -> [0, 6, 12]."""
    values: list[int] = []
    i = 0
    while i < len(words):
        parsed = _one_number(words, i)
        if parsed is None:
            i += 1  # a joiner ("et") between two numbers
            continue
        value, i = parsed
        values.append(value)
    return values


def _number_runs(text: str) -> list[tuple[int, int, list[str]]]:
    """Runs of number words, e.g. "zero six douze trente-quatre"."""
    runs: list[tuple[int, int, list[str]]] = []
    for hit in _WORD_RE.finditer(text):
        word = hit.group()
        if word not in _NUMBER_WORDS:
            continue
        if runs and _GAP_RE.fullmatch(text, runs[-1][1], hit.start()):
            start, _, words = runs[-1]
            joiner = text[runs[-1][1] : hit.start()].strip(" -,")
            runs[-1] = (start, hit.end(), [*words, *([joiner] if joiner else []), word])
        else:
            runs.append((hit.start(), hit.end(), [word]))
    # A lone "un"/"une" is an article, not a number worth rewriting.
    return [run for run in runs if not (len(run[2]) == 1 and run[2][0] in _ONE_WORDS)]


def _number_hint() -> ahocorasick.Automaton:
    """Substring prefilter: most messages hold no number word at all."""
    automaton = ahocorasick.Automaton()
    for word in _NUMBER_WORDS - _ONE_WORDS:
        automaton.add_word(word, word)
    automaton.make_automaton()
    return automaton


_NUMBER_HINT = _number_hint()


def _has_number_word(text: str) -> bool:
    """True when `text` holds a number word other than "un", "une" and "one" (even inside a word)
    and one of its whole words (runs of a-z) is a number word: only then is there anything to rewrite
    (alone, "un" and "une" are articles).

    The prefilter automaton finds every number word but those three; a hit with no letter on either
    side is a whole word. Without such a hit, only those three can still be whole words.
    """
    hinted = False
    size = len(text)
    for end, word in _NUMBER_HINT.iter(text):
        hinted = True
        start = end - len(word) + 1
        if (start == 0 or text[start - 1] not in _LOWER_LETTERS) and (
            end + 1 == size or text[end + 1] not in _LOWER_LETTERS
        ):
            return True
    return hinted and _ONE_WORD_RE.search(text) is not None


_LOWER_LETTERS = frozenset("abcdefghijklmnopqrstuvwxyz")
_ONE_WORD_RE = re.compile(r"(?<![a-z])(?:un|une|one)(?![a-z])")


def _digits(plain: Form) -> Form:
    text = plain.text
    if not _has_number_word(text):
        return plain
    runs = _number_runs(text)
    if not runs:
        return plain
    chars: list[str] = []
    starts: list[int] = []
    ends: list[int] = []

    def copy(first: int, last: int) -> None:
        for i in range(first, last):
            start, end = plain.origin(i)
            chars.append(text[i])
            starts.append(start)
            ends.append(end)

    cursor = 0
    for run_start, run_end, words in runs:
        copy(cursor, run_start)
        number = "".join(str(n) for n in parse_numbers(words))
        start, end = plain.span(run_start, run_end)
        chars.extend(number)
        starts.extend([start] * len(number))
        ends.extend([end] * len(number))
        cursor = run_end
    copy(cursor, len(text))
    return Form("digits", "".join(chars), tuple(starts), tuple(ends))


# --- entry points ----------------------------------------------------------------


def _needs_translit(non_ascii: set[str]) -> bool:
    """True when the text (given by its non-ASCII characters) has letters beyond Latin, whose phonetic
    reading may differ."""
    return any(ord(c) > 0x24F and c.isalpha() for c in non_ascii)


@lru_cache(maxsize=8192)
def normalize(text: str) -> Normalized:
    """Every normalised view of `text` (cached: chat repeats itself).

    `forms` also holds the views used only for matching: "leet_l" ("1" read as "l"),
    "spaced" (apostrophes and hyphens inside words read as spaces) and "plain".
    """
    # Most chat lines are ASCII; the others have few distinct non-ASCII characters, found once here.
    non_ascii: set[str] = set() if text.isascii() else set(_NON_ASCII_RE.findall(text))
    plain = _fold("plain", text, _fold_char, non_ascii)
    leet = _leet_positions(plain.text)
    folded_text = _unleet(plain.text, leet, LEET["1"])
    folded = _root("folded", folded_text, plain.starts, plain.ends)
    compact = _compact(folded)
    collapsed = _collapse(compact)
    digits = _digits(plain)
    forms = [folded, compact, collapsed]
    if "'" in folded.text or "-" in folded.text:
        # "t'as" / "t as", "ajoute-moi" / "ajoute moi": people write both.
        forms.append(_root("spaced", _APOSTROPHE_HYPHEN_RE.sub(" ", folded.text), folded.starts, folded.ends))
    alt_text = _unleet(plain.text, leet, LEET_ONE_ALT) if leet else folded_text
    if alt_text != folded_text:
        alt = _root("leet_l", alt_text, plain.starts, plain.ends)
        forms.extend([alt, _compact(alt, "leet_l_compact")])
    forms.extend([plain, digits])
    translit = plain
    if _needs_translit(non_ascii):
        translit = _fold("translit", text, _translit_char, non_ascii)
        forms.append(translit)
    views = (plain, folded, compact, collapsed, digits, translit)
    return Normalized(
        text, plain.text, folded.text, compact.text, collapsed.text, digits.text, translit.text, views,
        _distinct(forms),
    )  # fmt: skip


def _distinct(forms: list[Form]) -> tuple[Form, ...]:
    seen: set[str] = set()
    kept: list[Form] = []
    for form in forms:
        if form.text not in seen:
            seen.add(form.text)
            kept.append(form)
    return tuple(kept)


@lru_cache(maxsize=8192)
def skeleton(text: str) -> str:
    """Confusable-folded lowercase key: look-alikes, accents and invisible marks folded."""
    return "".join(_fold_char(ch) for ch in text)


_DOUBLE_RE = re.compile(r"([a-z])\1+")


def fold_key(text: str) -> tuple[str, ...]:
    """The spellings under which a lexicon phrase is indexed (folded, compact, de-doubled)."""
    norm = normalize.__wrapped__(text)  # uncached: lexicon keys must not push chat messages out
    keys: list[str] = []
    spaced = _APOSTROPHE_HYPHEN_RE.sub(" ", norm.folded)
    deduped = _DOUBLE_RE.sub(r"\1", norm.compact)
    candidates = [norm.folded, norm.compact, norm.collapsed, spaced]
    # A de-doubled key that short ("gg" -> "g") would fire everywhere.
    if len(deduped) >= 4:
        candidates.append(deduped)
    for candidate in candidates:
        key = " ".join(candidate.split())
        if key and key not in keys:
            keys.append(key)
    return tuple(keys)
