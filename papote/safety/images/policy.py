"""Image policy: bank matches, nudity scores and the context in, one `ImageVerdict` out.

Rules (the issue's French defaults; every threshold is a field of `ImagePolicySettings`):

- Bank matches: `csam` -> block, quarantine (never displayed, not even to the sender), suspend the
  sender, case priority 0, label `csam_signal` (no automatic suspension when the match is `widened`:
  found only through the caption allowance). `ncii` -> block, case 1, label `ncii`. `terror` ->
  block, case 1, label `terror`. `other` -> block, case 2, label `banked_image`.
- Nudity (NudeNet): "explicit" when an exposed intimate class reaches its threshold, "partial" when a
  covered one does (underwear, swimwear). Label `nudity` (not `sexual_solicitation`).
  - Rooms, whatever the audience: explicit is blocked (Papote hosts no pornography, which keeps it out
    of the French age-verification regime for adult sites). Partial: blocked in a room open to minors
    ("minors" or "all"), blurred in an adults' room.
  - Private conversation with a minor on either side (an unknown age counts as a minor):
    any nudity is blocked. From an adult to a minor: also `minor_sexual_risk`, case 0 and suspension
    for explicit (case 1 for partial). Explicit from a minor: quarantined and case 0 without sanction
    (a minor's explicit picture of themselves is itself illegal to circulate; the minor may be a
    victim of sextortion).
  - Between two adults: blurred once the conversation was accepted (the recipient may show it, block,
    report); explicit before acceptance is blocked (unsolicited nudes), partial is blurred.
- Otherwise allowed, but blurred when it is the sender's first image, and in rooms (strangers cannot
  push images on you: the lead's decision).

The strictest action wins; labels and reasons accumulate; the case priority is the lowest number.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from papote.safety.base import Action, AgeBand, Audience, ChannelKind, Reason
from papote.safety.images.banks import BankMatch

__all__ = [
    "EXPLICIT_CLASSES",
    "IMAGE_LABELS",
    "PARTIAL_CLASSES",
    "ImageContext",
    "ImagePolicy",
    "ImagePolicySettings",
    "ImageVerdict",
    "NudityLevel",
]

NudityLevel = Literal["none", "partial", "explicit"]

# Labels only images get (the text vocabulary is used where it fits: csam_signal, ncii, minor_sexual_risk).
IMAGE_LABELS: tuple[str, ...] = ("nudity", "terror", "banked_image")

EXPLICIT_CLASSES: tuple[str, ...] = (
    "FEMALE_GENITALIA_EXPOSED",
    "MALE_GENITALIA_EXPOSED",
    "ANUS_EXPOSED",
    "FEMALE_BREAST_EXPOSED",
    "BUTTOCKS_EXPOSED",
)
PARTIAL_CLASSES: tuple[str, ...] = (
    "FEMALE_GENITALIA_COVERED",
    "FEMALE_BREAST_COVERED",
    "BUTTOCKS_COVERED",
    "ANUS_COVERED",
)

_SEVERITY = {Action.ALLOW: 0, Action.TIP: 1, Action.BLUR: 2, Action.HOLD: 3, Action.BLOCK: 4}

# rule -> (French, English): what the sender or a moderator reads.
_RULES: dict[str, tuple[str, str]] = {
    "bank:csam": (
        "Règle 5 : image d'abus sexuel sur mineur connue. Elle est bloquée et signalée.",
        "Rule 5: known child sexual abuse image. It is blocked and reported.",
    ),
    "bank:ncii": (
        "Règle 6 : image intime diffusée sans consentement. Elle est bloquée.",
        "Rule 6: intimate image shared without consent. It is blocked.",
    ),
    "bank:terror": (
        "Règle 7 : contenu terroriste connu. Il est bloqué.",
        "Rule 7: known terrorist content. It is blocked.",
    ),
    "bank:other": (
        "Cette image figure dans une liste d'images interdites sur Papote.",
        "This image is on a list of images not allowed on Papote.",
    ),
    "nudity:room": (
        "Pas de nudité dans les salons : Papote n'héberge pas de contenu pornographique.",
        "No nudity in rooms: Papote hosts no pornography.",
    ),
    "nudity:minor": (
        "Pas d'image dénudée dans une conversation avec un ou une mineur(e).",
        "No nude or intimate images in a conversation involving a minor.",
    ),
    "nudity:not_accepted": (
        "Pas d'image intime avant que la personne ait accepté la conversation.",
        "No intimate images before the other person has accepted the conversation.",
    ),
    "nudity:blurred": (
        "Image possiblement intime : floutée, la personne choisit de l'afficher ou non.",
        "Possibly intimate image: blurred, the recipient chooses whether to show it.",
    ),
    "first_image": (
        "Première image de cette personne : floutée jusqu'à ce que vous choisissiez de l'afficher.",
        "First image from this person: blurred until you choose to show it.",
    ),
    "room_image": (
        "Les images des salons sont floutées : chacun choisit de les afficher.",
        "Images in rooms are blurred: everyone chooses whether to show them.",
    ),
}


@dataclass(frozen=True)
class ImageContext:
    channel: ChannelKind
    room_audience: Audience | None = None  # None for a room: open to everyone
    sender_age_band: AgeBand | None = None
    recipient_age_band: AgeBand | None = None
    conversation_accepted: bool | None = None
    first_image_from_sender: bool = True


@dataclass(frozen=True)
class ImageVerdict:
    action: Action  # ALLOW, BLUR or BLOCK
    labels: tuple[str, ...] = ()
    reasons: tuple[Reason, ...] = ()
    case_priority: int | None = None
    sanction: Literal["suspend"] | None = None
    quarantine: bool = False  # keep for the authorities only: never displayed to anyone
    matches: tuple[BankMatch, ...] = ()
    nudity: NudityLevel = "none"


def _default_thresholds() -> dict[str, float]:
    # Synthetic pictures (shapes, noise, gradients) score up to ~0.5 on BUTTOCKS_EXPOSED: keep a margin.
    return dict.fromkeys(EXPLICIT_CLASSES + PARTIAL_CLASSES, 0.6)


@dataclass(frozen=True)
class ImagePolicySettings:
    thresholds: dict[str, float] = field(default_factory=_default_thresholds)
    explicit_classes: tuple[str, ...] = EXPLICIT_CLASSES
    partial_classes: tuple[str, ...] = PARTIAL_CLASSES
    unknown_age_is_minor: bool = True
    blur_first_image: bool = True
    blur_room_images: bool = True
    bank_case_priority: dict[str, int] = field(
        default_factory=lambda: {"csam": 0, "ncii": 1, "terror": 1, "other": 2}
    )


@dataclass(frozen=True)
class _Decision:
    action: Action
    rule: str
    labels: tuple[str, ...] = ()
    case_priority: int | None = None
    sanction: Literal["suspend"] | None = None
    quarantine: bool = False


_MINOR_NUDITY = ("nudity", "minor_sexual_risk")
_BANK_LABELS = {"csam": "csam_signal", "ncii": "ncii", "terror": "terror", "other": "banked_image"}


class ImagePolicy:
    def __init__(self, settings: ImagePolicySettings | None = None) -> None:
        self.settings = settings or ImagePolicySettings()

    def nudity_level(self, nudity: Mapping[str, float]) -> NudityLevel:
        """ "explicit", "partial" or "none" from NudeNet's per-class scores."""
        if self._reaches(nudity, self.settings.explicit_classes):
            return "explicit"
        if self._reaches(nudity, self.settings.partial_classes):
            return "partial"
        return "none"

    def _reaches(self, nudity: Mapping[str, float], classes: Sequence[str]) -> bool:
        thresholds = self.settings.thresholds
        return any(nudity.get(name, 0.0) >= thresholds.get(name, 0.6) for name in classes)

    def decide(
        self, matches: Sequence[BankMatch], nudity: Mapping[str, float], context: ImageContext
    ) -> ImageVerdict:
        level = self.nudity_level(nudity)
        decisions = [self._bank(match) for match in matches]
        if level != "none":
            decisions.append(self._nudity(level, context))
        decisions += self._blurs(context)
        return _combine(decisions, tuple(matches), level)

    def _bank(self, match: BankMatch) -> _Decision:
        case = self.settings.bank_case_priority.get(match.category, 2)
        labels = (_BANK_LABELS.get(match.category, "banked_image"),)
        if match.category == "csam":
            # A widened match (captioned upload, beyond the bank's radius) is less certain: the image is
            # still blocked and quarantined, but the suspension waits for a moderator.
            sanction: Literal["suspend"] | None = None if match.widened else "suspend"
            return _Decision(Action.BLOCK, "bank:csam", labels, case, sanction, quarantine=True)
        rule = f"bank:{match.category}" if match.category in _BANK_LABELS else "bank:other"
        return _Decision(Action.BLOCK, rule, labels, case)

    def _minor(self, band: AgeBand | None) -> bool:
        return band == "minor" or (band is None and self.settings.unknown_age_is_minor)

    def _nudity(self, level: NudityLevel, context: ImageContext) -> _Decision:
        explicit = level == "explicit"
        if context.channel == "room":
            open_to_minors = context.room_audience != "adults" or self._minor(context.sender_age_band)
            if explicit and open_to_minors:
                return _Decision(Action.BLOCK, "nudity:room", ("nudity", "minor_sexual_risk"), 1)
            if explicit or open_to_minors:
                return _Decision(Action.BLOCK, "nudity:room", ("nudity",))
            return _Decision(Action.BLUR, "nudity:blurred", ("nudity",))
        sender_minor = self._minor(context.sender_age_band)
        recipient_minor = self._minor(context.recipient_age_band)
        if sender_minor and explicit:
            # A minor's explicit picture of themselves: never shown, a case, but no sanction (maybe a victim).
            return _Decision(Action.BLOCK, "nudity:minor", _MINOR_NUDITY, 0, quarantine=True)
        if recipient_minor and not sender_minor:
            if explicit:
                return _Decision(Action.BLOCK, "nudity:minor", ("nudity", "minor_sexual_risk"), 0, "suspend")
            return _Decision(Action.BLOCK, "nudity:minor", ("nudity", "minor_sexual_risk"), 1)
        if sender_minor or recipient_minor:
            return _Decision(Action.BLOCK, "nudity:minor", ("nudity",))
        if explicit and not context.conversation_accepted:
            return _Decision(Action.BLOCK, "nudity:not_accepted", ("nudity",))
        return _Decision(Action.BLUR, "nudity:blurred", ("nudity",))

    def _blurs(self, context: ImageContext) -> list[_Decision]:
        blurs = []
        if context.channel == "room" and self.settings.blur_room_images:
            blurs.append(_Decision(Action.BLUR, "room_image"))
        if context.first_image_from_sender and self.settings.blur_first_image:
            blurs.append(_Decision(Action.BLUR, "first_image"))
        return blurs


def _combine(
    decisions: Sequence[_Decision], matches: tuple[BankMatch, ...], level: NudityLevel
) -> ImageVerdict:
    if not decisions:
        return ImageVerdict(Action.ALLOW, matches=matches, nudity=level)
    strictest = max(decisions, key=lambda d: _SEVERITY[d.action]).action
    labels: list[str] = []
    reasons: list[Reason] = []
    for decision in decisions:
        labels += [label for label in decision.labels if label not in labels]
        if decision.action == strictest and all(r.rule != decision.rule for r in reasons):
            fr, en = _RULES[decision.rule]
            reasons.append(Reason(decision.rule, fr, en))
    cases = [d.case_priority for d in decisions if d.case_priority is not None]
    return ImageVerdict(
        action=strictest,
        labels=tuple(labels),
        reasons=tuple(reasons),
        case_priority=min(cases) if cases else None,
        sanction="suspend" if any(d.sanction for d in decisions) else None,
        quarantine=any(d.quarantine for d in decisions),
        matches=matches,
        nudity=level,
    )
