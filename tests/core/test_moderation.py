"""Reports, frozen evidence, the queue, decisions with statements of reasons, appeals: end to end over
real WebSockets and HTTP, on SQLite and PostgreSQL.

Reported messages are the manoeuvres a moderator must catch, with fictional people only.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from papote.client import Client, PapoteError
from papote.storage.tables import audit_log, cases, decisions, evidence, reports
from papote.storage.tables import people as people_table
from tests.conftest import make_server
from tests.support import ADULT, MINOR, ServerProcess, papote_cli, pseudo, table_rows

PASSWORD = "motdepasse-fictif-2024"


@dataclass(frozen=True)
class Account:
    email: str
    password: str = PASSWORD


def create_account(server: ServerProcess, role: str, room: str | None = None) -> Account:
    name = pseudo("modo")
    account = Account(f"{name}@exemple.invalid")
    extra = ["--room", room] if room else []
    done = papote_cli(
        server, "admin", "create-account", "--email", account.email, "--password", PASSWORD,
        "--pseudo", name, "--birth-date", "1985-01-01", "--role", role, *extra,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    return account


def create_room(server: ServerProcess) -> str:
    room_id = pseudo("salon").replace("_", "-")
    done = papote_cli(
        server, "admin", "create-room", "--name", room_id, "--id", room_id, "--audience", "adults"
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return room_id


@dataclass(frozen=True)
class Staff:
    moderator: Account
    second_moderator: Account
    flagger: Account
    room_moderator: Account
    room: str  # the room moderator's room


@pytest.fixture(scope="module")
def staff(server: ServerProcess) -> Iterator[Staff]:
    room = create_room(server)
    yield Staff(
        moderator=create_account(server, "moderator"),
        second_moderator=create_account(server, "moderator"),
        flagger=create_account(server, "trusted_flagger"),
        room_moderator=create_account(server, "room_moderator", room),
        room=room,
    )


async def login(client: Client, account: Account) -> Client:
    await client.login(account.email, account.password)
    return client


async def enter(room: str, *clients: Client, birth: object = ADULT) -> None:
    for client in clients:
        await client.enter(pseudo(), birth)  # type: ignore[arg-type]
        await client.join(room)


async def case_of_report(server: ServerProcess, report_id: int) -> int:
    row = next(r for r in await table_rows(server, reports) if r["id"] == report_id)
    return int(str(row["case_id"]))


# --- the whole path ---------------------------------------------------------------------------------


async def test_report_freezes_evidence_then_decision_statement_appeal_and_reversal(
    server: ServerProcess, staff: Staff
) -> None:
    async with (
        Client(server.url) as sender,
        Client(server.url) as reporter,
        Client(server.url) as first,
        Client(server.url) as second,
    ):
        await enter("25-40", sender, reporter)
        for text in ("salut", "tu fais quoi ce soir ?", "réponds"):
            await sender.send("25-40", text)
        ack = await sender.send("25-40", "réponds-moi, je t'ai écrit quarante fois aujourd'hui")
        report_id = await reporter.report("message", ack.id, "harassment", "il me relance sans arrêt")
        received = await reporter.wait_for("report_received")
        assert received.data["report"] == report_id and received.data["message"]["fr"]

        # the evidence is frozen: the item, its context and the sender's record, each with its digest
        frozen = [row for row in await table_rows(server, evidence) if row["report_id"] == report_id]
        parts = {str(row["part"]): row for row in frozen}
        assert set(parts) == {"item", "context", "person"}
        for row in frozen:
            assert row["sha256"] == hashlib.sha256(str(row["content"]).encode("utf-8")).hexdigest()
            assert row["legal_hold"] is False
        item = json.loads(str(parts["item"]["content"]))
        assert item["id"] == ack.id and "quarante fois" in item["text"]
        context = [m["text"] for m in json.loads(str(parts["context"]["content"]))]
        assert context[-3:] == ["salut", "tu fais quoi ce soir ?", "réponds"]
        person = json.loads(str(parts["person"]["content"]))
        assert person["pseudo"] == sender.pseudo and "password_hash" not in person

        moderator, other = await login(first, staff.moderator), await login(second, staff.second_moderator)
        case_id = await case_of_report(server, report_id)
        queued = {case.id: case for case in await moderator.cases()}
        assert queued[case_id].category == "harassment" and queued[case_id].target_id == str(ack.id)
        assert queued[case_id].source == "report" and queued[case_id].status == "open"
        detail = await moderator.case(case_id)
        assert {e["part"] for e in detail["evidence"]} == {"item", "context", "person"}
        assert all(e["intact"] for e in detail["evidence"])
        assert detail["reports"][0]["text"] == "il me relance sans arrêt"

        await moderator.claim(case_id)
        assert {c.id: c for c in await moderator.cases()}[case_id].status == "claimed"
        decision_id = await moderator.act(
            case_id, "mute", "Relances insistantes malgré l'absence de réponse.", 600
        )
        statement = await sender.wait_for("statement_of_reasons")
        assert statement.decision_id == decision_id
        assert statement.data["action"] == "mute" and statement.data["automated"] is False
        assert statement.data["duration"] == 600 and statement.data["rule"].startswith("Règle 1")
        assert statement.data["appeal_until"] > time.time() * 1000 + 150 * 86_400_000
        assert "contester" in statement.data["message"]["fr"] and "appeal" in statement.data["message"]["en"]
        assert "quarante fois" in statement.data["facts"]
        outcome = await reporter.wait_for("report_outcome")
        assert outcome.data["report"] == report_id and outcome.data["outcome"] == "action_taken"
        with pytest.raises(PapoteError) as muted:
            await sender.send("25-40", "pourquoi je peux plus écrire")
        assert muted.value.code == "muted"
        with pytest.raises(PapoteError) as closed:
            await moderator.act(case_id, "warn", "encore")
        assert closed.value.code == "case_closed"

        appeal_id = await sender.appeal(
            decision_id, "Je voulais seulement savoir si mon message était arrivé."
        )
        with pytest.raises(PapoteError) as twice:
            await sender.appeal(decision_id, "encore")
        assert twice.value.code == "appeal_exists"
        with pytest.raises(PapoteError) as not_theirs:
            await reporter.appeal(decision_id, "moi aussi")
        assert not_theirs.value.code == "decision_not_found"
        with pytest.raises(PapoteError) as same:
            await moderator.decide_appeal(appeal_id, "reverse", "je me déjuge")
        assert same.value.code == "forbidden"
        assert appeal_id in [a["id"] for a in await other.appeals()]
        await other.decide_appeal(
            appeal_id, "reverse", "Une seule relance par heure : pas de harcèlement établi."
        )
        decided = await sender.wait_for("appeal_decided")
        assert decided.decision_id == decision_id and decided.data["outcome"] == "reversed"
        assert "harcèlement" in decided.data["message"]["fr"]
        await sender.send("25-40", "merci, je peux de nouveau écrire")  # the mute is lifted at once
        with pytest.raises(PapoteError) as done:
            await other.decide_appeal(appeal_id, "uphold", "trop tard")
        assert done.value.code == "appeal_decided"

    row = next(d for d in await table_rows(server, decisions) if d["id"] == decision_id)
    assert row["automated"] is False and row["reversed_ms"] is not None and row["person_id"] is not None
    closed_case = next(c for c in await table_rows(server, cases) if c["id"] == case_id)
    assert closed_case["status"] == "closed" and closed_case["closed_ms"] is not None
    logged = [(r["action"], r["subject_id"]) for r in await table_rows(server, audit_log)]
    assert ("decision.mute", str(case_id)) in logged and ("case.claimed", str(case_id)) in logged
    assert ("appeal.decided", str(decision_id)) in logged


async def test_removing_content_hides_it_and_a_reversal_shows_it_again(
    server: ServerProcess, staff: Staff
) -> None:
    async with (
        Client(server.url) as sender,
        Client(server.url) as reader,
        Client(server.url) as first,
        Client(server.url) as second,
    ):
        await enter("40-plus", sender, reader)
        ack = await sender.send("40-plus", "envoie ton numéro en privé, vite")
        report_id = await reader.report("message", ack.id, "contact_offplatform")
        case_id = await case_of_report(server, report_id)
        moderator, other = await login(first, staff.moderator), await login(second, staff.second_moderator)
        decision_id = await moderator.act(case_id, "remove_content", "Demande de coordonnées.")
        assert ack.id not in [m.id for m in await reader.history("40-plus")]
        assert (await sender.wait_for("statement_of_reasons")).data["action"] == "remove_content"
        appeal_id = await sender.appeal(decision_id, "C'était pour un covoiturage.")
        await other.decide_appeal(appeal_id, "reverse", "Contexte de covoiturage entre adultes.")
        await sender.wait_for("appeal_decided")
        assert ack.id in [m.id for m in await reader.history("40-plus")]


# --- the queue ------------------------------------------------------------------------------------


async def test_queue_order_severity_then_minor_then_trusted_flagger_then_waiting(
    server: ServerProcess, staff: Staff
) -> None:
    async with (
        Client(server.url) as sender,
        Client(server.url) as reporter,
        Client(server.url) as teen,
        Client(server.url) as teen_reporter,
        Client(server.url) as flagger_client,
        Client(server.url) as moderator_client,
    ):
        await enter("25-40", sender, reporter)
        await enter("ados-13-17", teen, teen_reporter, birth=MINOR)
        flagger = await login(flagger_client, staff.flagger)
        await flagger.join("25-40")
        acks = [await sender.send("25-40", f"promo incroyable numéro {n}, clique vite") for n in range(3)]
        teen_ack = await teen.send("ados-13-17", "t'es trop bizarre toi")
        oldest = await reporter.report("message", acks[0].id, "scam_spam")  # waits longest
        minor = await teen_reporter.report("message", teen_ack.id, "harassment")
        flagged = await flagger.report("message", acks[1].id, "scam_spam")
        severe = await reporter.report("message", acks[2].id, "threat", "menace de s'en prendre à moi")
        ids = {name: await case_of_report(server, r) for name, r in (("oldest", oldest), ("minor", minor),
               ("flagged", flagged), ("severe", severe))}  # fmt: skip
        moderator = await login(moderator_client, staff.moderator)
        queue = await moderator.cases()
        position = {case.id: n for n, case in enumerate(queue)}
        order = sorted(ids, key=lambda name: position[ids[name]])
        assert order == ["severe", "minor", "flagged", "oldest"]
        by_id = {case.id: case for case in queue}
        assert by_id[ids["severe"]].priority <= 1 and by_id[ids["minor"]].minor_involved
        assert by_id[ids["flagged"]].source == "trusted_flagger"
        # a second report on the same message joins its case, which the flagger's origin raises
        again = await flagger.report("message", acks[0].id, "scam_spam")
        assert await case_of_report(server, again) == ids["oldest"]
        raised = {case.id: case for case in await moderator.cases()}[ids["oldest"]]
        assert raised.source == "trusted_flagger"


# --- who may do what ------------------------------------------------------------------------------


async def test_room_moderators_act_in_their_rooms_only(server: ServerProcess, staff: Staff) -> None:
    async with (
        Client(server.url) as sender,
        Client(server.url) as reporter,
        Client(server.url) as room_moderator_client,
    ):
        await enter(staff.room, sender, reporter)
        await reporter.join("25-40")
        await sender.join("25-40")
        inside = await sender.send(staff.room, "donne ton snap ou je le trouve moi-même")
        outside = await sender.send("25-40", "donne ton snap ou je le trouve moi-même, toi aussi")
        inside_case = await case_of_report(server, await reporter.report("message", inside.id, "harassment"))
        outside_case = await case_of_report(
            server, await reporter.report("message", outside.id, "harassment")
        )
        room_moderator = await login(room_moderator_client, staff.room_moderator)
        seen = {case.id for case in await room_moderator.cases()}
        assert inside_case in seen and outside_case not in seen
        for attempt in (
            room_moderator.case(outside_case),
            room_moderator.claim(outside_case),
            room_moderator.act(outside_case, "warn", "hors de mon salon"),
        ):
            with pytest.raises(PapoteError) as refused:
                await attempt
            assert refused.value.code == "forbidden"
        await room_moderator.claim(inside_case)
        await room_moderator.act(inside_case, "suspend", "Pression pour obtenir un contact.", 3600)
        statement = await sender.wait_for("statement_of_reasons")
        assert statement.data["action"] == "suspend" and "1 heure" in statement.data["message"]["fr"]
        await sender.wait_for("suspended")  # after the statement; then the server closes the connection
        sender.auto_reconnect = False
        with pytest.raises(PapoteError) as suspended:
            await sender.reconnect()
        assert suspended.value.code == "account_suspended"


MODERATION_FRAMES = {
    "cases": {"status": "open"},
    "case": {"case_id": 1},
    "claim": {"case_id": 1},
    "act": {"case_id": 1, "action": "warn", "reason": "essai"},
    "appeals": {},
    "decide_appeal": {"appeal_id": 1, "outcome": "reverse", "reason": "essai"},
}


@pytest.mark.parametrize("command", sorted(MODERATION_FRAMES))
async def test_a_plain_user_reaches_no_moderation_command(server: ServerProcess, command: str) -> None:
    async with Client(server.url) as person, Client(server.url) as flagger_like:
        await person.enter(pseudo("p"), ADULT)
        with pytest.raises(PapoteError) as refused:
            await person._request({"type": command, **MODERATION_FRAMES[command]})
        assert refused.value.code == "forbidden"
        await flagger_like.enter(pseudo("q"), MINOR)
        with pytest.raises(PapoteError) as minor_refused:
            await flagger_like._request({"type": command, **MODERATION_FRAMES[command]})
        assert minor_refused.value.code == "forbidden"


async def test_trusted_flaggers_report_but_do_not_moderate(server: ServerProcess, staff: Staff) -> None:
    async with Client(server.url) as client:
        flagger = await login(client, staff.flagger)
        with pytest.raises(PapoteError) as refused:
            await flagger.cases()
        assert refused.value.code == "forbidden"


async def test_reports_only_on_what_the_reporter_can_see(server: ServerProcess) -> None:
    async with Client(server.url) as sender, Client(server.url) as outsider, Client(server.url) as peer:
        await enter("sud", sender)
        await outsider.enter(pseudo("o"), ADULT)
        await peer.enter(pseudo("p"), ADULT)
        ack = await sender.send("sud", "message du salon sud")
        private = await sender.send_private(peer.pseudo, "salut, on parle ?")
        for kind, target in (("message", ack.id), ("conversation", private.conversation), ("message", 10**9)):
            with pytest.raises(PapoteError) as refused:
                await outsider.report(kind, target, "other")
            assert refused.value.code == "report_target_not_found"
        with pytest.raises(PapoteError) as bad:
            await sender.report("message", ack.id, "not_a_category")
        assert bad.value.code == "bad_request"
        # the recipient of a private request may report the conversation: both sides are frozen
        report_id = await peer.report("conversation", private.conversation, "sexual_solicitation")
    frozen = {r["part"]: r for r in await table_rows(server, evidence) if r["report_id"] == report_id}
    context = json.loads(str(frozen["context"]["content"]))
    assert [m["text"] for m in context] == ["salut, on parle ?"]
    assert len(json.loads(str(frozen["person"]["content"]))) == 2


async def test_a_user_report_and_an_automated_suspension_with_its_statement(server: ServerProcess) -> None:
    async with Client(server.url) as reporter, Client(server.url) as offender:
        await enter("18-25", reporter, offender)
        report_id = await reporter.report("user", offender.pseudo, "minor_sexual_risk", "il cherche des ados")
        assert (await reporter.wait_for("report_received")).data["report"] == report_id
        with pytest.raises(PapoteError):
            await offender.send("18-25", "échange pics de jeunes, mp")
        statement = await offender.wait_for("statement_of_reasons")
        assert statement.data["automated"] is True and statement.data["action"] == "suspend"
        assert "automatiquement" in statement.data["message"]["fr"]
        await offender.wait_for("suspended")
    row = next(r for r in await table_rows(server, reports) if r["id"] == report_id)
    case = next(c for c in await table_rows(server, cases) if c["id"] == row["case_id"])
    assert case["priority"] == 0 and case["target_kind"] == "user" and case["minor_involved"]
    automated = [d for d in await table_rows(server, decisions) if d["id"] == statement.decision_id]
    assert automated and automated[0]["automated"] is True and automated[0]["moderator_id"] is None


def test_a_room_moderator_needs_a_room(server: ServerProcess) -> None:
    name = pseudo("modo")
    done = papote_cli(
        server, "admin", "create-account", "--email", f"{name}@exemple.invalid", "--password", PASSWORD,
        "--pseudo", name, "--birth-date", "1985-01-01", "--role", "room_moderator",
    )  # fmt: skip
    assert done.returncode != 0 and "bad_request" in done.stdout


# --- the public report page -----------------------------------------------------------------------


async def test_public_report_needs_no_session(server: ServerProcess) -> None:
    async with Client(server.url) as sender:
        await enter("accueil", sender)
        ack = await sender.send("accueil", "regardez ce que j'ai trouvé sur elle")
    async with httpx.AsyncClient(base_url=server.url) as anonymous:
        answer = await anonymous.post(
            "/api/reports",
            json={"kind": "message", "target_id": ack.id, "category": "ncii", "text": "urgent"},
        )
        assert answer.status_code == 201, answer.text
        report_id = answer.json()["report"]
        refused = await anonymous.post("/api/reports", json={"kind": "message", "target_id": ack.id})
        assert refused.status_code == 400 and refused.json()["code"] == "bad_request"
    row = next(r for r in await table_rows(server, reports) if r["id"] == report_id)
    assert row["reporter_id"] is None and row["source"] == "public"
    assert row["ip_hash"] and "127.0.0.1" not in str(row["ip_hash"]) and len(str(row["ip_hash"])) == 64
    assert {r["part"] for r in await table_rows(server, evidence) if r["report_id"] == report_id} >= {"item"}


async def test_public_reports_are_rate_limited(backend: str, tmp_path: Path) -> None:
    strict = make_server(backend, tmp_path, PAPOTE_RATE_LIMITS="on")
    try:
        async with httpx.AsyncClient(base_url=strict.url) as anonymous:
            body = {"kind": "room", "target_id": "accueil", "category": "other"}
            codes = [(await anonymous.post("/api/reports", json=body)).status_code for _ in range(6)]
        assert codes == [201] * 5 + [429]
    finally:
        strict.stop()


async def test_a_suspended_person_reads_the_decision_and_appeals_then_is_reinstated(
    server: ServerProcess, staff: Staff
) -> None:
    async with Client(server.url) as offender, Client(server.url) as moderator:
        await enter("25-40", offender)
        with pytest.raises(PapoteError):
            await offender.send("25-40", "échange pics de jeunes, mp")
        statement = await offender.wait_for("statement_of_reasons")
        await offender.wait_for("suspended")
        offender.auto_reconnect = False
        with pytest.raises(PapoteError) as closed:
            await offender.reconnect()
        assert closed.value.code == "account_suspended"
        mine = await offender.decisions()  # readable while suspended
        assert mine[0]["id"] == statement.decision_id and mine[0]["action"] == "suspend"
        appeal_id = await offender.appeal(
            statement.decision_id, "c'était une erreur de ma part, je n'échange rien"
        )
        with pytest.raises(PapoteError) as twice:
            await offender.appeal(statement.decision_id, "encore")
        assert twice.value.code == "appeal_exists"
        await login(moderator, staff.moderator)
        assert any(item["id"] == appeal_id for item in await moderator.appeals())
        await moderator.decide_appeal(appeal_id, "reverse", "le message ne proposait aucun échange")
        await offender.reconnect()  # reinstated at once
        await offender.join("25-40")


async def test_dismissing_a_case_lifts_the_automated_suspension(server: ServerProcess, staff: Staff) -> None:
    async with Client(server.url) as person, Client(server.url) as moderator:
        await enter("40-plus", person)
        with pytest.raises(PapoteError):
            await person.send("40-plus", "échange pics de jeunes, mp")
        statement = await person.wait_for("statement_of_reasons")
        await person.wait_for("suspended")
        await login(moderator, staff.moderator)
        case_id = next(
            d["case_id"] for d in await table_rows(server, decisions) if d["id"] == statement.decision_id
        )
        await moderator.act(int(str(case_id)), "dismiss", "faux positif : une phrase de prévention mal lue")
        person.auto_reconnect = False
        await person.reconnect()  # the suspension pending review is over
        (automated,) = [d for d in await person.decisions() if d["id"] == statement.decision_id]
        assert automated["reversed_ms"] is not None  # what the person reads, since it was offline


async def test_moderators_see_evidence_photos_blurred_first_and_others_never(
    server: ServerProcess, staff: Staff, tmp_path: Path
) -> None:
    from tests.imaging import encode, shapes

    photo = tmp_path / "preuve.png"
    photo.write_bytes(encode(shapes(777), "PNG"))
    async with Client(server.url) as sender, Client(server.url) as reporter, Client(server.url) as moderator:
        await enter("sud", sender, reporter)
        ack = await sender.send_image("sud", photo)
        await reporter.report("image", ack.id, "ncii", "c'est une photo de moi prise sans mon accord")
        path = f"/api/moderation/messages/{ack.id}"
        with pytest.raises(PapoteError) as plain:
            await reporter.fetch_image(f"{path}/preview")
        assert plain.value.code == "forbidden"
        await login(moderator, staff.moderator)
        preview = await moderator.fetch_image(f"{path}/preview")
        full = await moderator.fetch_image(f"{path}/image")
        assert preview != full and len(full) > 0
    async with Client(server.url) as room_moderator:
        await login(room_moderator, staff.room_moderator)
        with pytest.raises(PapoteError) as elsewhere:
            await room_moderator.fetch_image(f"{path}/image")
        assert elsewhere.value.code == "forbidden"


async def test_only_administrators_give_roles_and_read_the_transparency_report(
    server: ServerProcess, staff: Staff
) -> None:
    admin = create_account(server, "admin")
    async with Client(server.url) as moderator, Client(server.url) as chief:
        await login(moderator, staff.moderator)
        refused = await moderator.http.post("/api/admin/roles", json={"pseudo": "x", "role": "moderator"})
        assert refused.status_code == 403 and refused.json()["code"] == "forbidden"
        report = await moderator.http.get("/api/admin/transparency?from=2026-01-01&to=2026-12-31")
        assert report.status_code == 403
        await login(chief, admin)
        report = await chief.http.get("/api/admin/transparency?from=2026-01-01&to=2026-12-31&format=json")
        assert report.status_code == 200 and "notices_by_category" in report.json()
        bad = await chief.http.get("/api/admin/transparency?from=hier&to=demain")
        assert bad.status_code == 400
        name = pseudo("aide")
        done = papote_cli(
            server, "admin", "create-account", "--email", f"{name}@exemple.invalid", "--password", PASSWORD,
            "--pseudo", name, "--birth-date", "1990-01-01", "--role", "user",
        )  # fmt: skip
        assert done.returncode == 0, done.stdout
        granted = await chief.http.post("/api/admin/roles", json={"pseudo": name, "role": "trusted_flagger"})
        assert granted.status_code == 200 and granted.json() == {
            "previous": "user",
            "role": "trusted_flagger",
        }
    entries = [e for e in await table_rows(server, audit_log) if e["action"] == "account.role"]
    assert any(e["actor_kind"] == "admin" and e["actor_id"] is not None for e in entries)


async def test_a_global_moderator_assigns_a_case_to_a_moderator_who_may_handle_it(
    server: ServerProcess, staff: Staff
) -> None:
    async with Client(server.url) as author, Client(server.url) as reporter, Client(server.url) as chief:
        await enter(staff.room, author, reporter)
        ack = await author.send(staff.room, "un message qu'on signale pour voir qui s'en occupe")
        case_id = await case_of_report(server, await reporter.report("message", ack.id, "other"))
        await login(chief, staff.moderator)
        async with Client(server.url) as helper:
            await login(helper, staff.room_moderator)
            helper_name = helper.pseudo
        await chief.claim(case_id, assign_to=helper_name)
        (row,) = [c for c in await table_rows(server, cases) if c["id"] == case_id]
        assert row["status"] == "claimed"
        helper_id = next(
            p["id"] for p in await table_rows(server, people_table) if p["pseudo"] == helper_name
        )
        assert row["claimed_by"] == helper_id
        with pytest.raises(PapoteError) as not_staff:
            await chief.claim(case_id, assign_to=author.pseudo)
        assert not_staff.value.code == "person_not_found"
    async with Client(server.url) as room_moderator:
        await login(room_moderator, staff.room_moderator)
        with pytest.raises(PapoteError) as only_global:
            await room_moderator.claim(case_id, assign_to=helper_name)
        assert only_global.value.code == "forbidden"
    assert any(e["action"] == "case.assigned" for e in await table_rows(server, audit_log))
