"""A patient on a phone finds a skill, stars it, logs a practice and asks the coach."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from core.testing.factories import builtin_skill
from core.testing.personas import World
from diary.cards import local_today
from diary.models import DiaryCard
from skills.models import Favourite, Practice
from tests.e2e.conftest import PHONE, ContextFactory, Tour, log_in_through_form

pytestmark = pytest.mark.e2e


def test_patient_finds_stars_and_practises_a_skill_and_asks_the_coach(
    e2e_world: World, new_context: ContextFactory, tour_for: Callable[[Page], Tour]
) -> None:
    tip = builtin_skill("tip")  # the browser tests' database is emptied between tests
    patient = e2e_world.patient_record
    tour = tour_for(new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page())
    page = tour.page

    # Given the patient, logged in on their phone, opens Skills from the navigation
    log_in_through_form(tour, e2e_world.patient)
    tour.check("home")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Skills").tap()
    expect(page.get_by_role("heading", level=1)).to_have_text("Skills")
    tour.check("library")

    # When they search for TIP and open it
    page.get_by_label("Search").fill("TIP")
    page.get_by_role("button", name="Show skills").tap()
    expect(page.get_by_role("heading", level=3)).to_have_count(1)
    tour.check("search")
    page.get_by_role("link", name="TIP", exact=True).tap()
    expect(page.get_by_role("heading", level=1)).to_have_text("TIP")
    expect(page.get_by_text("Paced breathing")).to_be_visible()
    tour.check("skill")

    # And star it
    page.get_by_role("button", name="Add to favourites").tap()
    expect(page.get_by_role("status")).to_contain_text("Added to your favourites.")
    expect(page.get_by_role("button", name=re.compile("In favourites"))).to_be_visible()
    tour.check("starred")
    assert Favourite.objects.filter(patient=patient, skill=tip).exists()

    # And log a practice of it
    page.get_by_role("link", name="Log a practice").tap()
    expect(page.get_by_role("heading", level=1)).to_have_text("Log a practice")
    tour.check("practice-form")
    page.get_by_label("Distress before (0–100)").fill("80")
    page.get_by_label("Distress after (0–100)").fill("45")
    page.get_by_label("Note (optional)").fill("Cold water, then slow breathing.")
    page.get_by_role("button", name="Save practice").tap()
    expect(page.get_by_role("status")).to_contain_text("added to that day's diary card")
    expect(page.get_by_role("heading", level=1)).to_have_text("My practice")
    tour.check("my-practice")

    # Then the practice is stored and today's diary card lists the skill
    practice = Practice.objects.get(patient=patient)
    assert (practice.skill, practice.distress_before, practice.distress_after) == (tip, 80, 45)
    card = DiaryCard.objects.get(patient=patient, date=local_today(patient.time_zone))
    assert card.skills == ["TIP"]

    # When they ask the coach, at high distress with an urge to hurt themselves
    page.get_by_role("link", name="All skills").tap()
    expect(page.get_by_role("heading", level=1)).to_have_text("Skills")
    tour.check("library-again")
    page.get_by_role("link", name="Help me choose a skill").tap()
    expect(page.get_by_role("heading", level=1)).to_have_text("Help me choose a skill")
    tour.check("coach")
    page.get_by_label("How strong is your distress right now? (0–100)").fill("85")
    page.get_by_label("To hurt myself").check()
    page.get_by_role("button", name="Suggest skills").tap()

    # Then body-based crisis skills come first, with reasons, and the safety plan is one tap away
    expect(page.get_by_role("heading", name="Skills to try now")).to_be_visible()
    first = page.locator("ol.skill-list > li").first
    expect(first.get_by_role("heading", level=3)).to_have_text("TIP")
    expect(first).to_contain_text("calm your body first")
    expect(page.get_by_role("link", name="Open my safety plan")).to_be_visible()
    # (A page answering a POST: going back to it would resubmit, so only the link is checked.)
    tour.check("coach-result", crisis=False)
    expect(page.get_by_test_id("crisis-link")).to_be_in_viewport()
    first.get_by_role("link", name=re.compile("Log a practice")).tap()
    expect(page.get_by_role("heading", level=1)).to_have_text("Log a practice")
    tour.check("practice-form-from-coach")
