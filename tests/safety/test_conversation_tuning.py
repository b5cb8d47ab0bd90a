"""The conversation scorer on its tuning set, and on the dev set it must keep passing.

The tuning set (`papote/safety/tuning/`) is what the scorer's patterns are tuned on; the dev set is a
regression check. Neither is the held-out set, which stays unread.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from papote.safety.conversation import ConversationRisk
from papote.safety.evaluation import conversation_metrics, load_jsonl

SAFETY = Path(__file__).resolve().parents[2] / "papote" / "safety"
TUNING = SAFETY / "tuning" / "conversations.jsonl"
DEVSET = SAFETY / "devset" / "conversations.jsonl"


@pytest.fixture(scope="module")
def tuning() -> list[dict[str, Any]]:
    return load_jsonl(TUNING)


def test_tuning_set_is_well_formed(tuning: list[dict[str, Any]]) -> None:
    ids = [conv["id"] for conv in tuning]
    assert len(ids) == len(set(ids))
    risky = [conv for conv in tuning if conv["expected_labels"]]
    benign = [conv for conv in tuning if not conv["expected_labels"]]
    assert len(risky) >= 90 and len(benign) >= 80
    assert sum(conv["expected_labels"] == ["grooming"] for conv in risky) >= 60
    assert sum(conv["expected_labels"] == ["ambush"] for conv in risky) >= 14
    assert sum(conv["expected_labels"] == ["drug_deal"] for conv in risky) >= 14
    for conv in tuning:
        speakers = {turn["from"] for turn in conv["turns"]}
        assert speakers <= set(conv["participants"])
        if conv["expected_labels"]:
            assert 1 <= conv["flag_by_turn"] <= len(conv["turns"])
        else:
            assert conv["flag_by_turn"] is None


def test_tuning_set_recall_and_false_flags(tuning: list[dict[str, Any]]) -> None:
    metrics = conversation_metrics(tuning, ConversationRisk)
    assert metrics["recall"] >= 0.9, metrics["missed_ids"]
    assert metrics["label_recall"] >= 0.9
    assert metrics["false_flags"] <= 1, metrics
    assert metrics["mean_delay_turns"] <= 0.5


def test_devset_still_passes() -> None:
    metrics = conversation_metrics(load_jsonl(DEVSET), ConversationRisk)
    assert metrics["recall"] >= 0.95, metrics["missed_ids"]
    assert metrics["false_flags"] == 0, metrics


def test_observe_is_fast(tuning: list[dict[str, Any]]) -> None:
    """Generous bound (shared CI machines are noisy); a quiet machine does ~100 µs or less."""
    calls = 0
    started = time.perf_counter()
    for _ in range(2):
        for conv in tuning:
            risk = ConversationRisk(conv["participants"])
            for turn in conv["turns"]:
                risk.observe(turn["from"], turn["text"])
                calls += 1
    assert (time.perf_counter() - started) / calls < 1e-3
