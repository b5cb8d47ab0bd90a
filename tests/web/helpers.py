"""What a person does in the web client, as small steps shared by the browser tests."""

from __future__ import annotations

import datetime as dt
import json
import re
import time
from typing import Any

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from tests.support import ADULT, ServerProcess, papote_cli


def enter(page: Any, pseudo: str, born: dt.date = ADULT, gender: str | None = None) -> None:
    """Fill the entry form and wait for the chat (the room list comes over the WebSocket)."""
    page.fill("#pseudo", pseudo)
    page.fill("#birth-date", born.isoformat())
    if gender:
        page.check(f"input[name=gender][value={gender}]")
    page.check("#accept-rules")
    page.click("#enter-form [type=submit]")
    expect(page.locator("#chat-view")).to_be_visible()
    expect(page.locator(".room-button").first).to_be_visible()


def wait_until_true(page: Any, expression: str, arg: Any = None, seconds: float = 5) -> None:
    """Poll a JavaScript expression (or function of `arg`) until it is true.

    Not `page.wait_for_function`: when its first check is false it re-checks from the page's own
    animation frames with `eval`, which our Content-Security-Policy (no 'unsafe-eval') refuses. Each
    `page.evaluate` comes from the test driver, which the policy does not govern. A document being
    swapped (context destroyed mid-check) counts as "not yet".
    """
    deadline = time.monotonic() + seconds
    while True:
        try:
            if page.evaluate(expression, arg):
                return
        except PlaywrightError as error:
            if "context was destroyed" not in str(error):
                raise
        assert time.monotonic() < deadline, f"still false after {seconds} s: {expression}"
        page.wait_for_timeout(50)


def open_room(page: Any, name: str, me: str) -> None:
    """Open a room from the list and wait until the join is done (we appear among the members)."""
    page.locator(".room-button", has_text=name).click()
    expect(page.locator("#chat-title")).to_have_text(name)
    expect(page.locator("#member-list")).to_contain_text(me)


def send(page: Any, text: str) -> None:
    page.fill("#composer-input", text)
    page.press("#composer-input", "Enter")


def messages(page: Any) -> Any:
    return page.locator("#message-list .message")


def message_with(page: Any, text: str) -> Any:
    return page.locator("#message-list .message-text", has_text=text)


def member_button(page: Any, label: str) -> Any:
    """A member's button, found by its accessible name (e.g. "Écrire à Bob en privé")."""
    return page.get_by_role("button", name=label, exact=True)


class SocketTap:
    """Route a page's WebSocket through Playwright, to add server frames of our own.

    For what the real server does only in rare situations (a suspension, a conversation
    frozen by the risk scorer): the frames follow docs/protocol.md; everything else is real.
    """

    def __init__(self, page: Any) -> None:
        self.routes: list[Any] = []
        page.route_web_socket("**/ws", self._connect)

    def _connect(self, route: Any) -> None:
        route.connect_to_server()  # the real server, frames forwarded both ways
        self.routes.append(route)

    def inject(self, frame: dict[str, Any]) -> None:
        self.routes[-1].send(json.dumps(frame))

    def close(self, code: int) -> None:
        """Close the page's side as the server would (e.g. 4403 after a suspension)."""
        self.routes[-1].close(code=code)


def create_account(server: ServerProcess, pseudo: str, role: str, born: dt.date = ADULT) -> tuple[str, str]:
    """A registered account with a role, made with the operator's command; returns (e-mail, password)."""
    email, password = f"{pseudo.lower()}@exemple.test", "mot-de-passe-fictif-42"
    done = papote_cli(
        server,
        *("admin", "create-account", "--email", email, "--password", password, "--pseudo", pseudo),
        *("--birth-date", born.isoformat(), "--role", role),
    )
    assert done.returncode == 0, done.stderr
    return email, password


def message_id(page: Any, text: str) -> int:
    """The server's number of a message on screen (what reports refer to)."""
    item = messages(page).filter(has_text=text)
    expect(item).to_have_attribute("data-id", re.compile(r"^\d+$"))
    return int(item.get_attribute("data-id"))
