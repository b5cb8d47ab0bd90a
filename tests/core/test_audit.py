"""The audit log: an append-only hash chain whose tampering `verify` names (real SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from papote.moderation import audit
from papote.settings import normalise_database_url
from papote.storage.database import create_engine, migrate
from tests.support import ROOT, new_postgres_database


@dataclass
class Database:
    engine: AsyncEngine
    url: str  # as given to `papote --database`; empty: SQLite in the data dir
    data_dir: Path


@pytest.fixture
async def db(backend: str, tmp_path: Path) -> AsyncIterator[Database]:
    url = new_postgres_database() if backend == "postgres" else ""
    engine = create_engine(
        normalise_database_url(url) if url else f"sqlite+aiosqlite:///{tmp_path / 'papote.db'}"
    )
    await migrate(engine)
    yield Database(engine, url, tmp_path)
    await engine.dispose()


@pytest.fixture(scope="module")
async def sqlite_engine(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[AsyncEngine]:
    """One SQLite log for the checks made before anything reaches the database."""
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('audit') / 'papote.db'}")
    await migrate(engine)
    yield engine
    await engine.dispose()


# What moderators, administrators, the operator and the pipeline do, as they would record it.
ACTIONS: list[dict[str, Any]] = [
    {
        "actor_kind": "system",
        "actor_id": None,
        "action": "message.blocked",
        "subject_kind": "person",
        "subject_id": 41,
        "details": {"labels": ["contact_offplatform"], "safety_event": 3},
    },
    {
        "actor_kind": "system",
        "actor_id": None,
        "action": "case.opened",
        "subject_kind": "case",
        "subject_id": 17,
        "details": {"category": "grooming", "priority": 0},
    },
    {
        "actor_kind": "moderator",
        "actor_id": 7,
        "action": "sanction.suspend",
        "subject_kind": "person",
        "subject_id": "41",
        "details": {"case": 17, "days": 30, "motif": "demande répétée de photos à une mineure"},
    },
    {
        "actor_kind": "admin",
        "actor_id": 2,
        "action": "role.granted",
        "subject_kind": "person",
        "subject_id": 7,
        "details": {"role": "moderator"},
    },
    {
        "actor_kind": "operator",
        "actor_id": None,
        "action": "legal.export",
        "subject_kind": "case",
        "subject_id": 17,
        "details": {"requisition": "fictive-2024-001", "ip_hash": "9f2c" * 16},
    },
]


async def record_all(engine: AsyncEngine, actions: list[dict[str, Any]] = ACTIONS) -> list[int]:
    ids = []
    for number, action in enumerate(actions):
        async with engine.begin() as connection:
            ids.append(await audit.record(connection, **action, at_ms=1_700_000_000_000 + number))
    return ids


async def rows(engine: AsyncEngine) -> list[dict[str, Any]]:
    async with engine.begin() as connection:
        return [
            dict(r._mapping) for r in await connection.execute(text("SELECT * FROM audit_log ORDER BY id"))
        ]


async def execute(engine: AsyncEngine, sql: str, **params: Any) -> None:
    """Tampering as someone with write access to the database would do it: raw SQL."""
    async with engine.begin() as connection:
        await connection.execute(text(sql), params)


async def check(engine: AsyncEngine, anchor: audit.Anchor | None = None) -> audit.VerifyReport:
    async with engine.begin() as connection:
        return await audit.verify(connection, anchor)


# --- an intact chain --------------------------------------------------------------------------------


async def test_entries_chain_from_zeros_and_verify(db: Database) -> None:
    assert await record_all(db.engine) == [1, 2, 3, 4, 5]
    stored = await rows(db.engine)
    assert stored[0]["prev_hash"] == "0" * 64
    for before, after in itertools.pairwise(stored):
        assert after["prev_hash"] == before["row_hash"]
    assert all(len(row["row_hash"]) == 64 and row["row_hash"] == audit.entry_hash(row) for row in stored)
    # canonical JSON: sorted keys, no spaces, accents kept as UTF-8
    assert stored[2]["details"] == '{"case":17,"days":30,"motif":"demande répétée de photos à une mineure"}'
    assert stored[2]["subject_id"] == "41" and stored[0]["actor_id"] is None
    report = await check(db.engine)
    assert report.ok and report.rows_checked == 5 and report.last_id == 5
    assert report.last_hash == stored[-1]["row_hash"]
    assert report.explain() == "journal d'audit intègre : 5 entrées"


async def test_empty_log_is_intact(db: Database) -> None:
    report = await check(db.engine)
    assert report.ok and report.rows_checked == 0 and report.last_hash == "0" * 64


async def test_an_entry_rolls_back_with_the_action_it_describes(db: Database) -> None:
    with pytest.raises(RuntimeError):
        async with db.engine.begin() as connection:
            await audit.record(connection, **ACTIONS[1])
            raise RuntimeError("the action failed")
    assert await rows(db.engine) == []
    async with db.engine.begin() as connection:
        assert await audit.record(connection, **ACTIONS[1]) == 1
    assert (await check(db.engine)).ok


async def test_entries_about_a_subject(db: Database) -> None:
    await record_all(db.engine)
    async with db.engine.begin() as connection:
        about_case = await audit.about(connection, "case", 17)
        newest = await audit.last(connection, 2)
    assert [entry["action"] for entry in about_case] == ["case.opened", "legal.export"]
    assert [entry["id"] for entry in newest] == [4, 5]
    line = audit.format_entry((await rows(db.engine))[2])
    assert line.split("\t")[:5] == [
        "#3",
        "2023-11-14 22:13:20Z",
        "moderator:7",
        "sanction.suspend",
        "person:41",
    ]


# --- tampering ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("details", '{"case":17,"days":1,"motif":"demande répétée de photos à une mineure"}'),
        ("actor_id", 8),
        ("action", "sanction.warn"),
        ("subject_id", "42"),
        ("at_ms", 1_800_000_000_000),
        ("row_hash", "f" * 64),
    ],
)
async def test_an_altered_field_is_named(db: Database, column: str, value: object) -> None:
    await record_all(db.engine)
    await execute(db.engine, f"UPDATE audit_log SET {column} = :value WHERE id = 3", value=value)
    report = await check(db.engine)
    assert not report.ok
    assert (report.bad_row_id, report.problem) == (3, "hash_mismatch")
    assert report.rows_checked == 2
    assert report.explain().startswith("journal d'audit altéré : entrée 3 : ")


async def test_a_deleted_middle_row_is_detected(db: Database) -> None:
    await record_all(db.engine)
    await execute(db.engine, "DELETE FROM audit_log WHERE id = 3")
    report = await check(db.engine)
    assert (report.bad_row_id, report.problem) == (4, "id_gap")


async def test_a_deleted_first_row_is_detected(db: Database) -> None:
    await record_all(db.engine)
    await execute(db.engine, "DELETE FROM audit_log WHERE id = 1")
    assert ((await check(db.engine)).bad_row_id, (await check(db.engine)).problem) == (2, "id_gap")


async def test_a_deleted_row_hidden_by_renumbering_breaks_the_chain(db: Database) -> None:
    await record_all(db.engine)
    await execute(db.engine, "DELETE FROM audit_log WHERE id = 3")
    await execute(db.engine, "UPDATE audit_log SET id = id - 1 WHERE id > 3")
    report = await check(db.engine)
    assert (report.bad_row_id, report.problem) == (3, "broken_chain")


async def test_an_altered_prev_hash_is_detected(db: Database) -> None:
    await record_all(db.engine)
    first = (await rows(db.engine))[0]
    await execute(db.engine, "UPDATE audit_log SET prev_hash = :h WHERE id = 3", h=first["row_hash"])
    report = await check(db.engine)
    assert (report.bad_row_id, report.problem) == (3, "broken_chain")


async def test_reordered_rows_are_detected(db: Database) -> None:
    await record_all(db.engine)
    await execute(db.engine, "UPDATE audit_log SET id = 100 WHERE id = 2")
    await execute(db.engine, "UPDATE audit_log SET id = 2 WHERE id = 3")
    await execute(db.engine, "UPDATE audit_log SET id = 3 WHERE id = 100")
    report = await check(db.engine)
    assert (report.bad_row_id, report.problem) == (2, "broken_chain")


# --- what only the anchor catches ---------------------------------------------------------------------


async def rewrite_chain_from(engine: AsyncEngine, first_id: int, details: str) -> None:
    """An attacker who alters one entry and recomputes every hash after it."""
    stored = await rows(engine)
    previous = stored[first_id - 2]["row_hash"] if first_id > 1 else "0" * 64
    for row in stored[first_id - 1 :]:
        if row["id"] == first_id:
            row["details"] = details
        row["prev_hash"] = previous
        row["row_hash"] = previous = audit.entry_hash(row)
        await execute(
            engine,
            "UPDATE audit_log SET details = :d, prev_hash = :p, row_hash = :h WHERE id = :id",
            d=row["details"],
            p=row["prev_hash"],
            h=row["row_hash"],
            id=row["id"],
        )


async def test_a_recomputed_chain_passes_alone_but_not_against_the_anchor(db: Database) -> None:
    await record_all(db.engine)
    anchor = (await check(db.engine)).anchor
    assert anchor == audit.Anchor(count=5, last_id=5, row_hash=(await rows(db.engine))[-1]["row_hash"])
    await rewrite_chain_from(db.engine, 3, '{"case":17,"days":1}')
    assert (await check(db.engine)).ok  # the limit of a bare hash chain, stated in the docs
    report = await check(db.engine, anchor)
    assert (report.bad_row_id, report.problem) == (5, "anchor_mismatch")


async def test_a_deleted_tail_is_caught_by_the_anchor(db: Database) -> None:
    await record_all(db.engine)
    anchor = (await check(db.engine)).anchor
    await execute(db.engine, "DELETE FROM audit_log WHERE id >= 4")
    assert (await check(db.engine)).ok
    report = await check(db.engine, anchor)
    assert (report.bad_row_id, report.problem, report.rows_checked) == (4, "tail_deleted", 3)


async def test_entries_after_the_anchor_are_accepted(db: Database) -> None:
    await record_all(db.engine, ACTIONS[:2])
    anchor = (await check(db.engine)).anchor
    await record_all(db.engine, ACTIONS[2:])
    report = await audit.verify_database(db.engine, anchor)
    assert report.ok and report.rows_checked == 5


async def test_verify_reads_page_by_page(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    await record_all(db.engine)
    await execute(db.engine, "UPDATE audit_log SET action = 'case.closed' WHERE id = 4")
    monkeypatch.setattr(audit, "PAGE_ROWS", 2)
    report = await audit.verify_database(db.engine)
    assert (report.bad_row_id, report.problem, report.rows_checked) == (4, "hash_mismatch", 3)


def test_the_anchor_file_round_trips_and_refuses_garbage(tmp_path: Path) -> None:
    path = tmp_path / "audit.anchor"
    assert audit.read_anchor(path) is None
    anchor = audit.Anchor(count=12, last_id=12, row_hash="ab" * 32)
    audit.write_anchor(path, anchor)
    assert audit.read_anchor(path) == anchor
    assert json.loads(path.read_text()) == {"count": 12, "last_id": 12, "row_hash": "ab" * 32}
    path.write_text('{"count": 12}')
    with pytest.raises(audit.AnchorError):
        audit.read_anchor(path)
    path.write_text('{"count": 1, "last_id": 1, "row_hash": "abc"}')
    with pytest.raises(audit.AnchorError):
        audit.read_anchor(path)


# --- concurrent appends -----------------------------------------------------------------------------


async def test_concurrent_appends_keep_a_single_chain(db: Database) -> None:
    async def moderator(number: int) -> None:
        for step in range(8):
            async with db.engine.begin() as connection:
                await audit.record(
                    connection,
                    actor_kind="moderator",
                    actor_id=number,
                    action="case.claimed",
                    subject_kind="case",
                    subject_id=number * 100 + step,
                    details={"step": step},
                )
                # keep the transaction open a moment: the others must wait, not chain from the same entry
                await asyncio.sleep(0.002)

    await asyncio.gather(*(moderator(number) for number in range(6)))
    stored = await rows(db.engine)
    assert [row["id"] for row in stored] == list(range(1, 49))
    assert len({row["prev_hash"] for row in stored}) == 48
    report = await check(db.engine)
    assert report.ok and report.rows_checked == 48


# --- what `record` refuses --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "change",
    [
        {"actor_kind": "robot"},
        {"action": "Sanction Suspend"},
        {"action": ""},
        {"subject_kind": "Case 17"},
        {"subject_id": "x" * 65},
        {"details": {"ip": "192.0.2.17"}},
        {"details": {"note": "connexion depuis 2001:db8::7 hier"}},
        {"details": {"sessions": [{"from": "203.0.113.9"}]}},
        {"details": {"new_password": "fictif"}},
        {"details": {"secret_key": "fictif"}},
        {"details": {"score": float("nan")}},
        {"details": {"evidence": "x" * 20_000}},
    ],
)
async def test_record_refuses_bad_entries(sqlite_engine: AsyncEngine, change: dict[str, Any]) -> None:
    before = len(await rows(sqlite_engine))
    with pytest.raises(ValueError):
        async with sqlite_engine.begin() as connection:
            await audit.record(connection, **{**ACTIONS[2], **change})
    assert len(await rows(sqlite_engine)) == before


@pytest.mark.parametrize(
    "details",
    [
        {"note": "orientée vers le 3018 et le 119, urgence : 15, 17, 18, 112, 114, 3114"},
        {"note": "rendez-vous proposé à 12:30 devant le collège"},
        {"score": 0.93, "model": "classifier 2.1.0"},
        {"phone": "06 12 34 56 78", "handle": "lea_fictive92"},
    ],
)
async def test_record_accepts_ordinary_details(sqlite_engine: AsyncEngine, details: dict[str, Any]) -> None:
    async with sqlite_engine.begin() as connection:
        entry_id = await audit.record(connection, **{**ACTIONS[2], "details": details})
    stored = (await rows(sqlite_engine))[-1]
    assert stored["id"] == entry_id and json.loads(stored["details"]) == details
    assert (await check(sqlite_engine)).ok


# --- the command line -------------------------------------------------------------------------------


def papote(database: Database, *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "papote.cli.main", *args, "--data-dir", str(database.data_dir)]
    if database.url:
        command += ["--database", database.url]
    env = {key: value for key, value in os.environ.items() if not key.startswith("PAPOTE_")}
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120, env=env)


async def test_the_command_line_verifies_anchors_and_shows(db: Database) -> None:
    await record_all(db.engine)
    intact = papote(db, "audit", "verify")
    assert (intact.returncode, intact.stdout) == (0, "journal d'audit intègre : 5 entrées\n"), intact.stderr
    anchor = audit.read_anchor(db.data_dir / "audit.anchor")
    assert anchor is not None and anchor.count == 5

    shown = papote(db, "audit", "show", "--last", "2")
    assert shown.returncode == 0
    lines = shown.stdout.splitlines()
    assert [line.split("\t")[0] for line in lines] == ["#4", "#5"]
    assert "role.granted" in lines[0] and "operator" in lines[1]

    await execute(db.engine, "DELETE FROM audit_log WHERE id = 5")
    truncated = papote(db, "audit", "verify")
    assert truncated.returncode == 1
    assert truncated.stdout.startswith("journal d'audit altéré : entrée 5 : manque")
    assert audit.read_anchor(db.data_dir / "audit.anchor") == anchor  # a failed check never moves it

    await execute(db.engine, "UPDATE audit_log SET details = '{}' WHERE id = 2")
    tampered = papote(db, "audit", "verify", "--anchor", str(db.data_dir / "elsewhere.anchor"))
    assert tampered.returncode == 1
    assert tampered.stdout.startswith("journal d'audit altéré : entrée 2 : empreinte incorrecte")
    assert not (db.data_dir / "elsewhere.anchor").exists()
