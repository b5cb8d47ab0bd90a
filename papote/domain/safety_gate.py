"""Every message passes the safety pipeline before anyone else sees it; here the chat core
carries the verdict out.

`papote.safety` decides (content and context in, verdict out) and writes nothing. This module
gives it the context (channel, audience, age bands, time here, recent turns), enforces rate
limits, keeps the per-conversation risk scorers, and turns a verdict into what happens:
delivered, delivered with a tip, blurred, held for review, or blocked with the reason, plus
the evidence, the moderation case and the sanction.
"""

from __future__ import annotations

import json
from collections import OrderedDict, deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from papote.domain.errors import PapoteRefusal
from papote.domain.model import Person, now_ms
from papote.safety.antispam import AntispamConfig, FloodGuard, RateLimiter
from papote.safety.base import Action, AgeBand, Context, Turn, Verdict
from papote.safety.conversation import ConversationAssessment, ConversationRisk
from papote.safety.pipeline import TextPipeline
from papote.safety.policy import Policy, PolicyConfig
from papote.settings import Settings

RECENT_TURNS = 6
MAX_CHANNELS_REMEMBERED = 20_000
MUTE_MS = 10 * 60_000
SUSPEND_PENDING_REVIEW_MS = 30 * 86_400_000
CONVERSATION_CASE_PRIORITY = {"grooming": 0, "ambush": 1, "drug_deal": 2}


@dataclass(frozen=True)
class Screening:
    """A verdict, and what it means for the message."""

    verdict: Verdict
    hidden: bool = False
    flags: str = ""
    extra: dict[str, Any] = field(default_factory=dict)  # added to the event frame
    record: bool = True  # False: a precaution, not a safety finding (a stranger's first photo is blurred)

    @property
    def blocked(self) -> bool:
        return self.verdict.action is Action.BLOCK

    @property
    def needs_record(self) -> bool:
        return self.record and self.verdict.action is not Action.ALLOW

    def notice(self) -> dict[str, Any] | None:
        """What the sender is told (with the ack) when the message did not simply go through."""
        if not self.needs_record:
            return None
        notice: dict[str, Any] = {"action": self.verdict.action.value, "labels": list(self.verdict.labels)}
        if self.verdict.reasons:
            reason = self.verdict.reasons[0]
            notice["reason"] = {"rule": reason.rule, "fr": reason.fr, "en": reason.en}
        if self.verdict.tip is not None:
            notice["tip"] = {"fr": self.verdict.tip.fr, "en": self.verdict.tip.en}
        return notice


def screening_for(verdict: Verdict) -> Screening:
    action = verdict.action
    if action is Action.HOLD:
        return Screening(verdict, hidden=True, flags="held")
    if action is Action.BLUR:
        return Screening(verdict, flags="blur", extra={"blurred": True})
    if action is Action.TIP and verdict.tip is not None:
        return Screening(verdict, flags="tip", extra={"tip": {"fr": verdict.tip.fr, "en": verdict.tip.en}})
    return Screening(verdict)


class _Bounded(OrderedDict[Any, Any]):
    """An LRU dictionary: per-node memory stays bounded whatever the traffic."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit

    def touch(self, key: Any, default: Any) -> Any:
        if key in self:
            self.move_to_end(key)
            return self[key]
        self[key] = default
        if len(self) > self.limit:
            self.popitem(last=False)
        return default


class SafetyGate:
    def __init__(self, settings: Settings, pipeline: TextPipeline | None = None) -> None:
        self._pipeline = pipeline
        self._settings = settings
        config = AntispamConfig(
            enabled=settings.rate_limits, new_arrival_seconds=settings.new_arrival_seconds
        )
        self.limiter = RateLimiter(config)
        self.flood = FloodGuard(config)
        self._recent: _Bounded = _Bounded(MAX_CHANNELS_REMEMBERED)
        self._conversations: _Bounded = _Bounded(MAX_CHANNELS_REMEMBERED)
        self._muted_until: dict[int, int] = {}

    @property
    def pipeline(self) -> TextPipeline:
        """Built on first use (about a second: lexicons and the model), so that CLI commands that never
        screen a message do not pay for it; the server builds it at start (`warm_up`)."""
        if self._pipeline is None:
            self._pipeline = TextPipeline.default(policy=policy_from(self._settings))
        return self._pipeline

    def warm_up(self) -> None:
        self.pipeline.check("bonjour", Context(channel="room", room_audience="all"))

    # --- limits ----------------------------------------------------------------------------

    def check_may_send(
        self, person: Person, text: str, room: str | None = None, slow_mode_seconds: int = 0
    ) -> None:
        until = self._muted_until.get(person.id, 0)
        if until > now_ms():
            raise PapoteRefusal("muted", details={"retry_after": (until - now_ms()) // 1000})
        key = str(person.id)
        refusal = self.flood.check(key, text) or self.limiter.check_message(
            key, text, room=room, slow_mode_seconds=slow_mode_seconds, seconds_here=seconds_here(person)
        )
        if refusal is not None:
            raise PapoteRefusal(refusal.code, refusal.fr, refusal.en, {"retry_after": refusal.retry_after})

    def check_private_request(self, person: Person) -> None:
        refusal = self.limiter.check_private_request(
            str(person.id), known=False, seconds_here=seconds_here(person)
        )
        if refusal is not None:
            raise PapoteRefusal(refusal.code, refusal.fr, refusal.en, {"retry_after": refusal.retry_after})

    def mute(self, person_id: int) -> int:
        until = now_ms() + MUTE_MS
        self._muted_until[person_id] = until
        return until

    def mute_until(self, person_id: int, until_ms: int | None) -> None:
        """This node enforces a mute decided elsewhere (a moderator, the database); None lifts it."""
        if until_ms is None or until_ms <= now_ms():
            self._muted_until.pop(person_id, None)
        else:
            self._muted_until[person_id] = until_ms

    # --- screening -------------------------------------------------------------------------

    def screen(self, text: str, context: Context) -> Screening:
        return screening_for(self.pipeline.check(text, context))

    @staticmethod
    def nothing_to_screen() -> Screening:
        """A photo without a caption: only the image policy has something to say."""
        return Screening(Verdict(Action.ALLOW))

    def room_context(self, sender: Person, audience: str | None, channel: str) -> Context:
        return Context(
            channel="room",
            room_audience=audience if audience in ("minors", "adults", "all") else "all",  # type: ignore[arg-type]
            sender_age_band=sender.age_band,
            sender_seconds_here=seconds_here(sender),
            recent=self._turns(channel, sender.id),
        )

    def private_context(self, sender: Person, recipient: Person, accepted: bool, channel: str) -> Context:
        return Context(
            channel="dm",
            sender_age_band=sender.age_band,
            recipient_age_band=recipient.age_band,
            sender_seconds_here=seconds_here(sender),
            conversation_accepted=accepted,
            recent=self._turns(channel, sender.id),
        )

    def remember(self, channel: str, sender_id: int, text: str) -> None:
        turns: deque[tuple[int, str]] = self._recent.touch(channel, deque(maxlen=RECENT_TURNS))
        turns.append((sender_id, text))

    def _turns(self, channel: str, sender_id: int) -> tuple[Turn, ...]:
        turns = self._recent.get(channel)
        if not turns:
            return ()
        return tuple(Turn("self" if who == sender_id else str(who), text) for who, text in turns)

    # --- private conversations ---------------------------------------------------------------

    def conversation_risk(
        self, conversation_id: int, people: Mapping[int, AgeBand]
    ) -> tuple[ConversationRisk, bool]:
        """The scorer of a conversation, and whether it is new on this node (to be replayed from history)."""
        existing = self._conversations.get(conversation_id)
        if existing is not None:
            self._conversations.move_to_end(conversation_id)
            return existing, False
        scorer = ConversationRisk({str(pid): band for pid, band in people.items()})
        self._conversations.touch(conversation_id, scorer)
        return scorer, True

    @staticmethod
    def observe(scorer: ConversationRisk, sender_id: int, text: str) -> ConversationAssessment:
        return scorer.observe(str(sender_id), text)


def policy_from(settings: Settings) -> Policy:
    """The default policy, with the operator's overrides from PAPOTE_SAFETY_POLICY (a JSON file)."""
    overrides: dict[str, Any] = {"new_arrival_seconds": float(settings.new_arrival_seconds)}
    if settings.safety_policy_file:
        loaded = json.loads(Path(settings.safety_policy_file).read_text())
        if not isinstance(loaded, dict):
            raise ValueError("PAPOTE_SAFETY_POLICY must name a JSON object")
        overrides |= loaded
        if "detector_thresholds" in loaded:  # merge, so that a file naming one label keeps the others
            defaults = PolicyConfig().detector_thresholds
            merged = {name: dict(values) for name, values in defaults.items()}
            for name, values in loaded["detector_thresholds"].items():
                merged.setdefault(name, {}).update(values)
            overrides["detector_thresholds"] = merged
    return Policy.from_dict(overrides)


def seconds_here(person: Person) -> float:
    return max(0.0, (now_ms() - person.created_ms) / 1000)
