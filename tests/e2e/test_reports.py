"""Progress report in the browser: the therapist opens a patient, asks for a report of the
last four weeks, and downloads the PDF."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from core.testing.factories import make_administration
from core.testing.personas import World
from diary.cards import local_today
from reports.tests.test_reports import fill_history
from tests.e2e.conftest import DESKTOP, ContextFactory, Tour, log_in_through_form, staff_with_device

pytestmark = pytest.mark.e2e


def test_therapist_asks_for_a_progress_report_and_downloads_it(
    e2e_world: World, new_context: ContextFactory, tour_for: Callable[[Page], Tour]
) -> None:
    # Given ten days of diary cards and check-ins and a PHQ-9
    patient = e2e_world.patient_record
    fill_history(patient, local_today(patient.time_zone))
    make_administration(patient, answers={str(n): 1 for n in range(1, 9)} | {"9": 0}, submit=True)
    staff_with_device(e2e_world.therapist)
    tour = tour_for(new_context(viewport=DESKTOP, accept_downloads=True).new_page())
    page = tour.page
    log_in_through_form(tour, e2e_world.therapist)
    tour.check("caseload")

    # When the therapist opens the patient and the progress report page
    page.goto(f"/patients/{patient.public_id}/")
    tour.check("patient")
    page.get_by_role("link", name="Progress report (PDF)").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Progress reports of Pat Ient")
    tour.check("reports")

    # And asks for the last four weeks (the form's default), without diary notes
    page.get_by_role("button", name="Write the report").click()

    # Then the report is ready and downloads as a PDF
    expect(page.get_by_role("status").first).to_contain_text("ready to download")
    tour.check("report-ready")
    with page.expect_download() as waiting:
        page.get_by_role("link", name="PDF,").first.click()
    download = waiting.value
    assert download.suggested_filename.startswith("progress-report-")
    path = download.path()
    with open(path, "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
