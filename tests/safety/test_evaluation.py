"""Evaluation metrics on small hand-made inputs, with stand-in pipelines and conversation scorers."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import pytest

from papote.safety import evaluation
from papote.safety.base import Action, AgeBand, Context, Verdict
from papote.safety.evaluation import (
    accuracy_by_group,
    averages,
    binary_metrics,
    conversation_metrics,
    evaluate,
    hard_negative_rates,
    label_metrics,
    run,
)


class KeywordPipeline:
    """A stand-in pipeline: a few keywords give labels; it records every context it was given."""

    RULES: ClassVar[dict[str, tuple[str, ...]]] = {
        "tuer": ("threat",),
        "snap": ("contact_offplatform",),
        "moche": ("harassment",),
    }

    def __init__(self) -> None:
        self.contexts: list[Context] = []

    def check(self, text: str, context: Context) -> Verdict:
        self.contexts.append(context)
        labels = tuple(label for word, found in self.RULES.items() if word in text for label in found)
        return Verdict(action=Action.BLOCK if labels else Action.ALLOW, labels=labels)


@dataclass(frozen=True)
class Assessment:
    flagged: bool
    labels: tuple[str, ...]


class CountingRisk:
    """A stand-in conversation scorer: flags once it has seen the word "photo", as grooming."""

    def __init__(self, participants: dict[str, AgeBand]) -> None:
        self.participants = participants
        self.seen = False

    def observe(self, sender: str, text: str) -> Assessment:
        self.seen = self.seen or "photo" in text
        return Assessment(self.seen, ("grooming",) if self.seen else ())


def _verdict(labels: Sequence[str] = (), action: Action = Action.ALLOW) -> Verdict:
    return Verdict(action=action, labels=tuple(labels))


def test_label_metrics_count_true_and_false_positives_per_label() -> None:
    gold = [["threat"], ["threat", "harassment"], [], ["harassment"]]
    predicted = [["threat"], ["harassment"], ["threat"], []]
    metrics = label_metrics(gold, predicted, labels=("threat", "harassment"))
    threat, harassment = metrics["threat"], metrics["harassment"]
    assert (threat["tp"], threat["fp"], threat["fn"], threat["support"]) == (1, 1, 1, 2)
    assert threat["precision"] == pytest.approx(0.5) and threat["recall"] == pytest.approx(0.5)
    assert threat["f1"] == pytest.approx(0.5)
    assert (harassment["tp"], harassment["fp"], harassment["fn"]) == (1, 0, 1)
    assert harassment["precision"] == pytest.approx(1.0) and harassment["recall"] == pytest.approx(0.5)
    assert harassment["f1"] == pytest.approx(2 / 3)


def test_label_metrics_with_nothing_predicted_give_zero_not_an_error() -> None:
    metrics = label_metrics([["hate"]], [[]], labels=("hate",))
    assert metrics["hate"]["precision"] == 0.0 and metrics["hate"]["f1"] == 0.0


def test_averages_are_micro_and_macro() -> None:
    per_label = label_metrics([["a"], ["b"], ["b"]], [["a"], ["b"], []], labels=("a", "b"))
    result = averages(per_label)
    assert result["micro_precision"] == pytest.approx(1.0)
    assert result["micro_recall"] == pytest.approx(2 / 3)
    assert result["macro_f1"] == pytest.approx((1.0 + 2 / 3) / 2)


def test_binary_metrics_on_a_hand_counted_example() -> None:
    gold = [True, True, True, False, False]
    predicted = [True, False, True, True, False]
    m = binary_metrics(gold, predicted)
    assert (m["tp"], m["fn"], m["fp"], m["tn"]) == (2, 1, 1, 1)
    assert m["accuracy"] == pytest.approx(3 / 5)
    assert m["precision"] == pytest.approx(2 / 3) and m["recall"] == pytest.approx(2 / 3)
    assert m["f1"] == pytest.approx(2 / 3)


def test_accuracy_is_grouped_per_functionality() -> None:
    gold = [True, True, False, False, False]
    predicted = [True, False, False, True, False]
    groups = ["slur_h", "slur_h", "counter_quote_nh", "counter_quote_nh", "ident_pos_nh"]
    result = accuracy_by_group(gold, predicted, groups)
    assert list(result) == ["counter_quote_nh", "ident_pos_nh", "slur_h"]
    assert result["slur_h"] == {"n": 2, "correct": 1, "accuracy": 0.5, "expected": "toxic"}
    assert result["counter_quote_nh"]["accuracy"] == pytest.approx(0.5)
    assert result["counter_quote_nh"]["expected"] == "non-toxic"
    assert result["ident_pos_nh"]["accuracy"] == pytest.approx(1.0)


def test_hard_negative_rates_split_labels_and_actions_per_family() -> None:
    rows: list[dict[str, Any]] = [
        {"id": "t-hn-1", "hard_negative_for": "threat"},
        {"id": "t-hn-2", "hard_negative_for": "threat"},
        {"id": "t-hn-3", "hard_negative_for": "threat"},
        {"id": "t-hn-4", "hard_negative_for": "threat"},
        {"id": "c-hn-1", "hard_negative_for": "contact_offplatform"},
        {"id": "pos-1", "hard_negative_for": None},
    ]
    verdicts = [
        _verdict(["threat"], Action.BLOCK),
        _verdict(["harassment"], Action.TIP),  # a label, but the message is still delivered
        _verdict([], Action.HOLD),  # no label, yet held back
        _verdict(),
        _verdict(),
        _verdict(["hate"], Action.BLOCK),  # not a hard negative: ignored
    ]
    result = hard_negative_rates(rows, verdicts)
    assert list(result) == ["contact_offplatform", "threat"]  # ordered as LABELS
    threat = result["threat"]
    assert threat["n"] == 4
    assert threat["any_label_rate"] == pytest.approx(0.5)
    assert threat["own_label_rate"] == pytest.approx(0.25)
    assert threat["intervention_rate"] == pytest.approx(0.5)
    assert threat["wrong_ids"] == ["t-hn-1", "t-hn-2", "t-hn-3"]
    assert result["contact_offplatform"]["any_label_rate"] == 0.0


def _conv(conv_id: str, texts: list[str], labels: list[str], flag_by: int | None) -> dict[str, Any]:
    turns = [{"from": "ab"[i % 2], "text": text} for i, text in enumerate(texts)]
    return {
        "id": conv_id, "participants": {"a": "adult", "b": "minor"}, "turns": turns,
        "expected_labels": labels, "flag_by_turn": flag_by, "note": "",
    }  # fmt: skip


def test_conversation_metrics_recall_false_flags_and_delay() -> None:
    conversations = [
        _conv("r1", ["salut", "t'as quel age", "envoie une photo"], ["grooming"], 2),  # flagged at 3: +1
        _conv("r2", ["une photo ?", "non"], ["grooming"], 2),  # flagged at 1: -1
        _conv("r3", ["rdv parking", "viens seul"], ["ambush"], 2),  # missed
        _conv("b1", ["on joue ?", "oui"], [], None),
        _conv("b2", ["la photo de classe", "trop bien"], [], None),  # falsely flagged
    ]
    m = conversation_metrics(conversations, CountingRisk)
    assert (m["risky"], m["benign"]) == (3, 2)
    assert m["recall"] == pytest.approx(2 / 3)
    assert m["label_recall"] == pytest.approx(2 / 3)
    assert m["recall_per_label"] == {"ambush": 0.0, "grooming": 1.0}
    assert m["false_flags"] == 1 and m["false_flag_rate"] == pytest.approx(0.5)
    assert m["mean_delay_turns"] == pytest.approx(0.0)
    assert m["late"] == 1
    assert m["missed_ids"] == ["r3"] and m["false_flag_ids"] == ["b2"]


def test_conversation_scorer_gets_the_participants_and_turns_in_order() -> None:
    seen: list[tuple[str, str]] = []

    class Recorder(CountingRisk):
        def observe(self, sender: str, text: str) -> Assessment:
            seen.append((sender, text))
            assert self.participants == {"a": "adult", "b": "minor"}
            return super().observe(sender, text)

    conversation_metrics([_conv("x", ["un", "deux", "trois"], [], None)], Recorder)
    assert seen == [("a", "un"), ("b", "deux"), ("a", "trois")]


def _write_csv(path: Path, header: list[str], rows: list[list[str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


def _row(
    row_id: str,
    text: str,
    labels: list[str],
    channel: str,
    sender: str,
    recipient: str | None,
    audience: str | None,
    hard_for: str | None,
) -> dict[str, Any]:
    return {
        "id": row_id,
        "text": text,
        "labels": labels,
        "channel": channel,
        "sender_age_band": sender,
        "recipient_age_band": recipient,
        "room_audience": audience,
        "hard_negative_for": hard_for,
        "note": "",
    }


@pytest.fixture()
def tiny_data(tmp_path: Path) -> tuple[Path, Path]:
    """A tiny dev set and tiny suites, written here by hand."""
    devset = tmp_path / "devset"
    devset.mkdir()
    rows = [
        _row("p1", "je vais te tuer", ["threat"], "dm", "adult", "adult", None, None),
        _row(
            "p2",
            "t'as snap ?",
            ["contact_offplatform", "minor_sexual_risk"],
            "dm",
            "adult",
            "minor",
            None,
            None,
        ),
        _row("n1", "je vais te tuer au round 2", [], "room", "minor", None, "minors", "threat"),
    ]
    (devset / "text.jsonl").write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    conversations = [
        _conv("c1", ["salut", "une photo ?"], ["grooming"], 2),
        _conv("c2", ["yo", "yo"], [], None),
    ]
    (devset / "conversations.jsonl").write_text(
        "".join(json.dumps(conv) + "\n" for conv in conversations), encoding="utf-8"
    )
    shared = tmp_path / "shared"
    _write_csv(
        shared / "mhc_fr" / "mhc_fr.csv",
        ["text", "label", "functionality"],
        [
            ["tu es moche", "0", "target_indiv_nh"],
            ["un texte\nsur deux lignes a tuer", "1", "threat_dir_h"],  # a line break inside quotes
            ["bonjour", "1", "threat_dir_h"],
            ["bonne journee", "0", "ident_pos_nh"],
        ],
    )
    _write_csv(
        shared / "toxifrench_bench" / "toxifrench_balanced.csv",
        ["text", "label", "msg_id"],
        [["moche, vraiment", "1", "h1"], ["le chat dort", "0", "h2"]],
    )
    _write_csv(
        shared / "rtplx_fr" / "rtplx_fr.csv",
        ["text", "label", "borderline"],
        [["tuer ce soir", "1", "0"], ["rien a signaler", "0", "0"], ["moche un peu", "0", "1"]],
    )
    return shared, devset


def test_evaluate_runs_every_part_on_injected_components(tiny_data: tuple[Path, Path]) -> None:
    shared, devset = tiny_data
    pipeline = KeywordPipeline()
    results = evaluate(shared, pipeline=pipeline, conversation_factory=CountingRisk, devset_dir=devset)
    dev = results["devset"]
    assert dev["rows"] == 3
    assert dev["per_label"]["threat"]["tp"] == 1 and dev["per_label"]["threat"]["fp"] == 1
    assert dev["per_label"]["minor_sexual_risk"]["fn"] == 1
    assert dev["missed_ids"]["minor_sexual_risk"] == ["p2"]
    assert dev["hard_negatives"]["threat"]["intervention_rate"] == 1.0
    # Each dev-set row is checked in its own context.
    assert pipeline.contexts[1] == Context(channel="dm", sender_age_band="adult", recipient_age_band="minor")
    assert pipeline.contexts[2].room_audience == "minors"
    assert results["conversations"]["recall"] == 1.0 and results["conversations"]["false_flags"] == 0
    mhc = results["mhc_fr"]
    assert mhc["overall"]["n"] == 4 and mhc["overall"]["accuracy"] == pytest.approx(0.5)
    assert mhc["per_functionality"]["threat_dir_h"]["accuracy"] == pytest.approx(0.5)
    assert mhc["per_functionality"]["target_indiv_nh"]["accuracy"] == 0.0  # insult flagged on purpose
    assert mhc["without_by_design"]["n"] == 3
    assert results["toxifrench"]["accuracy"] == 1.0
    assert results["rtplx_fr"]["n"] == 2  # the borderline row is dropped
    assert results["rtplx_fr"]["f1"] == 1.0


def test_missing_suites_are_reported_as_skipped(tiny_data: tuple[Path, Path], tmp_path: Path) -> None:
    _, devset = tiny_data
    results = evaluate(tmp_path / "nowhere", KeywordPipeline(), CountingRisk, devset_dir=devset)
    assert "skipped" in results["mhc_fr"] and "skipped" in results["rtplx_fr"]
    assert evaluation.format_report(results).count("skipped") == 3


def test_run_prints_figures_but_never_suite_text(tiny_data: tuple[Path, Path]) -> None:
    shared, devset = tiny_data
    out = io.StringIO()
    assert (
        run(out, shared, pipeline=KeywordPipeline(), conversation_factory=CountingRisk, devset_dir=devset)
        == 0
    )
    report = out.getvalue()
    assert "threat_dir_h" in report and "ToxiFrench" in report and "RTP-LX" in report
    for suite_text in ("sur deux lignes", "le chat dort", "rien a signaler", "bonne journee"):
        assert suite_text not in report


def test_run_reports_a_missing_pipeline(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    def no_pipeline() -> KeywordPipeline:
        raise ImportError("no pipeline")

    monkeypatch.setattr(evaluation, "default_pipeline", no_pipeline)
    out = io.StringIO()
    assert run(out, tmp_path) == 1
    assert "could not run" in out.getvalue()


def test_real_pipeline_on_the_dev_set(tmp_path: Path) -> None:
    """The real pipeline and conversation scorer, on Papote's dev set (external suites left out for speed).

    The floors are regression guards well under the figures of the first full run (docs/safety.md).
    """
    results = evaluate(tmp_path / "no-suites")
    dev = results["devset"]
    assert dev["rows"] >= 1000
    assert all(m["tp"] > 0 for m in dev["per_label"].values())  # every label is caught at least once
    assert dev["averages"]["micro_f1"] >= 0.45
    hard = dev["hard_negatives"]
    intervened = sum(m["intervention_rate"] * m["n"] for m in hard.values()) / sum(
        m["n"] for m in hard.values()
    )
    assert intervened <= 0.25
    conversations = results["conversations"]
    assert conversations["recall"] >= 0.2 and conversations["false_flag_rate"] <= 0.2
    assert "External suites" in evaluation.format_report(results)
