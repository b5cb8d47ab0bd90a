"""The legal export of a case (DSA art. 18, French judicial requisitions).

`export_case` writes one folder: the case, its reports, frozen evidence (each piece checked against
its SHA-256), decisions and appeals, the automated safety events, the person's account and their
connection records (address, port, time: the only place outside the database where they appear),
and a manifest listing every file with its SHA-256. Times are given in UTC and in Paris time, with
their offsets. The export itself is written to the audit log, with who asked for it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from papote.moderation import audit
from papote.storage.tables import (
    accounts,
    appeals,
    cases,
    connection_records,
    decisions,
    evidence,
    people,
    reports,
    safety_events,
)

PARIS = ZoneInfo("Europe/Paris")
TIME_FIELDS = (
    "created_ms",
    "at_ms",
    "claimed_ms",
    "closed_ms",
    "decided_ms",
    "appeal_until_ms",
    "reversed_ms",
)
SECRET_FIELDS = ("password_hash",)


class CaseNotFound(LookupError):
    pass


@dataclass(frozen=True)
class ExportReport:
    folder: Path
    files: dict[str, str]  # file name -> SHA-256
    evidence_intact: bool


def timestamp(ms: int) -> dict[str, str | int]:
    """One instant three ways: milliseconds since the epoch, UTC and Paris time with its offset."""
    instant = dt.datetime.fromtimestamp(ms / 1000, tz=dt.UTC)
    return {"ms": ms, "utc": instant.isoformat(), "paris": instant.astimezone(PARIS).isoformat()}


def with_times(row: Mapping[str, Any]) -> dict[str, Any]:
    shown = {k: v for k, v in row.items() if k not in SECRET_FIELDS}
    for name in TIME_FIELDS:
        if isinstance(shown.get(name), int):
            shown[name] = timestamp(shown[name])
    for name, value in shown.items():
        if isinstance(value, dt.date):
            shown[name] = value.isoformat()
    return shown


async def _rows(connection: AsyncConnection, query: Any) -> list[dict[str, Any]]:
    return [with_times(dict(row._mapping)) for row in await connection.execute(query)]


async def gather(connection: AsyncConnection, case_id: int) -> dict[str, Any]:
    """Everything the export holds, read in one transaction."""
    found = await _rows(connection, select(cases).where(cases.c.id == case_id))
    if not found:
        raise CaseNotFound(case_id)
    case = found[0]
    bundle: dict[str, Any] = {"case": case}
    bundle["reports"] = await _rows(connection, select(reports).where(reports.c.case_id == case_id))
    bundle["evidence"] = await _evidence(connection, case_id)
    bundle["decisions"] = await _rows(connection, select(decisions).where(decisions.c.case_id == case_id))
    decision_ids = [d["id"] for d in bundle["decisions"]]
    bundle["appeals"] = await _rows(
        connection, select(appeals).where(appeals.c.decision_id.in_(decision_ids))
    )
    event_id = case.get("safety_event_id")
    bundle["safety_events"] = (
        await _rows(connection, select(safety_events).where(safety_events.c.id == event_id))
        if event_id
        else []
    )
    subject = case.get("subject_id")
    bundle["person"] = await _person(connection, subject) if subject else None
    bundle["connection_records"] = (
        await _rows(
            connection,
            select(connection_records)
            .where(connection_records.c.person_id == subject)
            .order_by(connection_records.c.at_ms),
        )
        if subject
        else []
    )
    return bundle


async def _evidence(connection: AsyncConnection, case_id: int) -> list[dict[str, Any]]:
    rows = await _rows(
        connection, select(evidence).where(evidence.c.case_id == case_id).order_by(evidence.c.id)
    )
    for row in rows:
        digest = hashlib.sha256(str(row["content"]).encode("utf-8")).hexdigest()
        row["sha256_verified"] = digest == row["sha256"]
        row["content"] = json.loads(row["content"])
    return rows


async def _person(connection: AsyncConnection, person_id: int) -> dict[str, Any] | None:
    found = await _rows(connection, select(people).where(people.c.id == person_id))
    if not found:
        return None
    person = found[0]
    account_id = person.get("account_id")
    if account_id:
        account = await _rows(connection, select(accounts).where(accounts.c.id == account_id))
        person["account"] = account[0] if account else None
    return person


def write_bundle(folder: Path, bundle: Mapping[str, Any], manifest: Mapping[str, Any]) -> dict[str, str]:
    """Write each part as its own JSON file (owner-only permissions), then the manifest of digests."""
    folder.mkdir(parents=True, exist_ok=False)
    folder.chmod(0o700)
    digests: dict[str, str] = {}
    for name, part in bundle.items():
        digests[f"{name}.json"] = _write(folder / f"{name}.json", part)
    _write(folder / "manifest.json", {**manifest, "files": digests})
    return digests


def _write(path: Path, content: Any) -> str:
    data = json.dumps(content, ensure_ascii=False, indent=2, sort_keys=True, default=str).encode("utf-8")
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(data)
    return hashlib.sha256(data).hexdigest()


async def export_case(
    connection: AsyncConnection, case_id: int, folder: Path, requested_by: str, legal_basis: str
) -> ExportReport:
    """Write the bundle and record the export in the audit log (same transaction as the reads)."""
    bundle = await gather(connection, case_id)
    now = int(dt.datetime.now(tz=dt.UTC).timestamp() * 1000)
    intact = all(row["sha256_verified"] for row in bundle["evidence"])
    manifest = {
        "format": "papote-legal-export/1",
        "case_id": case_id,
        "exported_at": timestamp(now),
        "requested_by": requested_by,
        "legal_basis": legal_basis,
        "evidence_intact": intact,
        "time_zone_note": "every time is given in UTC and in Europe/Paris time, with its offset",
    }
    digests = write_bundle(folder, bundle, manifest)
    await audit.record(
        connection,
        actor_kind="operator",
        actor_id=None,
        action="legal.export",
        subject_kind="case",
        subject_id=case_id,
        details={"requested_by": requested_by, "legal_basis": legal_basis, "files": sorted(digests)},
        at_ms=now,
    )
    return ExportReport(folder, digests, intact)


def manifest_problems(folder: Path) -> Sequence[str]:
    """Files whose SHA-256 no longer matches the manifest (a recipient's check of the bundle)."""
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    problems = []
    for name, digest in manifest["files"].items():
        if hashlib.sha256((folder / name).read_bytes()).hexdigest() != digest:
            problems.append(name)
    return problems
