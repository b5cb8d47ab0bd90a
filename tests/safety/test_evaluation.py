"""Evaluation metrics on small hand-made inputs, with stand-in pipelines and conversation scorers."""

from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import phonenumbers
import pytest

from papote.safety import evaluation
from papote.safety.base import CONVERSATION_LABELS, LABELS, Action, AgeBand, Context, Verdict
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


def test_held_out_sets_are_measured_and_printed_with_per_label_figures(
    tiny_data: tuple[Path, Path],
) -> None:
    shared, devset = tiny_data
    results = evaluate(
        shared, KeywordPipeline(), CountingRisk, devset_dir=devset, heldout_dirs={"heldout2": devset}
    )
    assert "heldout" not in results
    held = results["heldout2"]
    assert held["devset"]["rows"] == 3 and held["devset"]["per_label"]["threat"]["tp"] == 1
    assert held["conversations"]["recall"] == 1.0
    report = evaluation.format_report(results)
    section = report[report.index("Held-out 2 set") :]
    assert "minor_sexual_risk" in section and "p2" in section  # per-label table with the missed id
    assert "micro P=0.667 R=0.667" in section  # 2 right, 1 false, 1 missed
    assert "hard negatives not delivered as written: 1/1; labelled or held: n1" in section
    assert "mean flag turn vs the moderator's +0.00 turns" in section
    assert "false flags 0/1" in section


def test_held_out_sets_are_left_out_for_a_dev_set_given_by_a_test(tiny_data: tuple[Path, Path]) -> None:
    shared, devset = tiny_data
    results = evaluate(shared, KeywordPipeline(), CountingRisk, devset_dir=devset)
    assert "heldout" not in results and "heldout2" not in results
    assert "Held-out" not in evaluation.format_report(results)


# --- the second held-out set's format (written without reading the detectors) -----------------------

HELDOUT2 = evaluation.HELDOUT2_DIR
TEXT_KEYS = {
    "id", "text", "labels", "channel", "sender_age_band", "recipient_age_band", "room_audience",
    "hard_negative_for", "note",
}  # fmt: skip
CONV_KEYS = {"id", "participants", "turns", "expected_labels", "flag_by_turn", "note"}
BANDS = {"minor", "adult"}
# French numbers the ARCEP keeps for fiction (06 39 98 xx xx, 01 99 00 xx xx) and the classic 06 12 34 56 78.
FICTIONAL_PHONE = re.compile(r"^(?:63998\d{4}|19900\d{4}|612345678)$")
# Public help lines named in prevention messages (Drogues Info Service, 33700 for spam reports).
PUBLIC_HELPLINES = {"800231313", "33700"}
HANDLE_MARKERS = ("fictif", "fictive", "fake", "example")
DOMAIN = re.compile(
    r"\b(?:[a-z0-9-]+\.)+(?:com|fr|net|org|io|me|ly|gg|co|info|biz|xyz|be|tv|app|example)\b", re.IGNORECASE
)
CYRILLIC = re.compile(r"[\u0400-\u04ff]")
ZERO_WIDTH = re.compile(r"[\u200b\u200c\u200d\u2060\ufeff]")
DIGIT_IN_WORD = re.compile(r"[a-z][0-9][a-z0-9]*[a-z]|[0-9][a-z]+[0-9]", re.IGNORECASE)
SPACED = re.compile(r"(?:\b\w[ .\-]){3,}\w\b")


@pytest.fixture(scope="module")
def h2_rows() -> list[dict[str, Any]]:
    return evaluation.load_jsonl(HELDOUT2 / "text.jsonl")


@pytest.fixture(scope="module")
def h2_conversations() -> list[dict[str, Any]]:
    return evaluation.load_jsonl(HELDOUT2 / "conversations.jsonl")


def _h2_texts(rows: list[dict[str, Any]], conversations: list[dict[str, Any]]) -> list[tuple[str, str]]:
    texts = [(str(row["id"]), str(row["text"])) for row in rows]
    for conv in conversations:
        texts.extend((str(conv["id"]), str(turn["text"])) for turn in conv["turns"])
    return texts


def test_heldout2_messages_follow_the_devset_schema(h2_rows: list[dict[str, Any]]) -> None:
    for row in h2_rows:
        assert set(row) == TEXT_KEYS, row["id"]
        assert isinstance(row["text"], str) and row["text"].strip(), row["id"]
        assert isinstance(row["note"], str) and 0 < len(row["note"]) <= 120, row["id"]
        assert set(row["labels"]) <= set(LABELS) and len(set(row["labels"])) == len(row["labels"]), row["id"]
        assert row["sender_age_band"] in BANDS, row["id"]
        if row["channel"] == "dm":
            assert row["recipient_age_band"] in BANDS and row["room_audience"] is None, row["id"]
        else:
            assert row["channel"] == "room", row["id"]
            assert row["recipient_age_band"] is None, row["id"]
            assert row["room_audience"] in {"minors", "adults", "all"}, row["id"]
        if row["hard_negative_for"] is not None:
            assert row["hard_negative_for"] in LABELS and row["labels"] == [], row["id"]
        else:
            assert row["labels"], row["id"]  # every message is either a positive or a hard negative


def test_heldout2_message_counts_meet_the_brief(h2_rows: list[dict[str, Any]]) -> None:
    positives = Counter(label for row in h2_rows for label in row["labels"])
    hard = Counter(row["hard_negative_for"] for row in h2_rows if row["hard_negative_for"])
    assert len(h2_rows) >= 180
    assert all(positives[label] >= 8 for label in LABELS), positives
    assert sum(hard.values()) >= 80
    assert all(hard[label] >= 5 for label in LABELS), hard
    english = sum(1 for row in h2_rows if row["note"].endswith("(English)"))
    assert english >= 0.12 * len(h2_rows)


def test_heldout2_contexts_are_realistic(h2_rows: list[dict[str, Any]]) -> None:
    for row in h2_rows:
        if "minor_sexual_risk" in row["labels"]:
            # An adult writing to a minor, or fishing in a room minors can read.
            assert row["sender_age_band"] == "adult", row["id"]
            assert row["recipient_age_band"] == "minor" or row["room_audience"] == "all", row["id"]
        if row["room_audience"] == "minors":
            assert row["sender_age_band"] == "minor", row["id"]
    dm_pairs = {
        (row["sender_age_band"], row["recipient_age_band"]) for row in h2_rows if row["channel"] == "dm"
    }
    audiences = {row["room_audience"] for row in h2_rows if row["channel"] == "room"}
    assert {("adult", "adult"), ("adult", "minor"), ("minor", "minor")} <= dm_pairs
    assert audiences == {"minors", "adults", "all"}


def test_heldout2_ids_are_unique_and_new(
    h2_rows: list[dict[str, Any]], h2_conversations: list[dict[str, Any]]
) -> None:
    ids = [row["id"] for row in h2_rows] + [conv["id"] for conv in h2_conversations]
    assert len(ids) == len(set(ids))
    assert all(str(item_id).startswith("h2-") for item_id in ids)
    texts = Counter(" ".join(row["text"].casefold().split()) for row in h2_rows)
    assert [text for text, count in texts.items() if count > 1] == []
    # Fresh phrasings: not one message is a copy of a dev-set message.
    devset = {
        " ".join(row["text"].casefold().split())
        for row in evaluation.load_jsonl(evaluation.DEVSET_DIR / "text.jsonl")
    }
    assert set(texts) & devset == set()


def test_heldout2_uses_evasion_tricks(h2_rows: list[dict[str, Any]]) -> None:
    positives = [row["text"] for row in h2_rows if row["labels"]]
    assert sum(bool(CYRILLIC.search(text)) for text in positives) >= 5
    assert sum(bool(ZERO_WIDTH.search(text)) for text in positives) >= 3
    assert sum(bool(DIGIT_IN_WORD.search(text)) for text in positives) >= 10
    assert sum(bool(SPACED.search(text)) for text in positives) >= 8


def test_heldout2_conversations_follow_the_schema_and_counts(h2_conversations: list[dict[str, Any]]) -> None:
    for conv in h2_conversations:
        assert set(conv) == CONV_KEYS, conv["id"]
        assert set(conv["participants"]) == {"a", "b"}, conv["id"]
        assert set(conv["participants"].values()) <= BANDS, conv["id"]
        assert len(conv["turns"]) >= 2, conv["id"]
        for turn in conv["turns"]:
            assert set(turn) == {"from", "text"} and turn["from"] in {"a", "b"} and turn["text"].strip()
        assert len(conv["expected_labels"]) <= 1, conv["id"]
        assert set(conv["expected_labels"]) <= set(CONVERSATION_LABELS), conv["id"]
        if conv["expected_labels"]:
            assert 1 <= conv["flag_by_turn"] <= len(conv["turns"]), conv["id"]
        else:
            assert conv["flag_by_turn"] is None, conv["id"]
    kinds = Counter(
        conv["expected_labels"][0] if conv["expected_labels"] else "benign" for conv in h2_conversations
    )
    assert len(h2_conversations) >= 40
    assert (
        kinds["grooming"] >= 12 and kinds["ambush"] >= 5 and kinds["drug_deal"] >= 5 and kinds["benign"] >= 18
    )
    grooming = [conv for conv in h2_conversations if conv["expected_labels"] == ["grooming"]]
    assert all(set(conv["participants"].values()) == BANDS for conv in grooming)
    # A scorer must not rely on the adult being participant "a".
    assert any(conv["participants"]["b"] == "adult" for conv in grooming)


def test_heldout2_data_is_fictional(
    h2_rows: list[dict[str, Any]], h2_conversations: list[dict[str, Any]]
) -> None:
    numbers = 0
    for item_id, text in _h2_texts(h2_rows, h2_conversations):
        for match in phonenumbers.PhoneNumberMatcher(text, "FR", leniency=phonenumbers.Leniency.POSSIBLE):
            national = phonenumbers.national_significant_number(match.number)
            assert FICTIONAL_PHONE.match(national) or national in PUBLIC_HELPLINES, item_id
            numbers += 1
        for domain in DOMAIN.finditer(text):
            assert domain.group(0).lower().endswith(".example"), item_id
        assert "http" not in text.lower() and "www." not in text.lower(), item_id
        for handle in re.finditer(r"(?<![\w.])@([\w.]+)", text):
            assert any(marker in handle.group(1).lower() for marker in HANDLE_MARKERS), item_id
        assert not re.search(r"[\w.]+@[\w-]+\.\w+", text), item_id  # no e-mail addresses at all
    assert numbers >= 3  # the contact examples do contain numbers: the check looked at something


def test_heldout2_readme_states_the_rule() -> None:
    readme = (HELDOUT2 / "README.md").read_text(encoding="utf-8")
    assert "Never tune on it" in readme and "2026-11-22" in readme
    assert "No example was changed after seeing the figures" in readme


def test_heldout2_runs_through_the_evaluation(tmp_path: Path) -> None:
    """The real files load and are measured (with the stand-in pipeline, so that this stays quick)."""
    rows = evaluation.load_jsonl(HELDOUT2 / "text.jsonl")
    results = evaluate(tmp_path, KeywordPipeline(), CountingRisk, heldout_dirs={"heldout2": HELDOUT2})
    assert results["heldout2"]["devset"]["rows"] == len(rows)
    assert (
        results["heldout2"]["conversations"]["risky"] + results["heldout2"]["conversations"]["benign"] >= 40
    )
    assert "Held-out 2 set" in evaluation.format_report(results)
