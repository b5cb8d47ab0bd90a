"""The text safety pipeline: every registered detector, then the policy.

`TextPipeline.default().check(text, context)` is what the chat core calls for each
message. It is pure and fast: no I/O per message (lexicon files are looked at at
most once per second), target well under 1 ms per message.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

from papote.safety.base import Content, Context, Detector, Signal, Verdict
from papote.safety.policy import Policy
from papote.safety.registry import REGISTRY, DetectorOptions, Registry

__all__ = ["TextPipeline"]

log = logging.getLogger(__name__)


class TextPipeline:
    def __init__(self, detectors: Sequence[Detector], policy: Policy | None = None) -> None:
        names = [detector.name for detector in detectors]
        if len(set(names)) != len(names):
            raise ValueError(f"detector names must be unique: {names}")
        self.detectors = tuple(detectors)
        self.policy = policy or Policy()
        self.failures = 0  # detector crashes so far (logged; the other detectors still ran)

    @classmethod
    def default(
        cls,
        lexicon_dir: Path | None = None,
        *,
        policy: Policy | None = None,
        names: Sequence[str] | None = None,
        registry: Registry = REGISTRY,
    ) -> TextPipeline:
        """Every registered detector (or those `names`); a detector whose module is absent is skipped."""
        options = DetectorOptions(lexicon_dir=lexicon_dir)
        detectors: list[Detector] = []
        for name in names if names is not None else registry.names():
            try:
                detectors.append(registry.create(name, options))
            except ImportError as error:  # another engineer's module not written yet
                log.warning("safety detector %s not available: %s", name, error)
        return cls(detectors, policy)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(detector.name for detector in self.detectors)

    def signals(self, text: str, context: Context) -> list[Signal]:
        content = Content(text, context)
        found: list[Signal] = []
        for detector in self.detectors:
            try:
                found.extend(detector.inspect(content))
            except Exception:  # one broken detector must not silence the others
                self.failures += 1
                log.exception("safety detector %s failed (message not logged)", detector.name)
        return found

    def check(self, text: str, context: Context) -> Verdict:
        return self.policy.decide(self.signals(text, context), context)
