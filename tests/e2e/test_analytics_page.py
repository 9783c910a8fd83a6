"""The therapist opens a patient's analytics from the caseload: interactive Plotly charts of
the diary, check-ins, questionnaire scores and treatment events render (from our own static
files, under the strict CSP, without a console error), each with its words; she narrows
the period, gets a clear error for an impossible one, and the page passes axe in light and
dark mode."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import BrowserContext, ConsoleMessage, Page, expect

from core.testing.factories import make_administration
from core.testing.personas import World
from diary.cards import local_today
from measures.tests.test_chart_events import history
from reports.tests.test_reports import fill_history
from tests.e2e.conftest import DESKTOP, ContextFactory, Tour, log_in_through_form, staff_with_device

pytestmark = pytest.mark.e2e

#: The page loads plotly.js (4.8 MB, uncompressed from the test server): on a loaded CI
#: machine its parse and the drawing of every chart take longer than the suite's 5 s.
SLOW_PAGE_MS = 30_000


def patient_page(context: BrowserContext) -> Page:
    page = context.new_page()
    page.set_default_timeout(SLOW_PAGE_MS)
    page.set_default_navigation_timeout(SLOW_PAGE_MS)
    return page


def watch_console(page: Page) -> list[str]:
    """Console errors and uncaught exceptions of ``page`` (CSP violations included)."""
    problems: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type in ("error", "warning") and "plotly" in message.text.lower():
            problems.append(f"{message.type}: {message.text}")
        elif message.type == "error":
            problems.append(message.text)

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    return problems


def charts_rendered(page: Page, count: int) -> None:
    plots = page.locator(".plot.js-plotly-plot")
    expect(plots).to_have_count(count, timeout=SLOW_PAGE_MS)
    for index in range(count):
        expect(plots.nth(index).locator("svg.main-svg").first).to_be_attached(timeout=SLOW_PAGE_MS)


def test_therapist_reads_a_patients_charts(
    e2e_world: World, new_context: ContextFactory, tour_for: Callable[[Page], Tour]
) -> None:
    # Given a patient with diary cards, check-ins, a PHQ-9 and treatment events
    patient = e2e_world.patient_record
    fill_history(patient, local_today(patient.time_zone), days=45)
    history(e2e_world, timezone.now() - timedelta(days=21))
    make_administration(patient, answers={str(n): 2 for n in range(1, 9)} | {"9": 0}, submit=True)
    staff_with_device(e2e_world.therapist)
    tour = tour_for(patient_page(new_context(viewport=DESKTOP)))
    page = tour.page
    problems = watch_console(page)

    # When the therapist opens the patient's charts from her caseload
    log_in_through_form(tour, e2e_world.therapist)
    expect(page).to_have_url(re.compile(r"/caseload/$"))
    tour.check("caseload")
    page.get_by_role("link", name="Charts of Pat Ient").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Analytics of Pat Ient", timeout=SLOW_PAGE_MS
    )

    # Then every chart is drawn by plotly.js, with its words and the notes beside them
    charts_rendered(page, page.locator(".plot").count())
    assert page.locator(".plot").count() >= 9
    for chart in ("emotions", "urges", "skills", "sleep", "medication", "ema", "events"):
        expect(page.locator(f"#chart-{chart}")).to_have_class(re.compile("js-plotly-plot"))
    expect(page.locator("#chart-emotions")).to_have_attribute(
        "aria-label", re.compile(r"Emotional misery: rated on 45 of 90 days")
    )
    expect(page.get_by_test_id("judgement-note")).to_contain_text("not a diagnosis")
    expect(page.get_by_test_id("alert-emergency")).to_be_visible()
    expect(page.get_by_test_id("trend-caveat")).to_contain_text("not an alert")
    expect(page.get_by_test_id("event-lines")).to_contain_text("Risk alert raised")
    expect(page.get_by_test_id("instability-table").first).to_contain_text("RMSSD")
    tour.check("analytics")

    # When she zooms into some days of one chart, the others follow (one time axis)
    page.evaluate("Plotly.relayout('chart-urges', {'xaxis.range': ['2026-01-01', '2026-01-15']})")
    page.wait_for_function(
        "() => ['chart-emotions', 'chart-ema', 'chart-events'].every(id =>"
        " String(document.getElementById(id).layout.xaxis.range[0]).startsWith('2026-01-01'))"
    )

    # When she asks for the last 30 days
    page.get_by_label("Period", exact=True).select_option(label="Last 30 days")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_test_id("period-summary")).to_contain_text("(30 days)", timeout=SLOW_PAGE_MS)
    charts_rendered(page, page.locator(".plot").count())
    tour.check("analytics-30-days")

    assert problems == [], problems

    # When she asks for an impossible period, the page says what to change (answered 400)
    page.get_by_label("Period", exact=True).select_option(label="Custom dates")
    page.get_by_label("From", exact=True).fill("2026-02-10")
    page.get_by_label("To", exact=True).fill("2026-02-01")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("alert").first).to_contain_text(
        "The first day must be on or before the last day.", timeout=SLOW_PAGE_MS
    )
    tour.check("analytics-error")
    assert all("status of 400" in problem for problem in problems), problems


def test_the_charts_in_dark_mode(
    e2e_world: World, new_context: ContextFactory, tour_for: Callable[[Page], Tour]
) -> None:
    patient = e2e_world.patient_record
    fill_history(patient, local_today(patient.time_zone), days=20)
    history(e2e_world, timezone.now() - timedelta(days=21))
    staff_with_device(e2e_world.therapist)
    tour = tour_for(patient_page(new_context(viewport=DESKTOP, color_scheme="dark")))
    page = tour.page
    problems = watch_console(page)
    log_in_through_form(tour, e2e_world.therapist)
    tour.check("caseload")
    page.goto(f"/patients/{patient.public_id}/analytics/")
    charts_rendered(page, page.locator(".plot").count())
    # The axis labels take the page's text colour, not plotly's default dark grey
    fill = page.locator("#chart-urges .xtick text").first.evaluate(
        "element => getComputedStyle(element).fill"
    )
    assert fill == "rgb(232, 236, 239)", fill
    tour.check("analytics-dark")
    assert problems == [], problems
