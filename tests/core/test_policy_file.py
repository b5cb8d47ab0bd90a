"""Operators tune the safety policy with a JSON file named by PAPOTE_SAFETY_POLICY."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from papote.domain.safety_gate import policy_from
from papote.settings import Settings


def test_a_policy_file_overrides_one_threshold_and_keeps_the_others(tmp_path: Path) -> None:
    path = tmp_path / "policy.json"
    overrides = {"detector_thresholds": {"classifier": {"hate": 0.7}}, "severe_harassment": 0.9}
    path.write_text(json.dumps(overrides))
    policy = policy_from(Settings(safety_policy_file=str(path), new_arrival_seconds=120))
    assert policy.config.threshold("classifier", "hate") == 0.7
    assert policy.config.threshold("classifier", "threat") == 0.75  # the default stays
    assert policy.config.severe_harassment == 0.9
    assert policy.config.new_arrival_seconds == 120


def test_a_misspelt_setting_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "policy.json"
    path.write_text(json.dumps({"severe_harasment": 0.9}))
    with pytest.raises(ValueError, match="severe_harasment"):
        policy_from(Settings(safety_policy_file=str(path)))
