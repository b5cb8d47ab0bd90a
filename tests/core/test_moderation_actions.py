"""The moderator actions beyond the basics (kick, room ban, age band correction, removal over a period,
escalation) and the repeat-offender policy: end to end over real WebSockets, on SQLite and PostgreSQL.

Reported messages are the manoeuvres a moderator must catch, with fictional people only.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from papote.client import Client, PapoteError
from papote.storage.tables import audit_log, cases, conversations, decisions, people, room_bans, room_members
from tests.core.test_moderation import Account, case_of_report, create_account, create_room, enter, login
from tests.support import MINOR, ServerProcess, papote_cli, pseudo, table_rows


@dataclass(frozen=True)
class Team:
    moderator: Account
    second_moderator: Account
    room: str  # an adults' room of these tests' own


@pytest.fixture(scope="module")
def team(server: ServerProcess) -> Iterator[Team]:
    yield Team(create_account(server, "moderator"), create_account(server, "moderator"), create_room(server))


async def reported_case(reporter: Client, message_id: int, category: str, server: ServerProcess) -> int:
    report_id = await reporter.report("message", message_id, category)
    return await case_of_report(server, report_id)


async def member_rooms(server: ServerProcess, person_id: object) -> set[str]:
    return {str(r["room_id"]) for r in await table_rows(server, room_members) if r["person_id"] == person_id}


async def person_id_of(server: ServerProcess, pseudo: str) -> object:
    return next(r["id"] for r in await table_rows(server, people) if r["pseudo"] == pseudo)


async def newest_texts(client: Client, *rooms: str) -> list[str]:
    return [m.text for room in rooms for m in await client.history(room, after_seq=None)]


async def test_kick_removes_from_the_room_and_a_room_ban_refuses_joining_until_reversed(
    server: ServerProcess, team: Team
) -> None:
    async with (
        Client(server.url) as sender,
        Client(server.url) as reporter,
        Client(server.url) as first,
        Client(server.url) as second,
    ):
        await enter(team.room, sender, reporter)
        moderator, other = await login(first, team.moderator), await login(second, team.second_moderator)
        sender_id = await person_id_of(server, sender.pseudo)
        ack = await sender.send(team.room, "ajoute-moi sur snap: fictif_123, on sera plus tranquilles")
        case_id = await reported_case(reporter, ack.id, "contact_offplatform", server)

        await moderator.act(case_id, "kick", "Invitation répétée à quitter Papote.")
        assert (await sender.wait_for("statement_of_reasons")).data["action"] == "kick"
        left = await sender.wait_for("left")
        assert left.data["room"] == team.room and left.data["reason"] == "kick"
        assert team.room not in await member_rooms(server, sender_id)
        await sender.join(team.room)  # a kick is not a ban: coming back is allowed

        ack = await sender.send(team.room, "bon, ajoute-moi sur snap: fictif_123 ou je reviens")
        case_id = await reported_case(reporter, ack.id, "contact_offplatform", server)
        with pytest.raises(PapoteError) as no_duration:
            await moderator.act(case_id, "room_ban", "Récidive immédiate après exclusion.")
        assert no_duration.value.code == "bad_request"
        decision_id = await moderator.act(case_id, "room_ban", "Récidive immédiate après exclusion.", 3600)
        statement = await sender.wait_for("statement_of_reasons")
        assert statement.data["action"] == "room_ban" and "1 heure" in statement.data["message"]["fr"]
        assert (await sender.wait_for("left")).data["reason"] == "room_ban"
        assert team.room not in await member_rooms(server, sender_id)
        with pytest.raises(PapoteError) as banned:
            await sender.join(team.room)
        assert banned.value.code == "room_banned" and banned.value.details["until"] > 0
        await sender.join("25-40")  # other rooms stay open to them

        appeal_id = await sender.appeal(decision_id, "Je ne recommencerai pas.")
        await other.decide_appeal(appeal_id, "reverse", "Exclusion simple suffisante pour une première fois.")
        await sender.wait_for("appeal_decided")
        await sender.join(team.room)
    assert not [r for r in await table_rows(server, room_bans) if r["person_id"] == sender_id]
    logged = [str(r["action"]) for r in await table_rows(server, audit_log)]
    assert "decision.kick" in logged and "decision.room_ban" in logged


async def test_kick_needs_a_room_case(server: ServerProcess, team: Team) -> None:
    async with Client(server.url) as target, Client(server.url) as reporter, Client(server.url) as first:
        await enter(team.room, target, reporter)
        moderator = await login(first, team.moderator)
        report_id = await reporter.report("user", target.pseudo, "harassment", "il me suit de salon en salon")
        case_id = await case_of_report(server, report_id)
        with pytest.raises(PapoteError) as refused:
            await moderator.act(case_id, "kick", "Harcèlement.")
        assert refused.value.code == "bad_request"


async def test_removing_messages_over_a_period_hides_them_everywhere_and_a_reversal_shows_them(
    server: ServerProcess, team: Team
) -> None:
    async with (
        Client(server.url) as spammer,
        Client(server.url) as reader,
        Client(server.url) as first,
        Client(server.url) as second,
    ):
        await enter(team.room, spammer, reader)
        await spammer.join("40-plus")
        await reader.join("40-plus")
        texts = ["passez voir ma boutique", "promo ce soir sur ma boutique", "ma boutique ferme bientôt"]
        acks = [await spammer.send(team.room, texts[0]), await spammer.send("40-plus", texts[1])]
        acks.append(await spammer.send(team.room, texts[2]))
        await reader.send(team.room, "encore ce spam…")
        moderator, other = await login(first, team.moderator), await login(second, team.second_moderator)
        case_id = await reported_case(reader, acks[0].id, "scam_spam", server)

        decision_id = await moderator.act(case_id, "remove_messages", "Vague de spam.", 3600)
        statement = await spammer.wait_for("statement_of_reasons")
        assert statement.data["action"] == "remove_messages" and statement.data["duration"] == 3600
        seen = await newest_texts(reader, team.room, "40-plus")
        assert not set(texts) & set(seen) and "encore ce spam…" in seen

        appeal_id = await spammer.appeal(decision_id, "C'était une vraie offre.")
        await other.decide_appeal(appeal_id, "reverse", "Retrait trop large : un seul message signalé.")
        await spammer.wait_for("appeal_decided")
        seen = await newest_texts(reader, team.room, "40-plus")
        assert set(texts) <= set(seen)


async def test_correcting_an_age_band_leaves_rooms_freezes_conversations_and_reconnects(
    server: ServerProcess, team: Team
) -> None:
    async with (
        Client(server.url, auto_reconnect=False) as impostor,
        Client(server.url) as teen,
        Client(server.url) as first,
    ):
        await enter("ados-13-17", impostor, teen, birth=MINOR)
        await impostor.join("accueil")
        await impostor.send_private(teen.pseudo, "salut, tu es en quelle classe ?")
        await teen.accept_private(impostor.pseudo)
        impostor_id = await person_id_of(server, impostor.pseudo)
        moderator = await login(first, team.moderator)
        report_id = await teen.report("user", impostor.pseudo, "minor_sexual_risk", "il dit avoir 15 ans")
        case_id = await case_of_report(server, report_id)

        await moderator.act(case_id, "correct_age_band", "Adulte se faisant passer pour un mineur.")
        statement = await impostor.wait_for("statement_of_reasons")
        assert (
            statement.data["action"] == "correct_age_band" and "mineur·e → adulte" in statement.data["facts"]
        )
        assert (await impostor.wait_for("left")).data["room"] == "ados-13-17"
        await impostor.wait_for("age_band_corrected")
        band = next(r["age_band"] for r in await table_rows(server, people) if r["id"] == impostor_id)
        assert band == "adult"
        assert await member_rooms(server, impostor_id) == {"accueil"}  # an all-ages room still fits
        mine = [
            r
            for r in await table_rows(server, conversations)
            if impostor_id in (r["person_low"], r["person_high"])
        ]
        assert [r["status"] for r in mine] == ["frozen"]

        await impostor.connect()  # a fresh connection reads the corrected band
        with pytest.raises(PapoteError) as refused:
            await impostor.join("ados-13-17")
        assert refused.value.code == "audience_minors_only"


async def test_escalation_keeps_the_case_open_first_and_tells_the_person_nothing(
    server: ServerProcess, team: Team
) -> None:
    async with Client(server.url) as suspect, Client(server.url) as reporter, Client(server.url) as first:
        await enter(team.room, suspect, reporter)
        moderator = await login(first, team.moderator)
        ack = await suspect.send(team.room, "je vends des photos d'ados, écris-moi en privé")
        case_id = await reported_case(reporter, ack.id, "csam_signal", server)

        decision_id = await moderator.act(case_id, "escalate", "Signalement PHAROS et réquisition à prévoir.")
        queued = {c.id: c for c in await moderator.cases()}
        assert queued[case_id].status == "escalated" and queued[case_id].priority == 0
        assert case_id in [c.id for c in await moderator.cases("escalated")]
        await moderator.claim(case_id)  # a claim keeps the referral visible
        assert {c.id: c for c in await moderator.cases()}[case_id].status == "escalated"
        assert decision_id not in [d["id"] for d in await suspect.decisions()]

        await moderator.act(case_id, "ban", "Proposition de contenus pédocriminels.")
        statement = await suspect.wait_for("statement_of_reasons")
        assert statement.data["action"] == "ban"  # the first thing the person hears of the case
    row = next(d for d in await table_rows(server, decisions) if d["id"] == decision_id)
    assert row["action"] == "escalate" and row["person_id"] is None
    assert next(c for c in await table_rows(server, cases) if c["id"] == case_id)["status"] == "closed"
    logged = [(r["action"], r["subject_id"]) for r in await table_rows(server, audit_log)]
    assert ("case.escalated", str(case_id)) in logged


async def test_a_third_warning_within_a_year_is_a_day_of_suspension(
    server: ServerProcess, team: Team
) -> None:
    async with Client(server.url) as offender, Client(server.url) as reporter, Client(server.url) as first:
        await enter(team.room, offender, reporter)
        moderator = await login(first, team.moderator)
        actions = []
        for text in (
            "tu racontes n'importe quoi",
            "encore ton avis, on s'en passe",
            "bref, tu comprends rien au sujet",
        ):
            ack = await offender.send(team.room, text)
            case_id = await reported_case(reporter, ack.id, "harassment", server)
            await moderator.act(case_id, "warn", "Insulte envers un membre.")
            actions.append(await offender.wait_for("statement_of_reasons"))
        assert [s.data["action"] for s in actions] == ["warn", "warn", "suspend"]
        third = actions[2].data
        assert third["duration"] == 86_400 and "troisième avertissement en 12 mois" in third["reason"]
        assert "troisième avertissement en 12 mois" in third["message"]["fr"]
        assert (await offender.wait_for("suspended")).data["message"]["fr"]


async def test_an_operator_gives_an_existing_account_a_role_from_the_cli(
    server: ServerProcess, team: Team
) -> None:
    pseudo_of = pseudo("membre")
    account = Account(f"{pseudo_of}@exemple.invalid")
    created = papote_cli(
        server, "admin", "create-account", "--email", account.email, "--password", account.password,
        "--pseudo", pseudo_of, "--birth-date", "1990-05-05",
    )  # fmt: skip
    assert created.returncode == 0, created.stdout
    async with Client(server.url) as person:
        await login(person, account)
        with pytest.raises(PapoteError) as before:
            await person.cases()
        assert before.value.code == "forbidden"
        missing_room = papote_cli(
            server, "admin", "set-role", "--pseudo", pseudo_of, "--role", "room_moderator"
        )
        assert missing_room.returncode == 2 and "bad_request" in missing_room.stdout
        done = papote_cli(
            server,
            "admin",
            "set-role",
            "--pseudo",
            pseudo_of,
            "--role",
            "room_moderator",
            "--room",
            team.room,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        assert all(case.channel == f"r:{team.room}" for case in await person.cases())
        done = papote_cli(server, "admin", "set-role", "--pseudo", pseudo_of, "--role", "user")
        assert done.returncode == 0 and "room_moderator → user" in done.stdout
        with pytest.raises(PapoteError) as after:
            await person.cases()
        assert after.value.code == "forbidden"
    unknown = papote_cli(server, "admin", "set-role", "--pseudo", "personne_fictive9", "--role", "moderator")
    assert unknown.returncode == 2 and "person_not_found" in unknown.stdout
    logged = [(r["action"], r["details"]) for r in await table_rows(server, audit_log)]
    assert sum(1 for action, details in logged if action == "account.role" and team.room in str(details)) == 1


async def test_room_tools_lock_registered_only_and_holding_new_arrivals(
    server: ServerProcess, team: Team
) -> None:
    room = create_room(server)
    keeper = create_account(server, "room_moderator", room)
    elsewhere = create_account(server, "room_moderator", team.room)
    member_name = pseudo("membre")
    member = Account(f"{member_name}@exemple.invalid")
    created = papote_cli(
        server, "admin", "create-account", "--email", member.email, "--password", member.password,
        "--pseudo", member_name, "--birth-date", "1991-03-03",
    )  # fmt: skip
    assert created.returncode == 0, created.stdout
    async with (
        Client(server.url) as guest,
        Client(server.url) as first,
        Client(server.url) as second,
        Client(server.url) as third,
    ):
        await enter(room, guest)
        moderator, registered = await login(first, keeper), await login(second, member)
        outsider = await login(third, elsewhere)
        await moderator.join(room)
        await registered.join(room)
        for refused_client in (guest, outsider):
            with pytest.raises(PapoteError) as refused:
                await refused_client.room_tools(room, locked=True)
            assert refused.value.code == "forbidden"
        with pytest.raises(PapoteError) as bad:
            await moderator.room_tools(room, locked="oui")
        assert bad.value.code == "bad_request"

        tools = await moderator.room_tools(room, locked=True)
        assert tools["locked"] is True and tools["registered_only"] is False
        with pytest.raises(PapoteError) as locked:
            await guest.send(room, "quelqu'un est là ?")
        assert locked.value.code == "room_locked"
        await moderator.send(room, "Salon verrouillé quelques minutes, merci de votre patience.")

        await moderator.room_tools(room, locked=False, registered_only=True)
        with pytest.raises(PapoteError) as guests:
            await guest.send(room, "et maintenant ?")
        assert guests.value.code == "room_registered_only"
        await registered.send(room, "moi j'ai un compte")

        await moderator.room_tools(room, registered_only=False, hold_new_arrivals=True, slow_mode=0)
        held = await guest.send(room, "bonjour tout le monde")
        assert held.held
        seen = await newest_texts(registered, room)
        assert "bonjour tout le monde" not in seen and "moi j'ai un compte" in seen
        await registered.send(room, "mon compte est récent lui aussi")  # held too: created just now
        await moderator.send(room, "les modérateurs ne sont pas retenus")
        assert "les modérateurs ne sont pas retenus" in await newest_texts(guest, room)
    opened = [c for c in await table_rows(server, cases) if c["channel"] == f"r:{room}"]
    assert len(opened) == 2 and {c["category"] for c in opened} == {"other"}
    changes = [
        r
        for r in await table_rows(server, audit_log)
        if r["action"] == "room.tools" and r["subject_id"] == room
    ]
    assert len(changes) == 3


async def test_a_corrected_age_band_survives_the_next_login(server: ServerProcess, team: Team) -> None:
    email = f"{pseudo('faux')}@exemple.invalid"
    async with Client(server.url, auto_reconnect=False) as impostor, Client(server.url) as first:
        await enter("ados-13-17", impostor, birth=MINOR)
        await impostor.register(email, "motdepasse-fictif-2")
        impostor_id = await person_id_of(server, impostor.pseudo)
        moderator = await login(first, team.moderator)
        report_id = await moderator.report("user", impostor.pseudo, "minor_sexual_risk", "se dit lycéen")
        case_id = await case_of_report(server, report_id)
        await moderator.act(case_id, "correct_age_band", "Adulte inscrit avec une fausse date de naissance.")
        await impostor.wait_for("age_band_corrected")
    async with Client(server.url) as again:
        person = await again.login(email, "motdepasse-fictif-2")
        assert person["age_band"] == "adult"  # the false birth date does not win back at login
    band = next(r["age_band"] for r in await table_rows(server, people) if r["id"] == impostor_id)
    assert band == "adult"
