"""The README screenshot: a realistic but fictional conversation, 1280×800.

    python -m tests.web.screenshot            # writes docs/images/chat.png
    python -m tests.web.screenshot out.png

It starts its own server (fresh data, so only these fictional people appear) and
drives Debian's Chromium; scripted people (bots) talk over the real protocol.
"""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from tests.support import ROOT, ServerProcess
from tests.web.bots import Bot
from tests.web.helpers import enter, open_room

SIZE = {"width": 1280, "height": 800}
DEFAULT_OUTPUT = ROOT / "docs" / "images" / "chat.png"
TODAY = dt.date.today()


def born(age: int) -> dt.date:
    return TODAY.replace(year=TODAY.year - age, day=1)


# Everyone here is fictional. (pseudo, age, gender, département)
PEOPLE = {
    "Camille": (29, "femme", "69"),
    "Yanis": (34, "homme", "13"),
    "Inès": (16, "femme", "38"),
    "Marco": (41, "homme", "69"),
    "Nadia": (27, "femme", "75"),
    "Sofiane": (31, "homme", "31"),
}
CONVERSATION = [
    (
        "Camille",
        "Vous écoutez quoi en ce moment ? Moi je suis en boucle sur de la chanson française des années 80.",
    ),
    ("Yanis", "Beaucoup de jazz manouche, depuis que mon grand-père m'a fait écouter Django Reinhardt 🎸"),
    ("Inès", "Moi c'est la K-pop, et je commence la guitare au collège !"),
    ("Léa", "Trop bien Inès ! Pour bosser je mets de l'électro calme, sinon je décroche."),
    ("Marco", None),  # joins now: the room shows it
    ("Marco", "Salut tout le monde ! Des concerts prévus cet été du côté de Lyon ?"),
    ("Camille", "Les Nuits de Fourvière, la programmation sort la semaine prochaine."),
    ("Yanis", "/me note la date dans son agenda"),
    ("Inès", "Et la fête de la musique le 21 juin, c'est gratuit 😄"),
]


def take_screenshot(browser: Any, server_url: str, output: Path) -> Path:
    bots = {
        name: Bot(server_url).enter(name, born(age), gender, dept)
        for name, (age, gender, dept) in PEOPLE.items()
    }
    context = browser.new_context(viewport=SIZE, locale="fr-FR", base_url=server_url, device_scale_factor=1)
    try:
        page = context.new_page()
        page.goto("/")
        enter(page, "Léa", born(31), gender="femme")
        open_room(page, "Accueil", "Léa")
        for name in ("Camille", "Yanis", "Inès"):
            bots[name].join("musique")
        open_room(page, "Musique", "Léa")
        play_conversation(page, bots)
        bots["Nadia"].join("accueil")
        bots["Nadia"].say("accueil", "Bienvenue aux nouveaux !")
        bots["Nadia"].say("accueil", "Quelqu'un a une bonne recette de crêpes ?")
        bots["Sofiane"].write_to(
            "Léa", "Salut Léa ! Toi aussi tu aimes l'électro ? Tu as des artistes à conseiller ?"
        )
        settle(page)
        output.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(output))
    finally:
        context.close()
        for bot in bots.values():
            bot.close()
    return output


def play_conversation(page: Any, bots: dict[str, Bot]) -> None:
    for name, text in CONVERSATION:
        if text is None:
            bots[name].join("musique")
        elif name == "Léa":
            page.fill("#composer-input", text)
            page.press("#composer-input", "Enter")
            expect(page.locator("#message-list .message-pending")).to_have_count(0)
        else:
            bots[name].say("musique", text)
    expect(page.locator("#message-list")).to_contain_text("c'est gratuit")


def settle(page: Any) -> None:
    """Wait for the last events, then tidy up what would not belong in a still picture."""
    expect(page.locator("#request-list .request")).to_contain_text("Sofiane")
    expect(page.locator(".room-button", has_text="Accueil").locator(".unread")).to_contain_text("2")
    for close in page.locator(".toast-close").all():
        close.click()
    page.fill("#composer-input", "Je note pour Fourvière !")
    page.locator("#composer-input").blur()
    page.mouse.move(0, 799)  # no hover highlight in the picture
    page.wait_for_timeout(200)


def main() -> None:
    from playwright.sync_api import sync_playwright

    from tests.web.conftest import CHROMIUM, CHROMIUM_ARGS

    output = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_OUTPUT
    with tempfile.TemporaryDirectory() as data_dir:
        server = ServerProcess(data_dir=Path(data_dir)).start()
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
                print(take_screenshot(browser, server.url, output))
                browser.close()
        finally:
            server.stop()


if __name__ == "__main__":
    main()
