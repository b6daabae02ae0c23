"""Browser-test fixtures: the app on a live 127.0.0.1 server, Debian's Chromium driven by Playwright.

Every test here that needs a browser is marked ``browser``; without /usr/bin/chromium or the playwright
package they are skipped with the reason, never failed.
"""

from __future__ import annotations

import importlib.util
import os
import threading

import pytest
from werkzeug.serving import make_server

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update"]
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "connect-src 'self'; frame-ancestors 'none'")


def pytest_configure(config):
    config.addinivalue_line("markers", "browser: drives a real Chromium through Playwright (slow)")


def _missing() -> str | None:
    if importlib.util.find_spec("playwright") is None:
        return "the playwright package is not installed (pip install playwright)"
    if not os.access(CHROMIUM, os.X_OK):
        return f"{CHROMIUM} is missing (apt-get install -y chromium)"
    return None


def pytest_collection_modifyitems(config, items):
    reason = _missing()
    if reason:
        for item in items:
            if item.get_closest_marker("browser"):
                item.add_marker(pytest.mark.skip(reason=reason))


class ProviderSite:
    """Another origin on 127.0.0.1 that embeds the widget: a WSGI app serving pages that tests put in ``pages``.

    A real server rather than route interception: Chromium only lets a page reach 127.0.0.1 (the bot) when the
    page itself was loaded from the loopback address space (Private/Local Network Access).
    """

    def __init__(self):
        self.pages: dict[str, str] = {}

    def __call__(self, environ, start_response):
        body = self.pages.get(environ.get("PATH_INFO", ""))
        start_response("200 OK" if body else "404 Not Found", [("Content-Type", "text/html; charset=utf-8")])
        return [(body or "not found").encode()]


@pytest.fixture(scope="session")
def provider():
    """A second site (own origin) for embedding tests; its origin is allowed by the app's CORS setting."""
    site = ProviderSite()
    site.origin, stop = serve(site)
    yield site
    stop()


@pytest.fixture(scope="session")
def app(test_config, provider):
    """The real app (with tests/conftest.py's overrides); rate limits lifted for typing-speed tests, and the
    provider site allowed to embed the widget."""
    from bot.app import create_app

    application = create_app({**test_config, "KIOSK_IDLE_SECONDS": 90, "ALLOWED_ORIGINS": provider.origin,
                              "RATE_LIMIT": "10000/second"})

    @application.after_request
    def production_csp(response):
        # The policy production serves; set here too so that any inline script or style breaks these tests.
        response.headers.setdefault("Content-Security-Policy", CSP)
        return response

    return application


def serve(application):
    """Run a WSGI app on 127.0.0.1 on a free port in a thread; returns (base_url, stop)."""
    server = make_server("127.0.0.1", 0, application, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()

    def stop():
        server.shutdown()
        server.server_close()
        thread.join(5)

    return f"http://127.0.0.1:{server.server_port}", stop


@pytest.fixture(scope="session")
def live_server(app):
    url, stop = serve(app)
    yield url
    stop()


@pytest.fixture(scope="session")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def _open_page(browser, **context_args):
    """A new context and page that records JavaScript errors and CSP refusals in ``page.problems``."""
    context = browser.new_context(**{"viewport": {"width": 1280, "height": 800}, **context_args})
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
    page.on("console", lambda msg: problems.append(f"console: {msg.text}")
            if msg.type == "error" and ("Content Security Policy" in msg.text or "Uncaught" in msg.text) else None)
    page.problems = problems
    page.set_default_timeout(10_000)
    return context, page


@pytest.fixture
def page(browser):
    """A fresh context (no storage carried over) and page; fails the test on JS errors or CSP refusals."""
    context, pg = _open_page(browser)
    yield pg
    problems = list(pg.problems)
    context.close()
    assert problems == []


@pytest.fixture
def phone_page(browser):
    """A page the size of a phone, with touch."""
    context, pg = _open_page(browser, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
                             device_scale_factor=2)
    yield pg
    problems = list(pg.problems)
    context.close()
    assert problems == []


@pytest.fixture
def axe_page(browser):
    """A page whose CSP is bypassed so that axe-core can be injected as a script."""
    context, pg = _open_page(browser, bypass_csp=True)
    yield pg
    context.close()
