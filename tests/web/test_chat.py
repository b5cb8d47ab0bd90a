"""The web client in a real Chromium, against a real server: people meet, talk, stay safe."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.support import MINOR, pseudo
from tests.web.helpers import enter, member_button, message_with, messages, open_room, send, wait_until_true

pytestmark = pytest.mark.browser
PHONE = {"width": 360, "height": 740}
NewPage = Callable[..., Any]


def test_two_people_meet_in_a_room_and_chat(new_page: NewPage) -> None:
    alice, bob = new_page(), new_page()
    alice_name, bob_name = pseudo("Alice"), pseudo("Bob")
    enter(alice, alice_name, gender="femme")
    enter(bob, bob_name)
    open_room(alice, "Jeux vidéo", alice_name)
    open_room(bob, "Jeux vidéo", bob_name)

    expect(alice.locator("#message-list")).to_contain_text(f"{bob_name} a rejoint le salon")
    expect(alice.locator("#member-list")).to_contain_text(bob_name)
    expect(bob.locator("#member-list .member", has_text=alice_name)).to_contain_text("Femme")

    send(alice, "Salut ! Quelqu'un joue à Zelda ?")
    send(bob, "/me lève la main")
    for page in (alice, bob):
        said = messages(page).filter(has_text="Quelqu'un joue à Zelda ?")
        expect(said).to_contain_text(alice_name)
        expect(said.locator(".badge")).to_have_text("18+")
        expect(page.locator("#message-list em", has_text=f"* {bob_name} lève la main")).to_be_visible()
    expect(alice.locator("#composer-input")).to_have_value("")


def test_private_request_is_accepted_then_messages_flow_both_ways(new_page: NewPage) -> None:
    alice, bob = new_page(), new_page()
    alice_name, bob_name = pseudo("Alice"), pseudo("Bob")
    enter(alice, alice_name)
    enter(bob, bob_name)
    open_room(alice, "25-40", alice_name)
    open_room(bob, "25-40", bob_name)

    member_button(alice, f"Écrire à {bob_name} en privé").click()
    expect(alice.locator("#chat-topic")).to_contain_text("Votre premier message sera une demande")
    send(alice, "Bonjour ! Tu joues à quoi en ce moment ?")

    request = bob.locator("#request-list .request", has_text=alice_name)
    expect(request).to_contain_text("Bonjour ! Tu joues à quoi en ce moment ?")
    expect(request.get_by_role("button", name="Refuser")).to_be_visible()
    expect(request.get_by_role("button", name="Bloquer")).to_be_visible()
    request.get_by_role("button", name="Accepter").click()

    expect(bob.locator("#chat-title")).to_have_text(alice_name)
    expect(message_with(bob, "Bonjour ! Tu joues à quoi en ce moment ?")).to_be_visible()
    expect(alice.locator("#toasts")).to_contain_text(f"{bob_name} a accepté votre demande")
    send(bob, "Avec plaisir !")
    expect(message_with(alice, "Avec plaisir !")).to_be_visible()
    send(alice, "Super, à tout de suite.")
    expect(message_with(bob, "Super, à tout de suite.")).to_be_visible()
    expect(message_with(bob, "Bonjour ! Tu joues à quoi en ce moment ?")).to_have_count(1)


def test_a_minor_cannot_open_a_private_conversation_with_an_adult(new_page: NewPage) -> None:
    teen, adult = new_page(), new_page()
    teen_name, adult_name = pseudo("Teen"), pseudo("Adult")
    enter(teen, teen_name, born=MINOR)
    enter(adult, adult_name)

    refused = teen.locator(".room-refused", has_text="18-25")
    expect(refused).to_contain_text("Réservé aux adultes")
    expect(teen.locator(".room-button", has_text="18-25")).to_have_count(0)

    open_room(adult, "Accueil", adult_name)
    open_room(teen, "Accueil", teen_name)
    write = member_button(teen, f"Écrire à {adult_name} en privé")
    expect(write).to_be_disabled()  # the page says so up front, with the reason as a tooltip
    expect(write).to_have_attribute("title", "Adultes et mineurs ne peuvent pas se parler en privé")
    write.focus()  # still focusable (aria-disabled), so a keyboard user can learn why
    teen.keyboard.press("Enter")
    expect(teen.locator("#toasts")).to_contain_text("Adultes et mineurs ne peuvent pas se parler en privé")
    expect(teen.locator("#chat-title")).to_have_text("Accueil")
    expect(member_button(adult, f"Écrire à {teen_name} en privé")).to_be_disabled()

    teen.fill("#write-to-pseudo", adult_name)  # typing the pseudonym: the server refuses
    teen.press("#write-to-pseudo", "Enter")
    send(teen, "salut, tu fais quoi ?")
    notice = teen.locator("#composer-notice")
    expect(notice).to_contain_text("les adultes et les mineurs ne peuvent pas se parler en privé")
    expect(teen.locator("#message-list .message-failed")).to_contain_text("Non envoyé")
    expect(teen.locator("#composer-input")).to_be_disabled()
    expect(adult.locator("#request-list .request")).to_have_count(0)


def test_html_in_a_message_is_shown_as_plain_text(new_page: NewPage) -> None:
    alice, bob = new_page(), new_page()
    alice_name, bob_name = pseudo("Alice"), pseudo("Bob")
    dialogs: list[str] = []
    for page in (alice, bob):
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    enter(alice, alice_name)
    enter(bob, bob_name)
    open_room(alice, "18-25", alice_name)
    open_room(bob, "18-25", bob_name)

    payload = "<img src=x onerror=alert(1)><b>gras</b>"
    send(alice, payload)
    for page in (alice, bob):
        expect(page.locator("#message-list .message-text").filter(has_text=payload)).to_have_text(payload)
        expect(page.locator("#message-list b, #message-list img")).to_have_count(0)
    assert dialogs == []


def test_the_english_switch_changes_the_interface_language(new_page: NewPage) -> None:
    page = new_page()
    expect(page.locator("#entry-view h1")).to_have_text("Discutez en quelques secondes.")
    expect(page.locator("#lang-switch .label-long")).to_have_text("English")  # the script is running
    page.click("#lang-switch")
    expect(page.locator("#entry-view h1")).to_have_text("Start chatting in seconds.")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("#lang-switch .label-long")).to_have_text("Français")

    page.reload()  # the choice is remembered
    expect(page.get_by_label("Pseudonym", exact=True)).to_be_visible()
    today = dt.date.today()
    enter_attempt(page, pseudo("Kid"), today.replace(year=today.year - 11))
    expect(page.locator("#enter-error")).to_contain_text("Papote is for people aged 13 and over")

    page.click("#lang-switch")  # the refusal follows the language, too
    expect(page.locator("#enter-error")).to_contain_text("Papote est réservé aux personnes de 13 ans et plus")
    page.click("#lang-switch")
    name = pseudo("Eve")
    enter(page, name)
    expect(page.locator("#rooms-title")).to_have_text("Rooms")
    expect(page.locator(".room-button", has_text="Accueil")).to_contain_text("All ages")
    open_room(page, "Musique", name)
    expect(page.locator("#send-button")).to_have_text("Send")


def enter_attempt(page: Any, name: str, born: dt.date) -> None:
    page.fill("#pseudo", name)
    page.fill("#birth-date", born.isoformat())
    page.check("#accept-rules")
    page.click("#enter-form [type=submit]")


def test_phone_width_keeps_the_main_actions_reachable(new_page: NewPage) -> None:
    page = new_page(viewport=PHONE)
    name = pseudo("Zoe")
    assert_no_horizontal_scroll(page)
    enter(page, name, gender="autre")
    assert_no_horizontal_scroll(page)

    tabs = page.locator(".tabbar")
    expect(tabs).to_be_visible()
    open_room(page, "Musique", name)  # rooms are the first pane; opening one shows the chat
    expect(page.locator("#room-list")).to_be_hidden()
    send(page, "Coucou depuis mon téléphone")
    expect(message_with(page, "Coucou depuis mon téléphone")).to_be_in_viewport()
    expect(page.locator("#send-button")).to_be_in_viewport()

    tabs.get_by_role("button", name="Membres").click()
    expect(page.locator("#member-list")).to_be_in_viewport()
    expect(page.locator("#member-list")).to_contain_text(name)
    page.keyboard.press("Escape")
    expect(page.locator("#composer-input")).to_be_in_viewport()

    tabs.get_by_role("button", name="Privés").click()
    expect(page.locator("#write-to-pseudo")).to_be_in_viewport()
    tabs.get_by_role("button", name="Salons").click()
    expect(page.locator(".room-button", has_text="Accueil")).to_be_in_viewport()
    expect(page.locator("#logout-button")).to_be_in_viewport()
    assert_no_horizontal_scroll(page)


def assert_no_horizontal_scroll(page: Any) -> None:
    # waits out a document being swapped (documentElement briefly null) rather than reading it mid-swap
    wait_until_true(
        page, "document.documentElement !== null && document.documentElement.scrollWidth <= window.innerWidth"
    )


def test_reconnects_and_resumes_without_duplicates(new_page: NewPage) -> None:
    alice, bob = new_page(), new_page()
    alice_name, bob_name = pseudo("Alice"), pseudo("Bob")
    link = CuttableLink(alice)
    enter(alice, alice_name)
    enter(bob, bob_name)
    open_room(alice, "40+", alice_name)
    open_room(bob, "40+", bob_name)
    send(alice, "Avant la coupure")
    expect(message_with(bob, "Avant la coupure")).to_be_visible()

    link.cut()
    expect(alice.locator("#connection-status")).to_be_visible()
    expect(alice.locator("#connection-status")).to_have_text("Reconnexion…")
    send(bob, "Pendant la coupure")
    send(alice, "Écrit hors ligne")  # waits, then goes out once the link is back
    expect(message_with(bob, "Pendant la coupure")).to_be_visible()
    expect(message_with(alice, "Pendant la coupure")).to_have_count(0)

    link.restore()
    expect(alice.locator("#connection-status")).to_be_hidden()
    expect(message_with(alice, "Pendant la coupure")).to_have_count(1)
    expect(message_with(bob, "Écrit hors ligne")).to_have_count(1)
    expect(alice.locator("#message-list .message-pending")).to_have_count(0)
    for text in ("Avant la coupure", "Écrit hors ligne"):
        expect(message_with(alice, text)).to_have_count(1)
    alice.wait_for_timeout(300)  # a late duplicate would show up here
    expect(message_with(alice, "Pendant la coupure")).to_have_count(1)


class CuttableLink:
    """Route the page's WebSocket through Playwright so a test can cut it and refuse reconnections."""

    def __init__(self, page: Any) -> None:
        self.routes: list[Any] = []
        self.down = False
        page.route_web_socket("**/ws", self._connect)

    def _connect(self, route: Any) -> None:
        if self.down:
            route.close()  # the server is "unreachable": the client must back off and retry
            return
        route.connect_to_server()
        self.routes.append(route)

    def cut(self) -> None:
        self.down = True
        for route in self.routes:
            route.close()
        self.routes.clear()

    def restore(self) -> None:
        self.down = False


def test_a_kept_pseudonym_creates_a_private_room_and_invites(new_page: NewPage) -> None:
    owner, guest = new_page(), new_page()
    owner_name, guest_name = pseudo("Own"), pseudo("Gst")
    enter(owner, owner_name)
    enter(guest, guest_name)

    owner.click("#create-room-toggle")  # a guest pseudonym is first asked to keep it
    owner.click("#create-room-keep")
    owner.fill("#register-email", f"{owner_name.lower()}@example.org")
    owner.fill("#register-password", "un mot de passe solide")
    owner.click("#register-form [type=submit]")
    expect(owner.locator("#account-button")).to_be_hidden()

    owner.click("#create-room-toggle")
    owner.fill("#create-room-name", "Club lecture")
    owner.click("#create-room-form [type=submit]")
    expect(owner.locator("#chat-title")).to_have_text("Club lecture")
    owner.click("#invite-toggle")
    owner.fill("#invite-pseudo", guest_name)
    owner.press("#invite-pseudo", "Enter")

    invitation = guest.locator("#request-list .request", has_text="Club lecture")
    expect(invitation).to_contain_text(owner_name)
    invitation.get_by_role("button", name="Rejoindre").click()
    expect(guest.locator("#chat-title")).to_have_text("Club lecture")
    send(guest, "Merci pour l'invitation !")
    expect(message_with(owner, "Merci pour l'invitation !")).to_be_visible()


def test_readme_screenshot_script_still_works(browser: Any, web_server: Any, tmp_path: Any) -> None:
    """The script behind docs/images/chat.png (python -m tests.web.screenshot), at 1280×800."""
    from PIL import Image

    from tests.web.screenshot import take_screenshot

    path = take_screenshot(browser, web_server.url, tmp_path / "chat.png")
    with Image.open(path) as image:
        assert image.size == (1280, 800)
