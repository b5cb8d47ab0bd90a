"""`papote legal export`: a case's bundle for the authorities, with digests, times and connection records."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from papote.client import Client, PapoteError
from papote.moderation.legal import manifest_problems
from papote.storage.tables import cases
from tests.support import ADULT, ServerProcess, enter_and_join, papote_cli, table_rows


async def test_a_case_is_exported_with_its_records_and_the_export_is_audited(
    fresh_server: ServerProcess, tmp_path: Path
) -> None:
    async with Client(fresh_server.url) as offender:
        await enter_and_join("18-25", offender, birth=ADULT)
        with pytest.raises(PapoteError):
            await offender.send("18-25", "échange pics de jeunes, mp")
    (case,) = [c for c in await table_rows(fresh_server, cases) if c["category"] == "csam_signal"]
    out = tmp_path / "requisition-fictive-001"
    done = papote_cli(
        fresh_server, "legal", "export", str(case["id"]), "--out", str(out), "--by", "OPJ fictif"
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert manifest_problems(out) == []
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["case_id"] == case["id"] and manifest["requested_by"] == "OPJ fictif"
    assert manifest["exported_at"]["paris"].endswith(("+01:00", "+02:00"))
    records = json.loads((out / "connection_records.json").read_text())
    assert records and records[0]["ip"] == "127.0.0.1" and records[0]["port"] > 0
    assert records[0]["at_ms"]["utc"].endswith("+00:00")
    person = json.loads((out / "person.json").read_text())
    assert person["id"] == case["subject_id"] and "password_hash" not in json.dumps(person)
    events = json.loads((out / "safety_events.json").read_text())
    assert events and "csam_signal" in events[0]["labels"]
    assert oct(out.stat().st_mode & 0o777) == "0o700"
    shown = papote_cli(fresh_server, "audit", "show", "--last", "5")
    assert "legal.export" in shown.stdout
    again = papote_cli(fresh_server, "legal", "export", str(case["id"]), "--out", str(out))
    assert again.returncode == 2  # an export never overwrites another
    (out / "person.json").write_text("{}")
    assert manifest_problems(out) == ["person.json"]
