"""A patient asks their therapist for coaching outside their hours; the therapist answers
from the inbox and closes the request; the patient reads the answer."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect

from coaching.models import CoachingRequest, RequestStatus
from core.testing.factories import builtin_skill, make_availability
from core.testing.personas import World
from tests.e2e.conftest import (
    DESKTOP,
    PHONE,
    ContextFactory,
    Tour,
    log_in_through_form,
    staff_with_device,
)

pytestmark = pytest.mark.e2e


def test_patient_asks_for_coaching_and_reads_the_answer(
    e2e_world: World, new_context: ContextFactory, tour_for: Callable[[Page], Tour]
) -> None:
    builtin_skill("tip")  # the browser tests' database is emptied between tests
    # Given the therapist's only coaching hours are on a day three days from today
    zone = "Europe/Amsterdam"
    weekday = (datetime.now(ZoneInfo(zone)).weekday() + 3) % 7
    make_availability(e2e_world.therapist, [(weekday, "09:00", "11:00")], time_zone=zone)

    # When the patient, on their phone, opens Coaching from the navigation
    tour = tour_for(new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page())
    page = tour.page
    log_in_through_form(tour, e2e_world.patient)
    tour.check("home")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Coaching").tap()
    expect(page.get_by_role("heading", level=1)).to_have_text("Coaching")
    tour.check("coaching")

    # And asks for coaching with their ratings and a skill they already tried
    page.get_by_role("link", name="Ask for coaching").tap()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ask for coaching")
    tour.check("ask")
    page.get_by_label("How strong is your distress right now? (0–100)").fill("85")
    page.get_by_label("Shame").check()
    page.get_by_role("group", name="How strong is that feeling? (0–5)").get_by_text(
        "4", exact=True
    ).tap()
    page.get_by_label("To drink or use drugs").check()
    page.get_by_role("group", name="How strong is that urge? (0–5)").get_by_text(
        "3", exact=True
    ).tap()
    page.get_by_label("What is happening? (optional)").fill("My friend cancelled <again>.")
    page.get_by_text("Choose from the skills library").tap()
    page.get_by_label("TIP", exact=True).check()
    page.get_by_role("button", name="Send to my therapist").tap()

    # Then they see that the therapist is outside their hours, when to expect an answer,
    # and the crisis numbers with their safety plan one tap away
    expect(page.get_by_role("heading", level=1)).to_have_text("Your coaching request")
    expect(page.get_by_role("status")).to_contain_text("sent to your therapist")
    notice = page.get_by_test_id("expect-answer")
    expect(notice).to_contain_text("outside their coaching hours")
    expect(notice).to_contain_text("09:00–11:00")
    expect(notice).to_contain_text("Expect an answer by")
    expect(page.get_by_test_id("coaching-crisis")).to_contain_text("Call 112")
    expect(page.get_by_test_id("coaching-safety-plan")).to_be_visible()
    tour.check("request-outside-hours")
    found = CoachingRequest.objects.get(patient=e2e_world.patient_record)
    assert found.outside_hours and found.expected_by is not None
    assert [s.name for s in found.skills_tried.all()] == ["TIP"]

    # When the therapist opens Coaching and the request from the inbox
    staff_with_device(e2e_world.therapist)
    therapist = tour_for(new_context(viewport=DESKTOP).new_page())
    desk = therapist.page
    log_in_through_form(therapist, e2e_world.therapist)
    therapist.check("caseload")
    desk.get_by_role("navigation", name="Main").get_by_role("link", name="Coaching").click()
    inbox = desk.get_by_test_id("coaching-inbox")
    expect(inbox).to_contain_text("Pat Ient")
    therapist.check("inbox")
    inbox.get_by_role("link", name="Pat Ient").click()
    expect(desk.get_by_role("heading", level=1)).to_contain_text("Coaching request from Pat Ient")
    expect(desk.get_by_text("My friend cancelled <again>.")).to_be_visible()
    expect(desk.get_by_text("85 / 100")).to_be_visible()
    therapist.check("request")

    # And answers, then closes it
    desk.get_by_label("Your answer").fill("TIP was a good start. Now try Pros and cons.")
    desk.get_by_role("button", name="Send answer").click()
    expect(desk.get_by_role("status")).to_contain_text("Your answer was sent.")
    expect(desk.get_by_test_id("request-status")).to_have_text("Answered")
    therapist.check("answered")
    desk.once("dialog", lambda dialog: dialog.accept())
    desk.get_by_role("button", name="Close request").click()
    expect(desk.get_by_role("status")).to_contain_text("The request is closed.")
    expect(desk.get_by_test_id("request-status")).to_have_text("Closed")
    therapist.check("closed")
    found.refresh_from_db()
    assert found.status == RequestStatus.CLOSED and found.response_time is not None

    # Then the patient is told there is an answer, and reads it
    page.get_by_role("link", name="Coaching", exact=True).first.tap()
    expect(page.get_by_test_id("new-answers")).to_contain_text("Your therapist answered 1")
    tour.check("coaching-answered")
    page.get_by_role("link", name=re.compile("^Asked ")).tap()
    expect(page.get_by_test_id("thread")).to_contain_text("Now try Pros and cons.")
    expect(page.get_by_test_id("request-status")).to_have_text("Closed")
    tour.check("request-answered")
