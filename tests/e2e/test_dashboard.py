"""A clinician opens the caseload: patients needing attention come first with the reasons
in words; she narrows the list to one reason, then to those needing attention by name."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from core.testing.personas import World
from dashboard.tests.test_caseload_page import build_caseload
from tests.e2e.conftest import Tour, log_in_through_form, staff_with_device

pytestmark = pytest.mark.e2e


def test_clinician_sees_the_caseload_in_attention_order_and_filters_it(
    e2e_world: World, tour: Tour
) -> None:
    # Given a caseload with one patient for each reason for attention, and one doing fine
    build_caseload(e2e_world)
    staff_with_device(e2e_world.therapist)

    # When the therapist logs in
    log_in_through_form(tour, e2e_world.therapist)
    page = tour.page
    expect(page).to_have_url(re.compile(r"/caseload/$"))
    tour.check("caseload")

    # Then the patients needing attention come first, each with the reasons in words
    rows = page.get_by_test_id("caseload-row")
    expect(rows).to_have_count(5)
    expect(rows.nth(0)).to_contain_text("Alma Test")
    expect(rows.nth(0)).to_contain_text("1 open alert (1 not acknowledged)")
    expect(rows.nth(1)).to_contain_text("Reliable deterioration on PHQ-9 since baseline")
    expect(rows.nth(2)).to_contain_text("Suicide urges rising")
    expect(rows.nth(3)).to_contain_text("No diary card for 5 days")
    expect(rows.nth(4)).to_contain_text("Nothing flagged")
    expect(page.get_by_test_id("judgement-note")).to_contain_text("not a diagnosis")
    sparkline = rows.nth(2).get_by_role("img")
    expect(sparkline).to_have_attribute("aria-label", re.compile(r"suicide: highest 3"))

    # When she keeps only patients with rising urges
    page.get_by_label("Reason").select_option(label="Rising urges")
    page.get_by_role("button", name="Search").click()

    # Then only Rita is left
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Rita Test")
    expect(page).to_have_url(re.compile(r"reason=rising-urges"))
    tour.check("caseload-rising")

    # When she asks for everyone needing attention, by name
    page.get_by_label("Reason").select_option(label="Any reason")
    page.get_by_label("Needs attention only").check()
    page.get_by_label("Sort by").select_option(label="Name")
    page.get_by_role("button", name="Search").click()

    # Then the four patients needing attention are listed alphabetically
    expect(rows).to_have_count(4)
    expect(rows.nth(0)).to_contain_text("Alma Test")
    expect(rows.nth(1)).to_contain_text("Milo Test")
    expect(rows.nth(2)).to_contain_text("Rita Test")
    expect(rows.nth(3)).to_contain_text("Wes Test")
    tour.check("caseload-attention-by-name")
