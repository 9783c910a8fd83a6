"""A web push reaches the phone as a discreet notification shown by the service worker.

No push service is involved (the tests run without a network): Chromium's DevTools
protocol hands the push message straight to the registered service worker
(``ServiceWorker.deliverPushMessage``), which is what the browser does with a message the
push service delivers. The payload is the one the dispatcher sends.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import CDPSession, Page, expect

from core.testing.personas import World
from tests.e2e.conftest import PHONE, ContextFactory, Tour, log_in_through_form

pytestmark = pytest.mark.e2e

PAYLOAD = {"title": "wisemind", "body": "You have a check-in waiting.", "url": "/checkins/"}

NOTIFICATIONS = """
() => navigator.serviceWorker.ready
  .then((registration) => registration.getNotifications())
  .then((shown) => shown.map((n) => ({
    title: n.title, body: n.body, icon: n.icon, tag: n.tag, data: n.data,
  })))
"""


def registration_id(page: Page, cdp: CDPSession, scope: str) -> str:
    """The DevTools id of the service worker registration for ``scope``."""
    registrations: dict[str, str] = {}

    def note(event: dict[str, Any]) -> None:
        for registration in event["registrations"]:
            if not registration.get("isDeleted"):
                registrations[registration["scopeURL"]] = registration["registrationId"]

    cdp.on("ServiceWorker.workerRegistrationUpdated", note)
    cdp.send("ServiceWorker.enable")
    for _ in range(100):
        if scope in registrations:
            return registrations[scope]
        page.wait_for_timeout(50)
    pytest.fail(f"no service worker registration for {scope}: {registrations}")


def push(cdp: CDPSession, origin: str, registration: str, payload: object) -> None:
    cdp.send(
        "ServiceWorker.deliverPushMessage",
        {"origin": origin, "registrationId": registration, "data": json.dumps(payload)},
    )


def shown(page: Page) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = page.evaluate(NOTIFICATIONS)
    return result


def test_a_push_is_shown_as_a_discreet_notification(
    e2e_world: World, new_context: ContextFactory, tour_for: Callable[[Page], Tour]
) -> None:
    # Given a patient signed in on her phone, who allowed notifications
    context = new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    tour = tour_for(context.new_page())
    page = tour.page
    log_in_through_form(tour, e2e_world.patient)
    expect(page).to_have_url(re.compile(r"/diary/$"))
    tour.check("signed-in")
    origin = page.evaluate("location.origin")
    context.grant_permissions(["notifications"], origin=origin)
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    cdp = context.new_cdp_session(page)
    registration = registration_id(page, cdp, origin + "/")

    # When the push service delivers a check-in reminder
    push(cdp, origin, registration, PAYLOAD)

    # Then the service worker shows it: what the payload says, the app's icon, a link
    page.wait_for_function(f"({NOTIFICATIONS})().then((n) => n.length === 1)")
    [notification] = shown(page)
    assert notification["title"] == "wisemind"
    assert notification["body"] == "You have a check-in waiting."
    assert re.fullmatch(
        rf"{origin}/static/core/icons/icon-192(\.[0-9a-f]+)?\.png", notification["icon"]
    )
    assert notification["tag"] == "wisemind-check-in"
    assert notification["data"] == {"url": f"{origin}/checkins/"}

    # When a second reminder comes before the first was read
    push(cdp, origin, registration, PAYLOAD)

    # Then it replaces the first rather than piling up
    page.wait_for_timeout(300)
    assert len(shown(page)) == 1


def test_a_push_without_a_usable_payload_still_says_only_that_a_check_in_waits(
    e2e_world: World, new_context: ContextFactory, tour_for: Callable[[Page], Tour]
) -> None:
    context = new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    tour = tour_for(context.new_page())
    page = tour.page
    log_in_through_form(tour, e2e_world.patient)
    tour.check("signed-in")
    origin = page.evaluate("location.origin")
    context.grant_permissions(["notifications"], origin=origin)
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    cdp = context.new_cdp_session(page)
    registration = registration_id(page, cdp, origin + "/")

    # A garbled message, and one pointing elsewhere, fall back to the plain reminder at home
    cdp.send(
        "ServiceWorker.deliverPushMessage",
        {"origin": origin, "registrationId": registration, "data": "not json"},
    )
    page.wait_for_function(f"({NOTIFICATIONS})().then((n) => n.length === 1)")
    [notification] = shown(page)
    assert (notification["title"], notification["body"]) == (
        "wisemind",
        "You have a check-in waiting.",
    )
    assert notification["data"] == {"url": f"{origin}/"}

    push(cdp, origin, registration, {**PAYLOAD, "url": "https://elsewhere.example/phish"})
    page.wait_for_function(
        f"({NOTIFICATIONS})().then((n) => n.length === 1 && n[0].data.url === '{origin}/')"
    )
