"""Measurement-based care in the browser: a patient fills in a PHQ-9 on a phone (saving and
coming back), item 9 takes them to their safety plan, the therapist sees the scores
drawn over the severity bands with the baseline and a reliable-change marker, and books a
session while the chart shows the treatment events so far."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import Page, expect

from core.testing.factories import make_administration, shipped_instrument
from core.testing.personas import World
from measures.actions import add_session, assign_instrument
from measures.models import Administration, Score, TherapySession
from safety.models import Alert
from tests.e2e.conftest import (
    DESKTOP,
    PHONE,
    ContextFactory,
    Tour,
    log_in_through_form,
    staff_with_device,
)

pytestmark = pytest.mark.e2e

ITEM_1 = "1. Little interest or pleasure in doing things"


def answer(page: Page, number: int, label: str) -> None:
    page.get_by_role("group", name=re.compile(rf"^{number}\. ")).get_by_label(
        label, exact=True
    ).check()


def phone_tour(
    new_context: ContextFactory, tour_for: Callable[[Page], Tour], scheme: str = "light"
) -> Tour:
    context = new_context(viewport=PHONE, is_mobile=True, has_touch=True, color_scheme=scheme)
    return tour_for(context.new_page())


def test_patient_fills_in_phq9_on_a_phone_saving_and_coming_back(
    e2e_world: World, new_context: ContextFactory, tour_for: Callable[[Page], Tour]
) -> None:
    # Given the therapist assigned a PHQ-9
    assign_instrument(e2e_world.therapist, e2e_world.patient_record, shipped_instrument("phq9"))
    tour = phone_tour(new_context, tour_for)
    page = tour.page
    log_in_through_form(tour, e2e_world.patient)
    tour.check("home")

    # When the patient opens Questionnaires and starts the PHQ-9
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Questionnaires").tap()
    expect(page.get_by_role("heading", level=1)).to_have_text("Questionnaires")
    tour.check("questionnaires")
    page.get_by_role("link", name="Fill in PHQ-9").tap()
    expect(page.get_by_role("heading", level=1)).to_have_text("PHQ-9")
    expect(page.get_by_test_id("measures-crisis")).to_contain_text("Call 112")
    tour.check("fill")
    answer(page, 1, "Several days")
    answer(page, 2, "More than half the days")
    page.get_by_role("button", name="Save and come back later").tap()

    # Then the answers are kept, and they carry on later
    expect(page.get_by_role("status")).to_contain_text("Your answers are saved")
    tour.check("saved")
    page.get_by_role("link", name="Carry on with PHQ-9").tap()
    expect(
        page.get_by_role("group", name=ITEM_1).get_by_label("Several days", exact=True)
    ).to_be_checked()
    tour.check("fill-again")
    for number in range(3, 10):
        answer(page, number, "Not at all")
    answer(page, 10, "Somewhat difficult")
    page.get_by_role("button", name="Send").tap()

    # And they read a plain-language summary, never a diagnosis
    expect(page.get_by_test_id("summary")).to_contain_text("add up to 3 on a scale from 0 to 27")
    expect(page.get_by_test_id("summary")).to_contain_text("not a diagnosis")
    tour.check("result")
    score = Score.objects.get(patient=e2e_world.patient_record)
    assert score.value == 3 and score.band == "None–minimal"
    assert not Alert.objects.exists()


def test_item_9_takes_the_patient_to_the_safety_plan(
    e2e_world: World, new_context: ContextFactory, tour_for: Callable[[Page], Tour]
) -> None:
    administration = make_administration(e2e_world.patient_record)
    tour = phone_tour(new_context, tour_for, scheme="dark")  # axe checks contrast in dark mode
    page = tour.page
    log_in_through_form(tour, e2e_world.patient)
    tour.check("home")
    page.goto(f"/questionnaires/{administration.public_id}/")
    tour.check("fill")
    for number in range(1, 9):
        answer(page, number, "Not at all")
    answer(page, 9, "Several days")
    page.get_by_role("button", name="Send").tap()

    expect(page).to_have_url(re.compile(r"/safety-plan/$"))
    expect(page.locator(".messages")).to_contain_text("Your care team has been told")
    expect(page.get_by_test_id("plan-crisis")).to_be_visible()
    tour.check("plan-after-questionnaire")
    [alert] = Alert.objects.filter(patient=e2e_world.patient_record)
    assert "PHQ-9 item 9" in alert.reason


def test_therapist_sees_scores_over_bands_with_baseline_and_reliable_change(
    e2e_world: World, new_context: ContextFactory, tour_for: Callable[[Page], Tour]
) -> None:
    # Given PHQ-9 scores of 20, 19 and 8 over three weeks (19 → 8: −11 and below 10: recovered)
    start = timezone.now() - timedelta(days=21)
    for week, values in enumerate([[3] * 6 + [2, 0, 0], [3] * 6 + [1, 0, 0], [1] * 9]):
        with time_machine.travel(start + timedelta(weeks=week), tick=False):
            make_administration(
                e2e_world.patient_record,
                answers={str(n): v for n, v in enumerate(values, start=1)} | {"9": 0},
                submit=True,
            )
    assert list(Score.objects.order_by("observed_at").values_list("value", flat=True)) == [
        20,
        19,
        8,
    ]

    # When the therapist opens the patient's questionnaires
    staff_with_device(e2e_world.therapist)
    tour = tour_for(new_context(viewport=DESKTOP).new_page())
    page = tour.page
    log_in_through_form(tour, e2e_world.therapist)
    tour.check("caseload")
    page.goto(f"/patients/{e2e_world.patient_record.public_id}/")
    tour.check("patient")
    page.get_by_role("link", name="Questionnaires and scores").click()

    # Then the chart draws the bands behind the scores, the baseline and the markers
    expect(page.get_by_role("heading", level=1)).to_contain_text("Questionnaires of Pat Ient")
    chart = page.get_by_test_id("series-phq9").get_by_test_id("score-chart")
    expect(chart.get_by_test_id("severity-band")).to_have_count(5)
    expect(chart.get_by_test_id("baseline")).to_have_count(1)
    expect(chart.get_by_test_id("reliable-change-marker")).to_have_count(1)
    expect(page.get_by_test_id("change-previous").last).to_contain_text("Recovered")
    expect(page.get_by_role("note")).to_contain_text("support clinical judgement")
    tour.check("scores")


def test_therapist_books_a_session_and_sees_the_treatment_events_on_the_chart(
    e2e_world: World, new_context: ContextFactory, tour_for: Callable[[Page], Tour]
) -> None:
    # Given PHQ-9 scores two weeks apart with a session held in between, and PHQ-9
    # assigned before each session
    start = timezone.now() - timedelta(days=14)
    for week, value in ((0, 2), (2, 1)):
        with time_machine.travel(start + timedelta(weeks=week), tick=False):
            make_administration(
                e2e_world.patient_record,
                answers={str(n): value for n in range(1, 9)} | {"9": 0},
                submit=True,
            )
    with time_machine.travel(start, tick=False):
        add_session(e2e_world.therapist, e2e_world.patient_record, start + timedelta(days=7))
    assign_instrument(
        e2e_world.therapist,
        e2e_world.patient_record,
        shipped_instrument("phq9"),
        frequency="session",
        hours_before=48,
    )

    # When the therapist opens the patient's questionnaires
    staff_with_device(e2e_world.therapist)
    tour = tour_for(new_context(viewport=DESKTOP).new_page())
    page = tour.page
    log_in_through_form(tour, e2e_world.therapist)
    tour.check("caseload")
    page.goto(f"/patients/{e2e_world.patient_record.public_id}/measures/")

    # Then the chart draws the session held, with a legend and the events in words
    chart = page.get_by_test_id("series-phq9").get_by_test_id("score-chart")
    expect(chart.get_by_test_id("event-session")).to_have_count(1)
    expect(page.get_by_test_id("chart-legend")).to_contain_text("Therapy session")
    expect(page.get_by_test_id("events-phq9")).to_contain_text("Therapy session")
    tour.check("scores-with-events")

    # When they book the next session for tomorrow at 10:00 (the patient's time)
    tomorrow = (timezone.now() + timedelta(days=1)).astimezone(ZoneInfo("Europe/Amsterdam"))
    sessions = page.get_by_test_id("sessions")
    sessions.get_by_label("Starts at").fill(tomorrow.strftime("%Y-%m-%dT10:00"))
    sessions.get_by_label("Note (optional)").fill("Weekly session")
    sessions.get_by_role("button", name="Add session").click()

    # Then it is listed, and its questionnaire already waits (it opens 48 hours before)
    expect(page.get_by_role("status")).to_contain_text("The session was added")
    expect(page.get_by_test_id("session")).to_have_count(2)
    expect(page.get_by_test_id("session").last).to_contain_text("Weekly session")
    tour.check("session-added")
    booked = TherapySession.objects.get(note="Weekly session")
    assert Administration.objects.filter(session=booked).count() == 1

    # And cancelling it withdraws the questionnaire the patient has not started
    page.get_by_role("button", name=re.compile(r"^Cancel session")).last.click()
    expect(page.get_by_role("status")).to_contain_text("The session was cancelled")
    expect(page.get_by_test_id("session").last).to_contain_text("cancelled")
    tour.check("session-cancelled")
    assert Administration.objects.get(session=booked).status == "withdrawn"
