"""Contact details that move a conversation off Papote: phone numbers, app handles,
invitation links, e-mail addresses; plus plain links, reported as a "link" signal.

Label `contact_offplatform`. Emergency and short numbers (15, 17, 18, 112, 114, 115,
119, 3114, 3018, 3919...) are never reported: people must be able to share them.
Invitations written in words ("ajoute-moi sur snap") are lexicon rules
(`lexicons/contact_offplatform.*.txt`); this detector finds the details themselves.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import ClassVar

import ahocorasick
import phonenumbers
from phonenumbers import Leniency, PhoneNumberMatcher

from papote.safety.base import Content, Evidence, Signal
from papote.safety.normalize import Form

__all__ = ["EMERGENCY_NUMBERS", "LINK_LABEL", "ContactDetector", "find_phone_numbers"]

LABEL = "contact_offplatform"
# Not a label: the policy may hold links from accounts that just arrived.
LINK_LABEL = "link"
EMERGENCY_NUMBERS = frozenset(
    {"15", "17", "18", "112", "114", "115", "119", "116000", "116006", "116117"}
    | {"3114", "3018", "3919", "3020"}
)
_SEP = r"[\s.\-/_]"
# A French number by its shape: 0 (or +33 / 0033, maybe "(0)") then 1-7 or 9 and 8 more digits.
_FR_PHONE_RE = re.compile(
    rf"(?<![\d+])(?:\(?(?:\+|00)33\)?{_SEP}*(?:\(0\){_SEP}*)?|0{_SEP}?)(?P<first>[1-79])(?P<rest>(?:{_SEP}?\d){{8}})(?!\d)"
)
_INTERNATIONAL_RE = re.compile(r"(?<!\d)(?:\+|00)\s?[1-9]")
_PHONE_WINDOW = 160
_PHONE_OVERLAP = 40  # longer than any written phone number, so none is cut in two
# Shortest national number worth calling a phone number (French numbers have 9 digits).
MIN_PHONE_DIGITS = 8

_PLATFORMS = (
    r"snap(?:chat)?|sc|insta(?:gram)?|ig|tiktok|tik\s?tok|telegram|tg|kik|discord|whatsapp|whats\s?app|wa|wtsp|wsp"
    r"|watsap|wts|signal|wizz|messenger"
)
# "mon snap c'est lea_fictive92", "insta: @julie_fictive", "👻 lea.fictive"
_HANDLE_RE = re.compile(
    rf"(?:\b(?:{_PLATFORMS})\b|👻)\s*(?P<marker>c'?\s?est|est|:|=|->|→|👉|➡)?\s*(?P<at>@)?"
    r"(?P<handle>[a-z0-9][a-z0-9_.\-]{2,29})"
)
_HANDLE_WORD_RE = re.compile(r"[a-z]")
# "ajoutez moi : zoe_fictive" (no platform named): only a handle-shaped word counts.
_ADD_ME_RE = re.compile(
    r"\b(?:ajoute|ajoutez|ajoutes|rajoute|rajoutez|add|ajt)[\s-]*(?:moi|moa)\s*(?::|=|->|→|👉)?\s*@?"
    r"(?P<handle>[a-z0-9][a-z0-9_.\-]{2,29})"
)
# "mon snap c'est ...": the platform is introduced as one's own account.
_OWNER_RE = re.compile(r"\b(?:mon|mn|ma|mon pseudo|mon compte|mon identifiant|mon id)\s*$")
# Words that follow a platform name in ordinary talk ("snap de ma soeur"): not handles.
_NOT_HANDLES = frozenset(
    {
        "est", "c'est", "cest", "les", "des", "une", "pour", "mais", "avec", "dans", "sur", "par",
        "que", "qui", "quoi", "quand", "tous", "tout", "toute", "toutes", "mon", "ton", "son", "mes",
        "tes", "ses", "moi", "toi", "lui", "elle", "nous", "vous", "eux", "leur", "leurs", "aussi",
        "donc", "alors", "plus", "moins", "bien", "trop", "tres", "deja", "encore", "jamais",
        "toujours", "story", "stories", "filtre", "filtres", "appel", "appels", "video", "videos",
        "message", "messages", "groupe", "groupes", "compte", "comptes", "ou", "and", "the", "you",
        "your",
    }
)  # fmt: skip
_INVITE_RE = re.compile(
    r"(?:https?://)?(?:www\.)?(?:t\.me|telegram\.me|telegram\.dog|wa\.me|chat\.whatsapp\.com"
    r"|discord\.gg|discord(?:app)?\.com/invite|snapchat\.com/add|instagram\.com|instagr\.am"
    r"|tiktok\.com/@|kik\.me|m\.me|signal\.me|ig\.me)/?[\w.@\-/#?=]*",
)
_EMAIL_RE = re.compile(r"\b[a-z0-9][\w.+\-]{0,63}@[a-z0-9\-]{1,63}(?:\.[a-z0-9\-]{1,63}){0,3}\.[a-z]{2,10}\b")
_OBFUSCATED_EMAIL_RE = re.compile(
    r"\b[a-z0-9][\w.+\-]*\s*(?:\(at\)|\[at\]|\{at\}|\sat\s|\(arobase\)|\sarobase\s|\sarrobase\s)\s*"
    r"[a-z0-9\-]+\s*(?:\.|\(dot\)|\[dot\]|\sdot\s|\spoint\s|\(point\))\s*(?:com|fr|net|org|be|ch|ca|io|eu)\b"
)
_DISCORD_TAG_RE = re.compile(r"\b[a-z0-9_.]{2,32}#\d{4}\b")
# Bounded repetitions only: a nested "(x+\.)*" would backtrack for ages on "s.n.a.p.s.n.a.p...".
_TLDS = (
    r"com|fr|net|org|io|be|ch|ca|eu|info|biz|xyz|top|site|online|live|club"
    r"|ru|tk|ml|ly|gg|me|cc|link|click|app|shop|store|fun|vip|win|bet|cam|sex"
)
_LINK_RE = re.compile(rf"(?:https?://|www\.)\S+|\b(?:[a-z0-9-]{{1,63}}\.){{1,4}}(?:{_TLDS})\b(?:/\S*)?")
# Phone pre-normaliser: letter O next to a digit, and / _ . between digits.
_LETTER_O_RE = re.compile(r"(?<![a-z])o(?=\d)|(?<=\d)o(?![a-z])")
_DIGIT_SEPARATOR_RE = re.compile(r"(?<=\d)[/_.](?=\d)")
_DIGIT_RE = re.compile(r"\d")


def prepare_digits(text: str) -> str:
    """Phone pre-normaliser (same length as its input, so offsets still hold)."""
    text = _LETTER_O_RE.sub("0", text)
    return _DIGIT_SEPARATOR_RE.sub(" ", text)


def find_phone_numbers(text: str, *, limit: int = 100) -> list[tuple[int, int, str]]:
    """(start, end, E.164) of the first `limit` personal phone numbers in `text`.

    French numbers are found by their shape (0 or +33, then 9 digits, any separators,
    not 08 service numbers), which also catches numbers written twice in a row or
    from unassigned ranges; other countries' numbers by `phonenumbers`, and must be
    valid. Never emergency or short numbers.
    """
    if len(_DIGIT_RE.findall(text)) < MIN_PHONE_DIGITS:
        return []
    prepared = prepare_digits(text)
    found: list[tuple[int, int, str]] = []
    for match in _FR_PHONE_RE.finditer(prepared):
        digits = "".join(_DIGIT_RE.findall(match.group("rest")))
        found.append((match.start(), match.end(), f"+33{match.group('first')}{digits}"))
        if len(found) >= limit:
            return found
    if _INTERNATIONAL_RE.search(prepared):
        taken = [(start, end) for start, end, _ in found]
        found.extend(_international(prepared, taken, limit - len(found)))
    return sorted(found)


def _international(prepared: str, taken: list[tuple[int, int]], limit: int) -> list[tuple[int, int, str]]:
    found: list[tuple[int, int, str]] = []
    seen: set[int] = set()
    # The matcher slows down badly on long digit-heavy texts: feed it overlapping windows.
    for offset in range(0, max(len(prepared) - _PHONE_OVERLAP, 1), _PHONE_WINDOW - _PHONE_OVERLAP):
        window = prepared[offset : offset + _PHONE_WINDOW]
        for match in PhoneNumberMatcher(window, "FR", leniency=Leniency.VALID):
            start = offset + match.start
            overlaps = any(first < offset + match.end and start < last for first, last in taken)
            if start in seen or overlaps or match.number.country_code == 33:
                continue
            if not _personal_number(match.number):
                continue
            seen.add(start)
            e164 = phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.E164)
            found.append((start, offset + match.end, e164))
            if len(found) >= limit:
                return found
    return found


def _personal_number(number: phonenumbers.PhoneNumber) -> bool:
    """A number that reaches a person: not an emergency, short or service number.

    French numbers only need the right shape (0 + 9 digits, not 08 service numbers):
    people share numbers from ranges the metadata calls unassigned, and we must not
    miss them. Foreign numbers must be valid.
    """
    national = str(number.national_number)
    if national in EMERGENCY_NUMBERS or len(national) < MIN_PHONE_DIGITS:
        return False
    if number.country_code == 33:
        return len(national) == 9 and national[0] in "1234567" + "9"
    return bool(phonenumbers.is_valid_number(number))


class ContactDetector:
    """Phone numbers, handles, invitation links and e-mails; plain links as "link"."""

    name: ClassVar[str] = "contact"

    def inspect(self, content: Content) -> Sequence[Signal]:
        norm = content.normalized
        text = content.text
        plain = norm.view("plain")
        signals: list[Signal] = []
        digits = norm.view("digits")
        for start, end, _number in find_phone_numbers(digits.text, limit=1):
            signals.append(self._signal(text, digits, start, end, LABEL, 0.95, "contact.phone"))
        folded = plain.text
        for may_hold, pattern, score, rule in _PATTERNS:
            if not may_hold(folded):
                continue
            match = pattern.search(folded)
            if match is not None:
                signals.append(self._signal(text, plain, match.start(), match.end(), LABEL, score, rule))
        compact = norm.view("compact")
        views = (plain,) if compact.text == folded else (plain, compact)
        for view in views:
            handle = _find_handle(view.text)
            if handle is not None:
                signals.append(self._signal(text, view, handle[0], handle[1], LABEL, 0.9, "contact.handle"))
                break
        link = _find_link(folded) if _may_hold_link(folded) else None
        if link is not None:
            signals.append(self._signal(text, plain, link[0], link[1], LINK_LABEL, 1.0, "contact.link"))
        return signals

    def _signal(
        self, text: str, form: Form, start: int, end: int, label: str, score: float, rule: str
    ) -> Signal:
        first, last = form.span(start, end)
        return Signal(self.name, label, score, Evidence(first, last, text[first:last]), rule)


def _may_hold_invite(text: str) -> bool:
    return "." in text and "/" in text


def _may_hold_email(text: str) -> bool:
    return "@" in text


def _may_hold_obfuscated_email(text: str) -> bool:
    """Every match holds "(at)", "[at]", "{at}", "at" between spaces, or "(a)robase"/"arrobase"."""
    if not ("." in text or "point" in text or "dot" in text):
        return False
    has_at = "at)" in text or "at]" in text or "at}" in text or "robase" in text
    return has_at or _SPACED_AT_RE.search(text) is not None


_SPACED_AT_RE = re.compile(r"\sat\s")  # opens with a class: `re` jumps straight to the spaces


def _may_hold_tag(text: str) -> bool:
    return "#" in text


# Cheap substring checks come before each regular expression: most messages hold no contact.
_PATTERNS: tuple[tuple[Callable[[str], bool], re.Pattern[str], float, str], ...] = (
    (_may_hold_invite, _INVITE_RE, 0.95, "contact.invite_link"),
    (_may_hold_email, _EMAIL_RE, 0.9, "contact.email"),
    (_may_hold_obfuscated_email, _OBFUSCATED_EMAIL_RE, 0.9, "contact.email"),
    (_may_hold_tag, _DISCORD_TAG_RE, 0.8, "contact.discord_tag"),
)


def _mentions_platform(text: str) -> bool:
    """Every `_HANDLE_RE` match holds 👻 or one of `_PLATFORM_WORDS` ("tik\\s?tok" holds "tik")."""
    return "👻" in text or next(_PLATFORM_HINTS.iter(text), None) is not None


def _may_add_me(text: str) -> bool:
    """Every `_ADD_ME_RE` match holds "moi" or "moa", and "ajout", "add" or "ajt"."""
    return ("moi" in text or "moa" in text) and ("ajout" in text or "add" in text or "ajt" in text)


_PLATFORM_WORDS = (
    "snap", "sc", "insta", "ig", "tiktok", "tik", "telegram", "tg", "kik", "discord", "whats", "wa", "wtsp",
    "wsp", "wts", "watsap", "signal", "wizz", "messenger",
)  # fmt: skip


def _platform_hints() -> ahocorasick.Automaton:
    automaton = ahocorasick.Automaton()
    for word in _PLATFORM_WORDS:
        automaton.add_word(word, word)
    automaton.make_automaton()
    return automaton


_PLATFORM_HINTS = _platform_hints()


# Every `_LINK_RE` match holds "http", "www." or a dot right before one of its domain endings.
_TLD_RE = re.compile(rf"\.(?:{_TLDS})")


def _may_hold_link(text: str) -> bool:
    """A cheap necessary condition for `_LINK_RE`; `_TLD_RE` opens with a literal, so `re` skips ahead."""
    if "." not in text:
        return False
    return "http" in text or "www." in text or _TLD_RE.search(text) is not None


def _find_link(text: str) -> tuple[int, int] | None:
    """First link that is not the domain of an e-mail address."""
    emails = [m.span() for m in _EMAIL_RE.finditer(text)] if "@" in text else []
    for match in _LINK_RE.finditer(text):
        if not any(start <= match.start() < end for start, end in emails):
            return match.span()
    return None


def _find_handle(text: str) -> tuple[int, int] | None:
    """Span of "<platform> [c'est|:] <handle>" (or "ajoute moi : <handle>") when the handle looks like one."""
    # Each regex is only run on texts holding what all its matches hold (it tries every position).
    add_me = _ADD_ME_RE.finditer(text) if _may_add_me(text) else ()
    for match in add_me:
        handle = match.group("handle").rstrip(".-")
        if any(c.isdigit() or c in "_." for c in handle) and _HANDLE_WORD_RE.search(handle):
            return (match.start(), match.start("handle") + len(handle))
    handles = _HANDLE_RE.finditer(text) if _mentions_platform(text) else ()
    for match in handles:
        handle = match.group("handle").rstrip(".-")
        if handle in _NOT_HANDLES or not _HANDLE_WORD_RE.search(handle):
            continue
        if not (_explicit(text, match) or any(c.isdigit() or c in "_." for c in handle)):
            continue
        return (match.start(), match.start("handle") + len(handle))
    return None


def _explicit(text: str, match: re.Match[str]) -> bool:
    """ "insta: x", "snap @x", "mon snap c'est x": the next word is meant as a handle.

    Without such a marker only a handle-shaped word counts ("snap lea_fictive92"), so
    "snap c'est nul" or "je suis sur snap tous les jours" are not handles.
    """
    marker = (match.group("marker") or "").replace(" ", "")
    if match.group("at") is not None or marker in (":", "=", "->", "→", "👉", "➡"):
        return True
    if marker in ("c'est", "cest", "est"):
        return _OWNER_RE.search(text, 0, match.start()) is not None
    return False
