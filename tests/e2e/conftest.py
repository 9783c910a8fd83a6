"""Browser-test fixtures: one system Chromium per session, a fresh context per test.

Playwright drives Debian's Chromium (``/usr/bin/chromium``, or ``WISEMIND_CHROMIUM``);
browsers are never downloaded. Without Chromium the tests fail with a message saying
what to install, unless ``WISEMIND_SKIP_E2E=1``, which skips them.

Every page a test visits goes through ``Tour.check``: axe-core must report no
violation, the page must not scroll sideways, and the "Need help now?" link must
reach the emergency number in one click. Set ``WISEMIND_E2E_SHOTS`` to a folder
(e.g. ``/tmp/e2e-shots``) to keep a screenshot of every page checked.
"""

from __future__ import annotations

import base64
import os
import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import LazySettings
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import (
    Browser,
    BrowserContext,
    Frame,
    Page,
    Playwright,
    expect,
    sync_playwright,
)
from pytest_django.live_server_helper import LiveServer

from accounts.models import User
from core.testing.factories import TEST_PASSWORD, make_totp_device
from core.testing.personas import World, build_world

CHROMIUM = os.environ.get("WISEMIND_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
SKIP_E2E = os.environ.get("WISEMIND_SKIP_E2E", "") == "1"
SHOTS_DIR = os.environ.get("WISEMIND_E2E_SHOTS", "")

PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 800}
EMERGENCY_NUMBER = "112"  # what make_organisation() stores

# Playwright waits this long for an element or a navigation before failing the test.
expect.set_options(timeout=5_000)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not SKIP_E2E:
        return
    skip = pytest.mark.skip(reason="WISEMIND_SKIP_E2E=1: browser tests skipped")
    for item in items:
        if item.get_closest_marker("e2e"):
            item.add_marker(skip)


# --- the browser ----------------------------------------------------------------------------


@pytest.fixture(scope="session")
def playwright_session() -> Iterator[Playwright]:
    if not Path(CHROMIUM).is_file() or not os.access(CHROMIUM, os.X_OK):
        message = (
            f"The browser tests need Debian's Chromium at {CHROMIUM}: install it with "
            "`apt-get install chromium`, point WISEMIND_CHROMIUM at another Chromium, "
            "or set WISEMIND_SKIP_E2E=1 to skip these tests. (Never `playwright install`.)"
        )
        if SKIP_E2E:
            pytest.skip(message)
        pytest.fail(message, pytrace=False)
    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(playwright_session: Playwright) -> Iterator[Browser]:
    browser = playwright_session.chromium.launch(
        executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
    )
    yield browser
    browser.close()


ContextFactory = Callable[..., BrowserContext]


@pytest.fixture
def new_context(browser: Browser, live_server: LiveServer) -> Iterator[ContextFactory]:
    """Make more browser contexts (another person, a phone, dark mode); closed afterwards."""
    contexts: list[BrowserContext] = []

    def make(**options: Any) -> BrowserContext:
        options.setdefault("viewport", DESKTOP)
        options.setdefault("base_url", live_server.url)
        options.setdefault("locale", "en-GB")
        options.setdefault("timezone_id", "Europe/Amsterdam")
        context = browser.new_context(**options)
        context.set_default_timeout(5_000)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def context(new_context: ContextFactory) -> BrowserContext:
    return new_context()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


# --- the people -----------------------------------------------------------------------------


@pytest.fixture
def e2e_world(transactional_db: None, settings: LazySettings) -> World:
    """The persona world; its clinic is the one anonymous visitors' crisis page shows."""
    world = build_world()
    settings.DEFAULT_ORGANISATION_SLUG = world.organisation.slug
    return world


def totp_code(key: bytes, *, after_step: int = -1) -> str:
    """The code an authenticator app shows now (or for the next step, if this one is used).

    django-otp refuses a code whose time step was already used, and accepts one step of
    drift; asking for a step after ``after_step`` keeps a second log-in within 30 seconds
    working.
    """
    totp = TOTP(key, step=30, t0=0, digits=6)
    now = time.time()
    totp.time = now
    if totp.t() <= after_step:
        totp.time = (after_step + 1) * 30
    return f"{totp.token():06d}"


def key_from_page(shown: str) -> bytes:
    """The TOTP key from the set-up page's base32 text (grouped in fours, unpadded)."""
    compact = re.sub(r"\s+", "", shown).upper()
    return base64.b32decode(compact + "=" * (-len(compact) % 8))


def staff_with_device(user: User) -> TOTPDevice:
    """A confirmed TOTP device, as if the person had set one up earlier."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or make_totp_device(user)


# --- checking each page ----------------------------------------------------------------------


def format_violations(violations: list[dict[str, Any]]) -> str:
    lines = [f"axe-core found {len(violations)} accessibility violation(s):"]
    for violation in violations:
        lines.append(
            f"\n* {violation['id']} ({violation.get('impact') or 'no impact'}): "
            f"{violation['help']}\n  {violation['helpUrl']}"
        )
        for node in violation["nodes"]:
            target = " ".join(str(part) for part in node["target"])
            html = re.sub(r"\s+", " ", node.get("html", ""))[:200]
            lines.append(f"  - {target}\n    {html}")
            summary = node.get("failureSummary", "").replace("\n", "\n      ")
            if summary:
                lines.append(f"      {summary}")
    return "\n".join(lines)


_axe = Axe()


def assert_no_axe_violations(page: Page) -> None:
    """Run axe-core (all rules, WCAG 2.x A/AA and best practices) and fail on any violation."""
    violations = _axe.run(page).response["violations"]
    if violations:
        pytest.fail(f"{page.url}\n{format_violations(violations)}", pytrace=False)


def assert_no_horizontal_scroll(page: Page) -> None:
    widths = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    scroll_width, client_width = widths
    assert scroll_width <= client_width, (
        f"{page.url} scrolls sideways: content is {scroll_width}px wide "
        f"in a {client_width}px viewport"
    )


class Tour:
    """Checks every page a test visits: call ``check`` after each navigation.

    The tour notes every page the browser loads; at the end of a passing test, a page
    that was loaded but never checked fails it (see ``tour_for``).
    """

    def __init__(self, page: Page, label: str, shots_dir: str) -> None:
        self.page = page
        self.label = label
        self.shots_dir = Path(shots_dir) if shots_dir else None
        self.count = 0
        self.emergency_number = EMERGENCY_NUMBER
        self.loaded: list[str] = []
        self.checked: set[str] = set()
        self._noting = True
        page.on("framenavigated", self._note)

    def _note(self, frame: Frame) -> None:
        if self._noting and frame.parent_frame is None and frame.url != "about:blank":
            self.loaded.append(frame.url.split("#")[0])

    def unchecked(self) -> list[str]:
        return sorted({url for url in self.loaded if url not in self.checked})

    def screenshot(self, name: str) -> None:
        if self.shots_dir is None:
            return
        self.count += 1
        self.shots_dir.mkdir(parents=True, exist_ok=True)
        path = self.shots_dir / f"{self.label}-{self.count:02d}-{name}.png"
        self.page.screenshot(path=str(path), full_page=True)

    def check(self, name: str, *, crisis: bool = True) -> None:
        """Axe, no sideways scrolling, a screenshot, and the crisis page one click away."""
        page = self.page
        page.wait_for_load_state("load")
        assert_no_axe_violations(page)
        assert_no_horizontal_scroll(page)
        self.screenshot(name)
        self.checked.add(page.url.split("#")[0])
        if crisis:
            self.crisis_in_one_click()

    def crisis_in_one_click(self) -> None:
        page = self.page
        here = page.url
        link = page.get_by_test_id("crisis-link")
        expect(link).to_be_visible()
        expect(link).to_be_in_viewport()
        self._noting = False  # the crisis page itself is checked where a test opens it
        try:
            with page.expect_navigation(url=re.compile(r"/help/$")):
                link.click()
            expect(page.get_by_test_id("emergency-number")).to_contain_text(self.emergency_number)
            if not here.endswith("/help/"):  # it links to itself: nothing to go back to
                page.go_back()
                assert page.url == here, f"Back from the crisis page went to {page.url}"
        finally:
            self._noting = True

    def goto(self, path: str, name: str, **check: Any) -> None:
        self.page.goto(path)
        self.check(name, **check)


TOURS = pytest.StashKey[list[Tour]]()
CALL_PASSED = pytest.StashKey[bool]()


@pytest.fixture
def tour_for(request: pytest.FixtureRequest) -> Iterator[Callable[[Page], Tour]]:
    """``tour_for(page)``: a ``Tour`` over ``page``, its screenshots named after the test.

    A test that passed but loaded a page it never checked fails at teardown.
    """
    label = re.sub(r"[^A-Za-z0-9_.-]+", "-", request.node.name).strip("-")
    tours = request.node.stash.setdefault(TOURS, [])

    def make(page: Page) -> Tour:
        n = len(tours) + 1
        tours.append(Tour(page, f"{label}-{n}" if n > 1 else label, SHOTS_DIR))
        return tours[-1]

    yield make
    if request.node.stash.get(CALL_PASSED, False):
        unchecked = [url for tour in tours for url in tour.unchecked()]
        assert not unchecked, f"Pages loaded but never checked (call Tour.check): {unchecked}"


@pytest.fixture
def tour(page: Page, tour_for: Callable[[Page], Tour]) -> Tour:
    return tour_for(page)


# --- logging in through the real form --------------------------------------------------------


def log_in_through_form(tour: Tour, user: User, *, password: str = TEST_PASSWORD) -> None:
    """Fill in the log-in form; staff then enter a real code on the second-factor page.

    Both pages are checked on the way. Staff without a confirmed device are left on the
    set-up page for the test to handle.
    """
    page = tour.page
    page.goto("/accounts/login/")
    tour.check("login")
    page.get_by_label("E-mail address").fill(user.email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state("load")
    if not user.is_staff_role:
        expect(page).not_to_have_url(re.compile(r"/accounts/login/"))
        return
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        expect(page).to_have_url(re.compile(r"/accounts/two-factor/setup/"))
        return
    expect(page).to_have_url(re.compile(r"/accounts/two-factor/verify/"))
    tour.check("two-factor-verify")
    page.get_by_label("6-digit code from your authenticator app").fill(
        totp_code(device.bin_key, after_step=device.last_t)
    )
    page.get_by_role("button", name="Continue").click()
    expect(page).not_to_have_url(re.compile(r"/accounts/two-factor/"))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """Note whether the test passed; keep a screenshot of each page of a failed one."""
    outcome = yield
    report = outcome.get_result()
    if report.when != "call":
        return
    item.stash[CALL_PASSED] = report.passed
    if not report.failed or not SHOTS_DIR:
        return
    Path(SHOTS_DIR).mkdir(parents=True, exist_ok=True)
    for tour in item.stash.get(TOURS, []):
        if not tour.page.is_closed():
            path = Path(SHOTS_DIR) / f"FAILED-{tour.label}.png"
            tour.page.screenshot(path=str(path), full_page=True)
