"""Delivery that loses nothing: idempotent resend, resume after reconnect, survival of SIGKILL."""

from __future__ import annotations

import asyncio
from pathlib import Path

from papote.client import Client
from tests.conftest import make_server
from tests.support import ADULT, ServerProcess, enter_and_join, pseudo


async def test_a_resend_with_the_same_id_is_stored_once(server: ServerProcess) -> None:
    async with Client(server.url) as alice, Client(server.url) as bob:
        await enter_and_join("ile-de-france", alice, bob)
        first = await alice.send("ile-de-france", "une seule fois", client_id="fixed-id-1")
        again = await alice.send("ile-de-france", "une seule fois", client_id="fixed-id-1")
        assert (again.id, again.seq, again.duplicate) == (first.id, first.seq, True)
        both = await asyncio.gather(
            alice.send("ile-de-france", "concurrent", client_id="fixed-id-2"),
            alice.send("ile-de-france", "concurrent", client_id="fixed-id-2"),
        )
        assert both[0].id == both[1].id
        texts = [m.text for m in await bob.history("ile-de-france")]
        assert texts.count("une seule fois") == 1 and texts.count("concurrent") == 1
        await alice.send("ile-de-france", "fin")
        received = []
        while not received or received[-1] != "fin":
            received.append((await bob.wait_for("message")).text)
        assert received == ["une seule fois", "concurrent", "fin"]


async def test_resume_after_reconnect_has_no_gap_and_no_duplicate(server: ServerProcess) -> None:
    async with Client(server.url) as alice, Client(server.url) as bob:
        await enter_and_join("auvergne-rhone-alpes", alice, bob)
        for i in range(5):
            await alice.send("auvergne-rhone-alpes", f"avant {i}")
        seen = [(await bob.wait_for("message")).text for _ in range(3)]  # bob read only part of them
        await bob.drop_connection()
        for i in range(10):
            await alice.send("auvergne-rhone-alpes", f"pendant {i}")
        bob.auto_reconnect = True
        await bob.reconnect()
        writer = asyncio.create_task(
            _send_all(alice, "auvergne-rhone-alpes", [f"après {i}" for i in range(10)])
        )
        while len(seen) < 25:
            event = await bob.next_event(5)
            if event.type == "message":
                seen.append(event.text)
        await writer
        expected = [f"avant {i}" for i in range(5)] + [f"pendant {i}" for i in range(10)]
        expected += [f"après {i}" for i in range(10)]
        assert seen == expected
        assert bob.pending_events() == [] or all(e.type != "message" for e in bob.pending_events())


async def _send_all(client: Client, room: str, texts: list[str]) -> None:
    for text in texts:
        await client.send(room, text)


async def test_every_acknowledged_message_survives_sigkill(backend: str, tmp_path: Path) -> None:
    first = make_server(backend, tmp_path)
    acked: list[tuple[int, str]] = []
    try:
        async with Client(first.url) as alice:
            await alice.enter(pseudo("k"), ADULT)
            await alice.join("accueil")
            sends = [alice.send("accueil", f"durable {i}") for i in range(200)]
            for ack, i in zip(await asyncio.gather(*sends), range(200), strict=True):
                acked.append((ack.seq, f"durable {i}"))
            first.kill()
    finally:
        first.kill()
    restarted = ServerProcess(data_dir=tmp_path, database=first.database, port=first.port).start()
    try:
        async with Client(restarted.url) as reader:
            await reader.enter(pseudo("r"), ADULT)
            await reader.join("accueil")
            stored = {m.seq: m.text for m in await reader.history("accueil", after_seq=0, limit=500)}
        for seq, text in acked:
            assert stored.get(seq) == text
    finally:
        restarted.stop()
