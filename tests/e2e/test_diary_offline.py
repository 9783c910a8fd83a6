"""The diary card works offline: filled with no connection, sent once the phone is back online."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from core.testing.personas import World
from diary.models import CardRevision, DiaryCard
from tests.e2e.conftest import PHONE, ContextFactory, Tour, log_in_through_form

pytestmark = pytest.mark.e2e


def wait_for_service_worker(page: Page) -> None:
    """Wait until the service worker is active and controls this page."""
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    if not page.evaluate("!!navigator.serviceWorker.controller"):
        page.reload()
    page.wait_for_function("!!navigator.serviceWorker.controller")


def test_card_filled_offline_is_stored_once_when_back_online(
    e2e_world: World, new_context: ContextFactory, tour_for: Callable[[Page], Tour]
) -> None:
    context = new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    tour = tour_for(context.new_page())
    page = tour.page
    patient = e2e_world.patient_record

    # Given the patient has opened today's card on her phone while online
    log_in_through_form(tour, e2e_world.patient)
    expect(page).to_have_url(re.compile(r"/diary/$"))
    wait_for_service_worker(page)
    tour.check("card-online")

    # When she loses the connection, reopens the card and fills it in
    context.set_offline(True)
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_have_text("Today's card")
    group = page.locator("[data-item-kind=emotion]").first
    group.get_by_text("4", exact=True).tap()
    target = page.locator("[data-item-kind=target]").nth(1)
    target.locator(".segmented").first.get_by_text("3", exact=True).tap()
    target.locator(".segmented").nth(1).get_by_text("No", exact=True).tap()
    page.get_by_label("Hours of sleep").fill("6.5")
    page.get_by_label("Anything else about today").fill("Wrote this on the train.")
    page.get_by_role("button", name="Save card").tap()

    # Then it is kept on the phone, and nothing has reached the server yet
    expect(page.locator("#offline-status")).to_have_text(
        "Saved on this phone. It will be sent when you are back online."
    )
    expect(page.locator("#outbox-status")).to_contain_text("waiting to be sent: 1")
    assert not DiaryCard.objects.filter(patient=patient).exists()
    tour.check("card-saved-offline", crisis=False)

    # When the connection returns (and the page is opened again, which sends again)
    context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(page.locator("#outbox-status")).to_be_hidden()
    page.reload()
    page.wait_for_function("window.wisemindOutbox !== undefined")
    page.evaluate("window.wisemindOutbox.flush()")
    tour.check("card-after-sync")

    # Then exactly one card was stored, with what she entered, marked as sent after being offline
    card = DiaryCard.objects.get(patient=patient)
    assert card.source == "offline"
    assert float(card.sleep_hours) == 6.5
    assert card.note == "Wrote this on the train."
    assert sorted(r.rating for r in card.emotions.all() if r.rating is not None) == [4]
    rows = [(r.urge, r.acted) for r in card.targets.order_by("target__position")]
    assert rows[1] == (3, False)
    assert CardRevision.objects.filter(card=card).count() == 1
