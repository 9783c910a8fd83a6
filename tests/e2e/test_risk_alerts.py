"""A diary card that matches a risk rule: the patient sees their safety plan at once, and the
therapist sees the alert and acknowledges it."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from core.testing.personas import World
from safety.models import Alert, AlertSettings, AlertStatus, RiskRule, RiskWatch
from tests.e2e.conftest import (
    DESKTOP,
    PHONE,
    ContextFactory,
    Tour,
    log_in_through_form,
    staff_with_device,
)
from tests.e2e.test_diary import segment

pytestmark = pytest.mark.e2e


def test_a_triggering_card_shows_the_plan_and_the_therapist_acknowledges_the_alert(
    e2e_world: World, new_context: ContextFactory, tour_for: Callable[[Page], Tour]
) -> None:
    # Given the patient on today's card on their phone
    tour = tour_for(new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page())
    page = tour.page
    log_in_through_form(tour, e2e_world.patient)
    tour.check("home")

    # When they report a strong suicide urge and save
    segment(page, "Urge: Suicide", "5").tap()
    page.get_by_role("button", name="Save card").tap()

    # Then their safety plan opens at once, with the crisis numbers
    expect(page).to_have_url(re.compile(r"/safety-plan/$"))
    expect(page.locator(".messages")).to_contain_text("Your care team has been told")
    expect(page.get_by_test_id("plan-crisis")).to_be_visible()
    tour.check("plan-after-card")
    [alert] = Alert.objects.filter(patient=e2e_world.patient_record)

    # And the therapist finds the alert under Alerts and acknowledges it
    staff_with_device(e2e_world.therapist)
    therapist = tour_for(new_context(viewport=DESKTOP).new_page())
    log_in_through_form(therapist, e2e_world.therapist)
    therapist.check("therapist-home")
    therapist.page.get_by_role("navigation", name="Main").get_by_role("link", name="Alerts").click()
    expect(therapist.page.get_by_test_id("alert-emergency")).to_be_visible()
    therapist.check("alerts")
    therapist.page.get_by_role("link", name=re.compile("Suicide urge 5 of 5")).click()
    expect(therapist.page.get_by_test_id("alert-status")).to_have_text("Open")
    therapist.check("alert")
    therapist.page.get_by_role("button", name="Acknowledge: I am on it").click()
    expect(therapist.page.get_by_test_id("alert-status")).to_have_text("Acknowledged")
    therapist.check("alert-acknowledged")
    alert.refresh_from_db()
    assert alert.status == AlertStatus.ACKNOWLEDGED
    assert alert.acknowledged_by == e2e_world.therapist


def test_the_admin_changes_a_rule_and_the_escalation_and_the_therapist_starts_a_watch(
    e2e_world: World, new_context: ContextFactory, tour_for: Callable[[Page], Tour]
) -> None:
    # Given the clinic's admin on the risk rules page
    staff_with_device(e2e_world.admin)
    admin = tour_for(new_context(viewport=DESKTOP).new_page())
    log_in_through_form(admin, e2e_world.admin)
    admin.check("admin-home")
    page = admin.page
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Risk rules").click()
    expect(page.get_by_test_id("rules")).to_contain_text("Suicide urge 4 or 5 on the diary card")
    admin.check("rules")

    # When they lower the suicide-urge rule to 3 and shorten the escalation
    page.get_by_role("link", name="Suicide urge 4 or 5 on the diary card").click()
    admin.check("rule-form")
    page.get_by_label("Name").fill("Suicide urge 3 or more on the diary card")
    page.get_by_label("From level").fill("9")
    page.get_by_role("button", name="Save rule").click()
    expect(page.get_by_text("between 1 and 5")).to_be_visible()  # refused, named, kept
    admin.check("rule-form-refused")
    page.get_by_label("From level").fill("3")
    page.get_by_role("button", name="Save rule").click()
    expect(page.get_by_test_id("rules")).to_contain_text("Suicide urge 3 or more")
    page.get_by_label("Escalate an unacknowledged alert after (minutes)").fill("15")
    page.get_by_label("On-call contact").fill("Duty psychiatrist")
    page.get_by_label("On-call e-mail").fill("duty@example.org")
    page.get_by_role("button", name="Save escalation").click()
    expect(page.locator(".messages")).to_contain_text("escalation settings are saved")

    rule = RiskRule.objects.get(organisation=e2e_world.organisation, key="diary-suicide-urge")
    assert rule.threshold == 3
    saved = AlertSettings.objects.get(organisation=e2e_world.organisation)
    assert (saved.escalate_after_minutes, saved.on_call_email) == (15, "duty@example.org")

    # And the therapist puts the patient on high-risk watch from the safety plan page
    staff_with_device(e2e_world.therapist)
    therapist = tour_for(new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page())
    log_in_through_form(therapist, e2e_world.therapist)
    therapist.check("caseload")
    therapist.goto(f"/patients/{e2e_world.patient_record.public_id}/safety-plan/", "plan")
    therapist.page.get_by_label("Why this patient is on high-risk watch").fill("Attempt in May")
    therapist.page.get_by_role("button", name="Start the watch").tap()
    expect(therapist.page.get_by_test_id("watch")).to_contain_text("Attempt in May")
    therapist.check("plan-on-watch")
    assert RiskWatch.objects.get(patient=e2e_world.patient_record).started_by == (
        e2e_world.therapist
    )
