"""The PDQ index is exact: the same answers as a brute-force scan, nearest first."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from papote.safety.images.index import PdqIndex, Words, hashes_to_words


def random_hashes(rng: np.random.Generator, count: int) -> list[str]:
    return [row.tobytes().hex() for row in rng.integers(0, 256, size=(count, 32), dtype=np.uint8)]


def flipped(rng: np.random.Generator, value: str, bits: int) -> str:
    raw = bytearray(bytes.fromhex(value))
    for position in rng.choice(256, size=bits, replace=False):
        raw[position // 8] ^= 1 << (position % 8)
    return raw.hex()


def brute_force(words: Words, ids: list[int], query: str, radius: int) -> list[tuple[int, int]]:
    distances = np.bitwise_count(words ^ hashes_to_words([query])).sum(axis=1)
    found = [(ids[i], int(d)) for i, d in enumerate(distances) if d <= radius]
    return sorted(found, key=lambda pair: (pair[1], pair[0]))


@pytest.fixture(scope="module")
def planted() -> tuple[PdqIndex, list[str], list[int], list[str]]:
    """20,000 random hashes plus near neighbours at 0..40 bits of 41 queries; built part and tail."""
    rng = np.random.default_rng(7)
    queries = random_hashes(rng, 41)
    hashes = random_hashes(rng, 20_000)
    for bits, query in enumerate(queries):
        hashes += [flipped(rng, query, bits), flipped(rng, query, min(bits + 3, 64))]
    ids = [1000 + 3 * i for i in range(len(hashes))]
    index = PdqIndex()
    index.add(hashes[:12_000], ids[:12_000])  # built into bucket tables
    index.add(hashes[12_000:12_040], ids[12_000:12_040])  # stays in the scanned tail
    index.add(hashes[12_040:], ids[12_040:])  # large enough to rebuild
    index.add([queries[5]], [7])  # one more in the tail
    return index, [*hashes, queries[5]], [*ids, 7], queries


@pytest.mark.parametrize("radius", [0, 5, 15, 16, 31, 32, 40, 47, 63, 70])
def test_same_answers_as_brute_force(
    planted: tuple[PdqIndex, list[str], list[int], list[str]], radius: int
) -> None:
    index, hashes, ids, queries = planted
    words = hashes_to_words(hashes)
    for query in queries:
        assert index.query(query, radius) == brute_force(words, ids, query, radius)


def test_planted_neighbours_found_at_their_distance(
    planted: tuple[PdqIndex, list[str], list[int], list[str]],
) -> None:
    index, _, _, queries = planted
    for bits, query in enumerate(queries[:32]):
        found = index.query(query, 31)
        assert found, bits
        assert found[0][1] == 0 if bits == 5 else found[0][1] == bits


def test_len_and_nearest_first() -> None:
    rng = np.random.default_rng(3)
    base = random_hashes(rng, 1)[0]
    index = PdqIndex()
    assert len(index) == 0
    assert index.query(base, 31) == []
    index.add([flipped(rng, base, 9), flipped(rng, base, 2), base, base], [4, 3, 2, 1])
    assert len(index) == 4
    assert index.query(base, 31) == [(1, 0), (2, 0), (3, 2), (4, 9)]
    assert index.query(base, 5) == [(1, 0), (2, 0), (3, 2)]
    assert index.query(base, -1) == []


def test_bad_input_is_refused() -> None:
    index = PdqIndex()
    with pytest.raises(ValueError):
        index.add(["ab" * 32], [1, 2])
    with pytest.raises(ValueError):
        index.add(["abc"], [1])
    with pytest.raises(ValueError):
        index.add(["zz" * 32], [1])


def test_queries_stay_right_while_another_thread_adds() -> None:
    rng = np.random.default_rng(11)
    base = random_hashes(rng, 1)[0]
    index = PdqIndex()
    index.add([flipped(rng, base, 12)], [0])
    batches = [random_hashes(rng, 3000) for _ in range(12)]  # several rebuilds and tails
    failures: list[object] = []

    def writer() -> None:
        for number, batch in enumerate(batches):
            index.add(batch, range(1 + number * 3000, 1 + (number + 1) * 3000))

    thread = threading.Thread(target=writer)
    thread.start()
    while thread.is_alive():
        found = index.query(base, 31)
        if found[:1] != [(0, 12)]:
            failures.append(found)
    thread.join()
    assert failures == []
    assert len(index) == 1 + 12 * 3000
    assert index.query(base, 31)[0] == (0, 12)
