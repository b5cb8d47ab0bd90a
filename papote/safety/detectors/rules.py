"""Keyword and pattern rules read from the operator-editable lexicons.

Every lexicon phrase is indexed (after the shared normalisation) in one
Aho-Corasick automaton, which is run over each distinct normalised view of a
message; word boundaries are checked on each hit. Only `re:` lines use regular
expressions. The file format is documented in `papote/safety/lexicons/README.md`.

Lexicons are reloaded without a restart: the directory is checked for changed
files at most once per second and a changed lexicon is compiled on a background
thread. A lexicon with an error is refused (the error is logged with file and
line) and the previous one stays in use.
"""

from __future__ import annotations

import importlib
import logging
import re
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import ahocorasick

from papote.safety import PACKAGE_DIR
from papote.safety.base import LABELS, Content, Evidence, Signal
from papote.safety.normalize import Form, Normalized, fold_key, normalize

__all__ = [
    "DEFAULT_LEXICON_DIR",
    "DEFAULT_SCORE",
    "SIGNAL_ONLY_LABELS",
    "Lexicon",
    "LexiconError",
    "LexiconStore",
    "QuickPattern",
    "RuleHit",
    "RulesDetector",
    "load_lexicon",
    "match_text",
    "parse_lexicon",
]

log = logging.getLogger(__name__)

DEFAULT_LEXICON_DIR = PACKAGE_DIR / "lexicons"
DEFAULT_SCORE = 0.9
# Signal-only labels a lexicon may give besides the public ones; the policy decides what
# they mean in context (see policy.py).
SIGNAL_ONLY_LABELS: tuple[str, ...] = ("sexual_image_request",)
FILE_LABELS = frozenset((*LABELS, *SIGNAL_ONLY_LABELS))
# "*" standing for whole words lets up to this many words sit between two parts.
MAX_WILDCARD_WORDS = 3
# A line with `{a|b}` alternatives may spell out at most this many phrases.
MAX_EXPANSIONS = 2000
_BRACES_RE = re.compile(r"(\{[^{}]*\})")
# A "*" standing alone as a word (not "encul*").
_STAR_WORD_RE = re.compile(r"(?:^|\s)\*(?:\s|$)")
_STAR_SPLIT_RE = re.compile(r"\s+\*\s+")
_LOOKAROUNDS = ("(?<=", "(?<!", "(?=", "(?!")
# The inside of a character class that holds only digits: "0-9", "\d", "89", "6-9", "05-7".
_DIGIT_CLASS_RE = re.compile(r"(?:\\d|[0-9](?:-[0-9])?)+")
# Views that `re:` lines are run on (the others are for phrases).
_REGEX_VIEWS = ("folded", "digits")
_DIGIT_RE = re.compile(r"\d")
_ASCII_DIGIT_RE = re.compile(r"[0-9]")
# What `_requirements` can ask of a message, in every combination (indexed by digit + 2 * dot).
_PRESENCE_SETS: tuple[frozenset[str], ...] = (
    frozenset(),
    frozenset({"digit"}),
    frozenset({"dot"}),
    frozenset({"digit", "dot"}),
)
_FILE_RE = re.compile(r"^(?P<label>[a-z_]+)\.(?P<lang>[a-z]{2})\.txt$")
_SCORE_RE = re.compile(r"^(?P<body>.*?)\s+=>\s*(?P<score>[01](?:\.\d+)?)$")
_GROUP_RE = re.compile(r"^@(?P<group>[a-z0-9_]+)\s+(?P<body>.+)$")
_COMBO_RE = re.compile(r"^&&\s+(?P<groups>[a-z0-9_ ]+?)\s*=>\s*(?P<score>[01](?:\.\d+)?)$")


class LexiconError(ValueError):
    """A lexicon line that cannot be understood (message names file and line)."""


@dataclass(frozen=True, slots=True)
class Cue:
    """One lexicon line that can match a message."""

    rule: str  # "<label>.<lang>:<line>"
    label: str
    score: float | None  # None: only counts through a group combination
    group: str | None
    exception: bool = False


@dataclass(frozen=True)
class Combo:
    rule: str
    label: str
    groups: frozenset[str]
    score: float


@dataclass(frozen=True, slots=True)  # slots: its fields are read for every automaton hit
class _Key:
    """An automaton payload: which cue, and how to confirm the hit."""

    cue: int
    length: int
    left: bool  # a word boundary is required before the match
    right: bool  # ... and after it
    tail: re.Pattern[str] | None = None  # rest of a phrase with "*" words, matched at the hit


@dataclass(frozen=True)
class RuleHit:
    """A label found in a message, with the rule and the original span behind it."""

    label: str
    score: float
    rule: str
    start: int
    end: int


@dataclass
class _Parsed:
    cues: list[Cue] = field(default_factory=list)
    keys: list[tuple[str, _Key]] = field(default_factory=list)
    # (cue, pattern, what every match contains: "digit", "dot")
    regexes: list[tuple[int, QuickPattern, frozenset[str]]] = field(default_factory=list)
    combos: list[Combo] = field(default_factory=list)


class Lexicon:
    """Compiled lexicon: one automaton for phrases, a few regexes, group combinations."""

    def __init__(self, parsed: _Parsed) -> None:
        self.cues = tuple(parsed.cues)
        self.combos = tuple(parsed.combos)
        self.regexes = tuple(parsed.regexes)
        self._combos_by_group: dict[str, list[Combo]] = {}
        for combo in self.combos:
            for group in combo.groups:
                self._combos_by_group.setdefault(group, []).append(combo)
        self._automaton = ahocorasick.Automaton()
        payloads: dict[str, list[_Key]] = {}
        for text, key in parsed.keys:
            payloads.setdefault(text, []).append(key)
        for text, keys in payloads.items():
            self._automaton.add_word(text, tuple(keys))
        if payloads:
            self._automaton.make_automaton()
        self._empty = not payloads
        # For each set of requirements a message can meet, the `re:` lines it may match, in file order.
        self._regexes_for: dict[frozenset[str], tuple[tuple[int, QuickPattern], ...]] = {
            present: tuple(
                (index, pattern) for index, pattern, required in self.regexes if required <= present
            )
            for present in _PRESENCE_SETS
        }

    def __len__(self) -> int:
        return len(self.cues)

    def _combos_for(self, groups: Mapping[str, object]) -> list[Combo]:
        """Combinations that might hold: those needing at least one group that was seen."""
        if not groups:
            return []
        seen: dict[int, Combo] = {}
        for group in groups:
            for combo in self._combos_by_group.get(group, ()):
                seen[id(combo)] = combo
        return list(seen.values())

    def match(self, norm: Normalized) -> list[RuleHit]:
        """Best hit per label, exceptions applied."""
        found = self._cue_hits(norm)
        if not found:
            return []
        excepted = {self.cues[i].label for i in found if self.cues[i].exception}
        best: dict[str, RuleHit] = {}
        for index, (start, end) in found.items():
            cue = self.cues[index]
            if cue.exception or cue.score is None or cue.label in excepted:
                continue
            _keep_best(best, RuleHit(cue.label, cue.score, cue.rule, start, end))
        groups: dict[str, tuple[int, int]] = {}
        for index, span in found.items():
            group = self.cues[index].group
            if group is not None and not self.cues[index].exception:
                groups.setdefault(group, span)
        for combo in self._combos_for(groups):
            if combo.label in excepted or not combo.groups <= groups.keys():
                continue
            spans = [groups[g] for g in combo.groups]
            start = min(s for s, _ in spans)
            end = max(e for _, e in spans)
            _keep_best(best, RuleHit(combo.label, combo.score, combo.rule, start, end))
        return sorted(best.values(), key=lambda hit: LABELS.index(hit.label) if hit.label in LABELS else 99)

    def _cue_hits(self, norm: Normalized) -> dict[int, tuple[int, int]]:
        """Original span of the first hit of each cue, over every view of the message."""
        found: dict[int, tuple[int, int]] = {}
        if not self._empty:
            for form in norm.forms:
                self._scan(form, found)
        present = _presence(norm)
        # Only the `re:` lines whose requirements the message meets, in file order (most messages
        # have neither digit nor dot, and then none).
        candidates = self._regexes_for[present]
        if candidates:
            views = _distinct_views(norm.view(name) for name in _REGEX_VIEWS)
            for index, pattern in candidates:
                if index in found:
                    continue
                for form in views:
                    match = pattern.search(form.text)
                    if match is not None:
                        found[index] = form.span(match.start(), match.end())
                        break
        return found

    def _scan(self, form: Form, found: dict[int, tuple[int, int]]) -> None:
        text = form.text
        size = len(text)
        for end_index, keys in self._automaton.iter(text):
            end = end_index + 1
            for key in keys:
                if key.cue in found:
                    continue
                start = end - key.length
                if key.left and start > 0 and text[start - 1].isalnum():
                    continue
                stop = end
                if key.tail is not None:
                    tail = key.tail.match(text, end)
                    if tail is None:
                        continue
                    stop = tail.end()
                elif key.right and end < size and text[end].isalnum():
                    continue
                found[key.cue] = form.span(start, stop)


def _presence(norm: Normalized) -> frozenset[str]:
    """What the message holds among what `re:` lines may require ("digit", "dot")."""
    digit = _has_digit(norm.digits)
    dot = "." in norm.plain
    return _PRESENCE_SETS[digit + 2 * dot]


def _has_digit(text: str) -> bool:
    # `[0-9]` is a plain byte-class scan, several times faster than `\d`; Unicode digits need `\d`.
    return (_ASCII_DIGIT_RE if text.isascii() else _DIGIT_RE).search(text) is not None


def _distinct_views(forms: Iterable[Form]) -> list[Form]:
    seen: set[str] = set()
    out: list[Form] = []
    for form in forms:
        if form.text not in seen:
            seen.add(form.text)
            out.append(form)
    return out


def _keep_best(best: dict[str, RuleHit], hit: RuleHit) -> None:
    current = best.get(hit.label)
    if current is None or hit.score > current.score:
        best[hit.label] = hit


# --- quick search for regular expressions ------------------------------------------------

# The parser behind `re.compile` (private, unchanged since 3.11; typeshed does not describe it).
sre: Any = importlib.import_module("re._constants")
sre_parse: Any = importlib.import_module("re._parser")

_ZERO_WIDTH = frozenset({sre.AT, sre.ASSERT, sre.ASSERT_NOT})
_REPEATS = frozenset({sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT})
_WIDE_RANGE = 128  # a character class range wider than this is not spelled out as first characters
_ASCII_LETTERS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
_WORD_CHAR = re.compile(r"\w")
_Items = Any  # a parsed sub-pattern (`re._parser.SubPattern`) or a list of (opcode, argument) pairs


class QuickPattern:
    """`pattern.search(text)` with the very same result, several times cheaper on chat messages.

    Python's `re` tries a pattern opening with `\\b` at every position of the text (about 0.2 µs
    each), and most `re:` lines open with `\\b`. From the parsed pattern we learn, when we can:
    - `needs`: strings of which every match holds at least one ("yo" in `\\b1[0-5]\\s?yo\\b`); a
      text holding none of them cannot match, so it is not searched at all;
    - `starts`: the characters a match can begin with (it then consumes one of them first); when
      they are rare (no ASCII letter: digits, "$", "€"), the pattern is only tried, in order, at the
      positions holding one, and the first success is exactly what `search` would return. A pattern
      opening with `\\b` before word characters can only begin where a word does: then only those
      positions are tried, and a few letters are rare enough ("a" in `\\ba\\s\\d{2,3}\\b`).
    Anything the analysis does not understand (flags, back-references...) leaves the plain search.
    """

    __slots__ = ("needs", "pattern", "starts")

    def __init__(self, pattern: re.Pattern[str]) -> None:
        self.pattern = pattern
        self.needs: tuple[str, ...] | None = None
        self.starts: re.Pattern[str] | None = None
        if pattern.flags != re.UNICODE:  # case-insensitive, multi-line...: keep the plain search
            return
        try:
            items = sre_parse.parse(pattern.pattern, pattern.flags)
        except (re.error, RecursionError):
            return
        needed = _needed(items)
        if needed:
            # "eur" adds nothing to "e": a text holding "eur" holds "e".
            self.needs = tuple(sorted(t for t in needed if not any(o != t and o in t for o in needed)))
        first = _first(items)
        if first is not None and not first[2] and (first[0] or first[1]):
            self.starts = _start_finder(items, *first[:2])

    def search(self, text: str) -> re.Match[str] | None:
        if self.needs is not None and not _holds_any(text, self.needs):
            return None
        if self.starts is None:
            return self.pattern.search(text)
        match = self.pattern.match
        for start in self.starts.finditer(text):
            found = match(text, start.start())
            if found is not None:
                return found
        return None

    def finditer(self, text: str) -> Iterator[re.Match[str]]:
        """`pattern.finditer(text)`; nothing at all when the text lacks what every match holds."""
        if self.needs is not None and not _holds_any(text, self.needs):
            return iter(())
        if self.starts is None:
            return self.pattern.finditer(text)
        return self._from_starts(self.starts, text)

    def _from_starts(self, starts: re.Pattern[str], text: str) -> Iterator[re.Match[str]]:
        # A match is never empty (`starts` is only set then), so the next one begins at its end or later.
        match = self.pattern.match
        resume = 0
        for start in starts.finditer(text):
            if start.start() < resume:
                continue
            found = match(text, start.start())
            if found is not None:
                yield found
                resume = found.end()


# A pattern opening with `\\b` whose first character is one of at most this many letters is only tried
# where a word begins with one of them.
_RARE_LETTERS = 2


def _start_finder(items: _Items, chars: frozenset[str], digits: bool) -> re.Pattern[str] | None:
    """A pattern finding, in order, every position where a match can begin; None when too common."""
    bounded = len(items) > 0 and items[0] == (sre.AT, sre.AT_BOUNDARY)
    wordy = all(_WORD_CHAR.fullmatch(ch) for ch in chars)  # digits are word characters too
    letters = chars & _ASCII_LETTERS
    if letters and not (bounded and wordy and len(chars) <= _RARE_LETTERS):
        return None
    escaped = "".join(re.escape(ch) for ch in sorted(chars))
    finder = "[" + ("\\d" if digits else "") + escaped + "]"
    # `\b` before a word character means no word character just before it: checked after the
    # character is found, so that `re` can still scan for the class quickly.
    return re.compile(finder + "(?<!\\w.)" if bounded and wordy else finder)


def _holds_any(text: str, needs: tuple[str, ...]) -> bool:
    # A plain loop: `any()` over a generator costs about as much as the tests themselves.
    for needed in needs:  # noqa: SIM110
        if needed in text:
            return True
    return False


def _needed(items: _Items) -> frozenset[str] | None:
    """Strings of which every match of `items` holds one (the most selective choice), or None."""
    options: list[frozenset[str]] = []
    run: list[str] = []
    for op, argument in items:
        if op is sre.LITERAL:
            run.append(chr(argument))
            continue
        if run:  # consecutive literals are one string the text must hold
            options.append(frozenset({"".join(run)}))
            run = []
        found = _needed_in(op, argument)
        if found:
            options.append(found)
    if run:
        options.append(frozenset({"".join(run)}))
    return max(options, key=_selectivity, default=None)


def _needed_in(op: Any, argument: Any) -> frozenset[str] | None:
    if op is sre.SUBPATTERN:
        _group, add_flags, del_flags, sub = argument
        return None if add_flags or del_flags else _needed(sub)
    if op is sre.BRANCH:
        branches = [_needed(branch) for branch in argument[1]]
        if all(branches):
            return frozenset().union(*(branch for branch in branches if branch))
        return None
    if op in _REPEATS:
        low, _high, sub = argument
        return _needed(sub) if low >= 1 else None
    if op is sre.ATOMIC_GROUP:
        return _needed(argument)
    return None  # classes, assertions, "." and the rest require no particular string


def _selectivity(option: frozenset[str]) -> float:
    # Longer strings are rarer in chat, but each alternative costs one more `in` test.
    return min(len(text) for text in option) - 0.25 * len(option)


# (characters, "any digit", may match empty): what a match of some items can consume first.
_First = tuple[frozenset[str], bool, bool]


def _first(items: _Items) -> _First | None:
    chars: set[str] = set()
    digits = False
    for op, argument in items:
        if op in _ZERO_WIDTH:
            continue  # consumes nothing: the first character comes later
        found = _first_in(op, argument)
        if found is None:
            return None
        chars |= found[0]
        digits = digits or found[1]
        if not found[2]:
            return frozenset(chars), digits, False
    return frozenset(chars), digits, True


def _first_in(op: Any, argument: Any) -> _First | None:
    if op is sre.LITERAL:
        return frozenset({chr(argument)}), False, False
    if op is sre.IN:
        return _first_of_class(argument)
    if op is sre.SUBPATTERN:
        _group, add_flags, del_flags, sub = argument
        return None if add_flags or del_flags else _first(sub)
    if op is sre.ATOMIC_GROUP:
        return _first(argument)
    if op is sre.BRANCH:
        found = [_first(branch) for branch in argument[1]]
        if any(branch is None for branch in found):
            return None
        known = [branch for branch in found if branch is not None]
        chars = frozenset().union(*(branch[0] for branch in known))
        return chars, any(branch[1] for branch in known), any(branch[2] for branch in known)
    if op in _REPEATS:
        low, _high, sub = argument
        inner = _first(sub)
        if inner is None:
            return None
        return inner[0], inner[1], low == 0 or inner[2]
    return None


def _first_of_class(members: Any) -> _First | None:
    chars: set[str] = set()
    digits = False
    for op, argument in members:
        if op is sre.LITERAL:
            chars.add(chr(argument))
        elif op is sre.RANGE and argument[1] - argument[0] <= _WIDE_RANGE:
            chars.update(chr(code) for code in range(argument[0], argument[1] + 1))
        elif op is sre.CATEGORY and argument is sre.CATEGORY_DIGIT:
            digits = True
        else:
            return None  # negated classes, other categories, wide ranges: unknown
    return frozenset(chars), digits, False


# --- parsing -----------------------------------------------------------------------------


def parse_lexicon(files: Iterable[tuple[str, str]]) -> Lexicon:
    """Compile `(file name, file text)` pairs; names are `<label>.<lang>.txt`."""
    parsed = _Parsed()
    for name, text in files:
        match = _FILE_RE.match(name)
        if match is None or match.group("label") not in FILE_LABELS:
            raise LexiconError(f"{name}: file name must be <label>.<lang>.txt with a known label")
        source = name.removesuffix(".txt")
        for number, line in enumerate(text.splitlines(), start=1):
            try:
                _parse_line(parsed, match.group("label"), f"{source}:{number}", line.strip())
            except (LexiconError, re.error) as error:
                raise LexiconError(f"{name}:{number}: {error}") from error
    _check_combos(parsed)
    return Lexicon(parsed)


def _check_combos(parsed: _Parsed) -> None:
    known = {cue.group for cue in parsed.cues if cue.group is not None}
    for combo in parsed.combos:
        missing = sorted(combo.groups - known)
        if missing:
            raise LexiconError(f"{combo.rule}: unknown group(s) {', '.join(missing)}")


def _parse_line(parsed: _Parsed, label: str, rule: str, line: str) -> None:
    if not line or line.startswith("#"):
        return
    combo = _COMBO_RE.match(line)
    if combo is not None:
        groups = frozenset(combo.group("groups").split())
        parsed.combos.append(Combo(rule, label, groups, float(combo.group("score"))))
        return
    if line.startswith("&&"):
        raise LexiconError("a combination reads: && group1 group2 => 0.9")
    exception = line.startswith("!")
    body = line[1:].strip() if exception else line
    group: str | None = None
    grouped = _GROUP_RE.match(body)
    if grouped is not None:
        group, body = grouped.group("group"), grouped.group("body").strip()
    score: float | None = None if group is not None else DEFAULT_SCORE
    scored = _SCORE_RE.match(body)
    if scored is not None:
        body, score = scored.group("body").strip(), float(scored.group("score"))
    if not body:
        raise LexiconError("empty pattern")
    cue_index = len(parsed.cues)
    parsed.cues.append(Cue(rule, label, None if exception else score, group, exception))
    if body.startswith("re:"):
        pattern = body[3:].strip()
        parsed.regexes.append((cue_index, QuickPattern(re.compile(pattern)), _requirements(pattern)))
        return
    if _STAR_WORD_RE.search(body):
        parsed.keys.extend(_wildcard_keys(cue_index, body))
        return
    for phrase in _expand(body):
        parsed.keys.extend(_phrase_keys(cue_index, phrase))


def _requirements(pattern: str) -> frozenset[str]:
    """What every match of `pattern` must contain: "digit" (`\\d`, `[0-9]`, a digit) and/or
    "dot" (`\\.`). A `re:` line is only tried on messages that have them: most messages have
    neither, and regular expressions are the slow part of matching. Unknown syntax gives no
    requirement (the pattern is always tried)."""
    try:
        required, end = _alternation(pattern, 0)
    except IndexError:
        return frozenset()
    return required if end == len(pattern) else frozenset()


def _alternation(pattern: str, i: int) -> tuple[frozenset[str], int]:
    branches: list[frozenset[str]] = []
    while True:
        required, i = _sequence(pattern, i)
        branches.append(required)
        if i < len(pattern) and pattern[i] == "|":
            i += 1
            continue
        return frozenset.intersection(*branches), i


def _sequence(pattern: str, i: int) -> tuple[frozenset[str], int]:
    required: set[str] = set()
    while i < len(pattern) and pattern[i] not in "|)":
        item, i = _item(pattern, i)
        optional = i < len(pattern) and (pattern[i] in "?*" or pattern.startswith("{0", i))
        i = _skip_quantifier(pattern, i)
        if not optional:
            required |= item
    return frozenset(required), i


def _item(pattern: str, i: int) -> tuple[frozenset[str], int]:
    ch = pattern[i]
    if ch == "\\":
        escaped = pattern[i + 1]
        found = {"d": "digit", ".": "dot"}.get(escaped)
        return (frozenset({found}) if found else frozenset()), i + 2
    if ch == "[":
        end = pattern.index("]", i + 2 if pattern[i + 1] == "]" else i + 1)
        body = pattern[i + 1 : end]
        digits_only = _DIGIT_CLASS_RE.fullmatch(body) is not None
        return (frozenset({"digit"}) if digits_only else frozenset()), end + 1
    if ch == "(":
        lookaround = next((p for p in _LOOKAROUNDS if pattern.startswith(p, i)), None)
        start = i + 1
        if lookaround is not None:
            start = i + len(lookaround)
        elif pattern.startswith("(?P<", i):
            start = pattern.index(">", i) + 1
        elif pattern.startswith("(?:", i):
            start = i + 3
        elif pattern.startswith("(?", i):
            raise IndexError("flags or other group syntax")
        inner, end = _alternation(pattern, start)
        if pattern[end] != ")":
            raise IndexError("unbalanced")
        return (frozenset() if lookaround is not None else inner), end + 1
    return (frozenset({"digit"}) if ch.isdigit() else frozenset()), i + 1


def _skip_quantifier(pattern: str, i: int) -> int:
    if i < len(pattern) and pattern[i] in "?*+":
        i += 1
    elif i < len(pattern) and pattern[i] == "{" and "}" in pattern[i:]:
        i = pattern.index("}", i) + 1
    else:
        return i
    return i + 1 if i < len(pattern) and pattern[i] in "?+" else i


def _expand(body: str) -> list[str]:
    """Spell out `{a|b}` alternatives: "{je vais|on va} te tuer" -> two phrases."""
    phrases = [""]
    for piece in _BRACES_RE.split(body):
        if piece.startswith("{") and piece.endswith("}"):
            options = [option.strip() for option in piece[1:-1].split("|")]
            phrases = [f"{head}{option}" for head in phrases for option in options]
        elif "{" in piece or "}" in piece:
            raise LexiconError("unbalanced '{' or '}'")
        else:
            phrases = [head + piece for head in phrases]
        if len(phrases) > MAX_EXPANSIONS:
            raise LexiconError(f"more than {MAX_EXPANSIONS} spellings; split the line")
    return [" ".join(phrase.split()) for phrase in phrases if phrase.strip()]


def _phrase_keys(cue: int, phrase: str) -> list[tuple[str, _Key]]:
    left = not phrase.startswith("*")
    right = not phrase.endswith("*")
    core = phrase.strip("*").strip()
    if not core or "*" in core:
        raise LexiconError(f"'*' goes at the start or end of a word, or alone as a word: {phrase!r}")
    keys = fold_key(core)
    return [(key, _Key(cue, len(key), left and _wordy(key[0]), right and _wordy(key[-1]))) for key in keys]


def _wildcard_keys(cue: int, body: str) -> list[tuple[str, _Key]]:
    """A phrase with "*" words: index its first part, match the rest with one small regex."""
    segments = _STAR_SPLIT_RE.split(body.strip())
    if len(segments) < 2 or any(not segment.strip() or segment.strip() == "*" for segment in segments):
        raise LexiconError("'*' must stand between two words")
    spellings = [_expand(segment) for segment in segments]
    if any("*" in phrase for options in spellings for phrase in options):
        raise LexiconError("in a phrase with '*' words, other words cannot hold '*'")
    gap = rf"(?:\s+\S+){{0,{MAX_WILDCARD_WORDS}}}?\s+"
    tail = re.compile(gap + gap.join(_alternatives(options) for options in spellings[1:]) + r"(?![^\W_])")
    keys: list[tuple[str, _Key]] = []
    for phrase in spellings[0]:
        keys.extend((key, _Key(cue, len(key), _wordy(key[0]), False, tail)) for key in fold_key(phrase))
    return keys


def _alternatives(phrases: list[str]) -> str:
    keys = sorted({key for phrase in phrases for key in fold_key(phrase)}, key=len, reverse=True)
    return "(?:" + "|".join(re.escape(key).replace(r"\ ", r"\s+") for key in keys) + ")"


def _wordy(ch: str) -> bool:
    return ch.isalnum()


# --- loading and reloading ------------------------------------------------------------------


def _lexicon_files(directory: Path) -> list[Path]:
    return sorted(path for path in directory.glob("*.txt") if _FILE_RE.match(path.name))


def _signature(directory: Path) -> tuple[tuple[str, int, int], ...]:
    out: list[tuple[str, int, int]] = []
    for path in _lexicon_files(directory):
        try:
            stat = path.stat()
        except FileNotFoundError:
            continue
        out.append((path.name, stat.st_mtime_ns, stat.st_size))
    return tuple(out)


def load_lexicon(directory: Path) -> Lexicon:
    """Read and compile every `<label>.<lang>.txt` file of `directory`."""
    files = [(path.name, path.read_text(encoding="utf-8")) for path in _lexicon_files(directory)]
    return parse_lexicon(files)


class LexiconStore:
    """The current lexicon of a directory, reloaded when its files change.

    Files are looked at (modification times and sizes) at most once per `check_every`
    seconds. Compiling takes about a second, so by default it happens on a background
    thread while the previous lexicon keeps serving; `background=False` reloads inline.
    """

    def __init__(
        self,
        directory: Path | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        check_every: float = 1.0,
        background: bool = True,
    ) -> None:
        self.directory = directory or DEFAULT_LEXICON_DIR
        self._clock = clock
        self._check_every = check_every
        self._background = background
        self._lock = threading.Lock()
        self._loading = False
        self._signature = _signature(self.directory)
        self._lexicon = load_lexicon(self.directory)  # errors at start-up are fatal
        self._checked = clock()
        self.last_error: str | None = None

    def current(self) -> Lexicon:
        now = self._clock()
        lexicon = self._lexicon
        if now - self._checked >= self._check_every:
            self._refresh(now)
            if not self._background:
                lexicon = self._lexicon  # reloaded inline: the new rules already apply to this message
        # In the background case the rules from before the check answer, even if a quick reload has
        # already finished: reading `self._lexicon` again here was a race (a flaky test showed it).
        return lexicon

    def _refresh(self, now: float) -> None:
        with self._lock:
            if now - self._checked < self._check_every or self._loading:
                return
            self._checked = now
            signature = _signature(self.directory)
            if signature == self._signature:
                return
            self._signature = signature
            self._loading = True
        if self._background:
            threading.Thread(target=self._reload, name="lexicon-reload", daemon=True).start()
        else:
            self._reload()

    def _reload(self) -> None:
        try:
            lexicon = load_lexicon(self.directory)
        except (LexiconError, OSError, UnicodeDecodeError) as error:
            # Keep the previous rules: a typo must not switch moderation off.
            self.last_error = str(error)
            log.error("lexicon reload refused, previous rules kept: %s", error)
        else:
            self._lexicon = lexicon
            self.last_error = None
            log.info("lexicon reloaded from %s: %d lines", self.directory, len(lexicon))
        finally:
            self._loading = False


class RulesDetector:
    """Lexicon rules over every normalised view of a message."""

    name: ClassVar[str] = "rules"

    def __init__(self, store: LexiconStore | None = None) -> None:
        self.store = store or LexiconStore()

    @classmethod
    def from_directory(cls, directory: Path | None = None) -> RulesDetector:
        return cls(LexiconStore(directory))

    def inspect(self, content: Content) -> Sequence[Signal]:
        norm = content.normalized
        return [self._signal(content.text, hit) for hit in self.store.current().match(norm)]

    def _signal(self, text: str, hit: RuleHit) -> Signal:
        evidence = Evidence(hit.start, hit.end, text[hit.start : hit.end])
        return Signal(self.name, hit.label, hit.score, evidence, hit.rule)


def match_text(lexicon: Lexicon, text: str) -> list[RuleHit]:
    """Convenience for tests and tools: match plain text."""
    return lexicon.match(normalize(text))
