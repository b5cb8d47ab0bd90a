"""Connection records: kept for the law (address, port, time), hashed everywhere else."""

from __future__ import annotations

import httpx

from papote.client import Client
from papote.storage.tables import connection_hashes, connection_records
from tests.support import ADULT, ServerProcess, papote_cli, pseudo, table_rows


async def test_entering_and_connecting_are_recorded_with_address_and_port(
    fresh_server: ServerProcess,
) -> None:
    async with Client(fresh_server.url) as person:
        await person.enter(pseudo("c"), ADULT)
        me = person.http.cookies.get("papote_device")
        assert me and len(me) == 32  # a device id, given once
    records = await table_rows(fresh_server, connection_records)
    kinds = {row["kind"] for row in records}
    assert kinds >= {"enter", "connect"}
    assert all(
        row["ip"] == "127.0.0.1" and isinstance(row["port"], int) and row["port"] > 0 for row in records
    )
    hashes = await table_rows(fresh_server, connection_hashes)
    assert len(hashes) == len(records)
    assert all(len(str(row["ip_hash"])) == 64 and "127.0.0.1" not in str(row["ip_hash"]) for row in hashes)
    devices = {row["device_hash"] for row in hashes if row["device_hash"]}
    assert len(devices) == 1  # the same browser: one device across its connections
    listening = f"127.0.0.1:{fresh_server.port}"  # the server's own address, not a client's
    client_lines = [line for line in fresh_server.log_text().splitlines() if listening not in line]
    assert not [line for line in client_lines if "127.0.0.1" in line]


async def test_the_device_cookie_is_http_only(fresh_server: ServerProcess) -> None:
    response = httpx.post(
        fresh_server.url + "/api/enter",
        json={"pseudo": pseudo("d"), "birth_date": ADULT.isoformat(), "accept_rules": True},
    )
    assert response.status_code == 200
    device = [h for h in response.headers.get_list("set-cookie") if h.startswith("papote_device=")]
    assert device and "httponly" in device[0].lower()


async def test_connection_records_expire_after_their_legal_period(fresh_server: ServerProcess) -> None:
    async with Client(fresh_server.url) as person:
        await person.enter(pseudo("e"), ADULT)
    assert await table_rows(fresh_server, connection_records)
    kept = papote_cli(fresh_server, "purge")
    assert kept.returncode == 0 and await table_rows(fresh_server, connection_records)
    gone = papote_cli(fresh_server, "purge", env={"PAPOTE_CONNECTION_RECORDS_DAYS": "-1"})
    assert gone.returncode == 0, gone.stdout + gone.stderr
    assert not await table_rows(fresh_server, connection_records)
    assert not await table_rows(fresh_server, connection_hashes)


async def test_a_suspension_holds_against_the_device(fresh_server: ServerProcess) -> None:
    from papote.client import PapoteError

    async with Client(fresh_server.url) as offender:
        await offender.enter(pseudo("x"), ADULT)
        await offender.join("18-25")
        try:
            await offender.send("18-25", "échange pics de jeunes, mp")
        except PapoteError as blocked:
            assert blocked.code == "message_blocked"
        await offender.wait_for("suspended")
        offender.auto_reconnect = False
        refused = None
        try:
            await offender.enter(pseudo("y"), ADULT)  # same browser, new pseudonym
        except PapoteError as error:
            refused = error
        assert refused is not None and refused.code == "device_suspended"
    async with Client(fresh_server.url) as neighbour:  # another device on the same address is not locked out
        await neighbour.enter(pseudo("z"), ADULT)
