"""Hash banks: lists of known images (illegal or abusive) that uploads are matched against.

A bank holds PDQ hashes (perceptual: survives resizing and recompression) and, optionally, exact SHA-256
digests of files. All banks share one `PdqIndex`; `BankMatcher.match` gives the best match per bank,
most severe category first. The matcher is filled in memory by the caller (the lead loads it from the
database); nothing here reads or writes storage.
"""

from __future__ import annotations

import csv
import string
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from papote.safety.images.index import PdqIndex

__all__ = ["BANK_CATEGORIES", "CAPTION_ALLOWANCE", "Bank", "BankMatch", "BankMatcher", "parse_hash_list"]

# Most severe first: the order of `BankMatcher.match` results.
BANK_CATEGORIES: tuple[str, ...] = ("csam", "ncii", "terror", "other")

# Extra bits allowed when the upload carries a caption band (see hashing.caption_band): a band over 8 %
# of a busy picture moves PDQ by up to ~55 bits, while unrelated pictures stay ~90+ bits apart.
CAPTION_ALLOWANCE = 32

_HEX = frozenset(string.hexdigits)


@dataclass(frozen=True)
class Bank:
    name: str
    category: str  # one of BANK_CATEGORIES
    distance: int = 31  # PDQ match radius in bits (31 is the industry's usual threshold)


@dataclass(frozen=True)
class BankMatch:
    bank: str
    category: str
    distance: int  # 0 for an exact SHA-256 match
    widened: bool = False  # only within the caption allowance, beyond the bank's own radius: less certain


def _is_hash(value: str) -> bool:
    return len(value) == 64 and all(char in _HEX for char in value)


def parse_hash_list(lines: Iterable[str]) -> list[tuple[str, str | None]]:
    """Read a PDQ hash list: (hash in lower-case hex, label or None) per entry.

    Accepted: one PDQ hash in 64 hex digits per line, optionally followed by a comma and a label (the
    format of the issue); and CSV exports whose first column is the hash, as written by
    hasher-matcher-actioner and ThreatExchange tools (the second column is kept as the label, further
    columns are ignored; quoted fields are understood). The first non-blank line may be a header (any
    line whose first field is not a hash). Blank lines and lines starting with '#' are skipped. Any other
    line raises ValueError naming its line number.
    """
    entries: list[tuple[str, str | None]] = []
    seen_content = False
    for number, line in enumerate(lines, start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        fields = next(csv.reader([stripped]))
        first = fields[0].strip().lower() if fields else ""
        if not _is_hash(first):
            if not seen_content:
                seen_content = True  # the header line
                continue
            raise ValueError(f"line {number}: expected a PDQ hash of 64 hex digits, optionally ',label'")
        seen_content = True
        label = fields[1].strip() if len(fields) > 1 and fields[1].strip() else None
        entries.append((first, label))
    return entries


class BankMatcher:
    """Banks in memory: one PDQ index over every bank's hashes, plus exact SHA-256 digests."""

    def __init__(self) -> None:
        self._banks: dict[str, Bank] = {}
        self._index = PdqIndex()
        self._owner: list[str] = []  # index id -> bank name
        self._sha256: dict[str, set[str]] = {}  # digest -> bank names

    @property
    def banks(self) -> tuple[Bank, ...]:
        return tuple(self._banks.values())

    def __len__(self) -> int:
        """Number of PDQ hashes held."""
        return len(self._index)

    def add_bank(self, bank: Bank) -> None:
        if bank.category not in BANK_CATEGORIES:
            raise ValueError(f"unknown bank category {bank.category!r}")
        if not 0 <= bank.distance <= 128:
            raise ValueError("a bank's distance is between 0 and 128 bits")
        self._banks[bank.name] = bank

    def add_hashes(self, bank: str, pdq_hashes: Sequence[str], sha256: str | None = None) -> None:
        """Add one banked item: its PDQ hash(es) (several for an image's variants) and its file digest."""
        if bank not in self._banks:
            raise KeyError(f"unknown bank {bank!r}")
        hashes = [value.strip().lower() for value in pdq_hashes]
        if not all(_is_hash(value) for value in hashes):
            raise ValueError("a PDQ hash is 64 hex digits")
        digest = sha256.strip().lower() if sha256 is not None else None
        if digest is not None and not _is_hash(digest):
            raise ValueError("a SHA-256 digest is 64 hex digits")
        first = len(self._owner)
        # Owners first: a match running in another thread may see the new ids as soon as they are added.
        self._owner.extend([bank] * len(hashes))
        self._index.add(hashes, range(first, first + len(hashes)))
        if digest is not None:
            self._sha256.setdefault(digest, set()).add(bank)

    def match(
        self, pdq_hex: str | None, sha256s: Sequence[str] = (), *, caption: bool = False
    ) -> list[BankMatch]:
        """The best match per bank, most severe category first (then nearest, then bank name).

        `pdq_hex` is None when the upload has no reliable hash (low quality): then only the exact digests
        are compared. With `caption=True` (the upload carries a caption band) each bank's radius grows by
        CAPTION_ALLOWANCE bits; a match found only thanks to that is marked `widened`.
        """
        best: dict[str, int] = {}
        for digest in sha256s:
            for name in self._sha256.get(digest.lower(), ()):
                best[name] = 0
        if pdq_hex is not None and self._banks:
            extra = CAPTION_ALLOWANCE if caption else 0
            radii = {name: bank.distance + extra for name, bank in self._banks.items()}
            for hash_id, bits in self._index.query(pdq_hex.lower(), max(radii.values())):
                name = self._owner[hash_id]
                if bits <= radii[name] and bits < best.get(name, bits + 1):
                    best[name] = bits
        matches = [
            BankMatch(name, self._banks[name].category, bits, widened=bits > self._banks[name].distance)
            for name, bits in best.items()
        ]
        matches.sort(key=lambda m: (BANK_CATEGORIES.index(m.category), m.distance, m.bank))
        return matches
