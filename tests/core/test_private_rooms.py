"""Private rooms: created by registered people, invitation only, audience rules still apply."""

from __future__ import annotations

import pytest

from papote.client import Client, PapoteError
from tests.support import ADULT, MINOR, ServerProcess, pseudo


async def _registered(server: ServerProcess, client: Client, birth: object = ADULT) -> None:
    await client.enter(pseudo("reg"), birth)  # type: ignore[arg-type]
    await client.register(f"{pseudo('mail')}@example.org", "mot de passe solide")


async def test_guests_cannot_create_private_rooms(server: ServerProcess) -> None:
    async with Client(server.url) as guest:
        await guest.enter(pseudo(), ADULT)
        with pytest.raises(PapoteError) as refused:
            await guest.create_room("Mon salon", "adults")
    assert refused.value.code == "registration_required"


async def test_invitation_accept_and_decline(server: ServerProcess) -> None:
    async with Client(server.url) as owner, Client(server.url) as friend, Client(server.url) as stranger:
        await _registered(server, owner)
        await friend.enter(pseudo("fr"), ADULT)
        await stranger.enter(pseudo("st"), ADULT)
        room = await owner.create_room("Soirée jeux", "adults", topic="entre amis")
        assert room["kind"] == "private"
        with pytest.raises(PapoteError) as not_invited:
            await stranger.join(room["id"])
        assert not_invited.value.code == "not_invited"
        assert room["id"] not in {r.id for r in await stranger.rooms()}
        await owner.invite(room["id"], friend.pseudo)
        invitation = await friend.wait_for("invitation")
        assert invitation.data["room"]["id"] == room["id"] and invitation.data["from"] == owner.pseudo
        await friend.join(room["id"])
        await owner.send(room["id"], "bienvenue")
        assert (await friend.wait_for("message")).text == "bienvenue"
        with pytest.raises(PapoteError) as not_owner:
            await friend.invite(room["id"], stranger.pseudo)
        assert not_owner.value.code == "not_room_owner"
        await owner.invite(room["id"], stranger.pseudo)
        await stranger.wait_for("invitation")
        await stranger.decline_invitation(room["id"])
        with pytest.raises(PapoteError) as declined:
            await stranger.join(room["id"])
        assert declined.value.code == "not_invited"


async def test_audience_rules_apply_to_private_rooms(server: ServerProcess) -> None:
    async with Client(server.url) as owner, Client(server.url) as minor:
        await _registered(server, owner)
        await minor.enter(pseudo("mi"), MINOR)
        room = await owner.create_room("Club adultes", "adults")
        with pytest.raises(PapoteError) as refused:
            await owner.invite(room["id"], minor.pseudo)
        assert refused.value.code == "audience_adults_only"
        with pytest.raises(PapoteError) as minors_only:
            await owner.create_room("Salon ados", "minors")
        assert minors_only.value.code == "audience_minors_only"
