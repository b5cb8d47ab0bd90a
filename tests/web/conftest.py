"""Browser fixtures: Debian's Chromium driven by Playwright's sync API, one browser per test module.

The web tests run against their own SQLite server: the page is the same whatever the
database, and one backend keeps the browser suite fast.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support import ServerProcess, missing

CHROMIUM = Path(os.environ.get("PAPOTE_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DESKTOP = {"width": 1280, "height": 800}
WAIT_MS = 10_000  # generous: a busy CI machine is slow, and waits end as soon as the page is right


@pytest.fixture(scope="session")
def chromium() -> Path:
    """Debian's Chromium, or a skip (a failure under CI) before anything is started for nothing."""
    if not CHROMIUM.exists():
        missing(f"Chromium ({CHROMIUM})")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing("Playwright (pip install playwright)")
    return CHROMIUM


@pytest.fixture(scope="module")
def browser(chromium: Path) -> Iterator[Any]:
    """One Chromium per test module (the web tests live in one module, so one per run).

    Not per session: Playwright's sync API keeps its own event loop running while it is
    open, and pytest-asyncio's session loop could not run the async tests that follow.
    """
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=WAIT_MS)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="session")
def web_server(chromium: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    process = ServerProcess(data_dir=tmp_path_factory.mktemp("web-server")).start()
    yield process
    process.stop()


@pytest.fixture
def new_page(browser: Any, web_server: ServerProcess) -> Iterator[Callable[..., Any]]:
    """Open a page in a fresh browser context (its own cookies: a different person)."""
    contexts: list[Any] = []
    problems: list[str] = []

    def open_page(viewport: dict[str, int] | None = None, locale: str = "fr-FR") -> Any:
        context = browser.new_context(viewport=viewport or DESKTOP, locale=locale, base_url=web_server.url)
        context.set_default_timeout(WAIT_MS)
        contexts.append(context)
        page = context.new_page()
        # A script error or a CSP violation (inline style, eval…) is a bug, even if the test passes.
        page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
        page.on("console", lambda message: _watch_console(message, problems))
        page.goto("/", wait_until="commit")  # pages load side by side; steps wait for what they need
        return page

    yield open_page
    for context in contexts:
        context.close()
    assert not problems, problems


def _watch_console(message: Any, problems: list[str]) -> None:
    if message.type == "error" and "Content Security Policy" in message.text:
        problems.append(f"CSP: {message.text}")
