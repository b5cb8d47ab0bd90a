"""Detector registry: a unique name for each detector, and a factory that builds it.

Built-in detectors are registered here. Detectors written by other modules are
registered lazily (their module is imported only when the detector is built), so a
checkout where one of them is missing still starts: building it raises ImportError,
which the pipeline tolerates.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from papote.safety.base import Detector

__all__ = ["REGISTRY", "DetectorFactory", "DetectorOptions", "Registry", "lazy"]


@dataclass(frozen=True)
class DetectorOptions:
    """What a factory may need to build its detector."""

    lexicon_dir: Path | None = None


DetectorFactory = Callable[[DetectorOptions], Detector]


class Registry:
    def __init__(self) -> None:
        self._factories: dict[str, DetectorFactory] = {}

    def register(self, name: str, factory: DetectorFactory) -> None:
        """Add a detector; names are unique (a second registration is a bug, not an override)."""
        if name in self._factories:
            raise ValueError(f"detector {name!r} is already registered")
        self._factories[name] = factory

    def names(self) -> tuple[str, ...]:
        return tuple(self._factories)

    def create(self, name: str, options: DetectorOptions | None = None) -> Detector:
        """Build one detector. Raises KeyError for an unknown name, ImportError for a missing module."""
        detector = self._factories[name](options or DetectorOptions())
        if detector.name != name:
            raise ValueError(f"detector registered as {name!r} calls itself {detector.name!r}")
        return detector


def lazy(module: str, attribute: str) -> DetectorFactory:
    """A factory that imports `module` only when called and builds `attribute()`."""

    def build(options: DetectorOptions) -> Detector:
        detector_class = getattr(importlib.import_module(module), attribute)
        detector: Detector = detector_class()
        return detector

    return build


def _rules(options: DetectorOptions) -> Detector:
    from papote.safety.detectors.rules import RulesDetector

    return RulesDetector.from_directory(options.lexicon_dir)


def _contact(options: DetectorOptions) -> Detector:
    from papote.safety.detectors.contact import ContactDetector

    return ContactDetector()


REGISTRY = Registry()
REGISTRY.register("rules", _rules)
REGISTRY.register("contact", _contact)
REGISTRY.register("classifier", lazy("papote.safety.detectors.classifier", "ClassifierDetector"))
REGISTRY.register("age_claims", lazy("papote.safety.detectors.age_claims", "AgeClaimDetector"))
