"""Exact radius search over 256-bit PDQ hashes: multi-index hashing in numpy.

Each hash is cut into 16 chunks of 16 bits. If two hashes are at most `r` bits apart, then by the
pigeonhole principle at least one of their chunks differs by at most `r // 16` bits. So for each chunk
we look up every 16-bit value within `r // 16` bits of the query's chunk in a bucket table (CSR arrays:
the positions of all hashes sorted by that chunk, and where each of the 65,536 values starts), gather
the candidates, and verify them with a popcount of the XOR over all 256 bits. The answer is exact.

With r <= 31 that is 17 buckets per chunk, about 4,000 candidates for a million random hashes. For
radii of 64 and more the buckets would cover a large part of the index, so a plain vectorised scan is
used instead. Hashes added after the last build wait in a small tail that is scanned directly; the
tables are rebuilt once the tail grows past a sixteenth of the index, so `add` stays cheap on average.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

__all__ = ["PdqIndex", "Words", "hashes_to_words"]

_CHUNKS = 16
_CHUNK_BITS = 16
_BUCKETS = 1 << _CHUNK_BITS
_MIN_TAIL = 4096  # a tail smaller than this is always scanned rather than indexed
_SCAN_SHARE = 0.25  # use a scan when the buckets would cover more than this share of the hashes

_CHUNK_KEYS = (np.arange(_CHUNKS, dtype=np.int64) * _BUCKETS)[:, None]

Words = NDArray[np.uint64]


def hashes_to_words(hashes: Sequence[str]) -> Words:
    """Hex hashes as an (n, 4) array of 64-bit words (ValueError on a hash that is not 64 hex digits)."""
    if any(len(value) != 64 for value in hashes):
        raise ValueError("a PDQ hash is 64 hex digits")
    raw = bytes.fromhex("".join(hashes))
    return np.frombuffer(raw, dtype=">u8").astype(np.uint64).reshape(len(hashes), 4)


def _chunks(words: Words) -> NDArray[np.uint16]:
    """The 16 chunks of 16 bits of each hash, most significant first: (n, 16)."""
    shifts = np.arange(48, -1, -16, dtype=np.uint64)  # 48, 32, 16, 0
    parts = (words[:, :, None] >> shifts) & np.uint64(0xFFFF)
    return parts.reshape(len(words), _CHUNKS).astype(np.uint16)


def _flip_masks(flips: int) -> NDArray[np.uint16]:
    """Every 16-bit mask with at most `flips` bits set."""
    masks = [0]
    for count in range(1, flips + 1):
        for bits in itertools.combinations(range(_CHUNK_BITS), count):
            masks.append(sum(1 << bit for bit in bits))
    return np.array(masks, dtype=np.uint16)


def _distances(words: Words, query: Words) -> NDArray[np.int16]:
    # Four column adds: numpy's sum over an axis of length 4 is several times slower.
    counts = np.bitwise_count(words ^ query).astype(np.int16)
    return counts[:, 0] + counts[:, 1] + counts[:, 2] + counts[:, 3]  # type: ignore[no-any-return]


@dataclass(frozen=True)
class _Tables:
    """The bucket tables over hashes [0, built): swapped in one assignment, so a query running in another
    thread while `add` rebuilds sees either the old tables or the new ones, never a mix."""

    order: NDArray[np.int32]  # flat: chunk j's positions sorted by chunk value at [j*built, (j+1)*built)
    starts: NDArray[np.int64]  # bucket key j*65536+v -> first slot in `order`; one extra at the end
    built: int


@dataclass(frozen=True)
class _Data:
    words: Words  # (n, 4)
    ids: NDArray[np.int64]


class PdqIndex:
    """Exact Hamming-radius search over PDQ hashes, with integer ids chosen by the caller.

    `add` and `query` may run in different threads (one writer at a time): a query reads the tables,
    then the data, and each is replaced whole.
    """

    def __init__(self) -> None:
        self._data = _Data(np.zeros((0, 4), dtype=np.uint64), np.zeros(0, dtype=np.int64))
        self._tables = _Tables(np.zeros(0, dtype=np.int32), np.zeros(_CHUNKS * _BUCKETS + 1, np.int64), 0)
        self._masks = {flips: _flip_masks(flips) for flips in range(4)}

    def __len__(self) -> int:
        return len(self._data.ids)

    @property
    def nbytes(self) -> int:
        """Memory held by the arrays of the index."""
        data, tables = self._data, self._tables
        return data.words.nbytes + data.ids.nbytes + tables.order.nbytes + tables.starts.nbytes

    def add(self, hashes: Sequence[str], ids: Sequence[int]) -> None:
        if len(hashes) != len(ids):
            raise ValueError("hashes and ids must have the same length")
        if not hashes:
            return
        words = np.concatenate([self._data.words, hashes_to_words(hashes)])
        self._data = _Data(words, np.concatenate([self._data.ids, np.asarray(ids, dtype=np.int64)]))
        built = self._tables.built
        if len(words) - built > max(_MIN_TAIL, built // 16):
            self._tables = _build(words)

    def query(self, hex: str, max_distance: int) -> list[tuple[int, int]]:
        """(id, distance) of every hash within `max_distance` bits, nearest first (then by id)."""
        tables, data = self._tables, self._data  # this order: tables never cover more than data
        query = hashes_to_words([hex])
        if max_distance < 0:
            return []
        masks = self._masks.get(max_distance // _CHUNKS)
        if masks is None or _CHUNKS * len(masks) / _BUCKETS > _SCAN_SHARE:
            positions = np.arange(len(data.ids))
        else:
            tail = np.arange(tables.built, len(data.ids))
            positions = np.concatenate([_candidates(tables, hex, masks), tail])
        return _verified(data, query, positions, max_distance)


def _build(words: Words) -> _Tables:
    count = len(words)
    chunks = _chunks(words)  # (n, 16)
    # C order matters: queries read the table through ravel(), which must not copy it.
    order = np.ascontiguousarray(np.argsort(chunks.T, axis=1, kind="stable"), dtype=np.int32).ravel()
    # Bucket (chunk j, value v) is key j*65536+v; its slots are [starts[key], starts[key+1]) of the flat
    # table (the key after chunk j's last value is chunk j+1's first, which starts at (j+1)*n).
    starts = np.zeros(_CHUNKS * _BUCKETS + 1, dtype=np.int64)
    for chunk in range(_CHUNKS):
        counts = np.bincount(chunks[:, chunk], minlength=_BUCKETS)
        first = chunk * _BUCKETS
        starts[first + 1 : first + _BUCKETS + 1] = chunk * count + np.cumsum(counts)
    return _Tables(order, starts, count)


def _candidates(tables: _Tables, hex: str, masks: NDArray[np.uint16]) -> NDArray[np.int64]:
    """Positions of built hashes sharing a chunk within the flip masks (with repeats)."""
    chunks = np.frombuffer(bytes.fromhex(hex), dtype=">u2").astype(np.int64)
    keys = ((chunks[:, None] ^ masks[None, :]) + _CHUNK_KEYS).ravel()  # (16 * P) bucket keys
    begins = tables.starts[keys]
    lengths = tables.starts[keys + 1] - begins
    total = int(lengths.sum())
    # Every slot of every bucket: a running count shifted to each bucket's start.
    slots = np.arange(total) + np.repeat(begins - (np.cumsum(lengths) - lengths), lengths)
    positions: NDArray[np.int64] = np.take(tables.order, slots).astype(np.int64)
    return positions


def _verified(
    data: _Data, query: Words, positions: NDArray[np.int64], max_distance: int
) -> list[tuple[int, int]]:
    # np.take is several times faster than fancy indexing for gathering rows.
    distances = _distances(np.take(data.words, positions, axis=0), query)
    keep = np.flatnonzero(distances <= max_distance)
    if keep.size == 0:
        return []
    # A hash may come through several chunks: keep each position once (sort, then drop repeats;
    # np.unique is much slower on small arrays).
    found = positions[keep]
    first = np.argsort(found, kind="stable")
    found, found_distances = found[first], distances[keep][first]
    single = np.concatenate([[True], found[1:] != found[:-1]])
    found, found_distances = found[single], found_distances[single]
    found_ids = data.ids[found]
    order = np.lexsort((found_ids, found_distances))
    return [(int(found_ids[i]), int(found_distances[i])) for i in order]
