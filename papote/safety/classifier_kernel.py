"""The classifier's inner loop compiled to machine code with numba: hashing, gathering and summing.

In numpy (`TextClassifier.reference_logits`) the logits cost a dozen array calls per message, and for
a chat line each call's fixed cost outweighs its work. This module does the same arithmetic in one
compiled call, step for step:
- runs of three equal code points are shrunk to two (`char_codes`);
- each n-gram's hash is the same polynomial modulo 2**64 (`_power_matrix`), shifted to the table's bits;
- each label's weights are summed in float32 in numpy's own pairwise order (`np.add.reduce`), so the
  logits are bit for bit those of the numpy path, which stays the reference (`tests/safety`).

numba compiles on first use (about 5 s) and caches the machine code beside this file (or in the user's
cache when the folder is read-only); later processes load it from there (about 0.8 s here).
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
from numba import njit

# numpy's pairwise summation: blocks of at most 128 values summed with 8 accumulators.
_BLOCK = 128


@njit(cache=True, nogil=True)
def _block_sum(values: npt.NDArray[np.float32], start: int, count: int) -> np.float32:
    """One block of numpy's pairwise summation (at most 128 values)."""
    if count < 8:
        total = np.float32(0.0)
        for i in range(start, start + count):
            total += values[i]
        return total
    r0 = values[start]
    r1 = values[start + 1]
    r2 = values[start + 2]
    r3 = values[start + 3]
    r4 = values[start + 4]
    r5 = values[start + 5]
    r6 = values[start + 6]
    r7 = values[start + 7]
    stop = start + count - count % 8
    i = start + 8
    while i < stop:
        r0 += values[i]
        r1 += values[i + 1]
        r2 += values[i + 2]
        r3 += values[i + 3]
        r4 += values[i + 4]
        r5 += values[i + 5]
        r6 += values[i + 6]
        r7 += values[i + 7]
        i += 8
    total = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
    for j in range(stop, start + count):
        total += values[j]
    return np.float32(total)  # already float32: typed for mypy, unchanged for numba


@njit(cache=True, nogil=True)
def _pairwise_sum(values: npt.NDArray[np.float32], count: int) -> np.float32:
    """numpy's pairwise sum of `values[:count]`: halves (cut at a multiple of 8) until blocks of 128.

    Written with an explicit stack, not recursion: numba cannot cache recursive functions reliably.
    """
    if count <= _BLOCK:
        return _block_sum(values, 0, count)
    starts = np.empty(64, dtype=np.int64)
    counts = np.empty(64, dtype=np.int64)  # a negative count marks "add the last two results"
    sums = np.empty(64, dtype=np.float32)
    frames = 1
    results = 0
    starts[0] = 0
    counts[0] = count
    while frames > 0:
        frames -= 1
        start = starts[frames]
        size = counts[frames]
        if size < 0:
            results -= 1
            sums[results - 1] = sums[results - 1] + sums[results]
        elif size <= _BLOCK:
            sums[results] = _block_sum(values, start, size)
            results += 1
        else:
            half = size // 2
            half -= half % 8
            counts[frames] = -1  # combine after both halves, the left one first
            starts[frames + 1] = start + half
            counts[frames + 1] = size - half
            starts[frames + 2] = start
            counts[frames + 2] = half
            frames += 3
    return np.float32(sums[0])


@njit(cache=True, nogil=True)
def _shrink_runs(codes: npt.NDArray[np.uint32]) -> npt.NDArray[np.uint64]:
    """Drop the third (and later) of equal consecutive code points, widened to 64 bits."""
    kept = np.empty(codes.size, dtype=np.uint64)
    size = 0
    for i in range(codes.size):
        if i >= 2 and codes[i] == codes[i - 1] and codes[i] == codes[i - 2]:
            continue
        kept[size] = codes[i]
        size += 1
    return kept[:size]


@njit(cache=True, nogil=True)
def logits_kernel(
    codes: npt.NDArray[np.uint32],
    powers: npt.NDArray[np.uint64],
    shift: int,
    weights: npt.NDArray[np.float32],
    bias: npt.NDArray[np.float32],
) -> npt.NDArray[np.float32]:
    """Logits of one prepared message, given its code points followed by the end markers."""
    kept = _shrink_runs(codes)
    width, grams = powers.shape
    windows = kept.size - width + 1
    count = windows * grams
    labels = weights.shape[1]
    # One row per label, n-grams in numpy's order (window by window, n-gram lengths within a window).
    gathered = np.empty((labels, max(count, 1)), dtype=np.float32)
    bits = np.uint64(shift)
    for w in range(windows):
        for j in range(grams):
            value = np.uint64(0)
            for k in range(width):
                value += kept[w + k] * powers[k, j]
            row = value >> bits
            column = w * grams + j
            for label in range(labels):
                gathered[label, column] = weights[row, label]
    out = np.empty(labels, dtype=np.float32)
    scale = np.float32(math.sqrt(max(1, count)))
    for label in range(labels):
        out[label] = _pairwise_sum(gathered[label], count) / scale + bias[label]
    return out
