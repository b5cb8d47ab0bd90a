"""The audit log: every moderator, administrator, operator and automated action, append-only and hash-chained.

Each entry carries the hash of the entry before it (the first one chains from 64 zeros) and its own
hash: SHA-256 of `prev_hash` followed by the canonical serialisation of every other field, id included.
Changing, deleting or reordering an entry therefore breaks the chain at that entry, and `verify` names it.

What the chain alone cannot show: entries deleted from the end, or a whole chain recomputed by someone
who can write to the database. The **anchor** (the last entry's id and hash, kept in a file outside the
database) covers both up to the anchored entry: keep a copy where the database's writers cannot reach.
Entries appended after the anchor are only as trustworthy as the database itself.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import ipaddress
import json
import os
import re
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from papote.storage import audit as storage

ACTOR_KINDS = ("moderator", "admin", "system", "operator")
GENESIS_HASH = "0" * 64
MAX_DETAILS_CHARS = 16_000  # the log references evidence by id; it is not the place to copy it
PAGE_ROWS = 2000  # rows read per query (and, from an engine, per transaction) while verifying

_ACTION = re.compile(r"[a-z][a-z_]*(\.[a-z][a-z_]*)*")
_SUBJECT_KIND = re.compile(r"[a-z][a-z_]*")
_IPV4 = re.compile(r"(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?![\d.])")
_SECRET_KEYS = ("password", "secret", "mot_de_passe")

# Why an entry fails the check, as printed by `papote audit verify`.
PROBLEMS = {
    "hash_mismatch": "empreinte incorrecte : son contenu a été modifié",
    "broken_chain": "ne suit pas l'entrée précédente : une entrée a été modifiée, supprimée ou déplacée",
    "id_gap": "des entrées manquent juste avant elle : elles ont été supprimées",
    "anchor_mismatch": "ne correspond pas à l'ancre : le journal a été réécrit depuis",
    "tail_deleted": "manque : l'ancre comptait plus d'entrées, les dernières ont été supprimées",
}


@dataclass(frozen=True)
class Anchor:
    """The last entry seen by a successful check: detects a deleted tail or a recomputed chain."""

    count: int
    last_id: int
    row_hash: str


@dataclass(frozen=True)
class VerifyReport:
    rows_checked: int
    last_id: int  # 0 when the log is empty
    last_hash: str
    bad_row_id: int | None = None  # the first entry that fails
    problem: str = ""  # a key of PROBLEMS; empty when the log is intact

    @property
    def ok(self) -> bool:
        return not self.problem

    @property
    def anchor(self) -> Anchor:
        return Anchor(count=self.rows_checked, last_id=self.last_id, row_hash=self.last_hash)

    def explain(self) -> str:
        """One French sentence for the operator."""
        if self.ok:
            return f"journal d'audit intègre : {self.rows_checked} entrées"
        return f"journal d'audit altéré : entrée {self.bad_row_id} : {PROBLEMS[self.problem]}"


class AnchorError(ValueError):
    """The anchor file exists but cannot be read: treat the log as unverified."""


# --- writing ------------------------------------------------------------------------------------------


async def record(
    connection: AsyncConnection,
    *,
    actor_kind: str,
    actor_id: int | None,
    action: str,
    subject_kind: str,
    subject_id: str | int,
    details: Mapping[str, Any],
    at_ms: int | None = None,
) -> int:
    """Append one entry inside the caller's transaction and return its id.

    The entry commits or rolls back with the action it describes. `details` must never hold a full IP
    address or a secret: pass the keyed hash (`Services.keyed_hash`) instead; a value that looks like an IP
    address, or a key naming a password or a secret, is refused with ValueError. Reference evidence,
    messages and photos by id rather than copying them here.
    """
    fields = _checked_fields(actor_kind, actor_id, action, subject_kind, str(subject_id), details)
    fields["at_ms"] = int(time.time() * 1000) if at_ms is None else at_ms
    # Appends are serialised: the lock is held until the caller's transaction ends, so no two
    # transactions ever chain from the same entry (the primary key refuses it as a last line of defence).
    await storage.lock_for_append(connection)
    last = await storage.last_entry(connection)
    fields["id"] = last["id"] + 1 if last else 1
    fields["prev_hash"] = last["row_hash"] if last else GENESIS_HASH
    fields["row_hash"] = entry_hash(fields)
    await storage.insert_entry(connection, fields)
    return int(fields["id"])


def _checked_fields(
    actor_kind: str,
    actor_id: int | None,
    action: str,
    subject_kind: str,
    subject_id: str,
    details: Mapping[str, Any],
) -> dict[str, Any]:
    if actor_kind not in ACTOR_KINDS:
        raise ValueError(f"unknown actor kind {actor_kind!r}")
    if len(action) > 40 or not _ACTION.fullmatch(action):
        raise ValueError(f"action must look like 'case.opened', got {action!r}")
    if len(subject_kind) > 20 or not _SUBJECT_KIND.fullmatch(subject_kind):
        raise ValueError(f"subject kind must be a short lower-case word, got {subject_kind!r}")
    if len(subject_id) > 64:
        raise ValueError("subject id is longer than 64 characters")
    text = canonical_json(details)
    if len(text) > MAX_DETAILS_CHARS:
        raise ValueError(f"details are longer than {MAX_DETAILS_CHARS} characters")
    _refuse_secrets(details)
    return {
        "actor_kind": actor_kind,
        "actor_id": actor_id,
        "action": action,
        "subject_kind": subject_kind,
        "subject_id": subject_id,
        "details": text,
    }


def canonical_json(value: Any) -> str:
    """Sorted keys, no spaces, UTF-8 kept as is: the same value always gives the same text."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def _refuse_secrets(value: Any, key: str = "") -> None:
    if any(word in key.lower() for word in _SECRET_KEYS):
        raise ValueError(f"details must not hold a secret (key {key!r})")
    if isinstance(value, Mapping):
        for inner_key, inner in value.items():
            _refuse_secrets(inner, str(inner_key))
    elif isinstance(value, list | tuple):
        for inner in value:
            _refuse_secrets(inner, key)
    elif isinstance(value, str) and _holds_ip_address(value):
        raise ValueError(f"details must not hold an IP address (key {key!r}): store its keyed hash")


def _holds_ip_address(text: str) -> bool:
    for candidate in _IPV4.findall(text):
        if _is_ip(candidate):
            return True
    # IPv6: any whitespace-separated word that parses as one ("::1", "2001:db8::7")
    return any(":" in word and _is_ip(word.strip("[](),;")) for word in text.split())


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def entry_hash(entry: Mapping[str, Any]) -> str:
    """SHA-256 (hex) of the previous hash followed by every other field, serialised canonically."""
    body = [
        entry["id"],
        entry["at_ms"],
        entry["actor_kind"],
        entry["actor_id"],
        entry["action"],
        entry["subject_kind"],
        entry["subject_id"],
        entry["details"],
    ]
    return hashlib.sha256((entry["prev_hash"] + canonical_json(body)).encode("utf-8")).hexdigest()


# --- checking -----------------------------------------------------------------------------------------


class ChainCheck:
    """Walks the entries in id order and stops at the first one that breaks the chain."""

    def __init__(self, anchor: Anchor | None = None) -> None:
        self.anchor = anchor
        self.rows = 0
        self.last_id = 0
        self.last_hash = GENESIS_HASH
        self.bad_row_id: int | None = None
        self.problem = ""

    def feed(self, entries: Sequence[Mapping[str, Any]]) -> bool:
        """Check the next entries; False once a problem is found."""
        for entry in entries:
            problem = self._problem_with(entry)
            if problem:
                self.bad_row_id, self.problem = int(entry["id"]), problem
                return False
            self.rows, self.last_id, self.last_hash = self.rows + 1, int(entry["id"]), str(entry["row_hash"])
        return True

    def _problem_with(self, entry: Mapping[str, Any]) -> str:
        # Ids are given one after the other from 1, so a jump means entries were deleted.
        if entry["id"] != self.last_id + 1:
            return "id_gap"
        if entry["prev_hash"] != self.last_hash:
            return "broken_chain"
        if entry["row_hash"] != entry_hash(entry):
            return "hash_mismatch"
        if self.anchor and entry["id"] == self.anchor.last_id and entry["row_hash"] != self.anchor.row_hash:
            return "anchor_mismatch"
        return ""

    def report(self) -> VerifyReport:
        if not self.problem and self.anchor and self.anchor.last_id > self.last_id:
            self.bad_row_id, self.problem = self.last_id + 1, "tail_deleted"
        return VerifyReport(self.rows, self.last_id, self.last_hash, self.bad_row_id, self.problem)


async def verify(connection: AsyncConnection, anchor: Anchor | None = None) -> VerifyReport:
    """Check the whole log on one connection (inside its transaction)."""
    check = ChainCheck(anchor)
    while True:
        page = await storage.entries_after(connection, check.last_id, PAGE_ROWS)
        if not page or not check.feed(page):
            return check.report()


async def verify_database(engine: AsyncEngine, anchor: Anchor | None = None) -> VerifyReport:
    """Check the whole log, one short transaction per page.

    On SQLite every transaction holds the write lock (`BEGIN IMMEDIATE`): one long transaction would
    stall the server's writes for the whole check. Entries appended meanwhile are simply checked too."""
    check = ChainCheck(anchor)
    while True:
        async with engine.begin() as connection:
            page = await storage.entries_after(connection, check.last_id, PAGE_ROWS)
        if not page or not check.feed(page):
            return check.report()


# --- the anchor file ----------------------------------------------------------------------------------


def read_anchor(path: Path) -> Anchor | None:
    """The anchor kept at `path`, or None when there is none yet."""
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    try:
        data = json.loads(raw)
        anchor = Anchor(
            count=int(data["count"]), last_id=int(data["last_id"]), row_hash=str(data["row_hash"])
        )
    except (ValueError, KeyError, TypeError) as error:
        raise AnchorError(f"unreadable anchor file {path}") from error
    if anchor.count < 0 or anchor.last_id < 0 or len(anchor.row_hash) != 64:
        raise AnchorError(f"unreadable anchor file {path}")
    return anchor


def write_anchor(path: Path, anchor: Anchor) -> None:
    """Replace the anchor file in one step (a crash leaves the old anchor or the new one, never half)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {"count": anchor.count, "last_id": anchor.last_id, "row_hash": anchor.row_hash}
    partial = path.with_name(path.name + ".tmp")
    partial.write_text(canonical_json(data) + "\n", encoding="utf-8")
    os.replace(partial, path)


# --- reading ------------------------------------------------------------------------------------------


async def last(connection: AsyncConnection, count: int) -> list[dict[str, Any]]:
    """The newest `count` entries, oldest first."""
    return await storage.last_entries(connection, count)


async def about(
    connection: AsyncConnection, subject_kind: str, subject_id: str | int
) -> list[dict[str, Any]]:
    """Every entry about one subject (a case, a person...), oldest first."""
    return await storage.entries_about(connection, subject_kind, str(subject_id))


def format_entry(entry: Mapping[str, Any]) -> str:
    """One line: id, UTC time, actor, action, subject, details."""
    at = dt.datetime.fromtimestamp(entry["at_ms"] / 1000, dt.UTC).strftime("%Y-%m-%d %H:%M:%SZ")
    actor = entry["actor_kind"] if entry["actor_id"] is None else f"{entry['actor_kind']}:{entry['actor_id']}"
    subject = f"{entry['subject_kind']}:{entry['subject_id']}"
    return f"#{entry['id']}\t{at}\t{actor}\t{entry['action']}\t{subject}\t{entry['details']}"
