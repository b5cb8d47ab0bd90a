"""Batch classification over JSON lines, for `papote safety classify` and friends.

`classify_lines` reads one message per line:
`{"id", "text", "channel": "room"|"dm", "sender_age_band", "recipient_age_band"}`
(optional: "room_audience", "sender_seconds_here", "conversation_accepted"; a room
without "room_audience" is taken as open to everyone) and writes
`{"id", "labels", "scores", "action"}` per line.

`classify_conversation_lines` reads one private conversation per line:
`{"id", "participants": {"a": band, "b": band}, "turns": [{"from": "a", "text": ...}]}`
and writes `{"id", "flagged", "flag_turn", "labels"}`, where `flag_turn` is the 1-based
turn after which the conversation was first flagged. Turns are fed in order and the
scorer never sees a later turn before deciding on an earlier one.

A line that cannot be read gives `{"id", "error"}` and the batch goes on.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, Protocol, cast

import orjson

from papote.safety.base import CONVERSATION_LABELS, LABELS, AgeBand, Audience, ChannelKind, Context
from papote.safety.pipeline import TextPipeline

__all__ = ["classify_conversation_lines", "classify_lines", "context_from"]

_CHANNELS = ("room", "dm")
_BANDS = ("minor", "adult")
_AUDIENCES = ("minors", "adults", "all")


class LineError(ValueError):
    """An input line that cannot be classified; the message is safe to print."""


class _Assessment(Protocol):
    @property
    def flagged(self) -> bool: ...

    @property
    def labels(self) -> tuple[str, ...]: ...


class _Conversation(Protocol):
    def observe(self, sender: str, text: str) -> _Assessment: ...


ConversationFactory = Callable[[dict[str, AgeBand]], _Conversation]


def _band(value: object, field: str) -> AgeBand | None:
    if value is None:
        return None
    if value not in _BANDS:
        raise LineError(f"{field} must be 'minor', 'adult' or null")
    return cast(AgeBand, value)


def context_from(row: Mapping[str, Any]) -> Context:
    """The `Context` a JSON row describes."""
    channel = row.get("channel", "room")
    if channel not in _CHANNELS:
        raise LineError("channel must be 'room' or 'dm'")
    audience = row.get("room_audience")
    if audience is None and channel == "room":
        audience = "all"
    if audience is not None and audience not in _AUDIENCES:
        raise LineError("room_audience must be 'minors', 'adults' or 'all'")
    seconds = row.get("sender_seconds_here")
    accepted = row.get("conversation_accepted")
    return Context(
        channel=cast(ChannelKind, channel),
        room_audience=cast("Audience | None", audience if channel == "room" else None),
        sender_age_band=_band(row.get("sender_age_band"), "sender_age_band"),
        recipient_age_band=_band(row.get("recipient_age_band"), "recipient_age_band"),
        sender_seconds_here=float(seconds) if isinstance(seconds, int | float) else None,
        conversation_accepted=accepted if isinstance(accepted, bool) else None,
    )


def _rows(lines: Iterable[str]) -> Iterator[tuple[object, dict[str, Any] | None, str | None]]:
    """(id, row, error) per non-blank line."""
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = orjson.loads(line)
        except orjson.JSONDecodeError:
            yield (None, None, f"line {number}: not JSON")
            continue
        if not isinstance(row, dict):
            yield (None, None, f"line {number}: not a JSON object")
            continue
        yield (row.get("id"), row, None)


def _dump(obj: Mapping[str, Any]) -> str:
    return orjson.dumps(obj).decode()


def classify_lines(lines: Iterable[str], pipeline: TextPipeline | None = None) -> Iterator[str]:
    """One JSON verdict line per JSON message line (see the module docstring)."""
    pipeline = pipeline or TextPipeline.default()
    for row_id, row, error in _rows(lines):
        if row is None:
            yield _dump({"id": row_id, "error": error})
            continue
        try:
            text = row.get("text")
            if not isinstance(text, str):
                raise LineError("text must be a string")
            verdict = pipeline.check(text, context_from(row))
        except LineError as problem:
            yield _dump({"id": row_id, "error": str(problem)})
            continue
        scores = {label: round(score, 4) for label, score in verdict.scores.items() if label in LABELS}
        yield _dump(
            {"id": row_id, "labels": list(verdict.labels), "scores": scores, "action": str(verdict.action)}
        )


def _default_conversation_factory() -> ConversationFactory:
    from papote.safety.conversation import ConversationRisk

    return cast(ConversationFactory, ConversationRisk)


def classify_conversation_lines(
    lines: Iterable[str], factory: ConversationFactory | None = None
) -> Iterator[str]:
    """One JSON result line per JSON conversation line (see the module docstring)."""
    make = factory or _default_conversation_factory()
    for row_id, row, error in _rows(lines):
        if row is None:
            yield _dump({"id": row_id, "error": error})
            continue
        try:
            yield _dump({"id": row_id, **_assess(row, make)})
        except LineError as problem:
            yield _dump({"id": row_id, "error": str(problem)})


def _assess(row: Mapping[str, Any], make: ConversationFactory) -> dict[str, Any]:
    participants = row.get("participants")
    turns = row.get("turns")
    if not isinstance(participants, dict) or not isinstance(turns, list):
        raise LineError("participants must be an object and turns a list")
    bands = {str(name): _band(band, "participants") for name, band in participants.items()}
    conversation = make({name: band for name, band in bands.items() if band is not None})
    flag_turn: int | None = None
    labels: set[str] = set()
    for index, turn in enumerate(turns, start=1):
        if not isinstance(turn, dict) or not isinstance(turn.get("text"), str):
            raise LineError(f"turn {index} needs 'from' and 'text'")
        assessment = conversation.observe(str(turn.get("from")), turn["text"])
        labels.update(assessment.labels)
        if assessment.flagged and flag_turn is None:
            flag_turn = index
    return {
        "flagged": flag_turn is not None,
        "flag_turn": flag_turn,
        "labels": [label for label in CONVERSATION_LABELS if label in labels],
    }
