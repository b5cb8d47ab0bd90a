"""Batch image classification for the CLI (`papote safety classify-images`, wired by the lead).

One JSON line per file:
`{"file", "sha256", "pdq", "pdq_quality", "nudity": {class: score}, "matches": [{"bank", "category",
"distance"}], "action"}`. `sha256` is the digest of the file as given; `pdq` is its PDQ hash in hex
whatever its quality (a hash under quality 50 is shown but never matched). A file that is refused
gives `{"file", "error": code, "message": French message, "action": "block"}` and the batch goes on.

The context is a room open to everyone and the sender's first image: the strictest everyday case, so
"action" says what would happen to the picture posted in a public room.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import orjson

from papote.images import ImageLimits, ImageRefused
from papote.safety.images.banks import BankMatcher
from papote.safety.images.inspect import inspect_bytes
from papote.safety.images.policy import ImageContext, ImagePolicy

__all__ = ["CLI_CONTEXT", "classify_image_files"]

CLI_CONTEXT = ImageContext(channel="room", room_audience="all", first_image_from_sender=True)

_UNREADABLE = ("Ce fichier ne peut pas être lu.", "This file cannot be read.")


def classify_image_files(
    paths: Sequence[Path],
    matcher: BankMatcher,
    policy: ImagePolicy,
    limits: ImageLimits | None = None,
) -> Iterator[str]:
    """One JSON line per file, in the order given."""
    for path in paths:
        yield orjson.dumps(_classify(path, matcher, policy, limits or ImageLimits())).decode()


def _classify(path: Path, matcher: BankMatcher, policy: ImagePolicy, limits: ImageLimits) -> dict[str, Any]:
    try:
        data = path.read_bytes()
    except OSError:
        return {"file": str(path), "error": "file_unreadable", "message": _UNREADABLE[0], "action": "block"}
    try:
        inspection = inspect_bytes(data, limits)
    except ImageRefused as refusal:
        return {"file": str(path), "error": refusal.code, "message": refusal.fr, "action": "block"}
    matches = matcher.match(inspection.pdq, inspection.sha256s, caption=inspection.caption)
    verdict = policy.decide(matches, inspection.nudity, CLI_CONTEXT)
    return {
        "file": str(path),
        "sha256": inspection.clean.source_sha256,
        "pdq": inspection.raw_pdq,
        "pdq_quality": inspection.pdq_quality,
        "nudity": inspection.nudity,
        "matches": [{"bank": m.bank, "category": m.category, "distance": m.distance} for m in matches],
        "action": verdict.action.value,
    }
