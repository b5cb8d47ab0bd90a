"""Rooms: audiences enforced by the server, live delivery in order, history, members, notices."""

from __future__ import annotations

import asyncio

import pytest

from papote.client import Client, PapoteError
from tests.support import ADULT, MINOR, ServerProcess, enter_and_join, pseudo


async def test_default_rooms_exist_with_audiences(server: ServerProcess) -> None:
    async with Client(server.url) as person:
        await person.enter(pseudo(), ADULT)
        rooms = {room.id: room for room in await person.rooms()}
    assert rooms["accueil"].audience == "all"
    assert rooms["ados-13-17"].audience == "minors"
    assert rooms["18-25"].audience == "adults"
    assert rooms["lgbt"].audience == "adults"
    assert not rooms["ados-13-17"].allowed and rooms["18-25"].allowed


async def test_audiences_are_enforced_both_ways(server: ServerProcess) -> None:
    async with Client(server.url) as adult, Client(server.url) as minor:
        await adult.enter(pseudo("ad"), ADULT)
        await minor.enter(pseudo("mi"), MINOR)
        with pytest.raises(PapoteError) as adult_refused:
            await adult.join("ados-13-17")
        with pytest.raises(PapoteError) as minor_refused:
            await minor.join("18-25")
        assert adult_refused.value.code == "audience_minors_only"
        assert minor_refused.value.code == "audience_adults_only"
        assert "13-17" in adult_refused.value.message
        await adult.join("accueil")
        await minor.join("accueil")
        await minor.join("ados-13-17")


async def test_sending_to_a_room_not_joined_is_refused(server: ServerProcess) -> None:
    async with Client(server.url) as minor:
        await minor.enter(pseudo("mi"), MINOR)
        with pytest.raises(PapoteError) as refused:
            await minor.send("18-25", "coucou")
    assert refused.value.code == "not_room_member"


async def test_room_messages_arrive_in_order_with_increasing_seq(server: ServerProcess) -> None:
    async with Client(server.url) as alice, Client(server.url) as bob, Client(server.url) as carol:
        for client in (alice, bob, carol):
            await client.enter(pseudo(), ADULT)
            await client.join("25-40")
        acks = await asyncio.gather(*(alice.send("25-40", f"message {i}") for i in range(30)))
        seqs = [ack.seq for ack in acks]
        assert len(set(seqs)) == 30
        for reader in (bob, carol):
            received = []
            while len(received) < 30:
                event = await reader.next_event(5)
                if event.type == "message" and event.sender == alice.pseudo:
                    received.append(event)
            assert [e.seq for e in received] == sorted(seqs)
            assert [e.text for e in received] == [f"message {i}" for i in range(30)]


async def test_join_returns_recent_history_and_members(server: ServerProcess) -> None:
    async with Client(server.url) as alice, Client(server.url) as bob:
        await alice.enter(pseudo("al"), ADULT, gender="femme")
        await alice.join("40-plus")
        ack = await alice.send("40-plus", "premier message")
        await bob.enter(pseudo("bo"), ADULT)
        joined = await bob.join("40-plus")
        assert any(m["id"] == ack.id and m["text"] == "premier message" for m in joined["history"])
        members = {m["pseudo"]: m for m in joined["members"]}
        assert members[alice.pseudo]["gender"] == "femme"
        assert members[bob.pseudo]["age_band"] == "adult"
        bob_name = bob.pseudo
        notice = await alice.wait_for("join", where=lambda e: e.data["member"]["pseudo"] != alice.pseudo)
        assert notice.data["member"]["pseudo"] == bob_name
        await bob.leave("40-plus")
        left = await alice.wait_for("leave")
        assert left.sender == bob.pseudo


async def test_history_pages_back_and_forward(server: ServerProcess) -> None:
    async with Client(server.url) as alice:
        await alice.enter(pseudo(), ADULT)
        await alice.join("musique")
        acks = [await alice.send("musique", f"page {i}") for i in range(12)]
        after = await alice.history("musique", after_seq=acks[3].seq, limit=5)
        assert [m.seq for m in after] == [a.seq for a in acks[4:9]]
        before = await alice.history("musique", after_seq=None, before_seq=acks[5].seq, limit=3)
        assert [m.text for m in before] == ["page 2", "page 3", "page 4"]


async def test_me_action_and_length_limit(server: ServerProcess) -> None:
    async with Client(server.url) as alice, Client(server.url) as bob:
        await enter_and_join("jeux-video", alice, bob)
        await alice.send("jeux-video", "/me fait coucou")
        event = await bob.wait_for("message")
        assert event.data["kind"] == "action" and event.text == "fait coucou"
        await alice.send("jeux-video", "é" * 1000)
        with pytest.raises(PapoteError) as too_long:
            await alice.send("jeux-video", "é" * 1001)
        assert too_long.value.code == "message_too_long"
        with pytest.raises(PapoteError) as empty:
            await alice.send("jeux-video", "   ")
        assert empty.value.code == "message_empty"


async def test_html_is_stored_and_delivered_as_text(server: ServerProcess) -> None:
    async with Client(server.url) as alice, Client(server.url) as bob:
        await enter_and_join("accueil", alice, bob)
        await alice.send("accueil", "<script>alert(1)</script>")
        event = await bob.wait_for("message")
        assert event.text == "<script>alert(1)</script>"


async def test_unread_counts_follow_reads(server: ServerProcess) -> None:
    async with Client(server.url) as alice, Client(server.url) as bob:
        await enter_and_join("sud", alice, bob)
        acks = [await alice.send("sud", f"n{i}") for i in range(3)]
        unread = {r.id: r.unread for r in await bob.rooms()}
        assert unread["sud"] == 3
        await bob.mark_read("sud", acks[-1].seq)
        assert {r.id: r.unread for r in await bob.rooms()}["sud"] == 0
