"""Image safety figures, on one core: the upload check, the PDQ index, the bank proof set.

    python bench/safety_images.py [--images 100] [--hashes 1000000] [--queries 2000] [--no-proof]

1. `inspect_bytes` (sanitize + PDQ + caption band + nudity) then bank match and policy, on 800x600
   JPEGs made by tests/imaging.py: images per second, p50/p99 per image, and the share of each step.
2. `PdqIndex` with `--hashes` random hashes: build time, memory, query p50/p99 at radius 31 (a normal
   upload) and 63 (an upload with a caption band, radius 31 + CAPTION_ALLOWANCE).
3. The bank proof set of tests/safety/images/proof.py: missed and false matches.
"""

from __future__ import annotations

import argparse
import gc
import os
import resource
import statistics
import sys
import time
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np

from papote.images import ImageLimits, decoded, sanitize
from papote.safety.images.banks import Bank, BankMatcher
from papote.safety.images.index import PdqIndex
from papote.safety.images.inspect import fingerprint, inspect_bytes, nudity_detector
from papote.safety.images.policy import ImageContext, ImagePolicy
from tests.imaging import encode, shapes


def percentile(values: Sequence[float], share: float) -> float:
    return float(np.percentile(np.asarray(values), share))


def bench_uploads(count: int) -> None:
    uploads = [encode(shapes(seed, (800, 600)), "JPEG", quality=85) for seed in range(count)]
    matcher = BankMatcher()
    matcher.add_bank(Bank("bench", "csam"))
    rng = np.random.default_rng(1)
    matcher.add_hashes("bench", [row.tobytes().hex() for row in rng.integers(0, 256, (10_000, 32), np.uint8)])
    policy = ImagePolicy()
    context = ImageContext("room", "all", "adult", None, first_image_from_sender=False)
    limits = ImageLimits()
    nudity_detector()  # model loaded before timing, as in a warmed-up worker
    inspect_bytes(uploads[0], limits)
    totals: list[float] = []
    cpu: list[float] = []
    steps = {"sanitize": 0.0, "decode + pdq + band": 0.0, "nudity": 0.0, "match + policy": 0.0}
    for data in uploads:
        start, start_cpu = time.perf_counter(), time.thread_time()
        inspection = inspect_bytes(data, limits)
        matches = matcher.match(inspection.pdq, inspection.sha256s, caption=inspection.caption)
        policy.decide(matches, inspection.nudity, context)
        totals.append(time.perf_counter() - start)
        cpu.append(time.thread_time() - start_cpu)
        # The same steps once more, separately, for the breakdown.
        t0 = time.perf_counter()
        clean = sanitize(data, limits)
        t1 = time.perf_counter()
        picture = decoded(clean)
        fingerprint(picture)
        t2 = time.perf_counter()
        nudity_detector().scores(picture)
        t3 = time.perf_counter()
        policy.decide(matcher.match(inspection.pdq, inspection.sha256s), inspection.nudity, context)
        t4 = time.perf_counter()
        for name, spent in zip(steps, (t1 - t0, t2 - t1, t3 - t2, t4 - t3), strict=True):
            steps[name] += spent
    mean = statistics.fmean(totals)
    print(f"uploads: {count} JPEGs 800x600, one process, nudity model on 1 thread")
    print(
        f"  {1 / mean:.1f} images/s per core; p50 {percentile(totals, 50) * 1e3:.1f} ms, "
        f"p99 {percentile(totals, 99) * 1e3:.1f} ms, max {max(totals) * 1e3:.1f} ms (wall clock)"
    )
    print(
        f"  CPU time of the thread: {1 / statistics.fmean(cpu):.1f} images/s, "
        f"p50 {percentile(cpu, 50) * 1e3:.1f} ms, p99 {percentile(cpu, 99) * 1e3:.1f} ms "
        "(closer to an idle machine when others load the cores)"
    )
    for name, spent in steps.items():
        print(f"  {name:<22} {spent / count * 1e3:6.1f} ms mean")


def rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bench_index(count: int, queries: int) -> None:
    rng = np.random.default_rng(2)
    hashes = [row.tobytes().hex() for row in rng.integers(0, 256, (count, 32), np.uint8)]
    gc.collect()
    before = rss_mib()
    index = PdqIndex()
    start = time.perf_counter()
    index.add(hashes, range(count))
    built = time.perf_counter() - start
    print(f"index: {count:,} random hashes")
    print(
        f"  build {built:.2f} s (hex parsing included); arrays {index.nbytes / 2**20:.0f} MiB; "
        f"peak RSS grew {rss_mib() - before:.0f} MiB"
    )
    for radius, planted in ((31, 24), (63, 50)):
        times: list[float] = []
        cpu: list[float] = []
        runs = queries if radius == 31 else max(50, queries // 20)
        for i in range(runs):
            target = int(rng.integers(count))
            raw = bytearray(bytes.fromhex(hashes[target]))
            for position in rng.choice(256, size=int(rng.integers(planted + 1)), replace=False):
                raw[position // 8] ^= 1 << (position % 8)
            start, start_cpu = time.perf_counter(), time.thread_time()
            found = index.query(raw.hex(), radius)
            times.append(time.perf_counter() - start)
            cpu.append(time.thread_time() - start_cpu)
            if not any(hash_id == target for hash_id, _ in found):
                raise SystemExit(f"query {i}: planted neighbour missed at radius {radius}")
        print(
            f"  radius {radius}: {runs} queries, p50 {percentile(times, 50) * 1e3:.3f} ms, "
            f"p99 {percentile(times, 99) * 1e3:.3f} ms wall; CPU p50 {percentile(cpu, 50) * 1e3:.3f} ms, "
            f"p99 {percentile(cpu, 99) * 1e3:.3f} ms (every planted neighbour found)"
        )


def bench_proof() -> None:
    from tests.safety.images.proof import run_proof

    start = time.perf_counter()
    result = run_proof()
    missed = sum(len(seeds) for seeds in result.missed.values())
    print(
        f"bank proof set ({time.perf_counter() - start:.0f} s): {sum(result.tried.values())} re-uploads, "
        f"{missed} missed; {result.unrelated} unrelated uploads x 2 banks, "
        f"{len(result.false_matches)} false matches"
    )
    for key in sorted(result.tried):
        print(
            f"  {key:<26} missed {len(result.missed.get(key, []))}/{result.tried[key]}, "
            f"largest matched distance {result.worst.get(key, '-')}"
        )
    for line in result.false_matches:
        print(f"  false match: {line}")


def calibration() -> None:
    """How loaded this machine is: one PDQ hash at 512 px took 2.4 ms on an idle core (dependencies.md)."""
    import pdqhash  # type: ignore[import-untyped]

    pixels = np.asarray(shapes(1, (512, 512)))
    times = []
    for _ in range(30):
        start = time.thread_time()
        pdqhash.compute(pixels)
        times.append(time.thread_time() - start)
    print(
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; reference: pdqhash.compute at "
        f"512 px took {statistics.median(times) * 1e3:.1f} ms of CPU (2.4 ms on an idle core)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=100)
    parser.add_argument("--hashes", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=2000)
    parser.add_argument("--no-proof", action="store_true")
    args = parser.parse_args()
    calibration()
    bench_uploads(args.images)
    bench_index(args.hashes, args.queries)
    if not args.no_proof:
        bench_proof()


if __name__ == "__main__":
    main()
