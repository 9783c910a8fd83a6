"""Research in the browser: a patient reads what research use means and agrees; the
clinic's researcher sees them counted and downloads the de-identified diary table."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import polars as pl
import pytest
from playwright.sync_api import Page, expect

from core.testing.personas import World
from diary.actions import ensure_card_items
from diary.cards import local_today
from research.tests.builders import add_card
from tests.e2e.conftest import (
    DESKTOP,
    PHONE,
    ContextFactory,
    Tour,
    log_in_through_form,
    staff_with_device,
)

pytestmark = pytest.mark.e2e


def test_patient_agrees_and_researcher_downloads(
    e2e_world: World, new_context: ContextFactory, tour_for: Callable[[Page], Tour]
) -> None:
    # Given a patient with three diary cards (one with a note)
    patient = e2e_world.patient_record
    ensure_card_items(None, patient)
    today = local_today(patient.time_zone)
    for back, skills in ((2, 3), (1, 5), (0, 6)):
        add_card(patient, today - timedelta(days=back), skills_used=skills, note="My own words")

    # When the patient opens "My care", follows the research link and agrees
    tour = tour_for(new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page())
    page = tour.page
    log_in_through_form(tour, e2e_world.patient)
    tour.check("today")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My care").click()
    expect(page.get_by_role("heading", name="Helping research")).to_be_visible()
    tour.check("my-care")
    page.get_by_role("link", name="Research: see or change your choice").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Helping research")
    expect(page.get_by_test_id("consent-status")).to_contain_text("You have not agreed")
    tour.check("consent")
    page.get_by_role("button", name="I agree to take part").click()

    # Then the page says they agreed, and offers to withdraw
    expect(page.get_by_test_id("consent-status")).to_contain_text("You agreed on")
    expect(page.get_by_role("button", name="Withdraw my agreement")).to_be_visible()
    tour.check("consent-given")

    # When the clinic's researcher opens their workspace
    staff_with_device(e2e_world.researcher)
    tour = tour_for(new_context(viewport=DESKTOP, accept_downloads=True).new_page())
    page = tour.page
    log_in_through_form(tour, e2e_world.researcher)
    expect(page.get_by_test_id("participants")).to_contain_text("1 patient of this clinic")
    tour.check("research-home")

    # And downloads the diary table as CSV
    with page.expect_download() as waiting:
        page.get_by_role("link", name="Diary cards as CSV").click()
    download = waiting.value

    # Then it holds the patient's three cards, under a pseudonym, with no words or names
    assert download.suggested_filename == "wisemind-diary-deidentified.csv"
    frame = pl.read_csv(download.path())
    assert frame["study_day"].to_list() == [1, 2, 3]
    assert frame["skills_used"].to_list() == [3, 5, 6]
    assert frame["person"].n_unique() == 1
    text = open(download.path(), encoding="utf-8").read()  # noqa: SIM115
    for words in ("My own words", patient.given_name, patient.family_name, str(patient.public_id)):
        assert words not in text
