"""Train the small French text classifier and write `papote/safety/models/text_classifier.npz`.

Usage:
    python scripts/train_text_classifier.py [--data DIR] [--out FILE] [--research] [--external]

Data (see ../shared/data/README.md): only the sets marked TRAINING, with their own `split` column
(train fits, dev picks C and the per-label threshold, test is only reported).

* MLMA French (MIT) is always used. Text clean-up: `@user`, `@url`, a leading `rt` and `#` are removed
  because chat messages have none of them and the model must not learn them as cues.
* Seed examples written by the team, `papote/safety/training/*.jsonl` (`{"text", "labels", "group"}`;
  an empty label list is a benign example). Their split is a stable hash of `group` (one phrase and its
  variants): 70 % train, 15 % dev, 15 % test.
* CyberAgression-Large (CC BY-NC) only with `--research`: the result is written to /tmp and never shipped.

Label mapping:
* MLMA `label` 0 (hostility exactly `normal`): negative for every label.
* MLMA `label` 1 with target origin, religion, sexual_orientation, gender or disability: `hate`.
* MLMA `label` 1 with target `other` (individuals, political groups, ...): `harassment`.
* MLMA rows whose hostility mixes `normal` with a hostile value (annotators split) get weight 0.5.
* `threat` and `sexual_solicitation` come only from the seed examples (MLMA has almost none).
* Research variant, CyberAgression: `hate` OAG/CAG -> `harassment`; verbal_abuse THR -> `threat` too;
  NAG -> negative for every label.

Model: character 2-5-grams of S1's `normalize(text).compact` view (accents, look-alikes, leet and spaced
letters already folded), hashed into 2**18 slots, each counting 1/sqrt(number of n-grams); one L2 logistic
regression per label (liblinear, class_weight="balanced", seeds weighted x2). C is picked per label from
(1, 3, 10, 30) by dev average precision; the threshold per label maximises F1 on dev, each source (MLMA,
seeds) weighted equally. Weights ship as float16; inference is `papote.safety.classifier` (numpy and numba,
no scikit-learn).
Training is deterministic (no randomness besides liblinear's fixed seed).

Evaluation only (`--external`, never used to fit or tune): ToxiFrench balanced, RTP-LX (non-borderline rows)
and Multilingual HateCheck per functionality, all scored as binary "any label flagged".
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import sys
import time
import zlib
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from scipy import sparse  # type: ignore[import-untyped]
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score, precision_recall_fscore_support, roc_auc_score

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from papote.safety.classifier import (  # noqa: E402
    CLASSIFIER_LABELS,
    DEFAULT_ARTIFACT,
    FOLDS,
    FeatureSpec,
    TextClassifier,
    hashed_features,
    prepare,
    s1_normalizer_available,
    save_artifact,
)

SEED_DIR = REPO / "papote" / "safety" / "training"
HATE_TARGETS = {"origin", "religion", "sexual_orientation", "gender", "disability"}
C_GRID = (1.0, 3.0, 10.0, 30.0)
SEED = 20240611
TRAINED_ON = ["mlma_fr (MIT)", "papote seed examples (papote/safety/training)"]
csv.field_size_limit(10_000_000)


@dataclass
class Example:
    text: str
    labels: frozenset[str]
    split: str
    source: str
    weight: float = 1.0


@dataclass
class Dataset:
    examples: list[Example] = field(default_factory=list)

    def part(self, split: str, sources: Iterable[str] | None = None) -> list[Example]:
        wanted = set(sources) if sources is not None else None
        return [e for e in self.examples if e.split == split and (wanted is None or e.source in wanted)]


def default_data_dir() -> Path:
    return Path(os.environ.get("PAPOTE_SHARED_DATA", REPO.parent / "shared" / "data"))


def read_csv(path: Path) -> Iterator[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        yield from csv.DictReader(handle)


def clean_tweet(text: str) -> str:
    text = re.sub(r"@(user|url)\b", " ", text)
    text = re.sub(r"^\s*rt\b", " ", text)
    return text.replace("#", " ").replace("…", " ")


def mlma_examples(data: Path) -> Iterator[Example]:
    for row in read_csv(data / "mlma_fr" / "mlma_fr.csv"):
        labels: frozenset[str] = frozenset()
        if row["label"] == "1":
            labels = frozenset({"hate" if row["target"] in HATE_TARGETS else "harassment"})
        parts = row["hostility"].split("_")
        weight = 0.5 if "normal" in parts and len(parts) > 1 else 1.0
        yield Example(clean_tweet(row["text"]), labels, row["split"], "mlma", weight)


def seed_split(text: str) -> str:
    bucket = zlib.crc32(text.encode("utf-8")) % 100
    return "train" if bucket < 70 else "dev" if bucket < 85 else "test"


def seed_examples(seed_dir: Path) -> Iterator[Example]:
    for path in sorted(seed_dir.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                item = json.loads(line)
                labels = frozenset(item["labels"])
                unknown = labels - set(CLASSIFIER_LABELS)
                if unknown:
                    raise ValueError(f"{path.name}: unknown labels {sorted(unknown)}")
                # Variants of a phrase share a group, hence a split: dev and test never see a trained phrase.
                yield Example(item["text"], labels, seed_split(item.get("group", item["text"])), "seed")


def cyber_examples(data: Path) -> Iterator[Example]:
    for row in read_csv(data / "cyberagression_large" / "cyberagression_large_majority.csv"):
        labels: set[str] = set()
        if row["label"] == "1":
            labels.add("harassment")
            if row["verbal_abuse"] == "THR":
                labels.add("threat")
        yield Example(row["text"], frozenset(labels), row["split"], "cyber")


def to_matrix(texts: list[str], spec: FeatureSpec, fold_name: str) -> sparse.csr_matrix:
    """The exact features the runtime computes: each hashed n-gram counts 1 / sqrt(number of n-grams)."""
    fold = FOLDS[fold_name]
    indptr = [0]
    indices: list[np.ndarray] = []
    data: list[np.ndarray] = []
    for text in texts:
        index = hashed_features(prepare(fold(text)), spec).astype(np.int64)
        indices.append(index)
        data.append(np.full(index.size, 1.0 / np.sqrt(max(1, index.size)), dtype=np.float64))
        indptr.append(indptr[-1] + index.size)
    matrix = sparse.csr_matrix(
        (np.concatenate(data), np.concatenate(indices), np.array(indptr)), shape=(len(texts), 1 << spec.bits)
    )
    matrix.sum_duplicates()
    return matrix


def targets(examples: list[Example], label: str) -> np.ndarray:
    return np.array([label in e.labels for e in examples], dtype=np.int64)


def best_threshold(y: np.ndarray, scores: np.ndarray, weight: np.ndarray, beta: float) -> float:
    """Threshold with the best weighted F-beta on dev; ties go to the higher one (fewer false alarms)."""
    best, best_f = 0.5, -1.0
    b2 = beta * beta
    positives = float(np.sum(weight * y))
    for t in np.round(np.arange(0.05, 0.96, 0.01), 2):
        pred = scores >= t
        tp = float(np.sum(weight * (pred & (y == 1))))
        f = (1 + b2) * tp / max(1e-9, b2 * positives + float(np.sum(weight * pred)))
        if f >= best_f:
            best, best_f = float(t), f
    return best


def source_balance(examples: list[Example]) -> np.ndarray:
    """Weights giving each source (MLMA tweets, seed chat, ...) the same total weight when picking thresholds.

    MLMA was collected with hate keywords (78 % abusive), so on its own it would push thresholds down to
    "flag nearly everything"; the seed chat, with its hard negatives, carries the other half.
    """
    counts: dict[str, int] = defaultdict(int)
    for e in examples:
        counts[e.source] += 1
    return np.array([len(examples) / (len(counts) * counts[e.source]) for e in examples])


def prf(y: np.ndarray, pred: np.ndarray) -> str:
    p, r, f, _ = precision_recall_fscore_support(y, pred, average="binary", zero_division=0)
    return f"P {p:.3f} R {r:.3f} F1 {f:.3f} (n+={int(y.sum())}/{len(y)})"


def fit_label(
    x_train: sparse.csr_matrix,
    y_train: np.ndarray,
    w_train: np.ndarray,
    x_dev: sparse.csr_matrix,
    y_dev: np.ndarray,
) -> tuple[LogisticRegression, float]:
    best_model: LogisticRegression | None = None
    best_ap = -1.0
    best_c = C_GRID[0]
    for c in C_GRID:
        model = LogisticRegression(
            C=c, class_weight="balanced", max_iter=2000, solver="liblinear", random_state=SEED
        )
        model.fit(x_train, y_train, sample_weight=w_train)
        ap = average_precision_score(y_dev, model.predict_proba(x_dev)[:, 1]) if y_dev.sum() else 0.0
        if ap > best_ap:
            best_model, best_ap, best_c = model, ap, c
    assert best_model is not None
    return best_model, best_c


def train(args: argparse.Namespace) -> None:
    data: Path = args.data
    dataset = Dataset(list(mlma_examples(data)) + list(seed_examples(args.seeds)))
    if args.research:
        dataset.examples += list(cyber_examples(data))
    fold_name = args.normalizer if s1_normalizer_available() and not args.local_fold else "local"
    spec = FeatureSpec(bits=args.bits, char_high=args.char_high, words=args.words)
    dim = 1 << spec.bits
    train_set, dev_set = dataset.part("train"), dataset.part("dev")
    print(f"normalizer={fold_name} train={len(train_set)} dev={len(dev_set)} bits={spec.bits}")
    started = time.perf_counter()
    x_train = to_matrix([e.text for e in train_set], spec, fold_name)
    x_dev = to_matrix([e.text for e in dev_set], spec, fold_name)
    dev_balance = source_balance(dev_set)
    w_train = np.array([e.weight * (args.seed_weight if e.source == "seed" else 1.0) for e in train_set])
    weights = np.zeros((dim, len(CLASSIFIER_LABELS)), dtype=np.float32)
    bias = np.zeros(len(CLASSIFIER_LABELS), dtype=np.float32)
    thresholds: dict[str, float] = {}
    chosen_c: dict[str, float] = {}
    dev_ap: dict[str, float] = {}
    for j, label in enumerate(CLASSIFIER_LABELS):
        y_train, y_dev = targets(train_set, label), targets(dev_set, label)
        if not y_train.any():
            print(f"no training example for {label}: it will never fire")
            bias[j], thresholds[label], chosen_c[label] = -10.0, 1.0, 0.0
            continue
        model, chosen_c[label] = fit_label(x_train, y_train, w_train, x_dev, y_dev)
        weights[:, j] = model.coef_[0]
        bias[j] = model.intercept_[0]
        # Thresholds are chosen on the float16 weights that will actually ship.
        dev_scores = score_matrix(x_dev, weights[:, j].astype(np.float16), bias[j])
        dev_ap[label] = float(average_precision_score(y_dev, dev_scores))
        thresholds[label] = best_threshold(y_dev, dev_scores, dev_balance, args.beta)
    print(f"fitted in {time.perf_counter() - started:.1f}s; C={chosen_c}; thresholds={thresholds}")
    print("dev average precision: " + " ".join(f"{k}={v:.3f}" for k, v in dev_ap.items()))
    metadata = {
        "labels": list(CLASSIFIER_LABELS),
        "thresholds": thresholds,
        "features": spec.to_json(),
        "normalizer": fold_name,
        "C": chosen_c,
        "trained_on": TRAINED_ON + (["cyberagression_large (CC BY-NC)"] if args.research else []),
        "research_only": bool(args.research),
    }
    save_artifact(args.out, weights, bias, metadata)
    size = args.out.stat().st_size
    print(f"wrote {args.out} ({size / 1024:.0f} KiB)")
    report(TextClassifier.load(args.out), dataset, data, args.research or args.compare_cyber)
    if args.external:
        external(TextClassifier.load(args.out), data)


def score_matrix(x: sparse.csr_matrix, w: np.ndarray, b: float) -> np.ndarray:
    logits: np.ndarray = x @ w.astype(np.float32) + b
    scores: np.ndarray = 1.0 / (1.0 + np.exp(-logits))
    return scores


def score_all(model: TextClassifier, texts: list[str]) -> dict[str, np.ndarray]:
    rows = [model.scores(t) for t in texts]
    return {label: np.array([r[label] for r in rows]) for label in model.labels}


def auc(y: np.ndarray, model: TextClassifier, scores: dict[str, np.ndarray]) -> str:
    """ROC AUC of the margin over the nearest threshold (independent of the chosen thresholds' trade-off)."""
    if y.min() == y.max():
        return ""
    margin = np.max([scores[k] - model.thresholds[k] for k in model.labels], axis=0)
    return f" AUC {roc_auc_score(y, margin):.3f}"


def flagged_any(model: TextClassifier, scores: dict[str, np.ndarray]) -> np.ndarray:
    flags: np.ndarray = np.any([scores[k] >= model.thresholds[k] for k in model.labels], axis=0)
    return flags


def report(model: TextClassifier, dataset: Dataset, data: Path, with_cyber: bool) -> None:
    for split in ("dev", "test"):
        for sources in (("mlma",), ("seed",)):
            part = dataset.part(split, sources)
            scores = score_all(model, [e.text for e in part])
            print(f"== {split} {'+'.join(sources)} ({len(part)} rows)")
            for label in model.labels:
                y = targets(part, label)
                if y.sum():
                    print(f"  {label:20s} {prf(y, scores[label] >= model.thresholds[label])}")
            y_any = np.array([bool(e.labels) for e in part], dtype=np.int64)
            binary = prf(y_any, flagged_any(model, scores)) + auc(y_any, model, scores)
            print(f"  {'binary (any label)':20s} {binary}")
    if with_cyber:
        part = [e for e in cyber_examples(data) if e.split == "test"]
        scores = score_all(model, [e.text for e in part])
        y_any = np.array([bool(e.labels) for e in part], dtype=np.int64)
        print(f"== test cyberagression ({len(part)} rows)")
        binary = prf(y_any, flagged_any(model, scores)) + auc(y_any, model, scores)
        print(f"  {'binary (any label)':20s} {binary}")
        for label in ("harassment", "threat"):
            print(f"  {label:20s} {prf(targets(part, label), scores[label] >= model.thresholds[label])}")


def external(model: TextClassifier, data: Path) -> None:
    """Evaluation-only sets: binary any-label scores, never used for fitting or thresholds."""
    tox = list(read_csv(data / "toxifrench_bench" / "toxifrench_balanced.csv"))
    binary_report(model, "toxifrench", [r["text"] for r in tox], [int(r["label"]) for r in tox])
    rtp = [r for r in read_csv(data / "rtplx_fr" / "rtplx_fr.csv") if r["borderline"] != "1"]
    binary_report(model, "rtplx (non-borderline)", [r["text"] for r in rtp], [int(r["label"]) for r in rtp])
    mhc = list(read_csv(data / "mhc_fr" / "mhc_fr.csv"))
    scores = score_all(model, [r["text"] for r in mhc])
    pred = flagged_any(model, scores)
    y = np.array([int(r["label"]) for r in mhc])
    hate_only = prf(y, scores["hate"] >= model.thresholds["hate"])
    print(f"== mhc ({len(y)} rows) hate label only: {hate_only}; any label: {prf(y, pred)}")
    by_func: dict[str, list[int]] = defaultdict(list)
    for i, row in enumerate(mhc):
        by_func[row["functionality"]].append(i)
    for func in sorted(by_func):
        idx = by_func[func]
        expected = y[idx][0]
        correct = float(np.mean(pred[idx] == (y[idx] == 1)))
        hate_rate = float(np.mean(scores["hate"][idx] >= model.thresholds["hate"]))
        print(
            f"  {func:28s} n={len(idx):4d} gold={'hateful' if expected else 'non-hateful':11s} "
            f"acc(any)={correct:.3f} hate-flag-rate={hate_rate:.3f}"
        )


def binary_report(model: TextClassifier, name: str, texts: list[str], labels: list[int]) -> None:
    scores = score_all(model, texts)
    y = np.array(labels)
    pred = flagged_any(model, scores)
    acc = float(np.mean(pred == (y == 1)))
    print(f"== {name} ({len(y)} rows) binary any-label: {prf(y, pred)} acc {acc:.3f}{auc(y, model, scores)}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--data", type=Path, default=default_data_dir(), help="shared data (PAPOTE_SHARED_DATA)"
    )
    parser.add_argument("--seeds", type=Path, default=SEED_DIR)
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--bits", type=int, default=18)
    parser.add_argument("--beta", type=float, default=1.0, help="F-beta used to pick thresholds on dev")
    parser.add_argument("--seed-weight", type=float, default=2.0, help="sample weight of the seed examples")
    parser.add_argument("--char-high", type=int, default=5)
    parser.add_argument("--words", action="store_true", help="add hashed word uni/bigrams (slower, no gain)")
    parser.add_argument(
        "--normalizer", choices=sorted(FOLDS), default="s1_compact", help="text view to learn"
    )
    parser.add_argument("--local-fold", action="store_true", help="ignore S1's normaliser even if present")
    parser.add_argument("--research", action="store_true", help="add CyberAgression (never shipped)")
    parser.add_argument("--compare-cyber", action="store_true", help="report CyberAgression test too")
    parser.add_argument("--external", action="store_true", help="ToxiFrench, RTP-LX, MHC (eval only)")
    args = parser.parse_args(argv)
    if args.out is None:
        args.out = Path("/tmp/text_classifier_research.npz") if args.research else DEFAULT_ARTIFACT
    elif args.research and REPO in args.out.resolve().parents:
        parser.error("the research model (CC BY-NC data) must not be written inside the repository")
    train(args)


if __name__ == "__main__":
    main()
