"""The safety pipeline in the message path, end to end over WebSockets.

Examples are the manoeuvres a moderator must catch, with fictional handles only.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

import pytest

from papote.client import Client, PapoteError
from papote.storage.tables import cases, conversations, safety_events
from tests.conftest import make_server
from tests.support import ADULT, MINOR, ServerProcess, enter_and_join, papote_cli, pseudo, table_rows


async def test_a_blocked_message_reaches_nobody_and_the_sender_learns_why(server: ServerProcess) -> None:
    async with Client(server.url) as dealer, Client(server.url) as reader:
        await enter_and_join("18-25", dealer, reader)
        with pytest.raises(PapoteError) as blocked:
            await dealer.send("18-25", "je vends de la beuh, livraison rapide 20e le g, mp")
        assert blocked.value.code == "message_blocked"
        assert blocked.value.message.startswith("Message non envoyé") and "Règle" in blocked.value.message
        assert "drug_sale" in blocked.value.details["labels"]
        await dealer.send("18-25", "bon, parlons musique")
        assert (await reader.wait_for("message")).text == "bon, parlons musique"
        assert all("beuh" not in m.text for m in await reader.history("18-25"))
    evidence = [e for e in await table_rows(server, safety_events) if "beuh" in str(e["text"])]
    assert evidence and evidence[0]["action"] == "block" and evidence[0]["message_id"] is None
    assert any(
        c["safety_event_id"] == evidence[0]["id"] and c["category"] == "drug_sale"
        for c in await table_rows(server, cases)
    )


async def test_a_meetup_message_arrives_with_a_safety_tip(server: ServerProcess) -> None:
    async with Client(server.url) as alice, Client(server.url) as bob:
        await alice.enter(pseudo("a"), ADULT)
        await bob.enter(pseudo("b"), ADULT)
        await alice.send_private(bob.pseudo, "salut, on discute ?")
        await bob.wait_for("private_request")
        await bob.accept_private(alice.pseudo)
        ack = await alice.send_private(
            bob.pseudo, "on se retrouve samedi 15h devant la gare ? tu viens chez moi après"
        )
        message = await bob.wait_for("private_message")
        assert message.id == ack.id
        assert "lieu public" in message.data["tip"]["fr"] and message.data["tip"]["en"]


async def test_self_harm_is_delivered_with_help_and_alerts_moderators(server: ServerProcess) -> None:
    async with Client(server.url) as person, Client(server.url) as friend:
        await enter_and_join("ados-13-17", person, friend, birth=MINOR)
        await person.send("ados-13-17", "je veux en finir, j'en peux plus")
        event = await friend.wait_for("message")
        assert "3114" in event.data["tip"]["fr"]
    assert any(c["category"] == "self_harm" for c in await table_rows(server, cases))


async def test_hard_negatives_pass(server: ServerProcess) -> None:
    async with Client(server.url) as gamer, Client(server.url) as other:
        await enter_and_join("jeux-video", gamer, other, birth=MINOR)
        for text in ("je vais te tuer au prochain round mdr", "en cas d'urgence appelle le 15 ou le 112"):
            ack = await gamer.send("jeux-video", text)
            assert ack.seq > 0
            assert (await other.wait_for("message")).text == text


async def test_contact_grab_toward_minors_is_blocked(server: ServerProcess) -> None:
    async with Client(server.url) as adult:
        await adult.enter(pseudo("a"), ADULT)
        await adult.join("accueil")
        with pytest.raises(PapoteError) as blocked:
            await adult.send("accueil", "les filles ajoutez moi sur snap : lea_fictive92")
        assert blocked.value.code == "message_blocked"


async def test_grooming_pattern_freezes_the_conversation_and_opens_a_case(server: ServerProcess) -> None:
    """An adult who lied about their age to enter as a minor, toward a real minor."""
    async with Client(server.url) as groomer, Client(server.url) as child:
        await groomer.enter(pseudo("g"), MINOR)
        await child.enter(pseudo("c"), MINOR)
        await groomer.send_private(child.pseudo, "salut")
        await child.wait_for("private_request")
        await child.accept_private(groomer.pseudo)
        steps = [
            "t'as quel âge ?",
            "t'es seule chez toi ce soir ?",
            "tes parents rentrent tard ?",
            "tu me fais confiance hein",
            "faut pas le dire à tes parents ok",
            "ça reste entre nous",
            "ajoute moi sur snap",
        ]
        held = None
        for text in steps:  # each message alone passes; together they are a pattern
            ack = await groomer.send_private(child.pseudo, text)
            if ack.held:
                held = text
                break
        assert held is not None, "the pattern was never flagged"
        frozen = await child.wait_for("conversation_frozen")
        assert "3018" in frozen.data["message"]["fr"]
        with pytest.raises(PapoteError) as refused:
            await groomer.send_private(child.pseudo, "allez réponds")
        assert refused.value.code == "conversation_frozen"
        delivered = [m.text for m in await child.private_history(groomer.pseudo)]
        assert held not in delivered  # the message that tipped it over is held for moderators
        assert "t'as quel âge ?" in delivered
        own_view = {m.text: m for m in await groomer.private_history(child.pseudo)}
        assert held in own_view  # its author still sees it, awaiting moderation
    rows = await table_rows(server, conversations)
    assert any(r["status"] == "frozen" for r in rows)
    found = [c for c in await table_rows(server, cases) if c["category"] == "grooming"]
    assert found and found[0]["priority"] == 0 and found[0]["minor_involved"]


async def test_csam_signal_blocks_and_suspends_the_sender(server: ServerProcess) -> None:
    async with Client(server.url) as offender:
        await offender.enter(pseudo("x"), ADULT)
        await offender.join("18-25")
        with pytest.raises(PapoteError) as blocked:
            await offender.send("18-25", "échange pics de jeunes, mp")
        assert blocked.value.code == "message_blocked"
        suspended = await offender.wait_for("suspended")
        assert suspended.data["message"]["fr"]
        offender.auto_reconnect = False
        with pytest.raises(PapoteError) as refused:
            await offender.reconnect()
        assert refused.value.code == "account_suspended"
    assert any(c["category"] == "csam_signal" and c["priority"] == 0 for c in await table_rows(server, cases))


async def test_pseudonyms_with_contact_handles_are_refused(server: ServerProcess) -> None:
    async with Client(server.url) as person:
        with pytest.raises(PapoteError) as refused:
            await person.enter("snap_lea_fictive", ADULT)
    assert refused.value.code == "pseudo_contact"


async def test_new_arrivals_and_rate_limits(backend: str, tmp_path: Path) -> None:
    strict = make_server(backend, tmp_path, PAPOTE_NEW_ARRIVAL_SECONDS="600", PAPOTE_RATE_LIMITS="on")
    try:
        async with Client(strict.url) as newcomer, Client(strict.url) as other:
            await newcomer.enter(pseudo("n"), ADULT)
            await other.enter(pseudo("o"), ADULT)
            await newcomer.join("25-40")
            with pytest.raises(PapoteError) as no_links:
                await newcomer.send("25-40", "regardez https://example.org/promo")
            assert no_links.value.code in ("new_arrival_links", "message_blocked")
            with pytest.raises(PapoteError) as no_private:
                await newcomer.send_private(other.pseudo, "salut")
            assert no_private.value.code == "new_arrival_private"
            codes = set()
            for _ in range(5):
                try:
                    await newcomer.send("25-40", "même message encore et encore")
                except PapoteError as refused:
                    codes.add(refused.code)
            assert "flood" in codes
    finally:
        strict.stop()


def test_birth_dates_are_a_server_fact() -> None:
    assert dt.date.today() > MINOR


def set_slow_mode(server: ServerProcess, room: str, seconds: int) -> None:
    done = papote_cli(server, "admin", "set-slow-mode", "--room", room, "--seconds", str(seconds))
    assert done.returncode == 0, done.stdout + done.stderr


async def test_slow_mode_set_by_an_operator(fresh_server: ServerProcess) -> None:
    set_slow_mode(fresh_server, "sud", 30)
    async with Client(fresh_server.url) as person:
        await person.enter(pseudo("s"), ADULT)
        await person.join("sud")
        await person.send("sud", "premier message")
        with pytest.raises(PapoteError) as slowed:
            await person.send("sud", "deuxième message tout de suite")
        assert slowed.value.code == "slow_mode" and slowed.value.details["retry_after"] > 20


async def test_slow_mode_reaches_connections_already_open(fresh_server: ServerProcess) -> None:
    async with Client(fresh_server.url) as person:
        await person.enter(pseudo("s"), ADULT)
        await person.join("sud")
        await person.send("sud", "avant le mode lent")
        set_slow_mode(fresh_server, "sud", 60)
        refused = None
        for attempt in range(15):  # the node re-reads room rules every few seconds
            await asyncio.sleep(1.0)
            try:
                await person.send("sud", f"message numéro {attempt} pendant le réglage")
            except PapoteError as error:
                refused = error
                break
        assert refused is not None and refused.code == "slow_mode"


async def test_automated_decisions_are_in_the_audit_log(server: ServerProcess) -> None:
    async with Client(server.url) as offender:
        await enter_and_join("40-plus", offender)
        with pytest.raises(PapoteError):
            await offender.send("40-plus", "les arabes sont des rats")
    shown = papote_cli(server, "audit", "show", "--last", "50")
    assert shown.returncode == 0, shown.stdout + shown.stderr
    assert "safety.block" in shown.stdout
    verified = papote_cli(server, "audit", "verify", "--keep-anchor")
    assert verified.returncode == 0 and "intègre" in verified.stdout, verified.stdout + verified.stderr


async def test_an_automated_case_freezes_its_evidence_like_a_report(server: ServerProcess) -> None:
    from papote.storage.tables import evidence

    async with Client(server.url) as person, Client(server.url) as other:
        await enter_and_join("jeux-video", person, other)
        await other.send("jeux-video", "quelqu'un pour une partie ce soir ?")
        with pytest.raises(PapoteError):
            await person.send("jeux-video", "je sais où tu habites, fais gaffe à toi ce soir")
    found = [c for c in await table_rows(server, cases) if c["channel"] == "r:jeux-video"]
    assert found
    pieces = [e for e in await table_rows(server, evidence) if e["case_id"] == found[-1]["id"]]
    assert {p["part"] for p in pieces} >= {"item", "context", "person"}
    item = next(p for p in pieces if p["part"] == "item")
    assert "fais gaffe" in str(item["content"]) and len(str(item["sha256"])) == 64
    context = next(p for p in pieces if p["part"] == "context")
    assert "une partie ce soir" in str(context["content"])
