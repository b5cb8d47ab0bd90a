"""Measure the text safety pipeline on Papote's dev set and on the external French test suites.

`evaluate()` returns plain numbers (a JSON-ready dict); `run()` prints them for `papote safety eval`.
Dataset text is never printed or stored in the results: only counts, rates and our own dev-set ids.
"""

from __future__ import annotations

import csv
import importlib
import json
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol, TextIO, cast

from papote.safety.base import LABELS, AgeBand, Audience, ChannelKind, Context

DEVSET_DIR = Path(__file__).resolve().parent / "devset"
# Written after the detectors were tuned on the dev set, and never to be tuned on (see its README).
HELDOUT_DIR = Path(__file__).resolve().parent / "heldout"
# Written later still, without reading the detectors, once the first held-out set's results were known.
HELDOUT2_DIR = Path(__file__).resolve().parent / "heldout2"
# Each held-out set: its key in the results and its title in the report.
HELDOUT_SETS: dict[str, tuple[Path, str]] = {
    "heldout": (HELDOUT_DIR, "Held-out set (never tuned on; the honest figure)"),
    "heldout2": (HELDOUT2_DIR, "Held-out 2 set (written without reading the detectors; never tuned on)"),
}

# The external suites are binary (toxic or not): these predicted labels count as "toxic".
TOXIC_LABELS: frozenset[str] = frozenset({"hate", "harassment", "threat", "sexual_solicitation"})
# Actions that leave the message delivered as written.
PASSING_ACTIONS: frozenset[str] = frozenset({"allow", "tip"})
# MHC functionalities that are non-hateful by MHC's definition but that a chat filter blocking insults
# flags on purpose (insults at one person, plain profanity). Reported, but also left out of a second score.
MHC_BY_DESIGN = frozenset({"target_indiv_nh", "profanity_nh"})
# The context the external suites are checked in: a public room open to everyone, written by an adult.
SUITE_CONTEXT = Context(channel="room", room_audience="all", sender_age_band="adult")
MAX_IDS_SHOWN = 8

Metrics = dict[str, Any]


class VerdictLike(Protocol):
    @property
    def labels(self) -> Sequence[str]: ...

    @property
    def action(self) -> str: ...


class PipelineLike(Protocol):
    def check(self, text: str, context: Context) -> VerdictLike: ...


class AssessmentLike(Protocol):
    @property
    def flagged(self) -> bool: ...

    @property
    def labels(self) -> Sequence[str]: ...


class ConversationLike(Protocol):
    def observe(self, sender: str, text: str) -> AssessmentLike: ...


ConversationFactory = Callable[[dict[str, AgeBand]], ConversationLike]


# --- loading -------------------------------------------------------------------------------------


def load_jsonl(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as handle:
        return [cast(dict[str, Any], json.loads(line)) for line in handle if line.strip()]


def load_csv(path: Path) -> list[dict[str, str]]:
    """A real CSV parser: the suites have quoted fields with line breaks inside."""
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def context_for(row: Mapping[str, Any]) -> Context:
    return Context(
        channel=cast(ChannelKind, row["channel"]),
        room_audience=cast("Audience | None", row.get("room_audience")),
        sender_age_band=cast("AgeBand | None", row.get("sender_age_band")),
        recipient_age_band=cast("AgeBand | None", row.get("recipient_age_band")),
    )


def default_pipeline() -> PipelineLike:
    # Imported late so that this module (and its tests) work before and without the real pipeline.
    module = importlib.import_module("papote.safety.pipeline")
    return cast(PipelineLike, module.TextPipeline.default())


def default_conversation_factory() -> ConversationFactory:
    module = importlib.import_module("papote.safety.conversation")
    return cast(ConversationFactory, module.ConversationRisk)


# --- metrics -------------------------------------------------------------------------------------


def _ratio(part: float, whole: float) -> float:
    return part / whole if whole else 0.0


def _f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def label_metrics(
    gold: Sequence[Iterable[str]], predicted: Sequence[Iterable[str]], labels: Sequence[str] = LABELS
) -> dict[str, Metrics]:
    """Precision, recall and F1 per label over multi-label rows."""
    counts = {label: Counter[str]() for label in labels}
    for gold_labels, predicted_labels in zip(gold, predicted, strict=True):
        wanted, got = set(gold_labels), set(predicted_labels)
        for label in labels:
            if label in wanted and label in got:
                counts[label]["tp"] += 1
            elif label in got:
                counts[label]["fp"] += 1
            elif label in wanted:
                counts[label]["fn"] += 1
    result: dict[str, Metrics] = {}
    for label, count in counts.items():
        tp, fp, fn = count["tp"], count["fp"], count["fn"]
        precision, recall = _ratio(tp, tp + fp), _ratio(tp, tp + fn)
        result[label] = {
            "support": tp + fn, "tp": tp, "fp": fp, "fn": fn,
            "precision": precision, "recall": recall, "f1": _f1(precision, recall),
        }  # fmt: skip
    return result


def averages(per_label: Mapping[str, Metrics]) -> Metrics:
    tp = sum(m["tp"] for m in per_label.values())
    fp = sum(m["fp"] for m in per_label.values())
    fn = sum(m["fn"] for m in per_label.values())
    precision, recall = _ratio(tp, tp + fp), _ratio(tp, tp + fn)
    macro = [m["f1"] for m in per_label.values()]
    return {
        "micro_precision": precision,
        "micro_recall": recall,
        "micro_f1": _f1(precision, recall),
        "macro_f1": _ratio(sum(macro), len(macro)),
    }


def binary_metrics(gold: Sequence[bool], predicted: Sequence[bool]) -> Metrics:
    pairs = list(zip(gold, predicted, strict=True))
    tp = sum(1 for g, p in pairs if g and p)
    fp = sum(1 for g, p in pairs if p and not g)
    fn = sum(1 for g, p in pairs if g and not p)
    tn = len(pairs) - tp - fp - fn
    precision, recall = _ratio(tp, tp + fp), _ratio(tp, tp + fn)
    return {
        "n": len(pairs), "tp": tp, "fp": fp, "fn": fn, "tn": tn,
        "accuracy": _ratio(tp + tn, len(pairs)), "precision": precision, "recall": recall,
        "f1": _f1(precision, recall),
    }  # fmt: skip


def accuracy_by_group(
    gold: Sequence[bool], predicted: Sequence[bool], groups: Sequence[str]
) -> dict[str, Metrics]:
    """Accuracy per group (MHC functionality), with the group's expected class."""
    tally: dict[str, Counter[str]] = defaultdict(Counter)
    for g, p, group in zip(gold, predicted, groups, strict=True):
        tally[group]["n"] += 1
        tally[group]["correct"] += int(g == p)
        tally[group]["hateful"] += int(g)
    return {
        group: {
            "n": count["n"],
            "correct": count["correct"],
            "accuracy": _ratio(count["correct"], count["n"]),
            "expected": "toxic" if count["hateful"] * 2 >= count["n"] else "non-toxic",
        }
        for group, count in sorted(tally.items())
    }


def hard_negative_rates(
    rows: Sequence[Mapping[str, Any]], verdicts: Sequence[VerdictLike]
) -> dict[str, Metrics]:
    """Per family (the label each hard negative is confused with): how often it was wrongly hit."""
    tally: dict[str, Counter[str]] = defaultdict(Counter)
    wrong: dict[str, list[str]] = defaultdict(list)
    for row, verdict in zip(rows, verdicts, strict=True):
        family = row.get("hard_negative_for")
        if not family:
            continue
        labels = set(verdict.labels)
        passed = str(verdict.action) in PASSING_ACTIONS
        tally[family]["n"] += 1
        tally[family]["any_label"] += int(bool(labels))
        tally[family]["own_label"] += int(family in labels)
        tally[family]["intervened"] += int(not passed)
        if labels or not passed:
            wrong[family].append(str(row["id"]))
    result: dict[str, Metrics] = {}
    for family in sorted(tally, key=lambda name: LABELS.index(name) if name in LABELS else len(LABELS)):
        count = tally[family]
        result[family] = {
            "n": count["n"],
            "any_label_rate": _ratio(count["any_label"], count["n"]),
            "own_label_rate": _ratio(count["own_label"], count["n"]),
            "intervention_rate": _ratio(count["intervened"], count["n"]),
            "wrong_ids": wrong[family],
        }
    return result


def _first_flag(factory: ConversationFactory, conv: Mapping[str, Any]) -> tuple[int | None, set[str]]:
    """The 1-based turn after which the scorer first flagged, and every label it gave along the way."""
    risk = factory(cast(dict[str, AgeBand], dict(conv["participants"])))
    flag_turn: int | None = None
    labels: set[str] = set()
    for index, turn in enumerate(conv["turns"], start=1):
        assessment = risk.observe(str(turn["from"]), str(turn["text"]))
        if assessment.flagged:
            labels.update(assessment.labels)
            if flag_turn is None:
                flag_turn = index
    return flag_turn, labels


def conversation_metrics(conversations: Sequence[Mapping[str, Any]], factory: ConversationFactory) -> Metrics:
    risky = detected = right_label = false_flags = 0
    delays: list[int] = []
    missed: list[str] = []
    flagged_benign: list[str] = []
    per_label: dict[str, Counter[str]] = defaultdict(Counter)
    for conv in conversations:
        flag_turn, labels = _first_flag(factory, conv)
        expected = list(conv["expected_labels"])
        if not expected:
            if flag_turn is not None:
                false_flags += 1
                flagged_benign.append(str(conv["id"]))
            continue
        risky += 1
        for label in expected:
            per_label[label]["n"] += 1
            per_label[label]["found"] += int(label in labels)
        if flag_turn is None:
            missed.append(str(conv["id"]))
            continue
        detected += 1
        right_label += int(bool(labels & set(expected)))
        delays.append(flag_turn - int(conv["flag_by_turn"]))
    benign = len(conversations) - risky
    return {
        "risky": risky,
        "benign": benign,
        "recall": _ratio(detected, risky),
        "label_recall": _ratio(right_label, risky),
        "recall_per_label": {
            label: _ratio(count["found"], count["n"]) for label, count in sorted(per_label.items())
        },
        "false_flags": false_flags,
        "false_flag_rate": _ratio(false_flags, benign),
        "mean_delay_turns": _ratio(sum(delays), len(delays)),
        "late": sum(1 for delay in delays if delay > 0),
        "missed_ids": missed,
        "false_flag_ids": flagged_benign,
    }


# --- running the pipeline ------------------------------------------------------------------------


def _is_toxic(pipeline: PipelineLike, text: str) -> bool:
    return bool(TOXIC_LABELS & set(pipeline.check(text, SUITE_CONTEXT).labels))


def evaluate_devset(rows: Sequence[Mapping[str, Any]], pipeline: PipelineLike) -> Metrics:
    started = time.perf_counter()
    verdicts = [pipeline.check(str(row["text"]), context_for(row)) for row in rows]
    elapsed = time.perf_counter() - started
    gold = [list(row["labels"]) for row in rows]
    predicted = [list(verdict.labels) for verdict in verdicts]
    per_label = label_metrics(gold, predicted)
    missed = {
        label: [str(row["id"]) for row, got in zip(rows, predicted, strict=True)
                if label in row["labels"] and label not in got]
        for label in LABELS
    }  # fmt: skip
    positives = [got for row, got in zip(rows, predicted, strict=True) if row["labels"]]
    return {
        "rows": len(rows),
        "per_label": per_label,
        "averages": averages(per_label),
        "any_label_on_positives": _ratio(sum(1 for got in positives if got), len(positives)),
        "actions": dict(Counter(str(verdict.action) for verdict in verdicts)),
        "hard_negatives": hard_negative_rates(rows, verdicts),
        "missed_ids": missed,
        "messages_per_second": _ratio(len(rows), elapsed),
    }


def evaluate_mhc(rows: Sequence[Mapping[str, str]], pipeline: PipelineLike) -> Metrics:
    gold = [row["label"] == "1" for row in rows]
    predicted = [_is_toxic(pipeline, row["text"]) for row in rows]
    groups = [row["functionality"] for row in rows]
    kept = [i for i, group in enumerate(groups) if group not in MHC_BY_DESIGN]
    return {
        "overall": binary_metrics(gold, predicted),
        "without_by_design": binary_metrics([gold[i] for i in kept], [predicted[i] for i in kept]),
        "per_functionality": accuracy_by_group(gold, predicted, groups),
    }


def evaluate_binary_suite(rows: Sequence[Mapping[str, str]], pipeline: PipelineLike) -> Metrics:
    gold = [row["label"] == "1" for row in rows]
    return binary_metrics(gold, [_is_toxic(pipeline, row["text"]) for row in rows])


def _suite(path: Path, run_suite: Callable[[list[dict[str, str]]], Metrics]) -> Metrics:
    if not path.is_file():
        return {"skipped": f"{path} not found"}
    started = time.perf_counter()
    result = run_suite(load_csv(path))
    result["seconds"] = time.perf_counter() - started
    return result


def evaluate_heldout(directory: Path, pipeline: PipelineLike, factory: ConversationFactory) -> Metrics:
    """A held-out set's messages and conversations, measured like the dev set."""
    return {
        "devset": evaluate_devset(load_jsonl(directory / "text.jsonl"), pipeline),
        "conversations": conversation_metrics(load_jsonl(directory / "conversations.jsonl"), factory),
    }


def _heldout_dirs(devset_dir: Path, heldout_dirs: Mapping[str, Path] | None) -> dict[str, Path]:
    # By default the held-out sets only go with Papote's own dev set, not with a dev set given for a test.
    if heldout_dirs is not None:
        return dict(heldout_dirs)
    if devset_dir != DEVSET_DIR:
        return {}
    return {
        key: directory for key, (directory, _) in HELDOUT_SETS.items() if (directory / "text.jsonl").exists()
    }


def evaluate(
    shared_data: Path,
    pipeline: PipelineLike | None = None,
    conversation_factory: ConversationFactory | None = None,
    devset_dir: Path = DEVSET_DIR,
    heldout_dirs: Mapping[str, Path] | None = None,
) -> dict[str, Any]:
    """Every figure of `papote safety eval`, as a JSON-ready dict.

    `heldout_dirs` maps keys of `HELDOUT_SETS` to folders; by default, the sets present next to the dev set.
    """
    started = time.perf_counter()
    pipe = pipeline if pipeline is not None else default_pipeline()
    factory = conversation_factory if conversation_factory is not None else default_conversation_factory()
    rows = load_jsonl(devset_dir / "text.jsonl")
    conversations = load_jsonl(devset_dir / "conversations.jsonl")
    results: dict[str, Any] = {
        "devset": evaluate_devset(rows, pipe),
        "conversations": conversation_metrics(conversations, factory),
        "mhc_fr": _suite(shared_data / "mhc_fr" / "mhc_fr.csv", lambda r: evaluate_mhc(r, pipe)),
        "toxifrench": _suite(
            shared_data / "toxifrench_bench" / "toxifrench_balanced.csv",
            lambda r: evaluate_binary_suite(r, pipe),
        ),
        "rtplx_fr": _suite(
            shared_data / "rtplx_fr" / "rtplx_fr.csv",
            lambda r: evaluate_binary_suite([row for row in r if row.get("borderline") != "1"], pipe),
        ),
    }
    for key, directory in _heldout_dirs(devset_dir, heldout_dirs).items():
        results[key] = evaluate_heldout(directory, pipe, factory)
    results["seconds"] = time.perf_counter() - started
    return results


# --- report --------------------------------------------------------------------------------------


def _ids(ids: Sequence[str]) -> str:
    shown = ", ".join(ids[:MAX_IDS_SHOWN])
    return shown + (f" (+{len(ids) - MAX_IDS_SHOWN})" if len(ids) > MAX_IDS_SHOWN else "")


def _binary_line(name: str, m: Metrics) -> str:
    if "skipped" in m:
        return f"{name:<30} skipped: {m['skipped']}"
    return (
        f"{name:<30} n={m['n']:<5} acc={m['accuracy']:.3f} P={m['precision']:.3f} "
        f"R={m['recall']:.3f} F1={m['f1']:.3f}"
    )


def _label_table(dev: Metrics) -> list[str]:
    lines = [f"{'label':<22}{'support':>8}{'P':>8}{'R':>8}{'F1':>8}  missed"]
    for label, m in dev["per_label"].items():
        lines.append(
            f"{label:<22}{m['support']:>8}{m['precision']:>8.3f}{m['recall']:>8.3f}{m['f1']:>8.3f}  "
            f"{_ids(dev['missed_ids'][label])}"
        )
    return lines


def _devset_lines(dev: Metrics) -> list[str]:
    lines = [f"Dev set: {dev['rows']} messages, {dev['messages_per_second']:.0f} messages/s", ""]
    lines += _label_table(dev)
    avg = dev["averages"]
    lines.append(
        f"{'micro':<22}{'':>8}{avg['micro_precision']:>8.3f}{avg['micro_recall']:>8.3f}{avg['micro_f1']:>8.3f}"
    )
    lines.append(f"{'macro F1':<46}{avg['macro_f1']:>8.3f}")
    lines.append(f"positives with any label: {dev['any_label_on_positives']:.3f}; actions: {dev['actions']}")
    lines += ["", "Hard negatives (false-positive rates per family)"]
    lines.append(
        f"{'confused with':<22}{'n':>5}{'any label':>11}{'own label':>11}{'not allow/tip':>15}  wrong"
    )
    for family, m in dev["hard_negatives"].items():
        lines.append(
            f"{family:<22}{m['n']:>5}{m['any_label_rate']:>11.3f}{m['own_label_rate']:>11.3f}"
            f"{m['intervention_rate']:>15.3f}  {_ids(m['wrong_ids'])}"
        )
    return lines


def _conversation_lines(conv: Metrics) -> list[str]:
    per_label = ", ".join(f"{label} {rate:.3f}" for label, rate in conv["recall_per_label"].items())
    return [
        f"Conversations: {conv['risky']} risky, {conv['benign']} benign",
        f"recall (flagged) {conv['recall']:.3f}; with a right label {conv['label_recall']:.3f}",
        f"recall per label: {per_label}",
        f"false flags on benign {conv['false_flags']}/{conv['benign']} ({conv['false_flag_rate']:.3f})",
        f"mean delay vs flag_by_turn {conv['mean_delay_turns']:+.2f} turns; flagged late: {conv['late']}",
        f"missed: {_ids(conv['missed_ids'])}",
        f"falsely flagged: {_ids(conv['false_flag_ids'])}",
    ]


def _mhc_lines(mhc: Metrics) -> list[str]:
    if "skipped" in mhc:
        return [_binary_line("MHC French", mhc)]
    lines = [
        _binary_line("MHC French, all", mhc["overall"]),
        _binary_line("MHC French, w/o by-design", mhc["without_by_design"]),
        f"  ({', '.join(sorted(MHC_BY_DESIGN))} are insults/profanity that Papote flags on purpose)",
        f"  {'functionality':<22}{'expected':>10}{'n':>6}{'accuracy':>10}",
    ]
    for name, m in mhc["per_functionality"].items():
        lines.append(f"  {name:<22}{m['expected']:>10}{m['n']:>6}{m['accuracy']:>10.3f}")
    return lines


def _heldout_lines(title: str, heldout: Mapping[str, Any]) -> list[str]:
    dev, conv = heldout["devset"], heldout["conversations"]
    avg = dev["averages"]
    negatives = sum(m["n"] for m in dev["hard_negatives"].values())
    wrong = sum(round(m["intervention_rate"] * m["n"]) for m in dev["hard_negatives"].values())
    wrong_ids = [row_id for m in dev["hard_negatives"].values() for row_id in m["wrong_ids"]]
    per_label = ", ".join(f"{label} {rate:.3f}" for label, rate in conv["recall_per_label"].items())
    return [
        title,
        *_label_table(dev),
        f"messages: {dev['rows']}; micro P={avg['micro_precision']:.3f} R={avg['micro_recall']:.3f} "
        f"F1={avg['micro_f1']:.3f}; macro F1={avg['macro_f1']:.3f}",
        f"hard negatives not delivered as written: {wrong}/{negatives}; labelled or held: {_ids(wrong_ids)}",
        f"conversations: recall {conv['recall']:.3f} ({conv['risky']} risky); "
        f"with a right label {conv['label_recall']:.3f}; per label: {per_label}",
        f"false flags {conv['false_flags']}/{conv['benign']}; mean flag turn vs the moderator's "
        f"{conv['mean_delay_turns']:+.2f} turns; flagged late: {conv['late']}",
        f"missed: {_ids(conv['missed_ids'])}; falsely flagged: {_ids(conv['false_flag_ids'])}",
    ]


def format_report(results: Mapping[str, Any]) -> str:
    lines = ["Papote text safety evaluation", "=" * 29, ""]
    lines += _devset_lines(results["devset"])
    lines += ["", *_conversation_lines(results["conversations"])]
    lines += ["", "External suites (binary: toxic = any of " + ", ".join(sorted(TOXIC_LABELS)) + ")"]
    lines += _mhc_lines(results["mhc_fr"])
    lines.append(_binary_line("ToxiFrench balanced", results["toxifrench"]))
    lines.append(_binary_line("RTP-LX French (no borderline)", results["rtplx_fr"]))
    for key, (_, title) in HELDOUT_SETS.items():
        if key in results:
            lines += ["", *_heldout_lines(title, results[key])]
    lines += ["", f"Total time {results['seconds']:.1f} s"]
    return "\n".join(lines) + "\n"


def run(
    out: TextIO,
    shared_data: Path,
    *,
    pipeline: PipelineLike | None = None,
    conversation_factory: ConversationFactory | None = None,
    devset_dir: Path = DEVSET_DIR,
) -> int:
    """Print every figure; 0 when the evaluation ran, 1 when the pipeline or dev set could not be loaded."""
    try:
        results = evaluate(shared_data, pipeline, conversation_factory, devset_dir)
    except (ImportError, AttributeError, FileNotFoundError) as error:
        out.write(f"safety eval could not run: {type(error).__name__}: {error}\n")
        return 1
    out.write(format_report(results))
    return 0
