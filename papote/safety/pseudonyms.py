"""Pseudonym checks: no slurs, no sexual or predatory names, no contact handles.

A pseudonym is a billboard: on the old chat, "jf_chaude", "cherche_ado" or "snap_xxx"
told everyone what its owner was there for. The check is robust to l33t, look-alike
letters and separators, and avoids the Scunthorpe problem with three kinds of word:
short or ambiguous words must be a whole token ("pd", "cul", "sex"), long distinctive
words may appear anywhere ("salope", "pedophile"), and an allow-list removes innocent
words that contain a listed one ("Sexton", "Analyse", "Pornic", "Torpedo").
"""

from __future__ import annotations

import functools
import importlib
import re
from collections.abc import Callable
from dataclasses import dataclass

from papote.safety.detectors.age_claims import plain_fold

OFFENSIVE = "pseudo_offensive"
SEXUAL = "pseudo_sexual"
CONTACT = "pseudo_contact"

MESSAGES: dict[str | None, tuple[str, str]] = {
    None: ("Pseudo accepté.", "Nickname accepted."),
    OFFENSIVE: (
        "Ce pseudo contient un terme injurieux ou haineux. Choisis-en un autre.",
        "This nickname contains an insulting or hateful term. Please choose another one.",
    ),
    SEXUAL: (
        "Ce pseudo a une connotation sexuelle ou évoque la recherche de mineurs. Choisis-en un autre.",
        "This nickname is sexual or suggests seeking minors. Please choose another one.",
    ),
    CONTACT: (
        "Un pseudo ne peut pas contenir de coordonnées (numéro, e-mail, Snapchat, Instagram, Telegram…).",
        "A nickname cannot contain contact details (phone number, e-mail, Snapchat, Instagram, Telegram…).",
    ),
}

# --- word lists (data). Whole-token words are short or have innocent readings. ----------------

_OFFENSIVE_TOKENS = """
pd pede pedes tapette tapettes fdp ntm nique niquer negro negros bicot bicots gogol mongol pute putes
putain kkk nazi nazis gouine gouines travelo retarded fag fags spic chink kike tranny whore slut cunt
bitch enfoire encule
"""
_OFFENSIVE_ANYWHERE = """
salope salopes encule enculer enculee connard connasse tarlouze tafiole negre negresse nigger nigga
bougnoul bougnoule youpin youtre chinetoque niakoue bamboula faggot filsdepute fdpute niquetamere
niquetonpere niquetesmorts tamerelapute hitler heilhitler siegheil 1488 whitepower
"""
_SEXUAL_TOKENS = """
sex sexx bite bites chatte seins tits cock nue nues horny tbm milf dilf escort cam4 sodo gode
soumise
"""
_SEXUAL_ANYWHERE = """
sexe sexy porno porn nude nudes pedo pedophile pedophilie pedobear lolita baise baiseur baiseuse
suceuse suceur branleur branleuse branlette masturb ejacul sperme orgasm godemiche bdsm fellation
sodomie levrette partouze gangbang nympho nymphomane coquine coquin cochonne chaudasse plancul
hentai onlyfans camgirl camboy sugardaddy sugarbaby gangbang bukkake zoophil inceste
"""
# Innocent words that contain a listed word; removed before looking anywhere.
_ALLOWED = """
sexton essex sussex middlesex wessex analyse analyste canal pornic torpedo scunthorpe therapist
abaisse abaisser rabaisse baisemain cochonnet cochonnets cochonou negresco montenegro shiitake
mongolie mongolia hotel hotline photo photos shotgun python chotte matsushita computer dispute
deputee reputation coquillage coquelicot niggard speedo speedway
"""
_CONTACT_TOKENS = """
snap snapchat insta instagram telegram whatsapp kik onlyfans mym wickr threema viber gmail hotmail
outlook yahoo icloud wanadoo laposte protonmail
"""
# Short names with innocent readings ("SC_Bastia"): contact only next to a handle-like part.
_CONTACT_WEAK = "sc ig tg tlg wa wtsp discord tiktok skype"
_CONTACT_ANYWHERE = """
snapchat instagram telegram whatsapp onlyfans gmail hotmail outlook wanadoo protonmail
"""

# Combinations that make a pseudonym predatory or a sexual advert.
_SEEKING = "cherche cherch recherche aime aimes aim love like kiffe pour 4 for veut veux chasseur hunter"
_YOUNG = (
    "ado ados teen teens teenager jeune jeunes jeunette mineure mineures mineur mineurs lyceenne lyceennes"
    " collegienne collegiennes fillette fillettes gamine gamines minette minettes petite petites young kid"
    " kids lycee college ecoliere ecolieres"
)
_OLDER = "daddy papa papy tonton sugar grandpa vieux"
_OLDER_WITH = "gateau gato baby daddy"
# The young words that stay suspicious next to "papa"/"daddy" ("Jeune_Papa" is a young father).
_YOUNG_STRONG = (
    "ado ados teen teens teenager mineure mineures lyceenne lyceennes collegienne collegiennes fillette"
    " fillettes gamine gamines minette minettes ecoliere ecolieres"
)
_WHO = "jf jh f h mec femme meuf fille couple cpl nana keum gars homme bi trav trans"
_HOW = "chaude chaud coquine coquin dispo soumise soumis hot cochonne excitee excite nympho tbm bm"

_YOUNG_GLUED = re.compile(
    r"(?:cherche|recherche|aime|love|like|kiffe|pour|for|4|veut|veux)(?:les|des|une|un|la|le|jeunes?|petites?)?"
    r"(?:ados?(?![rnpu])|teens?|mineure?s?|lyceennes?|collegiennes?|fillettes?|gamines?|minettes?|ecolieres?)"
)
_OLDER_GLUED = re.compile(
    r"(?:daddy|papa|papy|tonton|sugar)(?:4|for|pour|cherche|aime|de|des|du)?"
    r"(?:teens?|ados?(?![rnpu])|gateau|gato|baby|mineure?s?|lyceennes?)"
)
_WHO_HOW_GLUED = re.compile(
    r"^(?:jf|jh|mec|femme|meuf|fille|couple|cpl|nana|keum|gars|homme)(?:tres|trop|bien|super)?"
    r"(?:chaude?|coquine?|dispo|soumise?|hot|cochonne?|excitee?|nympho|tbm)"
    r"|(?:chaude?|coquine?|hot|cochonne?|excitee?|soumise?)(?:jf|jh|mec|femme|meuf|fille|couple|cpl)$"
)

_LEET_I = str.maketrans("0134578@$€!|", "oieastbaseil")
_LEET_L = str.maketrans("0134578@$€!|", "oleastbasell")
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")
_LETTER_DIGIT = re.compile(r"(?<=[a-z])(?=[0-9])|(?<=[0-9])(?=[a-z])")
_SEPARATORS = re.compile(r"[^a-z0-9@$€!|]+")
_REPEATS = re.compile(r"([a-z])\1+")
_EMAIL = re.compile(r"[a-z0-9._%+\-]+@[a-z0-9\-]+\.[a-z]{2,}|^@[a-z0-9_.]{2,}")
_DOMAIN = re.compile(r"[a-z0-9]\.(?:com|fr|net|org|io|be|ch|me|gg|ly|co|xyz|info)\b")
_DIGITISH = re.compile(r"(?<=\d)[o](?=\d)|^[o](?=\d)")
_CONTACT_EMOJI = ("👻", "📞", "☎", "📱", "✉", "📧")
_PHONE_DIGITS = 8


def _words(block: str) -> frozenset[str]:
    return frozenset(block.split())


OFFENSIVE_TOKENS = _words(_OFFENSIVE_TOKENS)
OFFENSIVE_ANYWHERE = _words(_OFFENSIVE_ANYWHERE)
SEXUAL_TOKENS = _words(_SEXUAL_TOKENS)
SEXUAL_ANYWHERE = _words(_SEXUAL_ANYWHERE)
ALLOWED = _words(_ALLOWED)
CONTACT_TOKENS = _words(_CONTACT_TOKENS)
CONTACT_ANYWHERE = _words(_CONTACT_ANYWHERE)
CONTACT_WEAK = _words(_CONTACT_WEAK)
SEEKING, YOUNG, OLDER, OLDER_WITH = _words(_SEEKING), _words(_YOUNG), _words(_OLDER), _words(_OLDER_WITH)
YOUNG_STRONG = _words(_YOUNG_STRONG)
WHO, HOW = _words(_WHO), _words(_HOW)


@dataclass(frozen=True)
class PseudonymCheck:
    ok: bool
    code: str | None  # pseudo_offensive, pseudo_sexual or pseudo_contact
    fr: str
    en: str


def _result(code: str | None) -> PseudonymCheck:
    fr, en = MESSAGES[code]
    return PseudonymCheck(ok=code is None, code=code, fr=fr, en=en)


# --- folding ----------------------------------------------------------------------------------


@functools.cache
def _shared_skeleton() -> Callable[[str], str] | None:
    try:
        module = importlib.import_module("papote.safety.normalize")
    except Exception:  # absent or broken: the local fold still handles accents and common look-alikes
        return None
    function = getattr(module, "skeleton", None)
    return function if callable(function) else None


def _fold(pseudo: str) -> str:
    """Look-alike letters to Latin, accents off; case kept so that camelCase can split words."""
    shared = _shared_skeleton()
    if shared is not None:
        folded = shared(pseudo)
        if isinstance(folded, str) and len(folded) == len(pseudo):
            # The shared skeleton is lowercase: put the original capitals back where letters agree.
            return "".join(o if o.lower() == f else f for o, f in zip(pseudo, folded, strict=True))
    return "".join(ch if ch.isascii() else plain_fold(ch) for ch in pseudo)


@dataclass(frozen=True)
class _Views:
    tokens: frozenset[str]  # words split at separators, camelCase and letter/digit borders
    glued: tuple[str, ...]  # every separator removed: plain, l33t as "i", l33t as "l", letters collapsed
    lowered: str  # folded and lowercased, separators kept


def _views(pseudo: str) -> _Views:
    folded = _fold(pseudo.strip())
    lowered = _CAMEL.sub(" ", folded).lower()
    tokens: set[str] = set()
    for chunk in _SEPARATORS.split(lowered):
        if not chunk:
            continue
        tokens.update(part for part in _LETTER_DIGIT.split(chunk) if part)
        leet = chunk.translate(_LEET_I)
        tokens.add(leet)
        tokens.add(_REPEATS.sub(r"\1", leet))
    plain = _SEPARATORS.sub("", lowered)
    glued = {plain, plain.translate(_LEET_I), plain.translate(_LEET_L)}
    glued |= {_REPEATS.sub(r"\1", form) for form in tuple(glued)}
    return _Views(frozenset(tokens), tuple(sorted(glued)), folded.lower())


def _without_allowed(glued: str) -> str:
    for word in _ALLOWED_ANY:
        if word in glued:
            glued = glued.replace(word, "_")
    return glued


def _collapsed(words: frozenset[str]) -> frozenset[str]:
    return words | {_REPEATS.sub(r"\1", word) for word in words}


_ALLOWED_ANY = sorted(_collapsed(ALLOWED), key=len, reverse=True)
_OFFENSIVE_ANY = _collapsed(OFFENSIVE_ANYWHERE)
_SEXUAL_ANY = _collapsed(SEXUAL_ANYWHERE)


def _anywhere(views: _Views, words: frozenset[str]) -> bool:
    for glued in views.glued:
        cleaned = _without_allowed(glued)
        if any(word in cleaned for word in words):
            return True
    return False


def _has_token(views: _Views, words: frozenset[str]) -> bool:
    return not views.tokens.isdisjoint(words) or any(
        len(token) >= 4 and token.endswith("s") and token[:-1] in words for token in views.tokens
    )


def _predatory(views: _Views) -> bool:
    tokens = views.tokens
    if not tokens.isdisjoint(YOUNG) and not tokens.isdisjoint(SEEKING):
        return True
    if not tokens.isdisjoint(OLDER) and not tokens.isdisjoint(OLDER_WITH | YOUNG_STRONG):
        return True
    if not tokens.isdisjoint(WHO) and not tokens.isdisjoint(HOW):
        return True
    return any(
        pattern.search(glued)
        for glued in views.glued
        for pattern in (_YOUNG_GLUED, _OLDER_GLUED, _WHO_HOW_GLUED)
    )


def _contact(pseudo: str, views: _Views) -> bool:
    lowered = views.lowered
    if _EMAIL.search(lowered) or _DOMAIN.search(lowered) or any(mark in pseudo for mark in _CONTACT_EMOJI):
        return True
    digits = sum(ch.isdigit() for ch in _DIGITISH.sub("0", lowered))
    if digits >= _PHONE_DIGITS:
        return True
    if _has_token(views, CONTACT_TOKENS) or _anywhere(views, CONTACT_ANYWHERE):
        return True
    handle_like = ":" in pseudo or any(ch.isdigit() for ch in pseudo)
    return handle_like and not views.tokens.isdisjoint(CONTACT_WEAK)


def check_pseudonym(pseudo: str) -> PseudonymCheck:
    """Accept or refuse a pseudonym, with the reason in French and English."""
    views = _views(pseudo)
    if _predatory(views) or _has_token(views, SEXUAL_TOKENS) or _anywhere(views, _SEXUAL_ANY):
        return _result(SEXUAL)
    if _has_token(views, OFFENSIVE_TOKENS) or _anywhere(views, _OFFENSIVE_ANY):
        return _result(OFFENSIVE)
    if _contact(pseudo, views):
        return _result(CONTACT)
    return _result(None)
