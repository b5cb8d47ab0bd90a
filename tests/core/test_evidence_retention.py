"""Evidence outlives its case by the appeal window, and a legal hold keeps it until released."""

from __future__ import annotations

from papote.client import Client
from papote.storage.tables import evidence
from tests.support import ADULT, ServerProcess, enter_and_join, papote_cli, pseudo, table_rows

EXPIRED = {"PAPOTE_EVIDENCE_DAYS": "-1"}  # every closed case counts as past its window


async def _reported_and_closed(server: ServerProcess) -> tuple[int, int]:
    """Two reported messages, each in its own case, both dismissed by a moderator: (case a, case b)."""
    email = f"{pseudo('m')}@exemple.invalid"
    created = papote_cli(
        server, "admin", "create-account", "--email", email, "--password", "motdepasse-fictif-1",
        "--pseudo", pseudo("modo"), "--birth-date", "1985-01-01", "--role", "moderator",
    )  # fmt: skip
    assert created.returncode == 0, created.stdout + created.stderr
    async with Client(server.url) as author, Client(server.url) as reporter, Client(server.url) as moderator:
        await enter_and_join("25-40", author, reporter, birth=ADULT)
        first = await author.send("25-40", "un message banal que quelqu'un signale quand même")
        second = await author.send("25-40", "un autre message banal, signalé lui aussi")
        await reporter.report("message", first.id, "other")
        await reporter.report("message", second.id, "harassment", "il me suit de salon en salon")
        await moderator.login(email, "motdepasse-fictif-1")
        found = {case.target_id: case.id for case in await moderator.cases()}
        case_a, case_b = found[str(first.id)], found[str(second.id)]
        for case_id in (case_a, case_b):
            await moderator.act(case_id, "dismiss", "rien de contraire aux règles")
    return case_a, case_b


async def test_a_legal_hold_keeps_evidence_that_the_purge_would_delete(fresh_server: ServerProcess) -> None:
    held, free = await _reported_and_closed(fresh_server)
    assert {row["case_id"] for row in await table_rows(fresh_server, evidence)} >= {held, free}
    kept = papote_cli(fresh_server, "purge")  # within the window: nothing goes
    assert kept.returncode == 0
    assert {row["case_id"] for row in await table_rows(fresh_server, evidence)} >= {held, free}
    hold = papote_cli(
        fresh_server, "legal", "hold", str(held), "--by", "parquet fictif", "--basis", "PV-0001"
    )
    assert hold.returncode == 0, hold.stdout + hold.stderr
    purged = papote_cli(fresh_server, "purge", env=EXPIRED)
    assert purged.returncode == 0, purged.stdout + purged.stderr
    remaining = {row["case_id"] for row in await table_rows(fresh_server, evidence)}
    assert held in remaining and free not in remaining
    papote_cli(fresh_server, "legal", "release", str(held))
    papote_cli(fresh_server, "purge", env=EXPIRED)
    assert held not in {row["case_id"] for row in await table_rows(fresh_server, evidence)}
    shown = papote_cli(fresh_server, "audit", "show", "--last", "20").stdout
    assert "legal.hold" in shown and "legal.release" in shown
