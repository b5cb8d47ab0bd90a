"""The classifier's per-message work compiled to machine code with numba.

Two entry points, both computing exactly (bit for bit) what the plain definitions in `classifier.py`
and `detectors/classifier.py` compute with numpy and `re`:
- `logits_kernel`: the logits of one prepared message (its code points followed by the end markers);
- `screen_kernel`: a whole chat line in one call: the word count that decides whether the model judges
  it at all (`model_input`), the preparation (`prepare`, `char_codes`), the logits and the labels whose
  logit reaches its flag level. A chat line pays one call instead of a dozen Python and numpy steps.

The arithmetic, step for step:
- runs of three equal code points are shrunk to two;
- the n-gram of length n starting at a window's first character hashes to
  `mix_n * (c_0 * BASE**(n-1) + ... + c_(n-1))` modulo 2**64, which is what the power matrix of
  `classifier._power_matrix` gives; the top bits of the hash index the weight table;
- each label's weights are summed in float32 in numpy's own pairwise order (`np.add.reduce`): blocks of
  at most 128 values with 8 accumulators, halves cut at a multiple of 8 above that.

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
# The polynomial base of the n-gram hashes (`classifier.HASH_BASE`, repeated here so that this module
# needs nothing from its caller; a test checks that the two agree).
HASH_BASE = 1_000_003
# `prepare`: the first 800 code points are read, the squeezed text is cut at 400.
READ_CHARS = 800
KEPT_CHARS = 400
# What `screen_kernel` returns instead of a label mask.
NOT_JUDGED = -1  # fewer distinct words than the model needs
REPEATED_WORDS = -2  # a flood of the same words: the caller judges them once each (`model_input`)

U64Array = npt.NDArray[np.uint64]
F32Array = npt.NDArray[np.float32]
I64Array = npt.NDArray[np.int64]


@njit(cache=True, nogil=True)
def _is_space(code: int) -> bool:
    """`str.isspace` for one code point (the separators of `str.split()`)."""
    if code <= 32:
        return code == 32 or 9 <= code <= 13 or code >= 28
    if code < 133:
        return False
    return (
        code == 133
        or code == 160
        or code == 5760
        or 8192 <= code <= 8202
        or code == 8232
        or code == 8233
        or code == 8239
        or code == 8287
        or code == 12288
    )


@njit(cache=True, nogil=True)
def _keep(kept: U64Array, size: int, code: np.uint64) -> int:
    """Append `code` unless it would be the third of a run; the new size."""
    if size >= 2 and kept[size - 1] == code and kept[size - 2] == code:
        return size
    kept[size] = code
    return size + 1


@njit(cache=True, nogil=True)
def _shrink_runs(codes: npt.NDArray[np.uint32]) -> U64Array:
    """Drop the third (and later) of equal consecutive code points, widened to 64 bits."""
    kept = np.empty(codes.size, dtype=np.uint64)
    size = 0
    for code in codes:
        size = _keep(kept, size, np.uint64(code))
    return kept[:size]


@njit(cache=True, nogil=True)
def _code_at(text: bytes, width: int, index: int) -> int:
    """Code point `index` of a text encoded by `classifier.encoded` (ASCII, or UTF-32 little-endian)."""
    if width == 1:
        return int(text[index])
    at = 4 * index
    return int(text[at]) | (int(text[at + 1]) << 8) | (int(text[at + 2]) << 16) | (int(text[at + 3]) << 24)


@njit(cache=True, nogil=True)
def _prepared_codes(folded: bytes, width: int, markers: int) -> U64Array:
    """`char_codes(prepare(folded))`: whitespace squeezed, cut, padded, runs shrunk, end markers added."""
    limit = min(len(folded) // width, READ_CHARS)
    kept = np.empty(KEPT_CHARS + 2 + markers, dtype=np.uint64)
    space = np.uint64(32)
    kept[0] = space
    size = 1
    joined = 0  # length of " ".join(words) so far, which is cut at KEPT_CHARS
    gap = False  # whitespace seen since the last word character
    for i in range(limit):
        code = _code_at(folded, width, i)
        if _is_space(code):
            gap = joined > 0
            continue
        if gap:
            gap = False
            if joined >= KEPT_CHARS:
                break
            joined += 1
            size = _keep(kept, size, space)
        if joined >= KEPT_CHARS:
            break
        joined += 1
        size = _keep(kept, size, np.uint64(code))
    size = _keep(kept, size, space)
    for k in range(markers):
        kept[size] = np.uint64(0xFDD0 + k)  # `classifier._END`: distinct non-characters, never shrunk
        size += 1
    return kept[:size]


@njit(cache=True, nogil=True)
def _rows(kept: U64Array, mixes: U64Array, low: int, shift: int) -> I64Array:
    """Table rows of every n-gram (n = low .. high), window by window, shorter n-grams first."""
    grams = mixes.size
    width = low + grams - 1
    windows = kept.size - width + 1
    rows = np.empty(max(windows * grams, 1), dtype=np.int64)
    bits = np.uint64(shift)
    base = np.uint64(HASH_BASE)
    column = 0
    for w in range(windows):
        prefix = np.uint64(0)
        for k in range(width):
            prefix = prefix * base + kept[w + k]
            if k + 1 >= low:
                rows[column] = np.int64((prefix * mixes[k + 1 - low]) >> bits)
                column += 1
    return rows[: max(windows * grams, 0)]


@njit(cache=True, nogil=True)
def _block_sums(weights: F32Array, rows: I64Array, start: int, count: int, out: F32Array) -> None:
    """numpy's sum of one block (at most 128 values) for every label at once, into `out`."""
    labels = weights.shape[1]
    if count < 8:
        for label in range(labels):
            out[label] = np.float32(0.0)
        for i in range(start, start + count):
            row = rows[i]
            for label in range(labels):
                out[label] += weights[row, label]
        return
    acc = np.empty((8, labels), dtype=np.float32)
    for a in range(8):
        row = rows[start + a]
        for label in range(labels):
            acc[a, label] = weights[row, label]
    stop = start + count - count % 8
    i = start + 8
    while i < stop:
        for a in range(8):
            row = rows[i + a]
            for label in range(labels):
                acc[a, label] += weights[row, label]
        i += 8
    for label in range(labels):
        out[label] = ((acc[0, label] + acc[1, label]) + (acc[2, label] + acc[3, label])) + (
            (acc[4, label] + acc[5, label]) + (acc[6, label] + acc[7, label])
        )
    for j in range(stop, start + count):
        row = rows[j]
        for label in range(labels):
            out[label] += weights[row, label]


@njit(cache=True, nogil=True)
def _row_sums(weights: F32Array, rows: I64Array, out: F32Array) -> None:
    """numpy's pairwise sum of the gathered rows, per label, into `out`.

    Written with an explicit stack, not recursion: numba cannot cache recursive functions reliably.
    """
    count = rows.size
    if count <= _BLOCK:
        _block_sums(weights, rows, 0, count, out)
        return
    labels = weights.shape[1]
    starts = np.empty(64, dtype=np.int64)
    counts = np.empty(64, dtype=np.int64)  # a negative count marks "add the last two results"
    sums = np.empty((64, labels), dtype=np.float32)
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
            for label in range(labels):
                sums[results - 1, label] = sums[results - 1, label] + sums[results, label]
        elif size <= _BLOCK:
            _block_sums(weights, rows, start, size, sums[results])
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
    for label in range(labels):
        out[label] = sums[0, label]


@njit(cache=True, nogil=True)
def _logits(
    kept: U64Array, mixes: U64Array, low: int, shift: int, weights: F32Array, bias: F32Array, out: F32Array
) -> None:
    rows = _rows(kept, mixes, low, shift)
    _row_sums(weights, rows, out)
    scale = np.float32(math.sqrt(max(1, rows.size)))
    for label in range(out.size):
        out[label] = out[label] / scale + bias[label]


@njit(cache=True, nogil=True)
def logits_kernel(
    codes: npt.NDArray[np.uint32],
    mixes: U64Array,
    low: int,
    shift: int,
    weights: F32Array,
    bias: F32Array,
) -> F32Array:
    """Logits of one prepared message, given its code points followed by the end markers."""
    out = np.empty(weights.shape[1], dtype=np.float32)
    _logits(_shrink_runs(codes), mixes, low, shift, weights, bias, out)
    return out


@njit(cache=True, nogil=True)
def _is_word(word_chars: npt.NDArray[np.uint8], code: int) -> bool:
    """`re`'s `\\w` for one code point, from a bit set over every code point."""
    return bool((word_chars[code >> 3] >> (code & 7)) & 1)


@njit(cache=True, nogil=True)
def _same_word(text: bytes, width: int, a: int, b: int, length: int) -> bool:
    for k in range(length):  # noqa: SIM110 - a loop, not all(generator): numba compiles loops best
        if _code_at(text, width, a + k) != _code_at(text, width, b + k):
            return False
    return True


@njit(cache=True, nogil=True)
def word_counts(lowered: bytes, width: int, word_chars: npt.NDArray[np.uint8]) -> tuple[int, int]:
    """(words, distinct words) of `re.findall(r"\\w+", lowered)`.

    Words are sorted by a 64-bit hash, then neighbours with the same hash are compared code by code.
    """
    size = len(lowered) // width
    hashes = np.empty(size // 2 + 1, dtype=np.uint64)
    starts = np.empty(size // 2 + 1, dtype=np.int64)
    lengths = np.empty(size // 2 + 1, dtype=np.int64)
    words = 0
    i = 0
    while i < size:
        code = _code_at(lowered, width, i)
        if not _is_word(word_chars, code):
            i += 1
            continue
        start = i
        value = np.uint64(1469598103934665603)  # FNV-1a over code points
        while True:
            value = (value ^ np.uint64(code)) * np.uint64(1099511628211)
            i += 1
            if i == size:
                break
            code = _code_at(lowered, width, i)
            if not _is_word(word_chars, code):
                break
        hashes[words] = value
        starts[words] = start
        lengths[words] = i - start
        words += 1
    if words == 0:
        return 0, 0
    order = np.argsort(hashes[:words], kind="mergesort")
    distinct = 1
    for k in range(1, words):
        a = order[k - 1]
        b = order[k]
        same = hashes[a] == hashes[b] and lengths[a] == lengths[b]
        if not (same and _same_word(lowered, width, starts[a], starts[b], lengths[a])):
            distinct += 1
    return words, distinct


@njit(cache=True, nogil=True)
def screen_kernel(
    lowered: bytes,
    lowered_width: int,
    folded: bytes,
    folded_width: int,
    word_chars: npt.NDArray[np.uint8],
    min_distinct_words: int,
    mixes: U64Array,
    low: int,
    shift: int,
    weights: F32Array,
    bias: F32Array,
    flag_logits: F32Array,
    out: F32Array,
) -> int:
    """One chat line: NOT_JUDGED, REPEATED_WORDS, or the bit mask of labels whose logit reaches its
    flag level (bit i for label i; the logits are left in `out`).

    `lowered` is `text.lower()` (for the word count), `folded` the view the model was trained on, each
    encoded by `classifier.encoded` with its width (bytes per code point).
    """
    words, distinct = word_counts(lowered, lowered_width, word_chars)
    if distinct < min_distinct_words:
        return NOT_JUDGED
    if words > 2 * distinct:
        return REPEATED_WORDS
    kept = _prepared_codes(folded, folded_width, low + mixes.size - 2)
    _logits(kept, mixes, low, shift, weights, bias, out)
    mask = 0
    for label in range(out.size):
        if out[label] >= flag_logits[label]:
            mask |= 1 << label
    return mask
