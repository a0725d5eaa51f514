"""End-to-end journeys in real Chromium, driven by Playwright against pytest-django's live server.

- The browser is the system's Chromium (Debian's `chromium`), found through `CHROMIUM_PATH`, else
  `chromium` or `chromium-browser` on the PATH; Playwright's own browser downloads are never used.
  Without a browser these tests fail, never skip: CI must not pass without them. Developers without
  Chromium deselect them with `-m "not browser"`.
- One browser for the whole `tests/browser` package, a new context (cookies, storage, viewport,
  geolocation) per page a test opens.
- Every page is watched: a JavaScript error, a console error, a failed request or a request to
  any other host than the live server fails the test (pages load nothing from a CDN). The one
  outside address a page may use, the configured map tiles, is answered with a blank tile, since
  tests run offline.
- Every test has cache keys of its own in the shared Redis (`own_cache`, removed afterwards): pages
  cache figures by region codes, and the tracking lookups count per address, both shared by every
  run on the machine.
- `screenshot(page, "step")` saves a full-page PNG to
  `$PORTAL_TEST_ARTIFACTS/screenshots/<test>/<nn>-<step>.png` (default `test-artifacts/` in the
  project); a failing test also leaves `failure-<n>.png` of each open page there.
"""

from __future__ import annotations

import contextlib
import copy
import io
import os
import re
import shutil
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core.cache import cache
from PIL import Image
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect, sync_playwright

from portal.celery import app as celery_app
from tests.browser.pages import DESKTOP, assert_styled

PROJECT_DIR = Path(__file__).resolve().parents[2]
# `expect(...)` waits as long as actions do (its default, 5 s, is short on a busy machine).
expect.set_options(timeout=20_000)
PASSWORD = "jalan-desa-2026"
# Flags for a headless browser on a CI machine: no calls home, no background updates.
CHROMIUM_ARGS = [
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def chromium_executable() -> str:
    """The system Chromium: `CHROMIUM_PATH`, else `chromium` / `chromium-browser` on the PATH."""
    configured = os.environ.get("CHROMIUM_PATH")
    if configured:
        if not (os.path.isfile(configured) and os.access(configured, os.X_OK)):
            pytest.fail(f"CHROMIUM_PATH={configured!r} is not an executable file.", pytrace=False)
        return configured
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    pytest.fail(
        "The browser tests need Chromium and found none: install it (Debian: "
        "`apt-get install chromium`), point CHROMIUM_PATH at it, or run the rest of the suite "
        'with -m "not browser".',
        pytrace=False,
    )


def artifacts_dir() -> Path:
    return Path(os.environ.get("PORTAL_TEST_ARTIFACTS") or PROJECT_DIR / "test-artifacts")


@pytest.fixture(scope="package")
def _allow_sync_orm_beside_playwright():
    """Playwright's sync API keeps an asyncio event loop running in the main thread for as long
    as it is started, and Django refuses ORM calls from a thread with a running loop
    (SynchronousOnlyOperation). The tests' own ORM calls (factories, assertions, the database
    flush between tests) are ordinary blocking code that never runs inside that loop, so the
    guard is lifted for this package only, and Playwright stops before the package ends."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        yield


@pytest.fixture(scope="package")
def browser(_allow_sync_orm_beside_playwright):
    """One headless Chromium for the package (package scope, not session: Playwright's running
    loop must be gone before any other test module touches the database)."""
    executable = chromium_executable()
    args = list(CHROMIUM_ARGS)
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        # Chromium's sandbox refuses to run as root (CI containers run as root).
        args.append("--no-sandbox")
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=executable, args=args)
    except Exception as error:
        playwright.stop()
        pytest.fail(f"Chromium at {executable} did not start: {error}", pytrace=False)
    yield browser
    browser.close()
    playwright.stop()


@pytest.fixture(autouse=True)
def _eager_celery():
    """Tasks the pages enqueue (notifications) run in the live server's thread when the
    transaction commits; nothing reaches the shared Redis broker."""
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def own_cache(settings):
    """A cache of this test's own (the same Redis, a key prefix of its own). Cached figures and
    rendered pages are keyed by region codes and rollup versions that every test run shares, and
    so are the tracking lookups' counts per address: without this, a run beside another one (a
    developer and CI, two checkouts) could read the other's numbers. Setting CACHES makes Django
    drop its cache connections, so the live server's thread picks the prefix up too."""
    prefix = f"browser-test-{uuid.uuid4().hex}"
    caches = copy.deepcopy(settings.CACHES)
    caches["default"]["KEY_PREFIX"] = prefix
    settings.CACHES = caches
    yield
    # Some keys (the rollup versions) never expire: remove this test's, and only this test's
    # (the pattern is matched within the key prefix).
    cache.delete_pattern("*")


def _blank_tile() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGBA", (256, 256), (0, 0, 0, 0)).save(buffer, format="PNG")
    return buffer.getvalue()


def _tile_pattern() -> re.Pattern:
    """The configured tile address (e.g. `https://{s}.tile.example.org/{z}/{x}/{y}.png`) as a
    regular expression."""
    tiles = settings.LEAFLET_CONFIG.get("TILES") or ""
    if not isinstance(tiles, str):  # [(name, url, options), ...]
        tiles = tiles[0][1]
    parts = re.split(r"\{[^}]*\}", tiles)
    return re.compile("^" + "[^/]+".join(re.escape(part) for part in parts) + "$")


class PageWatch:
    """What went wrong on the pages of one test, gathered from every context it opened."""

    def __init__(self, origin: str):
        self.origin = origin
        self.problems: list[str] = []
        self.tile_pattern = _tile_pattern()
        self.blank_tile = _blank_tile()

    def is_own(self, url: str) -> bool:
        parts = urlsplit(url)
        # The browser's own pages (e.g. its PDF viewer) never leave the machine.
        browser_own = ("data", "blob", "about", "chrome", "chrome-extension")
        return parts.scheme in browser_own or url.startswith(self.origin + "/")

    def attach(self, context) -> None:
        context.route(lambda url: not self.is_own(url), self._outside)
        context.on("weberror", lambda error: self.problems.append(f"JS error: {error.error}"))
        context.on("console", self._console)
        context.on("requestfailed", self._failed)
        context.on("response", self._response)

    def _outside(self, route) -> None:
        url = route.request.url
        if self.tile_pattern.match(url):
            route.fulfill(status=200, content_type="image/png", body=self.blank_tile)
            return
        self.problems.append(f"request to another host: {url}")
        route.abort("blockedbyclient")

    def _console(self, message) -> None:
        # Failed loads are reported with their address by _failed and _response instead.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            self.problems.append(f"console error: {message.text} ({message.location})")

    def _failed(self, request) -> None:
        if self.is_own(request.url) and request.failure != "net::ERR_ABORTED":
            self.problems.append(f"failed request: {request.url} ({request.failure})")

    def _response(self, response) -> None:
        # Pages' own statuses are the tests' business (a 404 for an unknown tracking code is
        # right); what a page loads (CSS, scripts, GeoJSON) must arrive, and no page may crash.
        request = response.request
        if response.status >= 500 or (
            response.status >= 400 and request.resource_type != "document"
        ):
            self.problems.append(f"{response.status} for {request.resource_type} {request.url}")


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.browser_call_failed = report.failed
    return report


@pytest.fixture
def open_page(browser, live_server, request):
    """`open_page(viewport=..., **context_options)`: a new page in a new context, in English
    (`en-US`, Asia/Jakarta), its relative addresses going to the live server."""
    watch = PageWatch(live_server.url)
    contexts = []

    def open_(*, viewport=DESKTOP, **options):
        options.setdefault("locale", "en-US")
        options.setdefault("timezone_id", "Asia/Jakarta")
        context = browser.new_context(base_url=live_server.url, viewport=viewport, **options)
        # Generous: only a failing step waits this long, and CI machines are sometimes busy.
        context.set_default_timeout(20_000)
        watch.attach(context)
        contexts.append(context)
        return context.new_page()

    yield open_
    if getattr(request.node, "browser_call_failed", False):
        folder = artifacts_dir() / "screenshots" / _test_folder(request.node)
        folder.mkdir(parents=True, exist_ok=True)
        for number, page in enumerate(p for c in contexts for p in c.pages):
            # A crashed or closed page has nothing to show; the test's own error tells.
            with contextlib.suppress(PlaywrightError):
                page.screenshot(path=folder / f"failure-{number + 1}.png", full_page=True)
    for context in contexts:
        context.close()
    assert not watch.problems, "The pages had problems:\n" + "\n".join(watch.problems)


@pytest.fixture
def log_in():
    """`log_in(page, user)`: signs in through the real login form and lands on the home page."""

    def log_in_(page, user):
        user.set_password(PASSWORD)
        user.save(update_fields=["password"])
        page.goto("/akun/login/")
        page.fill("#id_username", user.get_username())
        page.fill("#id_password", PASSWORD)
        # The header holds the language buttons, also submit buttons: click the form's own.
        page.click("main button[type=submit]")
        page.wait_for_url(lambda url: "/akun/login/" not in url)
        expect(page.locator("details.account summary")).to_contain_text(user.get_username())
        return page

    return log_in_


@pytest.fixture
def logged_in_page(open_page, log_in):
    """`logged_in_page(user, **context_options)`: a new page of `user`, signed in."""

    def open_as(user, **options):
        return log_in(open_page(**options), user)

    return open_as


def _test_folder(node) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", node.name).strip("-")


@pytest.fixture
def screenshot(request):
    """`screenshot(page, "step")`: a full-page PNG of the page as the user sees it now, numbered
    in the order taken; the test's folder is emptied first, so it holds this run only. Each
    page shot is also checked to have the portal's stylesheet applied."""
    folder = artifacts_dir() / "screenshots" / _test_folder(request.node)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    taken = []

    def shoot(page, step: str) -> Path:
        # Assertions on the DOM can pass before the stylesheet and images have arrived.
        page.wait_for_load_state("load")
        assert_styled(page)
        taken.append(step)
        path = folder / f"{len(taken):02d}-{re.sub(r'[^a-z0-9]+', '-', step.lower())}.png"
        page.screenshot(path=path, full_page=True)
        return path

    return shoot
