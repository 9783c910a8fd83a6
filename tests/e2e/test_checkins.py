"""A patient sees the check-in banner on Today, answers the check-in on a phone (sliders by
keyboard and by value, choices by tap); their therapist reads the answer on the EMA page."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from core.testing.factories import TEST_PASSWORD
from core.testing.personas import World
from ema.actions import create_schedule
from ema.models import Prompt, PromptResponse, PromptStatus
from ema.queries import local_today
from tests.e2e.conftest import (
    PHONE,
    ContextFactory,
    Tour,
    log_in_through_form,
    staff_with_device,
)

pytestmark = pytest.mark.e2e


def open_prompt(world: World) -> Prompt:
    """A check-in of the persona patient, due a few minutes ago (today where they live)."""
    patient = world.patient_record
    schedule = create_schedule(
        world.therapist,
        patient,
        kind="fixed",
        times=["08:00", "20:00"],
        start_date=local_today(patient),
    )
    now = timezone.now().replace(microsecond=0)
    midnight = datetime.combine(local_today(patient), time(0), ZoneInfo(patient.time_zone))
    due = max(now - timedelta(minutes=5), midnight)
    return Prompt.objects.create(
        schedule=schedule,
        patient=patient,
        questionnaire_id=schedule.questionnaire_id,
        scheduled_at=due,
        expires_at=due + timedelta(minutes=30),
        status=PromptStatus.SENT,
    )


def test_patient_answers_a_checkin_on_a_phone_and_the_therapist_reads_it(
    e2e_world: World, new_context: ContextFactory, tour_for: Callable[[Page], Tour]
) -> None:
    prompt = open_prompt(e2e_world)
    zone = ZoneInfo(e2e_world.patient_record.time_zone)
    due = prompt.scheduled_at.astimezone(zone).strftime("%H:%M")
    until = prompt.expires_at.astimezone(zone).strftime("%H:%M")
    tour = tour_for(new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page())
    page = tour.page

    # Given the patient, logged in on their phone, on Today
    log_in_through_form(tour, e2e_world.patient)
    expect(page.get_by_role("heading", level=1)).to_have_text("Today's card")
    tour.check("today")

    # When they tap the banner
    banner = page.get_by_role("link", name="You have a check-in waiting")
    expect(banner).to_be_in_viewport()
    banner.tap()

    # Then the check-in is listed with its times
    expect(page.get_by_role("heading", level=1)).to_have_text("Check-ins")
    expect(page.get_by_role("main")).to_contain_text(f"Check-in due {due}, answer by {until}")
    tour.check("checkins")
    page.get_by_role("link", name=f"Answer the check-in due {due}").tap()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check-in")
    tour.check("answer")

    # When they answer: one slider by keyboard, the others by value, the choices by tap
    sad = page.get_by_label("How sad do you feel right now?")
    sad.focus()
    sad.press("Home")
    for _ in range(3):
        sad.press("ArrowRight")
    expect(page.locator("#id_q_sad_value")).to_have_text("3")
    page.get_by_label("How anxious or tense do you feel right now?").fill("70")
    expect(page.locator("#id_q_anxious_value")).to_have_text("70")
    page.get_by_label("How angry or irritated do you feel right now?").fill("0")
    page.get_by_label("How happy or content do you feel right now?").fill("25")
    page.get_by_label("How strong is any urge to hurt yourself right now?").fill("10")
    activity = page.get_by_role("group", name="What are you doing?")
    activity.get_by_text("Working or studying").tap()
    page.get_by_role("group", name="Who are you with?").get_by_text(
        "Colleagues or classmates"
    ).tap()
    expect(activity.get_by_label("Working or studying")).to_be_checked()
    page.get_by_role("button", name="Send answers").tap()

    # Then they are thanked, and nothing else is waiting
    expect(page.get_by_role("status").filter(has_text="Thank you.")).to_contain_text(
        "Thank you. Your answers are saved."
    )
    expect(page.get_by_role("main")).to_contain_text("Nothing is waiting for you right now.")
    tour.check("answered")
    saved = PromptResponse.objects.get(prompt=prompt)
    assert saved.answers == {
        "sad": 3,
        "anxious": 70,
        "angry": 0,
        "happy": 25,
        "urge_self_harm": 10,
        "activity": "work",
        "company": "colleagues",
    }

    # And the settings page (quiet hours, notifications) is one tap away
    page.get_by_role("link", name="Quiet hours and reminders").tap()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check-in settings")
    expect(page.get_by_role("button", name="Allow notifications on this phone")).to_be_visible()
    tour.check("settings")

    # And Today has no banner any more
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Today").tap()
    expect(page.get_by_role("heading", level=1)).to_have_text("Today's card")
    expect(page.get_by_role("link", name="You have a check-in waiting")).to_have_count(0)
    tour.check("today-after")

    # When the therapist opens the patient's check-ins
    staff_with_device(e2e_world.therapist)
    desk = tour_for(new_context().new_page())
    log_in_through_form(desk, e2e_world.therapist)
    expect(desk.page).to_have_url(re.compile(r"/caseload/$"))
    desk.check("caseload")
    desk.page.get_by_role("main").get_by_role("link", name="Pat Ient").first.click()
    expect(desk.page.get_by_role("heading", level=1)).to_have_text("Pat Ient")
    desk.check("record")
    desk.page.get_by_role("link", name="Check-ins (EMA)").click()
    expect(desk.page.get_by_role("heading", level=1)).to_have_text("Check-ins (EMA)")
    desk.check("ema")

    # Then the answer is the first row of the recent answers
    answers = desk.page.get_by_role("region", name=re.compile("^Newest first"))
    row = answers.get_by_role("row").nth(1)
    expect(row.get_by_role("rowheader")).to_contain_text(due)
    expect(row.get_by_role("cell")).to_have_text(
        [re.compile(r"\d\d:\d\d"), "3", "70", "0", "25", "10", "Working or studying",
         "Colleagues or classmates"]
    )  # fmt: skip
    compliance = desk.page.get_by_role("region", name=re.compile("^Due: "))
    expect(compliance.locator("tfoot")).to_contain_text("All schedules")


def test_without_scripts_sliders_are_number_boxes_and_an_empty_one_is_never_a_midpoint(
    e2e_world: World, new_context: ContextFactory
) -> None:
    # (No page checks here: axe runs as a script, and this page has none. The same page with
    # scripts is checked in the test above.)
    prompt = open_prompt(e2e_world)
    context = new_context(viewport=PHONE, is_mobile=True, has_touch=True, java_script_enabled=False)
    page = context.new_page()
    page.goto("/accounts/login/")
    page.get_by_label("E-mail address").fill(e2e_world.patient.email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(f"/checkins/{prompt.public_id}/")

    # Given the check-in without scripts: each slider is a number box, the slider is hidden
    sad = page.get_by_role("spinbutton", name="How sad do you feel right now?")
    expect(sad).to_be_visible()
    expect(page.locator("input[type=range]").first).to_be_hidden()

    # When the patient types some numbers, skips one, and sends
    sad.fill("40")
    page.get_by_role("spinbutton", name="How anxious or tense do you feel right now?").fill("60")
    page.get_by_role("spinbutton", name="How angry or irritated do you feel right now?").fill("5")
    page.get_by_role("spinbutton", name="How happy or content do you feel right now?").fill("30")
    page.get_by_role("group", name="What are you doing?").get_by_text("Working or studying").tap()
    page.get_by_role("group", name="Who are you with?").get_by_text("Nobody").tap()
    page.get_by_role("button", name="Send answers").tap()

    # Then the skipped one is asked for again (nothing stored, never its midpoint), the
    # typed numbers are kept
    expect(page.get_by_text("Please answer this question.")).to_have_count(1)
    assert not PromptResponse.objects.filter(prompt=prompt).exists()
    expect(sad).to_have_value("40")

    # When they fill it in too, everything is saved as typed
    urge = page.get_by_role("spinbutton", name="How strong is any urge to hurt yourself right now?")
    urge.fill("0")
    page.get_by_role("button", name="Send answers").tap()
    expect(page.get_by_role("main")).to_contain_text("Nothing is waiting for you right now.")
    answers = PromptResponse.objects.get(prompt=prompt).answers
    assert (answers["sad"], answers["anxious"], answers["urge_self_harm"]) == (40, 60, 0)
