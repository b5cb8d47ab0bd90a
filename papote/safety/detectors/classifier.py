"""Plug-in around the trained text classifier: one signal per label whose score passes its dev threshold."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import ClassVar

from papote.safety.base import Content, Signal
from papote.safety.classifier import TextClassifier, model_input


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
        # `model_input` decides what the model reads; `flagged_line` does that and the scoring in one call.
        view = self.model.view_name
        folded = None if view is None else getattr(content.normalized, view)
        flagged = self.model.flagged_line(content.text, self.min_distinct_words, folded)
        if not flagged:
            return ()
        return tuple(Signal(detector=self.name, label=label, score=score) for label, score in flagged.items())


__all__ = ["ClassifierDetector", "model_input"]
