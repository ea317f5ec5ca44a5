"""End-to-end fixtures: the real app served on a free port (werkzeug in a thread) and Debian's Chromium
driven by Playwright (never a downloaded browser build)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from werkzeug.serving import make_server

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]


def _serve(application) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, application, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="e2e-live-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def live_server(app) -> Iterator[str]:
    """The test app (MariaDB + Redis of the suite) on 127.0.0.1 and a free port; yields its base URL."""
    yield from _serve(app)


@pytest.fixture(scope="session")
def strict_live_server(make_app) -> Iterator[str]:
    """The same database with CSRF enforced, as in production (the default test app switches it off)."""
    yield from _serve(make_app(WTF_CSRF_ENABLED=True))


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield instance
        instance.close()


@dataclass
class BrowserLog:
    console_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)


def _open_page(browser, base_url: str):
    context = browser.new_context(base_url=base_url, viewport={"width": 1280, "height": 800})
    tab = context.new_page()
    log = BrowserLog()
    tab.on("console", lambda msg: log.console_errors.append(msg.text) if msg.type == "error" else None)
    tab.on("pageerror", lambda exc: log.console_errors.append(str(exc)))
    tab.on("requestfailed", lambda req: log.failed_requests.append(req.url))
    tab.browser_log = log
    return context, tab


@pytest.fixture
def page(browser, live_server):
    """A fresh browser context (no cookies) whose console errors and failed requests are recorded
    in `page.browser_log`."""
    context, tab = _open_page(browser, live_server)
    yield tab
    context.close()


@pytest.fixture
def strict_page(browser, strict_live_server):
    """Like `page`, on the server that enforces CSRF."""
    context, tab = _open_page(browser, strict_live_server)
    yield tab
    context.close()
