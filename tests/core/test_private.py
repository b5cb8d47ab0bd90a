"""Private messages: requests first, never between an adult and a minor, blocks."""

from __future__ import annotations

import pytest

from papote.client import Client, PapoteError
from tests.support import ADULT, MINOR, ServerProcess, pseudo


async def test_request_then_accept_then_messages_flow(server: ServerProcess) -> None:
    async with Client(server.url) as alice, Client(server.url) as bob:
        await alice.enter(pseudo("al"), ADULT)
        await bob.enter(pseudo("bo"), ADULT)
        bob_name = bob.pseudo
        alice_name = alice.pseudo
        await alice.send_private(bob_name, "salut, on discute ?")
        request = await bob.next_event(5)
        assert request.type == "private_request"
        assert request.sender == alice_name and request.text == "salut, on discute ?"
        with pytest.raises(PapoteError) as pending:
            await alice.send_private(bob_name, "tu es là ?")
        assert pending.value.code == "private_request_pending"
        with pytest.raises(PapoteError) as hidden:
            await bob.private_history(alice_name)
        assert hidden.value.code == "not_in_conversation"
        accepted = await bob.accept_private(alice_name)
        assert [m["text"] for m in accepted["history"]] == ["salut, on discute ?"]
        assert (await alice.wait_for("private_accepted")).data["peer"] == bob_name
        await alice.send_private(bob_name, "cool")
        message = await bob.wait_for("private_message")
        assert message.text == "cool" and message.sender == alice_name
        await bob.send_private(alice_name, "oui")
        assert (await alice.wait_for("private_message")).text == "oui"
        assert [m.text for m in await alice.private_history(bob_name)] == [
            "salut, on discute ?",
            "cool",
            "oui",
        ]


async def test_declined_request_stops_the_requester(server: ServerProcess) -> None:
    async with Client(server.url) as alice, Client(server.url) as bob:
        await alice.enter(pseudo("al"), ADULT)
        await bob.enter(pseudo("bo"), ADULT)
        bob_name, alice_name = bob.pseudo, alice.pseudo
        await alice.send_private(bob_name, "hello")
        await bob.wait_for("private_request")
        await bob.decline_private(alice_name)
        assert (await alice.wait_for("private_declined")).data["by"] == bob_name
        with pytest.raises(PapoteError) as refused:
            await alice.send_private(bob_name, "allez, réponds")
        assert refused.value.code == "private_refused"
        await bob.send_private(alice_name, "finalement, salut")  # the one who declined may start again
        assert (await alice.wait_for("private_request")).sender == bob_name


@pytest.mark.parametrize("adult_first", [True, False])
async def test_adult_and_minor_never_talk_in_private(server: ServerProcess, adult_first: bool) -> None:
    async with Client(server.url) as adult, Client(server.url) as minor:
        await adult.enter(pseudo("ad"), ADULT)
        await minor.enter(pseudo("mi"), MINOR)
        sender, recipient = (adult, minor) if adult_first else (minor, adult)
        with pytest.raises(PapoteError) as refused:
            await sender.send_private(recipient.pseudo, "coucou")
        assert refused.value.code == "private_age_mismatch"
        with pytest.raises(PapoteError) as no_request:
            await recipient.accept_private(sender.pseudo)
        assert no_request.value.code == "private_age_mismatch"
        with pytest.raises(TimeoutError):
            await recipient.wait_for("private_request", timeout=0.5)


async def test_two_minors_may_talk_in_private(server: ServerProcess) -> None:
    async with Client(server.url) as first, Client(server.url) as second:
        await first.enter(pseudo("m"), MINOR)
        await second.enter(pseudo("m"), MINOR)
        await first.send_private(second.pseudo, "tu joues à quoi ?")
        assert (await second.wait_for("private_request")).text == "tu joues à quoi ?"


async def test_block_stops_private_messages_and_hides_room_messages(server: ServerProcess) -> None:
    async with Client(server.url) as pest, Client(server.url) as bob, Client(server.url) as witness:
        for client in (pest, bob, witness):
            await client.enter(pseudo(), ADULT)
            await client.join("18-25")
        pest_name, bob_name = pest.pseudo, bob.pseudo
        await pest.send_private(bob_name, "réponds-moi")
        await bob.wait_for("private_request")
        await bob.block(pest_name)
        with pytest.raises(PapoteError) as refused:
            await pest.send_private(bob_name, "pourquoi tu réponds pas")
        assert refused.value.code == "private_refused"
        await pest.send("18-25", "message du relou")
        await witness.send("18-25", "message normal")
        seen_by_witness = [e.text for e in [await witness.wait_for("message")]]
        assert seen_by_witness == ["message du relou"]
        got = await bob.wait_for("message")
        assert got.text == "message normal"  # the blocked person's message never reached bob
        history = [m.text for m in await bob.history("18-25")]
        assert "message du relou" not in history and "message normal" in history


async def test_unread_counts_and_block_list_of_private_conversations(server: ServerProcess) -> None:
    async with Client(server.url) as alice, Client(server.url) as bob:
        await alice.enter(pseudo("al"), ADULT)
        await bob.enter(pseudo("bo"), ADULT)
        await alice.send_private(bob.pseudo, "salut toi")
        await bob.wait_for("private_request")
        await bob.accept_private(alice.pseudo)
        acks = [await alice.send_private(bob.pseudo, f"message {i}") for i in range(3)]
        listed = {c["peer"]: c for c in (await bob.conversations())["conversations"]}
        assert listed[alice.pseudo]["unread"] == 4
        await bob.mark_private_read(alice.pseudo, acks[-1].seq)
        listed = {c["peer"]: c for c in (await bob.conversations())["conversations"]}
        assert listed[alice.pseudo]["unread"] == 0
        await bob.block(alice.pseudo)
        assert (await bob.conversations())["blocked"] == [alice.pseudo]
        await bob.unblock(alice.pseudo)
        assert (await bob.conversations())["blocked"] == []


async def test_answering_a_request_accepts_it(server: ServerProcess) -> None:
    async with Client(server.url) as alice, Client(server.url) as bob:
        await alice.enter(pseudo("al"), ADULT)
        await bob.enter(pseudo("bo"), ADULT)
        await alice.send_private(bob.pseudo, "coucou")
        await bob.wait_for("private_request")
        await bob.send_private(alice.pseudo, "coucou aussi")
        assert (await alice.wait_for("private_message")).text == "coucou aussi"
