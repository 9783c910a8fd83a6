"""A patient fills today's diary card on a phone; their therapist reads it in the week grid."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from playwright.sync_api import Locator, Page, expect

from core.testing.personas import World
from diary.actions import SaveMode, ensure_card_items, save_card
from diary.cards import CardValues, TargetValue, local_today
from diary.models import CardEmotion, CardTarget, DiaryCard, Emotion, Target
from diary.queries import week_start
from tests.e2e.conftest import (
    PHONE,
    ContextFactory,
    Tour,
    log_in_through_form,
    staff_with_device,
)

pytestmark = pytest.mark.e2e

EMOTIONS = {
    "Sadness": "3",
    "Anger": "1",
    "Fear": "2",
    "Shame": "0",
    "Guilt": "1",
    "Joy": "2",
    "Emotional misery": "3",
    "Physical misery": "0",
}
URGES = {"Suicide": ("0", "No"), "Self-harm": ("2", "No"), "Alcohol or drugs": ("1", "No")}


def segment(page: Page, group: str, value: str) -> Locator:
    """The button for ``value`` in the segmented row labelled ``group``."""
    return page.get_by_role("group", name=group, exact=True).get_by_text(value, exact=True)


def day_label(day: date) -> str:
    return f"{day:%a} {day.day} {day:%b}"


def grid_row(page: Page, day: date) -> Locator:
    header = page.get_by_role("rowheader", name=re.compile("^" + re.escape(day_label(day))))
    return page.locator("table.diary-grid tbody tr").filter(has=header)


def test_patient_fills_todays_card_on_a_phone(
    e2e_world: World, new_context: ContextFactory, tour_for: Callable[[Page], Tour]
) -> None:
    patient = e2e_world.patient_record
    tour = tour_for(new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page())
    page = tour.page

    # Given the patient, logged in on their phone, on today's card
    log_in_through_form(tour, e2e_world.patient)
    tour.check("home")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Today").tap()
    expect(page.get_by_role("heading", level=1)).to_have_text("Today's card")
    tour.check("today")

    # When they tap through the card and save it
    started = time.monotonic()
    for emotion, value in EMOTIONS.items():
        segment(page, emotion, value).tap()
    for target, (urge, acted) in URGES.items():
        segment(page, f"Urge: {target}", urge).tap()
        segment(page, f"Acted on it: {target}", acted).tap()
    page.get_by_label("5 — Tried and used them, they helped").tap()
    page.get_by_label("Which skills?").fill("TIP, opposite action")
    segment(page, "Took prescribed medication as prescribed", "Yes").tap()
    page.get_by_label("Hours of sleep").fill("7.5")
    page.get_by_label("Anything else about today").fill("Walked by the river.")
    page.get_by_role("button", name="Save card").tap()

    # Then, well within a minute, the card is saved and the page says so
    expect(page.get_by_role("status").filter(has_text="Saved.")).to_contain_text(
        "Saved. Thank you for filling in your card."
    )
    assert time.monotonic() - started < 30
    tour.check("saved")
    today = local_today(patient.time_zone)
    recent = page.get_by_role("region", name="Recent days").get_by_role("listitem").first
    expect(recent).to_contain_text("Saved")
    expect(segment(page, "Sadness", "3").locator("xpath=..").locator("input")).to_be_checked()

    card = DiaryCard.objects.get(patient=patient, date=today)
    assert not card.is_late
    assert card.skills_used == 5
    assert card.skills == ["TIP", "opposite action"]
    assert card.prescribed_meds_taken is True
    assert card.sleep_hours == Decimal("7.5")
    assert card.note == "Walked by the river."
    ratings = dict(CardEmotion.objects.filter(card=card).values_list("emotion__name", "rating"))
    assert ratings == {name: int(value) for name, value in EMOTIONS.items()}
    urges = CardTarget.objects.filter(card=card).values_list("target__name", "urge", "acted")
    assert {name: (urge, acted) for name, urge, acted in urges} == {
        name: (int(urge), False) for name, (urge, _acted) in URGES.items()
    }


def test_therapist_reads_the_diary_week_grid(
    e2e_world: World, new_context: ContextFactory, tour_for: Callable[[Page], Tour]
) -> None:
    # Given a patient who saved today's card, and one card last week
    patient = e2e_world.patient_record
    ensure_card_items(None, patient)
    zone = ZoneInfo(patient.time_zone)
    today = local_today(patient.time_zone)
    monday = week_start(today)
    last_monday = monday - timedelta(days=7)
    sadness = str(Emotion.objects.get(patient=patient, name="Sadness").public_id)
    self_harm = str(Target.objects.get(patient=patient, name="Self-harm").public_id)
    with time_machine.travel(
        datetime(last_monday.year, last_monday.month, last_monday.day, 20, tzinfo=zone), tick=False
    ):
        save_card(
            e2e_world.patient,
            patient,
            last_monday,
            CardValues(emotions={sadness: 2}, skills_used=3, note="Quiet day."),
            mode=SaveMode.EDIT,
        )
    save_card(
        e2e_world.patient,
        patient,
        today,
        CardValues(
            emotions={sadness: 4},
            targets={self_harm: TargetValue(urge=3, acted=True, detail="scratched")},
            skills_used=6,
            note="Argument with my sister.",
        ),
        mode=SaveMode.EDIT,
    )
    staff_with_device(e2e_world.therapist)
    tour = tour_for(new_context().new_page())
    page = tour.page

    # When the therapist logs in and opens the patient's record, then the diary
    log_in_through_form(tour, e2e_world.therapist)
    expect(page).to_have_url(re.compile(r"/caseload/$"))
    tour.check("caseload")
    page.get_by_role("main").get_by_role("link", name="Pat Ient").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Pat Ient")
    tour.check("record")
    page.get_by_role("link", name="Diary cards").click()

    # Then this week's grid shows today's values, and the days before without a card
    sunday = monday + timedelta(days=6)
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Diary cards, {monday.day} {monday:%b} – {sunday.day} {sunday:%b %Y}"
    )
    tour.check("week")
    row = grid_row(page, today)
    expect(row.get_by_role("cell")).to_contain_text(["4", "3", "scratched", "6"])
    expect(row).to_contain_text("Argument with my sister.")
    expect(page.get_by_role("cell", name="No card for this day")).to_have_count(today.weekday())
    expect(page.get_by_role("link", name="Next week")).to_have_count(0)
    expect(page.get_by_role("img", name=re.compile("^Trend over 28 days"))).to_be_visible()

    # When they go to the previous week
    page.get_by_role("link", name="Previous week").click()

    # Then last week's card is there, and its six other days show no card
    expect(page.get_by_role("heading", level=1)).to_contain_text(
        f"Diary cards, {last_monday.day} {last_monday:%b} –"
    )
    tour.check("previous-week")
    expect(grid_row(page, last_monday)).to_contain_text("Quiet day.")
    expect(grid_row(page, last_monday).get_by_role("cell").first).to_have_text("2")
    expect(page.get_by_role("cell", name="No card for this day")).to_have_count(6)
    expect(page.get_by_role("link", name="Next week")).to_be_visible()
