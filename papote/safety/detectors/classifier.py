"""Plug-in around the trained text classifier: one signal per label whose score passes its dev threshold."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from papote.safety.base import Content, Signal
from papote.safety.classifier import TextClassifier


class ClassifierDetector:
    """Emits hate / harassment / threat / sexual_solicitation signals from the trained model.

    The model sees one message without context, so its signals are evidence for the policy, not verdicts;
    no `Evidence` span is given because the score comes from the whole message.
    """

    name = "classifier"

    def __init__(self, model: TextClassifier | None = None, artifact: Path | None = None) -> None:
        self.model = model if model is not None else TextClassifier.load(artifact)

    def inspect(self, content: Content) -> Sequence[Signal]:
        if not content.text.strip():
            return ()
        return tuple(
            Signal(detector=self.name, label=label, score=score)
            for label, score in self.model.flagged(content.text).items()
        )
