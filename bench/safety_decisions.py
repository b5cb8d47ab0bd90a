"""Do two copies of the text safety pipeline decide the same? (Run it before merging a speed-up.)

    mkdir -p /tmp/h1ref && git -C /work/main archive HEAD papote | tar -x -C /tmp/h1ref
    python bench/safety_decisions.py --reference /tmp/h1ref [--show 20]

The reference is any directory holding a `papote` package (typically `git archive` of the last
commit); the candidate is this working tree (`--candidate` to change it). Both run in their own
subprocess, side by side, on the **same** inputs:

- the lexicons: one snapshot of the candidate's `papote/safety/lexicons` (copied to a temporary
  directory first, so an edit made during the run reaches neither side) is given to both;
- the classifier artifact: the candidate's `papote/safety/models/text_classifier.npz` is copied
  over the reference's before the run (each side reports the SHA-256 of the artifact it loaded);
- the texts: every text of `papote/safety/devset/text.jsonl` and `papote/safety/heldout/text.jsonl`
  (run, never tuned on), every turn of the devset, tuning and heldout conversations as a single
  message, the bench's 20,000 generated messages (`bench/safety_text.py`) and the text suites of
  /work/shared/data read by `papote/safety/evaluation.py` (MHC, ToxiFrench, RTP-LX);
- the contexts: the bench's four, a new arrival (an adult 60 s after arriving, in the adults' room),
  the row's own context for the dev and heldout sets, and for conversation turns a DM between
  the participants' age bands with the earlier turns as `recent`.

Compared for every (text, context): action, labels, case_priority, sanction and scores (rounded to
4 decimals) -- the bar is zero differences -- and, reported apart, reasons, tip, and each signal's
detector, label, score, rule and evidence span. For each distinct text it also compares every
normalised view (`normalize`) and the age claims found by `age_claims(plain_fold(text))`, which
the conversation scorer and the pseudonym checks reuse. The exit status is 1 when anything differs.
Texts from /work/shared/data are never printed (only their source and row number).
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve()
REPO = HERE.parents[1]
SHARED_DATA = Path("/work/shared/data")
SUITES = (
    ("mhc_fr", Path("mhc_fr/mhc_fr.csv")),
    ("toxifrench", Path("toxifrench_bench/toxifrench_balanced.csv")),
    ("rtplx_fr", Path("rtplx_fr/rtplx_fr.csv")),
)
ARTIFACT = Path("papote/safety/models/text_classifier.npz")
LEXICONS = Path("papote/safety/lexicons")
BENCH_MESSAGES = 20_000
# The bench's four contexts (see bench/safety_text.py) and a new arrival, as plain dicts (JSON-ready).
CONTEXTS: dict[str, dict[str, Any]] = {
    "room_all_adult": {"channel": "room", "room_audience": "all", "sender_age_band": "adult",
                       "sender_seconds_here": 3600.0},
    "room_minors_minor": {"channel": "room", "room_audience": "minors", "sender_age_band": "minor",
                          "sender_seconds_here": 3600.0},
    "dm_adult_adult": {"channel": "dm", "sender_age_band": "adult", "recipient_age_band": "adult",
                       "sender_seconds_here": 3600.0},
    "dm_adult_minor": {"channel": "dm", "sender_age_band": "adult", "recipient_age_band": "minor",
                       "sender_seconds_here": 3600.0},
    "new_arrival_adults_room": {"channel": "room", "room_audience": "adults", "sender_age_band": "adult",
                                "sender_seconds_here": 60.0},
}  # fmt: skip
DECISION_FIELDS = ("action", "labels", "case_priority", "sanction", "scores")
DETAIL_FIELDS = ("reasons", "tip", "signals")
SHARED_SOURCES = frozenset(name for name, _ in SUITES)


# --- the inputs (built once, in the parent) ------------------------------------------------------


def _jsonl(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def _row_context(row: dict[str, Any]) -> dict[str, Any]:
    keys = ("channel", "room_audience", "sender_age_band", "recipient_age_band")
    return {key: row.get(key) for key in keys}


def _texts_of_rows(source: str, path: Path) -> Iterator[dict[str, Any]]:
    for number, row in enumerate(_jsonl(path)):
        yield {"source": source, "row": number, "text": str(row["text"]), "own": _row_context(row)}


def _conversation_turns(source: str, path: Path) -> Iterator[dict[str, Any]]:
    for number, conversation in enumerate(_jsonl(path)):
        bands = conversation.get("participants", {})
        turns = conversation.get("turns", [])
        for index, turn in enumerate(turns):
            sender = turn["from"]
            other = next((who for who in bands if who != sender), sender)
            recent = [
                ["self" if t["from"] == sender else t["from"], t["text"]]
                for t in turns[max(0, index - 8) : index]
            ]
            own = {
                "channel": "dm",
                "sender_age_band": bands.get(sender),
                "recipient_age_band": bands.get(other),
                "sender_seconds_here": 3600.0,
                "recent": recent,
            }
            yield {"source": source, "row": f"{number}.{index}", "text": str(turn["text"]), "own": own}


def _bench_messages(candidate: Path) -> Iterator[dict[str, Any]]:
    sys.path.insert(0, str(candidate / "bench"))
    try:
        import safety_text  # the bench's own generator, so the same 20,000 unique messages
    finally:
        sys.path.pop(0)
    for number, (text, _context) in enumerate(safety_text.messages(BENCH_MESSAGES)):
        yield {"source": "bench", "row": number, "text": text, "own": None}


def _suite_texts(shared: Path) -> Iterator[dict[str, Any]]:
    for name, relative in SUITES:
        path = shared / relative
        if not path.is_file():
            print(f"note: {path} not found, suite {name} left out", file=sys.stderr)
            continue
        with path.open(encoding="utf-8", newline="") as handle:
            for number, row in enumerate(csv.DictReader(handle)):
                yield {"source": name, "row": number, "text": row["text"], "own": None}


def build_inputs(candidate: Path, shared: Path) -> list[dict[str, Any]]:
    safety = candidate / "papote" / "safety"
    items: list[dict[str, Any]] = []
    items += _texts_of_rows("devset", safety / "devset" / "text.jsonl")
    items += _texts_of_rows("heldout", safety / "heldout" / "text.jsonl")
    for name in ("devset", "tuning", "heldout"):
        items += _conversation_turns(f"{name}_conversations", safety / name / "conversations.jsonl")
    items += _bench_messages(candidate)
    items += _suite_texts(shared)
    return items


# --- one side (a subprocess that imports `papote` from its root) ----------------------------------


def _rounded(scores: dict[str, float]) -> dict[str, float]:
    return {label: round(score, 4) for label, score in sorted(scores.items())}


def _record(verdict: Any) -> dict[str, Any]:
    signals = [
        [
            s.detector,
            s.label,
            round(s.score, 4),
            s.rule,
            None if s.evidence is None else [s.evidence.start, s.evidence.end],
        ]
        for s in verdict.signals
    ]
    return {
        "decision": [str(verdict.action), list(verdict.labels), verdict.case_priority, verdict.sanction,
                     _rounded(verdict.scores)],
        "detail": [[r.rule for r in verdict.reasons], verdict.tip and verdict.tip.rule, signals],
    }  # fmt: skip


def worker(root: Path, lexicons: Path, inputs: Path, output: Path) -> None:
    sys.path.insert(0, str(root))
    from papote.safety.base import Context, Turn
    from papote.safety.detectors.age_claims import age_claims, plain_fold
    from papote.safety.normalize import normalize
    from papote.safety.pipeline import TextPipeline

    pipeline = TextPipeline.default(lexicon_dir=lexicons)
    loaded = str(Path(sys.modules["papote.safety.pipeline"].__file__ or "").resolve())
    artifact = hashlib.sha256((root / ARTIFACT).read_bytes()).hexdigest()
    items = json.loads(inputs.read_text(encoding="utf-8"))
    contexts = {name: Context(**values) for name, values in CONTEXTS.items()}
    started = time.perf_counter()
    checks: list[dict[str, Any]] = []
    views: dict[str, Any] = {}
    for item in items:
        text = item["text"]
        own = item["own"]
        chosen = dict(contexts)
        if own is not None:
            recent = tuple(Turn(sender, said) for sender, said in own.pop("recent", []))
            chosen["own"] = Context(**own, recent=recent)
        for name, context in chosen.items():
            checks.append(_record(pipeline.check(text, context)) | {"context": name})
        if text not in views:
            norm = normalize(text)
            claims = [[c.age, c.start, c.end, c.strength] for c in age_claims(plain_fold(text))]
            forms = [[form.name, form.text] for form in norm.forms]
            named = [norm.plain, norm.folded, norm.compact, norm.collapsed, norm.digits, norm.translit]
            views[text] = [named, forms, claims]
    seconds = time.perf_counter() - started
    result = {"root": str(root), "artifact_sha256": artifact, "pipeline_module": loaded, "checks": checks,
              "views": views, "seconds": seconds, "failures": pipeline.failures}  # fmt: skip
    output.write_text(json.dumps(result, ensure_ascii=False), encoding="utf-8")


# --- the comparison -------------------------------------------------------------------------------


def _describe(item: dict[str, Any]) -> str:
    where = f"{item['source']}#{item['row']}"
    if item["source"] in SHARED_SOURCES:
        return where  # shared data sets are never printed
    return f"{where} {item['text'][:90]!r}"


def _expand(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One entry per check, in the worker's order."""
    out: list[dict[str, Any]] = []
    for item in items:
        names = [*CONTEXTS, *(["own"] if item["own"] is not None else [])]
        out.extend(item | {"context": name} for name in names)
    return out


def compare(
    items: list[dict[str, Any]], reference: dict[str, Any], candidate: dict[str, Any], show: int
) -> int:
    checks = _expand(items)
    ref_checks, cand_checks = reference["checks"], candidate["checks"]
    if not (len(checks) == len(ref_checks) == len(cand_checks)):
        print(f"ERROR: check counts differ: {len(checks)} inputs, {len(ref_checks)} / {len(cand_checks)}")
        return 1
    decision_diffs: Counter[str] = Counter()
    detail_diffs: Counter[str] = Counter()
    shown = 0
    for check, ref, cand in zip(checks, ref_checks, cand_checks, strict=True):
        if ref["decision"] != cand["decision"]:
            for name, a, b in zip(DECISION_FIELDS, ref["decision"], cand["decision"], strict=True):
                if a != b:
                    decision_diffs[name] += 1
            if shown < show:
                shown += 1
                _show("DECISION", check, ref["decision"], cand["decision"])
        if ref["detail"] != cand["detail"]:
            for name, a, b in zip(DETAIL_FIELDS, ref["detail"], cand["detail"], strict=True):
                if a != b:
                    detail_diffs[name] += 1
            if shown < show:
                shown += 1
                _show("DETAIL", check, ref["detail"], cand["detail"])
    view_diffs = _compare_views(items, reference["views"], candidate["views"], show - shown)
    texts = len({item["text"] for item in items})
    by_source = Counter(item["source"] for item in items)
    print(f"texts: {len(items)} ({texts} distinct): " + ", ".join(f"{k} {v}" for k, v in by_source.items()))
    seconds = f"reference {reference['seconds']:.1f} s, candidate {candidate['seconds']:.1f} s"
    print(f"checks: {len(checks)} per side; {seconds}")
    print(f"pipelines: reference {reference['pipeline_module']}, candidate {candidate['pipeline_module']}")
    artifacts = (
        f"reference {reference['artifact_sha256'][:16]}, candidate {candidate['artifact_sha256'][:16]}"
    )
    print(f"artifact sha256: {artifacts}")
    print(f"detector failures: reference {reference['failures']}, candidate {candidate['failures']}")
    decisions = f"{sum(decision_diffs.values())} {dict(decision_diffs)}"
    print(f"decision differences (action, labels, case_priority, sanction, scores): {decisions}")
    details = f"{sum(detail_diffs.values())} {dict(detail_diffs)}"
    print(f"detail differences (reasons, tip, signals with evidence): {details}")
    print(f"normalised views / age claims differing: {view_diffs} of {texts} texts")
    same_inputs = reference["artifact_sha256"] == candidate["artifact_sha256"]
    if not same_inputs:
        print("ERROR: the two sides loaded different classifier artifacts (retrained during the run?)")
    failed = decision_diffs or detail_diffs or view_diffs or not same_inputs
    failed = failed or reference["failures"] or candidate["failures"]
    print("RESULT: " + ("DIFFERENCES FOUND" if failed else "identical"))
    return 1 if failed else 0


def _show(kind: str, check: dict[str, Any], ref: Any, cand: Any) -> None:
    print(f"{kind} {_describe(check)} [{check['context']}]\n  ref  {ref}\n  cand {cand}")


def _compare_views(items: list[dict[str, Any]], ref: dict[str, Any], cand: dict[str, Any], show: int) -> int:
    differing = 0
    sources = {item["text"]: item for item in items}
    for text, expected in ref.items():
        if cand.get(text) != expected:
            differing += 1
            if show > 0:
                show -= 1
                print(f"VIEWS {_describe(sources[text])}\n  ref  {expected}\n  cand {cand.get(text)}")
    return differing


# --- driver ---------------------------------------------------------------------------------------


def _run_sides(
    reference: Path, candidate: Path, lexicons: Path, inputs: Path, work: Path
) -> list[dict[str, Any]]:
    outputs = [work / "reference.json", work / "candidate.json"]
    processes = [
        subprocess.Popen(
            [
                sys.executable,
                str(HERE),
                "--worker",
                str(root),
                "--lexicons",
                str(lexicons),
                "--inputs",
                str(inputs),
                "--output",
                str(output),
            ],
            cwd=str(work),
            env=os.environ | {"PYTHONHASHSEED": "0"},
        )
        for root, output in zip((reference, candidate), outputs, strict=True)
    ]
    codes = [process.wait() for process in processes]
    if any(codes):
        raise SystemExit(f"a side failed: exit codes {codes}")
    return [json.loads(output.read_text(encoding="utf-8")) for output in outputs]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--reference", type=Path, help="directory holding the reference `papote` package")
    parser.add_argument(
        "--candidate", type=Path, default=REPO, help="directory holding the candidate (this tree)"
    )
    parser.add_argument("--shared-data", type=Path, default=SHARED_DATA)
    parser.add_argument("--show", type=int, default=20, help="differences printed in full")
    parser.add_argument("--worker", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--lexicons", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--inputs", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--output", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker is not None:
        worker(args.worker.resolve(), args.lexicons, args.inputs, args.output)
        return 0
    if args.reference is None:
        parser.error("--reference is required")
    reference, candidate = args.reference.resolve(), args.candidate.resolve()
    with tempfile.TemporaryDirectory(prefix="safety-decisions-") as temporary:
        work = Path(temporary)
        lexicons = work / "lexicons"
        shutil.copytree(candidate / LEXICONS, lexicons)
        shutil.copy2(candidate / ARTIFACT, reference / ARTIFACT)
        items = build_inputs(candidate, args.shared_data)
        inputs = work / "inputs.json"
        inputs.write_text(json.dumps(items, ensure_ascii=False), encoding="utf-8")
        reference_result, candidate_result = _run_sides(reference, candidate, lexicons, inputs, work)
    return compare(items, reference_result, candidate_result, args.show)


if __name__ == "__main__":
    raise SystemExit(main())
