"""`papote report transparency`: figures from real moderation data, in JSON, CSV and HTML."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

import pytest

from papote.client import Client, PapoteError
from tests.support import ServerProcess, enter_and_join, papote_cli


async def test_the_report_counts_automated_actions_and_suspensions(
    fresh_server: ServerProcess, tmp_path: Path
) -> None:
    async with Client(fresh_server.url) as offender, Client(fresh_server.url) as other:
        await enter_and_join("18-25", offender, other)
        with pytest.raises(PapoteError):
            await other.send("18-25", "les arabes sont des rats")
        with pytest.raises(PapoteError):
            await offender.send("18-25", "échange pics de jeunes, mp")
    today = dt.date.today()
    period = ["--from", (today - dt.timedelta(days=1)).isoformat(), "--to", today.isoformat()]
    done = papote_cli(fresh_server, "report", "transparency", *period, "--format", "json")
    assert done.returncode == 0, done.stdout + done.stderr
    figures = json.loads(done.stdout)
    assert figures["automated_actions"]["block"] == 2
    assert figures["automated_detections_by_category"]["csam_signal"] == 1
    assert figures["automated_detections_by_category"]["hate"] == 1
    assert figures["automated_suspensions"] == 1
    table = papote_cli(fresh_server, "report", "transparency", *period, "--format", "csv")
    rows = list(csv.reader(io.StringIO(table.stdout)))
    assert rows[0] == ["section", "key", "value"] and ["automated_actions", "block", "2"] in rows
    page = tmp_path / "rapport.html"
    shown = papote_cli(
        fresh_server, "report", "transparency", *period, "--format", "html", "--out", str(page)
    )
    assert shown.returncode == 0
    text = page.read_text()
    assert "<svg" in text and "<script" not in text and "csam_signal" in text
    earlier = ["--from", "2020-01-01", "--to", "2020-01-31"]
    empty = json.loads(
        papote_cli(fresh_server, "report", "transparency", *earlier, "--format", "json").stdout
    )
    assert empty["automated_actions"] == {} and empty["notices_by_category"] == {}
