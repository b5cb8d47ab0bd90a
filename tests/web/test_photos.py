"""Photos in the web client, in a real Chromium against a real server: upload, blur, refusals."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from papote.images.errors import IMAGE_MESSAGES
from tests.imaging import encode, shapes
from tests.support import ADULT, pseudo
from tests.web.bots import Bot
from tests.web.helpers import enter, message_with, messages, open_room, send, wait_until_true

pytestmark = pytest.mark.browser
NewPage = Callable[..., Any]
PHONE = {"width": 360, "height": 740}
THUMBNAIL = re.compile(r"/api/messages/\d+/thumbnail$")
PREVIEW = re.compile(r"/api/messages/\d+/preview$")
FIRST_PHOTO_SECONDS = 60

# Records what the upload bar showed, since on a local server it may come and go between two polls.
WATCH_UPLOAD = """() => {
  window.uploadSeen = { values: [], shown: false };
  const bar = document.getElementById("upload-progress");
  const status = document.getElementById("upload-status");
  new MutationObserver(() => {
    window.uploadSeen.values.push(Number(bar.value));
    if (!status.hidden) window.uploadSeen.shown = true;
  }).observe(status, { attributes: true, subtree: true, childList: true, characterData: true });
}"""


def png_file(folder: Path, seed: int) -> Path:
    path = folder / f"photo-{seed}.png"
    path.write_bytes(encode(shapes(seed), "PNG"))
    return path


def wait_for(page: Any, condition: Callable[[], bool], seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        page.wait_for_timeout(50)


def room_id(page: Any, name: str) -> str:
    return str(page.locator(".room-button", has_text=name).get_attribute("data-key")).removeprefix("room:")


def test_a_photo_is_uploaded_with_a_progress_bar_and_appears(new_page: NewPage, tmp_path: Path) -> None:
    page = new_page()
    choosers: list[Any] = []
    page.on("filechooser", lambda chooser: choosers.append(chooser))
    name = pseudo("Lea")
    enter(page, name)
    open_room(page, "Musique", name)
    page.evaluate(WATCH_UPLOAD)

    page.fill("#composer-input", "mon dessin du jour")  # what is typed goes with the photo as its caption
    page.get_by_role("button", name="Envoyer une photo").click()
    wait_for(page, lambda: bool(choosers))
    choosers[0].set_files(str(png_file(tmp_path, 1)))

    sent = messages(page).filter(has=page.locator(".message-photo"))
    photo = sent.locator("img.photo-thumbnail")
    # The server's thumbnail, once the ack came. The first photo a server checks starts its photo worker
    # process and loads the nudity model: several seconds when two test workers share the two cores.
    expect(photo).to_have_attribute("src", THUMBNAIL, timeout=FIRST_PHOTO_SECONDS * 1000)
    wait_until_true(page, "img => img.complete && img.naturalWidth > 0", photo.element_handle(), seconds=30)
    expect(sent).to_contain_text("mon dessin du jour")
    expect(sent).not_to_have_class(re.compile("message-pending"))
    link = sent.get_by_role("link", name=f"Photo de {name} : l'ouvrir en grand dans un nouvel onglet")
    expect(link).to_have_attribute("href", re.compile(r"/api/messages/\d+/image$"))
    # Photos in rooms are blurred for the others: the sender sees hers, with the usual note.
    expect(sent.locator(".message-note")).to_contain_text("Masqué pour les autres")

    seen = page.evaluate("window.uploadSeen")
    assert seen["shown"], seen
    assert max(seen["values"]) == 100, seen  # the bar went all the way
    expect(page.locator("#upload-status")).to_be_hidden()
    expect(page.locator("#composer-input")).to_have_value("")
    expect(page.get_by_role("button", name="Envoyer une photo")).to_be_enabled()


def test_a_strangers_photo_stays_blurred_until_shown(
    new_page: NewPage, web_server: Any, tmp_path: Path
) -> None:
    page = new_page(viewport=PHONE)  # the 360 px layout
    fetched: list[str] = []
    page.on("request", lambda request: fetched.append(request.url))
    name, stranger_name = pseudo("Zoe"), pseudo("Inconnu")
    enter(page, name)
    open_room(page, "Sud", name)
    stranger = Bot(web_server.url).enter(stranger_name, ADULT).join(room_id(page, "Sud"))
    try:
        ack = stranger.send_image(room_id(page, "Sud"), png_file(tmp_path, 2))
        assert "blur" in ack.get("flags", ""), ack

        # The room's history may hold other people's photos (other tests): this stranger's only.
        hidden = messages(page).filter(has_text=stranger_name).filter(has=page.locator(".photo-masked"))
        preview = hidden.locator("img.photo-preview")
        expect(preview).to_have_attribute("src", PREVIEW)
        wait_until_true(
            page, "img => img.complete && img.naturalWidth > 0", preview.element_handle(), seconds=30
        )
        show_it = hidden.get_by_role("button", name="Photo masquée — Afficher")
        block_it = hidden.get_by_role("button", name=f"Bloquer {stranger_name}")
        for button in (show_it, block_it):
            expect(button).to_be_in_viewport()
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        page.wait_for_timeout(300)  # time for any eager fetch to show up: there must be none
        full_size = (f"/api/messages/{ack['id']}/thumbnail", f"/api/messages/{ack['id']}/image")
        assert not [url for url in fetched if url.endswith(full_size)], fetched

        show_it.focus()
        page.keyboard.press("Enter")
        shown = messages(page).filter(has_text=stranger_name).filter(has=page.locator("img.photo-thumbnail"))
        photo = shown.locator("img.photo-thumbnail")
        expect(photo).to_have_attribute("src", THUMBNAIL)
        wait_until_true(
            page, "img => img.complete && img.naturalWidth > 0", photo.element_handle(), seconds=30
        )
        assert [url for url in fetched if url.endswith(full_size[0])], fetched
        expect(shown.get_by_role("link")).to_be_focused()  # the keyboard stays where the button was

        # A second photo: this time the reader blocks the sender from the photo itself.
        stranger.send_image(room_id(page, "Sud"), png_file(tmp_path, 3))
        hidden.get_by_role("button", name=f"Bloquer {stranger_name}").click()
        expect(page.locator("#toasts")).to_contain_text(f"{stranger_name} est bloqué·e")
        expect(messages(page).filter(has_text=stranger_name)).to_have_count(0)
    finally:
        stranger.close()


def test_a_file_that_is_not_a_photo_is_refused_with_the_servers_reason(
    new_page: NewPage, tmp_path: Path
) -> None:
    page = new_page()
    # Listening from the start: file choosers are intercepted well before the key opens one.
    choosers: list[Any] = []
    page.on("filechooser", lambda chooser: choosers.append(chooser))
    uploads: list[str] = []
    page.on(
        "request", lambda request: uploads.append(request.method) if "/api/images" in request.url else None
    )
    name = pseudo("Max")
    enter(page, name)
    open_room(page, "Île-de-France", name)
    notice = page.locator("#composer-notice")
    svg = tmp_path / "dessin.svg"
    svg.write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64"><rect width="64" height="64"/></svg>'
    )
    renamed = tmp_path / "pas-une-photo.png"
    renamed.write_text("ceci n'est pas une image, juste du texte")

    expect(page.locator("#composer-input")).to_be_focused()  # opening a room puts the keyboard there
    page.fill("#composer-input", "regardez")
    page.keyboard.press("Shift+Tab")  # the photo button sits just before the message box
    expect(page.get_by_role("button", name="Envoyer une photo")).to_be_focused()
    page.keyboard.press("Enter")
    wait_for(page, lambda: bool(choosers))
    choosers[0].set_files(str(svg))
    expect(notice).to_contain_text(IMAGE_MESSAGES["image_svg"][0])
    expect(notice).to_contain_text("Votre texte est resté dans la zone de saisie")
    expect(page.locator("#composer-input")).to_have_value("regardez")  # the caption is not lost

    page.fill("#composer-input", "")
    page.set_input_files("#photo-input", str(renamed))
    expect(notice).to_contain_text(IMAGE_MESSAGES["image_format"][0])
    page.click("#lang-switch")  # the server's own English text
    expect(notice).to_contain_text(IMAGE_MESSAGES["image_format"][1])
    page.click("#lang-switch")

    too_big = tmp_path / "enorme.png"
    too_big.write_bytes(encode(shapes(4), "PNG") + bytes(10 * 1024 * 1024))
    asked = len(uploads)
    page.set_input_files("#photo-input", str(too_big))
    expect(notice).to_contain_text("Cette image est trop lourde (10 Mo au plus).")
    assert len(uploads) == asked  # refused at once, without sending 10 MB for nothing

    send(page, "toujours là")  # the page keeps working
    expect(message_with(page, "toujours là")).to_be_visible()
    expect(notice).to_be_hidden()
    page.set_input_files("#photo-input", str(png_file(tmp_path, 5)))
    expect(messages(page).locator("img.photo-thumbnail")).to_have_attribute("src", THUMBNAIL)
    expect(page.locator(".message-failed")).to_have_count(0)
