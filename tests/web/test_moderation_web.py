"""Reports, the moderators' console, statements of reasons and appeals, in a real Chromium."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.support import ADULT, MINOR, ServerProcess, pseudo
from tests.web.bots import Bot
from tests.web.helpers import create_account, enter, message_id, messages, open_room, send

pytestmark = pytest.mark.browser
NewPage = Callable[..., Any]
PHAROS = "https://www.internet-signalement.gouv.fr"
HELPLINE_3018 = "https://www.e-enfance.org/numero-3018/"


def open_console(new_page: NewPage, server: ServerProcess, role: str = "moderator") -> Any:
    """A global moderator (or `role`), made with the operator's command, logged in through the form."""
    name = pseudo("Modo")
    email, password = create_account(server, name, role)
    page = new_page()
    page.goto("/moderation")
    page.fill("#login-email", email)
    page.fill("#login-password", password)
    page.click("#login-form [type=submit]")
    expect(page.locator("#mod-console")).to_be_visible()
    expect(page.locator("#mod-me")).to_have_text(name)
    return page


def decide(console: Any, target: str, action: str, reason: str, duration: str | None = None) -> None:
    """Open the case about `target` ("message:12"), claim it, and decide with a reason."""
    row = console.locator(f'.case-item[data-target="{target}"]')
    expect(row).to_be_visible()  # the queue is polled: a new case appears within seconds
    row.locator(".case-row").click()
    detail = console.locator("#case-detail")
    expect(detail.locator("#case-title")).to_contain_text("Dossier n°")
    detail.get_by_role("button", name="Prendre en charge").click()
    expect(detail.locator(".case-claim .case-claimed")).to_be_visible()
    detail.get_by_role("button", name="Appliquer la décision").click()
    expect(detail.locator("#act-error")).to_have_text("Choisissez une décision.")  # nothing sent yet
    detail.get_by_label(action, exact=True).check()
    if duration:
        detail.locator("#act-duration").fill(duration)
        detail.locator("#act-unit").select_option("days")
    detail.get_by_role("button", name="Appliquer la décision").click()
    expect(detail.locator("#act-error")).to_have_text("Le motif est obligatoire.")  # a reason is required
    detail.locator("#act-reason").fill(reason)
    detail.get_by_role("button", name="Appliquer la décision").click()
    expect(console.locator("#toasts")).to_contain_text("Décision n°")
    expect(detail.locator(".case-closed-note")).to_have_text("Dossier clos.")


def test_a_message_is_reported_in_two_clicks(new_page: NewPage, web_server: ServerProcess) -> None:
    alice = new_page()
    alice_name, bob_name = pseudo("Alice"), pseudo("Bob")
    enter(alice, alice_name)
    open_room(alice, "25-40", alice_name)
    bob = Bot(web_server.url).enter(bob_name, ADULT).join("25-40")
    try:
        # A manoeuvre the pipeline lets through (no label): people's reports are what catch it.
        bob.say("25-40", "t'es seule chez toi ce soir ?")
        said = messages(alice).filter(has_text="seule chez toi")
        expect(said).to_be_visible()
        # Our own messages have no report button; theirs do, named for screen readers.
        send(alice, "je préfère rester ici")
        expect(
            messages(alice).filter(has_text="je préfère rester ici").locator(".message-report")
        ).to_have_count(0)

        said.hover()
        alice.get_by_role("button", name=f"Signaler le message de {bob_name}").click()  # first click
        dialog = alice.locator("#report-dialog")
        expect(dialog).to_contain_text(f"Signaler un message de {bob_name}")
        dialog.get_by_role("button", name="Sollicitation sexuelle").click()  # second click: sent
        expect(dialog.locator(".report-done-title")).to_contain_text("Signalement reçu, n°")
        pharos = dialog.get_by_role("link", name="Signaler sur PHAROS (internet-signalement.gouv.fr)")
        expect(pharos).to_have_attribute("href", PHAROS)
        expect(dialog.locator(f'a[href="{HELPLINE_3018}"]')).to_have_count(0)  # two adults: no 3018 here
        dialog.get_by_role("button", name="Fermer").click()
        expect(dialog).to_be_hidden()
        expect(alice.locator("#toasts")).not_to_contain_text("Signalement n°")  # acknowledged once, not twice
    finally:
        bob.close()


def test_a_minor_reports_a_member_and_is_shown_the_3018(new_page: NewPage, web_server: ServerProcess) -> None:
    lou = new_page()
    lou_name, sam_name = pseudo("Lou"), pseudo("Sam")
    enter(lou, lou_name, born=MINOR)
    open_room(lou, "Ados 13-17", lou_name)
    sam = Bot(web_server.url).enter(sam_name, MINOR).join("ados-13-17")
    try:
        expect(lou.locator("#member-list")).to_contain_text(sam_name)
        lou.get_by_role("button", name=f"Signaler {sam_name}", exact=True).click()
        dialog = lou.locator("#report-dialog")
        dialog.locator("#report-text").fill("il insiste pour avoir mon adresse")  # optional text, before
        dialog.get_by_role("button", name="Harcèlement").click()
        expect(dialog.locator(".report-done-title")).to_contain_text("Signalement reçu, n°")
        expect(dialog.locator(f'a[href="{HELPLINE_3018}"]')).to_be_visible()
        expect(dialog.locator(f'a[href="{PHAROS}"]')).to_be_visible()
        # Blocking is one more click from the acknowledgement.
        dialog.get_by_role("button", name=f"Bloquer aussi {sam_name}").click()
        expect(lou.locator("#toasts")).to_contain_text(f"{sam_name} est bloqué·e")
    finally:
        sam.close()


def test_a_moderator_acts_and_the_person_reads_the_statement_and_appeals(
    new_page: NewPage, web_server: ServerProcess
) -> None:
    bob = new_page()
    bob_name = pseudo("Bob")
    enter(bob, bob_name)
    open_room(bob, "18-25", bob_name)
    text = "t'as quel âge ? tu es dans quel lycée ?"
    send(bob, text)
    number = message_id(bob, text)
    reporter = Bot(web_server.url).enter(pseudo("Zoe"), ADULT).join("18-25")
    try:
        reporter.report("message", number, "minor_sexual_risk", "il demande leur lycée à tout le monde")
    finally:
        reporter.close()

    console = open_console(new_page, web_server)
    row = console.locator(f'.case-item[data-target="message:{number}"]')
    expect(row).to_contain_text("Mise en danger d'un mineur")
    expect(row).to_contain_text("Mineur concerné")
    row.locator(".case-row").click()
    evidence = console.locator("#case-detail .mod-evidence")
    expect(evidence).to_contain_text(text)  # the frozen message, as text
    expect(evidence).to_contain_text("Empreinte vérifiée")
    expect(console.locator("#case-detail")).to_contain_text("il demande leur lycée à tout le monde")
    decide(console, f"message:{number}", "Avertir", "Demander l'âge et le lycée d'inconnus est interdit.")

    statement = bob.locator("#statements .statement")
    expect(statement).to_contain_text("Avertissement")
    expect(statement).to_contain_text("Demander l'âge et le lycée d'inconnus est interdit.")
    expect(statement).to_contain_text("Décision prise par une personne de l'équipe de modération.")
    expect(statement).to_contain_text("Recours possible jusqu'au")
    statement.get_by_role("button", name="Contester cette décision").click()
    statement.get_by_role("button", name="Envoyer le recours").click()
    expect(statement).to_contain_text("Expliquez en quelques mots")  # an empty appeal is not sent
    statement.get_by_label("Pourquoi contestez-vous cette décision ?").fill(
        "je demandais pour un jeu, sans arrière-pensée"
    )
    statement.get_by_role("button", name="Envoyer le recours").click()
    expect(statement).to_contain_text("Recours reçu, n°")

    # The appeal reaches the console's list (polled), for another moderator to decide.
    expect(console.locator("#appeal-list")).to_contain_text(bob_name)


def test_a_suspended_person_still_reads_the_statement(new_page: NewPage, web_server: ServerProcess) -> None:
    eve = new_page()
    eve_name = pseudo("Eve")
    enter(eve, eve_name)
    open_room(eve, "Sud", eve_name)
    text = "tu regretteras de m'avoir ignoré"
    send(eve, text)
    number = message_id(eve, text)
    reporter = Bot(web_server.url).enter(pseudo("Noa"), ADULT).join("sud")
    try:
        reporter.report("message", number, "threat")
    finally:
        reporter.close()

    console = open_console(new_page, web_server)
    decide(console, f"message:{number}", "Suspendre", "Menace envers une autre personne.", duration="3")

    # The server sends the statement, then closes the socket: the suspended page keeps it.
    expect(eve.locator("#suspended-view")).to_be_visible()
    statement = eve.locator("#suspended-statements .statement")
    expect(statement).to_contain_text("Compte suspendu — 3 j, jusqu'au")
    expect(statement).to_contain_text("Menace envers une autre personne.")
    eve.reload()  # still there after a reload (the server now refuses the session)
    statement = eve.locator("#suspended-statements .statement")
    expect(statement).to_contain_text("Menace envers une autre personne.")
    statement.get_by_role("button", name="Contester cette décision").click()  # suspended, yet heard
    statement.get_by_label("Pourquoi contestez-vous cette décision ?").fill("je citais un film, rien de plus")
    statement.get_by_role("button", name="Envoyer le recours").click()
    expect(statement).to_contain_text("Recours reçu, n°")


def test_a_plain_person_is_politely_refused_the_console(new_page: NewPage) -> None:
    page = new_page()
    name = pseudo("Max")
    enter(page, name)
    expect(page.locator("#moderation-link")).to_be_hidden()
    page.goto("/moderation")
    expect(page.locator("#mod-refused")).to_be_visible()
    expect(page.locator("#mod-refused-title")).to_have_text("Page réservée à l'équipe de modération")
    expect(page.locator("#mod-console")).to_be_hidden()


def test_the_public_page_reports_without_a_session(new_page: NewPage, web_server: ServerProcess) -> None:
    author = Bot(web_server.url).enter(pseudo("Leo"), ADULT).join("accueil")
    try:
        frame = {"type": "send", "room": "accueil", "id": uuid.uuid4().hex, "text": "promo -90% ici"}
        ack = author.command(frame)
    finally:
        author.close()
    number = ack["id"]

    page = new_page()
    page.goto("/signaler")
    expect(page.locator("#public-title")).to_have_text("Signaler un contenu ou une personne")
    help_box = page.locator("#public-help-links")
    expect(help_box.locator(f'a[href="{PHAROS}"]')).to_be_visible()
    expect(help_box.locator(f'a[href="{HELPLINE_3018}"]')).to_be_visible()

    page.click("#public-report-form [type=submit]")
    expect(page.locator("#public-error")).to_have_text("Indiquez le numéro, ou un lien qui le contient.")
    page.fill("#public-where", f"https://papote.exemple/salon/accueil#message-{number}")
    page.select_option("#public-category", "csam_signal")
    expect(page.locator("#public-contact")).to_be_hidden()  # no name or e-mail asked for child abuse
    expect(page.locator("#public-no-contact")).to_be_visible()
    page.select_option("#public-category", "scam_spam")
    expect(page.locator("#public-contact")).to_be_visible()
    page.fill("#public-text", "des liens d'arnaque en boucle")
    page.fill("#public-email", "temoin_fictif@exemple.test")
    page.click("#public-report-form [type=submit]")
    expect(page.locator("#public-done-title")).to_contain_text("Signalement reçu, n°")
    expect(page.locator("#public-report-form")).to_be_hidden()

    page.click("#public-again")
    page.fill("#public-where", "999999999")
    page.select_option("#public-category", "other")
    page.click("#public-report-form [type=submit]")
    expect(page.locator("#public-error")).to_contain_text("n'existe pas")  # the server's own words


def test_an_administrator_gives_a_role_and_reads_the_transparency_report(
    new_page: NewPage, web_server: ServerProcess
) -> None:
    helper_name = pseudo("Aide")
    create_account(web_server, helper_name, "user")
    admin = open_console(new_page, web_server, role="admin")
    panel = admin.locator("#admin-panel")
    expect(panel).to_be_visible()
    admin.fill("#role-pseudo", helper_name)
    admin.select_option("#role-role", "trusted_flagger")
    admin.click("#role-form [type=submit]")
    expect(admin.locator("#role-result")).to_contain_text("trusted_flagger")
    with admin.expect_popup() as popup:
        admin.click("#transparency-form [type=submit]")
    report = popup.value
    expect(report.locator("h1")).to_contain_text("Rapport de transparence")
    moderator = open_console(new_page, web_server)  # a plain moderator does not see the panel
    expect(moderator.locator("#admin-panel")).to_be_hidden()


# A room no other browser test writes in: a lock must not leak into them (they share one server).
LOCKED_ROOM = "auvergne-rhone-alpes"


def test_a_moderator_locks_a_room_from_a_case_and_gives_the_case_to_a_colleague(
    new_page: NewPage, web_server: ServerProcess
) -> None:
    colleague = pseudo("Modo")
    create_account(web_server, colleague, "moderator")
    author = Bot(web_server.url).enter(pseudo("Lou"), ADULT).join(LOCKED_ROOM)
    reporter = Bot(web_server.url).enter(pseudo("Sam"), ADULT).join(LOCKED_ROOM)
    try:
        author.say(LOCKED_ROOM, "ce salon est trop calme, réveillez-vous tous")
        number = author.command({"type": "history", "room": LOCKED_ROOM})["data"]["messages"][-1]["id"]
        reporter.report("message", number, "scam_spam")
        console = open_console(new_page, web_server)
        row = console.locator(f'.case-item[data-target="message:{number}"]')
        expect(row).to_be_visible()
        row.locator(".case-row").click()
        detail = console.locator("#case-detail")
        detail.get_by_label("Verrouiller le salon").check()
        detail.get_by_role("button", name="Appliquer", exact=True).click()
        expect(console.locator("#toasts")).to_contain_text(f"Réglages du salon {LOCKED_ROOM} appliqués.")
        try:
            reporter.say(LOCKED_ROOM, "encore un message")
            raise AssertionError("a locked room refused nothing")
        except AssertionError as refused:
            assert "room_locked" in str(refused)
        # The room is unlocked again: the web server is shared by the tests of this worker.
        detail.get_by_label("Verrouiller le salon").uncheck()
        detail.get_by_role("button", name="Appliquer", exact=True).click()
        reopened_by = time.monotonic() + 10
        while True:  # the unlock is applied once the console's request is answered
            try:
                reporter.say(LOCKED_ROOM, "le salon est rouvert")
                break
            except AssertionError as refused:
                assert "room_locked" in str(refused) and time.monotonic() < reopened_by, refused
                time.sleep(0.2)
        detail.get_by_label("Confier à (pseudo)").fill(colleague)
        detail.get_by_role("button", name="Confier", exact=True).click()
        expect(console.locator("#toasts")).to_contain_text("pris en charge")
    finally:
        author.close()
        reporter.close()
