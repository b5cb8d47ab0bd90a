"""Cost of the text safety pipeline per message, counted by a simulated CPU (valgrind's cachegrind).

    python bench/safety_cycles.py [--messages 1500] [--names rules,contact] [--reference DIR]

Wall-clock figures on a shared two-core machine wander by 10 % from one run to the next, which
hides most single optimisations. Cachegrind runs the pipeline on a simulated CPU and counts, exactly
and repeatably, the instructions executed and the level-1 cache misses (instructions and data).
Each side runs twice, once with no message and once with `--messages` of the bench's messages
(`bench/safety_text.py`, same seed), so start-up costs cancel out. The estimate of cycles weighs a
level-1 miss at 12 cycles and a last-level miss at 150; on this machine it has matched the measured
time per message within about 5 % (735,000 cycles estimated, ~300 µs measured at 2.5 GHz).

`--reference DIR` (a directory holding another `papote` package, e.g. `git archive` of the last
commit) runs the same count on it, for a before/after comparison. Needs `valgrind` (Debian package);
each side takes several minutes.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
L1_MISS_CYCLES = 12
LL_MISS_CYCLES = 150
_COUNTERS = {
    "instructions": re.compile(r"I\s+refs:\s+([\d,]+)"),
    "i1_misses": re.compile(r"I1\s+misses:\s+([\d,]+)"),
    "d1_misses": re.compile(r"D1\s+misses:\s+([\d,]+)"),
    "ll_misses": re.compile(r"LL misses:\s+([\d,]+)"),
}


def inner(root: Path, count: int, names: str | None) -> None:
    """What runs under valgrind: build the pipeline, warm it up, check `count` messages."""
    import gc
    import importlib

    sys.path.insert(0, str(root))
    # Imported from `root` first: the bench module puts this tree on the path, but finds papote loaded.
    pipeline_module = importlib.import_module("papote.safety.pipeline")
    sys.path.insert(1, str(REPO / "bench"))
    messages = importlib.import_module("safety_text").messages
    TextPipeline = pipeline_module.TextPipeline

    pipeline = TextPipeline.default(names=names.split(",") if names else None)
    batch = messages(count + 300)
    for text, context in batch[:300]:
        pipeline.check(text + " warm", context)
    gc.disable()
    for text, context in batch[300:]:
        pipeline.check(text, context)


def counters(root: Path, count: int, names: str | None) -> dict[str, int]:
    command = [
        "valgrind",
        "--tool=cachegrind",
        "--cache-sim=yes",
        "--cachegrind-out-file=/dev/null",
        os.path.realpath(sys.executable),  # not a shim script: valgrind must see the interpreter itself
        str(Path(__file__).resolve()),
        "--inner",
        str(root),
        "--messages",
        str(count),
        *(["--names", names] if names else []),
    ]
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    result = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    if result.returncode != 0:
        raise SystemExit(f"valgrind failed ({result.returncode}):\n{result.stderr[-2000:]}")
    found = {}
    for name, pattern in _COUNTERS.items():
        match = pattern.search(result.stderr)
        if match is None:
            raise SystemExit(f"no {name} in valgrind's output:\n{result.stderr[-2000:]}")
        found[name] = int(match.group(1).replace(",", ""))
    return found


def compile_for_valgrind(root: Path) -> None:
    """Load the classifier once under valgrind, so that numba's kernels exist in its cache for the CPU
    valgrind shows (not the host's: "haswell" here) before the counted runs.

    Otherwise both counted runs compile them, and the two compilations, racing to write the cache,
    need not cost the same: one such count reported +64 % where the next, with the cache in place,
    reported -17 %.
    """
    code = (
        f"import sys; sys.path.insert(0, {str(root)!r}); "
        "from papote.safety.classifier import TextClassifier; TextClassifier.load()"
    )
    command = ["valgrind", "--tool=none", os.path.realpath(sys.executable), "-c", code]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise SystemExit(f"loading the classifier under valgrind failed:\n{result.stderr[-2000:]}")


def per_message(root: Path, count: int, names: str | None) -> dict[str, float]:
    compile_for_valgrind(root)
    # The two runs use one core each (this machine has two).
    with ThreadPoolExecutor(max_workers=2) as pool:
        empty_run = pool.submit(counters, root, 0, names)
        full_run = pool.submit(counters, root, count, names)
        empty, full = empty_run.result(), full_run.result()
    cost = {name: (full[name] - empty[name]) / count for name in _COUNTERS}
    misses = cost["i1_misses"] + cost["d1_misses"]
    cost["cycles"] = cost["instructions"] + L1_MISS_CYCLES * misses + LL_MISS_CYCLES * cost["ll_misses"]
    return cost


def show(label: str, cost: dict[str, float]) -> None:
    print(
        f"{label}: {cost['instructions']:,.0f} instructions, {cost['i1_misses']:,.0f} instruction-cache "
        f"and {cost['d1_misses']:,.0f} data-cache misses, {cost['ll_misses']:,.0f} last-level misses "
        f"-> about {cost['cycles']:,.0f} cycles per message"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--messages", type=int, default=1500)
    parser.add_argument("--names", help="comma-separated detector names (default: every available one)")
    parser.add_argument("--reference", type=Path, help="a directory holding another papote package")
    parser.add_argument("--inner", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.inner is not None:
        inner(args.inner, args.messages, args.names)
        return 0
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not installed (Debian: apt-get install valgrind)")
    candidate = per_message(REPO, args.messages, args.names)
    show("this tree", candidate)
    if args.reference is not None:
        reference = per_message(args.reference.resolve(), args.messages, args.names)
        show("reference", reference)
        print(f"change in estimated cycles: {candidate['cycles'] / reference['cycles'] - 1:+.1%}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
