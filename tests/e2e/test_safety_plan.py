"""The safety plan: written on a phone, one tap from every patient page, readable offline."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from core.testing.personas import World
from safety.actions import current_version
from tests.e2e.conftest import PHONE, ContextFactory, Tour, log_in_through_form
from tests.e2e.test_diary_offline import wait_for_service_worker

pytestmark = pytest.mark.e2e

PATIENT_PAGES = ["/diary/", "/checkins/", "/me/", "/me/supporters/", "/help/"]


def test_patient_writes_the_plan_and_opens_it_in_one_tap_and_offline(
    e2e_world: World, new_context: ContextFactory, tour_for: Callable[[Page], Tour]
) -> None:
    context = new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    tour = tour_for(context.new_page())
    page = tour.page
    log_in_through_form(tour, e2e_world.patient)
    wait_for_service_worker(page)

    # The plan is one tap away from every patient page (and from the crisis page)
    for path in PATIENT_PAGES:
        tour.goto(path, "from-" + path.strip("/").replace("/", "-"))
        link = page.get_by_test_id("crisis-safety-plan" if path == "/help/" else "safety-plan-link")
        expect(link).to_be_visible()
        link.tap()
        expect(page).to_have_url(re.compile(r"/safety-plan/$"))
        expect(page.get_by_role("heading", level=1)).to_have_text("My safety plan")
    tour.check("plan-empty")

    # She writes it: what matters most, warning signs, a person to call
    page.get_by_role("link", name="Write my plan").tap()
    expect(page).to_have_url(re.compile(r"/safety-plan/edit/$"))
    tour.check("plan-form")
    reasons = page.get_by_role("textbox", name="My reasons for living")
    reasons.fill("My cat, Pip\nSeeing the sea in May")
    signs = page.get_by_role("textbox", name="Warning signs that a crisis may be coming")
    signs.fill("I stop answering")
    page.locator("#id_help-0-name").fill("Ana (my sister)")
    page.locator("#id_help-0-phone").fill("+31 6 5555 0101")
    page.get_by_role("button", name="Save the plan").tap()
    expect(page.locator(".messages [role=status]")).to_have_text("The safety plan is saved.")
    tour.check("plan-saved")
    call = page.get_by_role("link", name=re.compile(r"Call \+31 6 5555 0101"))
    expect(call).to_have_attribute("href", "tel:+31655550101")
    version = current_version(e2e_world.patient_record)
    assert version is not None and version.plan.items("reasons") == (
        "My cat, Pip",
        "Seeing the sea in May",
    )

    # With no connection, the plan still opens from the header
    context.set_offline(True)
    page.goto("/diary/")  # kept for offline use too
    page.get_by_test_id("safety-plan-link").tap()
    expect(page.get_by_text("Seeing the sea in May")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile(r"Call \+31"))).to_be_visible()
    tour.check("plan-offline", crisis=False)
