"""Plug-in around the trained text classifier: one signal per label whose score passes its dev threshold."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import ClassVar

from papote.safety.base import Content, Signal
from papote.safety.classifier import TextClassifier


class ClassifierDetector:
    """Emits hate / harassment / threat / sexual_solicitation signals from the trained model.

    The model sees one message without context, so its signals are evidence for the policy, not verdicts;
    no `Evidence` span is given because the score comes from the whole message.
    """

    name: ClassVar[str] = "classifier"
    # Below three distinct words a character-n-gram model is guessing ("non" scored 0.91 harassment):
    # short insults are the lexicons' job.
    min_distinct_words: ClassVar[int] = 3

    def __init__(self, model: TextClassifier | None = None, artifact: Path | None = None) -> None:
        self.model = model if model is not None else TextClassifier.load(artifact)

    def inspect(self, content: Content) -> Sequence[Signal]:
        text = model_input(content.text, self.min_distinct_words)
        if text is None:
            return ()
        flagged = self.model.flagged(text)
        return tuple(Signal(detector=self.name, label=label, score=score) for label, score in flagged.items())


def model_input(text: str, min_distinct_words: int) -> str | None:
    """What the model should read: None when too short to judge; a repeated phrase once (flooding the
    same words does not change what they mean, but it pushed the model's scores to 0.99)."""
    words = _WORD.findall(text.lower())
    distinct = dict.fromkeys(words)  # insertion-ordered: joined below in order of first use
    if len(distinct) < min_distinct_words:
        return None
    if len(words) > 2 * len(distinct):
        return " ".join(distinct)
    return text


_WORD = re.compile(r"\w+")
