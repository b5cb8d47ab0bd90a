"""The one small interface every safety detector plugs into.

A detector receives a `Content` (text plus the context it was written in) and
returns `Signal`s. Only `policy.py` turns signals into a `Verdict`; only the
chat core carries a verdict out. Nothing in `papote.safety` writes state or
knows about websockets.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, Protocol

if TYPE_CHECKING:
    from papote.safety.normalize import Normalized

AgeBand = Literal["minor", "adult"]
Audience = Literal["minors", "adults", "all"]
ChannelKind = Literal["room", "dm"]

# The label vocabulary. These names are a public contract (CLI output, cases).
LABELS: tuple[str, ...] = (
    "contact_offplatform",
    "drug_sale",
    "hate",
    "threat",
    "harassment",
    "sexual_solicitation",
    "minor_sexual_risk",
    "csam_signal",
    "ncii",
    "scam_spam",
    "meetup_risk",
    "self_harm",
)

# Labels a whole private conversation can get from the conversation-risk scorer.
CONVERSATION_LABELS: tuple[str, ...] = ("grooming", "ambush", "drug_deal")


@dataclass(frozen=True)
class Turn:
    """One earlier message of the same conversation, oldest first."""

    sender: str  # "self" when written by the current sender, else an opaque id
    text: str


@dataclass(frozen=True)
class Context:
    channel: ChannelKind
    room_audience: Audience | None = None
    sender_age_band: AgeBand | None = None
    recipient_age_band: AgeBand | None = None
    sender_seconds_here: float | None = None
    conversation_accepted: bool | None = None
    recent: tuple[Turn, ...] = ()


@dataclass(frozen=True)
class Evidence:
    """Where in the original text the signal was found."""

    start: int
    end: int
    excerpt: str


@dataclass(frozen=True)
class Signal:
    detector: str
    label: str
    score: float  # 0..1
    evidence: Evidence | None = None
    rule: str = ""  # which lexicon line or check fired, e.g. "drug_sale.fr:42" (for moderators)


class Action(enum.StrEnum):
    ALLOW = "allow"
    TIP = "tip"
    BLUR = "blur"
    HOLD = "hold"
    BLOCK = "block"


@dataclass(frozen=True)
class Reason:
    """Why a verdict was reached, in words a person can read (French first)."""

    rule: str
    fr: str
    en: str


@dataclass(frozen=True)
class Verdict:
    action: Action
    labels: tuple[str, ...] = ()
    scores: dict[str, float] = field(default_factory=dict)
    signals: tuple[Signal, ...] = ()
    reasons: tuple[Reason, ...] = ()
    case_priority: int | None = None  # None: no moderation case; 0 is the highest priority
    sanction: Literal["mute", "suspend"] | None = None
    tip: Reason | None = None  # safety tip or help resources shown with a delivered message


class Detector(Protocol):
    """A safety plug-in. `inspect` must be fast (well under a millisecond) and pure."""

    @property
    def name(self) -> str:
        """Unique in a pipeline; usually a class attribute (a `ClassVar`, so compiled classes keep it)."""

    def inspect(self, content: Content) -> Sequence[Signal]: ...


class _Normalized:
    """`Content.normalized`: computed on first read, then found in the instance's `__dict__`.

    `functools.cached_property` does the same but takes a lock on every first read (Python 3.11),
    which cost about a microsecond per message; a `Content` is never shared between threads
    while it is being inspected, so no lock is needed.
    """

    _normalize: Any = None  # `normalize`, imported on first use: normalize never imports base

    def __get__(self, content: Content | None, owner: Any = None) -> Any:
        if content is None:
            return self
        normalize = _Normalized._normalize
        if normalize is None:
            from papote.safety.normalize import normalize as imported

            normalize = _Normalized._normalize = imported
        value = normalize(content.text)
        content.__dict__["normalized"] = value  # a frozen dataclass still has a writable __dict__
        return value


@dataclass(frozen=True)
class Content:
    text: str
    context: Context

    if TYPE_CHECKING:

        @property
        def normalized(self) -> Normalized:
            """Every normalised view of `text`, computed once and shared by all detectors."""

    else:
        normalized = _Normalized()
