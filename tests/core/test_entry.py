"""Entering Papote: pseudonym rules, age bands, accounts."""

from __future__ import annotations

import datetime as dt

import httpx
import pytest

from papote.client import Client, PapoteError
from tests.support import ADULT, MINOR, ServerProcess, pseudo


async def test_enter_derives_the_age_band_on_the_server(server: ServerProcess) -> None:
    async with Client(server.url) as adult, Client(server.url) as minor:
        assert (await adult.enter(pseudo("ad"), ADULT))["age_band"] == "adult"
        assert (await minor.enter(pseudo("mi"), MINOR, gender="femme"))["age_band"] == "minor"


async def test_a_client_cannot_choose_its_age_band(server: ServerProcess) -> None:
    body = {"pseudo": pseudo("x"), "birth_date": MINOR.isoformat(), "age_band": "adult", "accept_rules": True}
    response = httpx.post(server.url + "/api/enter", json=body)
    assert response.status_code == 200
    assert response.json()["person"]["age_band"] == "minor"


async def test_under_13_is_refused_kindly(server: ServerProcess) -> None:
    today = dt.date.today()
    async with Client(server.url) as child:
        with pytest.raises(PapoteError) as refused:
            await child.enter(pseudo("kid"), today.replace(year=today.year - 11))
    assert refused.value.code == "too_young"
    assert "13 ans" in refused.value.message and "3018" in refused.value.message


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("ab", "pseudo_length"),
        ("x" * 21, "pseudo_length"),
        ("Moderateur", "pseudo_reserved"),
        ("admin_paris", "pseudo_reserved"),
        ("M0dérateur", "pseudo_reserved"),
        ("bad name!", "pseudo_characters"),
        ("<script>", "pseudo_characters"),
    ],
)
async def test_pseudonym_rules(server: ServerProcess, name: str, code: str) -> None:
    async with Client(server.url) as person:
        with pytest.raises(PapoteError) as refused:
            await person.enter(name, ADULT)
    assert refused.value.code == code


async def test_look_alike_of_a_taken_pseudonym_is_refused(server: ServerProcess) -> None:
    base = pseudo("Lea")
    lookalikes = [
        base.upper(),
        base.replace("e", "é", 1),
        base.replace("e", "\u0435", 1),
        base.replace("L", "1", 1),
    ]
    async with Client(server.url) as first:
        await first.enter(base, ADULT)
        for name in lookalikes:
            async with Client(server.url) as other:
                with pytest.raises(PapoteError) as refused:
                    await other.enter(name, ADULT)
                assert refused.value.code == "pseudo_taken", name


async def test_logout_frees_a_guest_pseudonym(server: ServerProcess) -> None:
    name = pseudo("free")
    async with Client(server.url) as first:
        await first.enter(name, ADULT)
        await first.logout()
    async with Client(server.url) as second:
        assert (await second.enter(name, ADULT))["pseudo"] == name


async def test_rules_must_be_accepted(server: ServerProcess) -> None:
    body = {"pseudo": pseudo("r"), "birth_date": ADULT.isoformat()}
    response = httpx.post(server.url + "/api/enter", json=body)
    assert response.status_code == 400
    assert response.json()["code"] == "rules_not_accepted"
    assert response.json()["message"]["en"]


async def test_register_then_login_keeps_the_pseudonym(server: ServerProcess) -> None:
    name, email = pseudo("reg"), f"{pseudo('m')}@example.org"
    async with Client(server.url) as person:
        await person.enter(name, ADULT)
        assert (await person.register(email, "un mot de passe long"))["registered"] is True
        await person.logout()
    async with Client(server.url) as squatter:
        with pytest.raises(PapoteError) as refused:
            await squatter.enter(name, ADULT)
        assert refused.value.code == "pseudo_taken"
    async with Client(server.url) as again:
        with pytest.raises(PapoteError) as wrong:
            await again.login(email, "pas le bon mot de passe")
        assert wrong.value.code == "login_failed"
        assert (await again.login(email, "un mot de passe long"))["pseudo"] == name


async def test_session_cookie_is_http_only(server: ServerProcess) -> None:
    body = {"pseudo": pseudo("c"), "birth_date": ADULT.isoformat(), "accept_rules": True}
    response = httpx.post(server.url + "/api/enter", json=body)
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie


async def test_pages_carry_a_strict_content_security_policy(server: ServerProcess) -> None:
    response = httpx.get(server.url + "/api/health")
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert response.headers["x-content-type-options"] == "nosniff"


async def test_websocket_without_session_is_closed(server: ServerProcess) -> None:
    from websockets.asyncio.client import connect
    from websockets.exceptions import ConnectionClosed

    async with connect(server.url.replace("http", "ws") + "/ws") as ws:
        assert '"not_authenticated"' in str(await ws.recv())
        with pytest.raises(ConnectionClosed) as closed:
            await ws.recv()
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4401


async def test_websocket_from_another_site_is_refused(server: ServerProcess) -> None:
    from websockets.asyncio.client import connect
    from websockets.exceptions import InvalidStatus

    async with Client(server.url) as person:
        await person.enter(pseudo(), ADULT)
        cookie = "; ".join(f"{k}={v}" for k, v in person.http.cookies.items())
        with pytest.raises(InvalidStatus):
            await connect(
                server.url.replace("http", "ws") + "/ws",
                additional_headers={"Cookie": cookie, "Origin": "https://evil.example"},
            )
