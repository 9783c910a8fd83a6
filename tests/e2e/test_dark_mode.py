"""In the system's dark mode, pages keep their contrast (axe) and their layout."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from core.testing.personas import World
from tests.e2e.conftest import PHONE, ContextFactory, Tour, log_in_through_form, staff_with_device

pytestmark = pytest.mark.e2e


def test_patient_pages_in_dark_mode_on_a_phone(
    e2e_world: World, new_context: ContextFactory, tour_for: Callable[[Page], Tour]
) -> None:
    context = new_context(viewport=PHONE, is_mobile=True, has_touch=True, color_scheme="dark")
    tour = tour_for(context.new_page())
    page = tour.page
    assert page.evaluate("matchMedia('(prefers-color-scheme: dark)').matches")

    log_in_through_form(tour, e2e_world.patient)
    expect(page).to_have_url(re.compile(r"/diary/$"))
    tour.check("home")
    tour.goto("/me/supporters/", "my-supporters")
    page.get_by_role("link", name="Change what they see").tap()
    expect(page.get_by_role("heading", level=1)).to_have_text("What Sue Supporter sees")
    tour.check("sharing")
    page.get_by_role("button", name="Save").tap()
    expect(page.locator(".messages").get_by_role("status")).to_contain_text(
        "Your sharing choices are saved."
    )
    tour.check("saved")
    tour.goto("/help/", "crisis")


def test_admin_pages_in_dark_mode_on_a_phone(
    e2e_world: World, new_context: ContextFactory, tour_for: Callable[[Page], Tour]
) -> None:
    context = new_context(viewport=PHONE, is_mobile=True, has_touch=True, color_scheme="dark")
    tour = tour_for(context.new_page())
    page = tour.page
    staff_with_device(e2e_world.admin)

    log_in_through_form(tour, e2e_world.admin)
    expect(page).to_have_url(re.compile(r"/patients/$"))
    tour.check("patients")
    page.get_by_role("link", name="Pat Ient").click()
    expect(page).to_have_url(re.compile(r"/manage/$"))
    tour.check("manage")
    tour.goto("/accounts/staff/", "staff")
    page.get_by_role("link", name="Invite a staff member").click()
    page.get_by_role("button", name="Send invitation").click()
    expect(page.locator(".errorlist").first).to_be_visible()
    tour.check("invite-errors")
    tour.goto("/accounts/tokens/", "tokens")
    page.get_by_label("Name").fill("study laptop")
    page.get_by_role("button", name="Create token").click()
    expect(page.get_by_test_id("new-token")).to_be_visible()
    tour.check("token-created")
    tour.goto("/audit/?tab=changes", "audit-changes")
