"""The compiled safety modules (`papote.native`): in use where built, never stale, same decisions."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from papote import native

REPO = Path(__file__).resolve().parents[2]

# A few texts per kind of work the compiled modules do: folding and evasions, lexicon phrases and
# `re:` lines, contact handles and numbers, age claims, the classifier, and ordinary chat.
_TEXTS = [
    "salut tout le monde ça va ?",
    "ajoute moi sur snap lea_fictive92",
    "mon 06 : zéro six douze trente-quatre cinquante-six soixante-dix-huit",
    "ѕnаpсhаt: lea_fictive92",
    "ferme ta gueule s a l o p e",
    "t'as quel âge ? j'ai 14 ans",
    "🍃❄️💊 dispo, 10€ le g, livraison rapide",
    "je vais te tuer au prochain round",
    "en cas d'urgence c'est le 112",
    "viens chez moi ce soir",
    "je veux en finir, j'en peux plus",
    "S-A-L-O-O-O-P-E !",
]
_CONTEXTS = [
    {"channel": "room", "room_audience": "all", "sender_age_band": "adult"},
    {"channel": "dm", "sender_age_band": "adult", "recipient_age_band": "minor"},
]
_DECIDE = """
import json, sys
from papote import native
from papote.safety.base import Context
from papote.safety.pipeline import TextPipeline
texts, contexts = json.loads(sys.stdin.read())
pipeline = TextPipeline.default()
out = []
for text in texts:
    for context in contexts:
        verdict = pipeline.check(text, Context(**context))
        signals = sorted((s.detector, s.label, round(s.score, 6), s.rule,
                          None if s.evidence is None else [s.evidence.start, s.evidence.end])
                         for s in verdict.signals)
        out.append([str(verdict.action), list(verdict.labels), verdict.case_priority, verdict.sanction,
                    signals, [r.rule for r in verdict.reasons]])
print(json.dumps({"compiled": native.compiled_modules(), "verdicts": out}))
"""


def _decide(native_setting: str) -> dict[str, Any]:
    env = {**os.environ, "PAPOTE_NATIVE": native_setting}
    result = subprocess.run(
        [sys.executable, "-c", _DECIDE],
        input=json.dumps([_TEXTS, _CONTEXTS]),
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        check=True,
        timeout=120,
    )
    decided: dict[str, Any] = json.loads(result.stdout)
    return decided


def _require_build() -> None:
    """Locally a missing build is skipped (it is optional); under CI it is a failure."""
    if native.is_fresh() and not native.disabled():
        return
    why = "compiled safety modules absent, out of date or turned off (PAPOTE_NATIVE)"
    if os.environ.get("CI"):
        pytest.fail(why + "; scripts/install builds them")
    pytest.skip(why + "; python -m papote.native build")


def test_the_compiled_modules_are_in_use_when_built() -> None:
    _require_build()
    compiled = native.compiled_modules()
    assert compiled and all(compiled.values()), compiled


def test_compiled_and_python_modules_decide_the_same() -> None:
    _require_build()
    compiled = _decide("on")
    python = _decide("off")
    assert all(compiled["compiled"].values())
    assert not any(python["compiled"].values())
    assert compiled["verdicts"] == python["verdicts"]
    actions = {verdict[0] for verdict in python["verdicts"]}
    assert {"allow", "block"} <= actions  # the texts exercise more than one outcome


def _fake_build(folder: Path, digests: dict[str, str]) -> None:
    folder.mkdir(parents=True)
    (folder / native.MANIFEST).write_text(json.dumps({"sources": digests}), encoding="utf-8")
    for relative in native.built_files():
        (folder / relative).parent.mkdir(parents=True, exist_ok=True)
        (folder / relative).touch()


def test_a_build_of_the_current_sources_is_fresh(tmp_path: Path) -> None:
    _fake_build(tmp_path / "build", native.source_digests())
    assert native.is_fresh(tmp_path / "build")


def test_a_build_of_other_sources_is_stale(tmp_path: Path) -> None:
    digests = native.source_digests()
    first = native.COMPILED[0]
    digests[first] = "0" * 64  # as if normalize.py had been edited since the build
    _fake_build(tmp_path / "build", digests)
    assert not native.is_fresh(tmp_path / "build")


def test_an_incomplete_build_is_stale(tmp_path: Path) -> None:
    _fake_build(tmp_path / "build", native.source_digests())
    (tmp_path / "build" / native.built_files()[-1]).unlink()
    assert not native.is_fresh(tmp_path / "build")
    assert not native.is_fresh(tmp_path / "nothing")


def test_native_can_be_turned_off(monkeypatch: pytest.MonkeyPatch) -> None:
    for value in ("off", "0", "false", "OFF"):
        monkeypatch.setenv("PAPOTE_NATIVE", value)
        assert native.disabled()
        assert not native.activate("papote.safety", [])
    monkeypatch.setenv("PAPOTE_NATIVE", "on")
    assert not native.disabled()
