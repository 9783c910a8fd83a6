"""A clinic admin adds a patient and their care team, and opens a record with break-glass."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from care.models import BreakGlassGrant, Patient
from core.testing.personas import World
from tests.e2e.conftest import ContextFactory, Tour, log_in_through_form, staff_with_device

pytestmark = pytest.mark.e2e


def test_admin_creates_a_patient_and_adds_a_clinician_to_the_care_team(
    e2e_world: World, new_context: ContextFactory, tour_for: Callable[[Page], Tour]
) -> None:
    admin = tour_for(new_context().new_page())
    page = admin.page
    staff_with_device(e2e_world.admin)
    staff_with_device(e2e_world.outsider_clinician)

    # Given the admin on the patient list
    log_in_through_form(admin, e2e_world.admin)
    expect(page).to_have_url(re.compile(r"/patients/$"))
    admin.check("patients")

    # When she asks for an invitation without an e-mail address, the form says what is missing
    page.get_by_role("link", name="Add a patient").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a patient")
    admin.check("new-patient")
    page.get_by_label("Given name").fill("Rosa")
    page.get_by_label("Family name").fill("Example")
    page.get_by_label("Send an invitation to this e-mail address now").check()
    page.get_by_role("button", name="Add patient").click()
    expect(page.locator(".errorlist")).to_contain_text("Enter an e-mail address")
    admin.check("new-patient-error")

    # When she completes the form
    page.get_by_label("Preferred name").fill("Ro")
    page.get_by_label("Date of birth").fill("1994-04-02")
    page.get_by_label("Clinic record number").fill("NS-0042")
    page.get_by_role("textbox", name="E-mail address").fill("rosa@example.org")
    page.get_by_role("button", name="Add patient").click()

    # Then the patient exists, is invited, and has no care team yet
    expect(page).to_have_url(re.compile(r"/patients/[0-9a-f-]+/manage/$"))
    expect(page.locator(".messages").get_by_role("status")).to_contain_text("Ro Example is added.")
    expect(page.get_by_text("Invited as rosa@example.org")).to_be_visible()
    team = page.get_by_role("region", name="Care team")
    expect(team.get_by_role("listitem")).to_have_text(["No one yet."])
    admin.check("manage")

    # When she adds a clinician as primary therapist
    team.get_by_label("Clinician").select_option(label="Otto Outsider (Clinician)")
    team.get_by_label("Team role").select_option(label="Primary therapist")
    team.get_by_role("button", name="Add", exact=True).click()

    # Then the care team shows him, and he finds the patient on his caseload
    expect(page.locator(".messages").get_by_role("status")).to_contain_text(
        "The care team is updated."
    )
    expect(team.get_by_role("listitem")).to_contain_text(["Otto Outsider — Primary therapist"])
    admin.check("team-added")
    patient = Patient.objects.get(record_number="NS-0042")
    assert patient.care_team.current().get().member == e2e_world.outsider_clinician

    clinician = tour_for(new_context().new_page())
    log_in_through_form(clinician, e2e_world.outsider_clinician)
    expect(clinician.page).to_have_url(re.compile(r"/caseload/$"))
    clinician.check("caseload")
    clinician.page.get_by_role("link", name="Ro Example", exact=True).click()
    expect(clinician.page.get_by_role("heading", level=1)).to_have_text("Ro Example")
    clinician.check("record")


def test_admin_opens_a_record_with_break_glass(e2e_world: World, tour: Tour) -> None:
    page = tour.page
    staff_with_device(e2e_world.admin)
    record_url = f"/patients/{e2e_world.patient_record.public_id}/"

    # Given an admin, who cannot read the clinical record
    log_in_through_form(tour, e2e_world.admin)
    response = page.goto(record_url)
    assert response is not None and response.status == 404
    tour.check("record-refused")

    # When she asks for emergency access without a reason, she is asked for one
    tour.goto("/patients/", "patients")
    page.get_by_role("link", name="Pat Ient").click()
    expect(page).to_have_url(re.compile(r"/manage/$"))
    tour.check("manage")
    page.get_by_role("link", name="Open the record with a recorded reason").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Emergency access to Pat Ient's record"
    )
    tour.check("break-glass")
    page.get_by_role("button", name="Open the record").click()
    reason = page.get_by_label("Why do you need to open this record?")
    expect(page.locator(".errorlist")).to_contain_text("This field is required.")
    expect(reason).to_have_attribute("aria-invalid", "true")
    tour.check("break-glass-no-reason")
    assert not BreakGlassGrant.objects.exists()

    # When she gives a reason
    page.get_by_label("Why do you need to open this record?").fill(
        "Patient's sister called: acute risk, therapist unreachable."
    )
    page.get_by_role("button", name="Open the record").click()

    # Then she reads the record, and the audit trail holds her reason and her reading
    expect(page).to_have_url(re.compile(re.escape(record_url) + "$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Pat Ient")
    expect(page.get_by_role("region", name="Care team")).to_contain_text("Thea Therapist")
    tour.check("record")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Audit trail").click()
    reads = page.get_by_role("table", name="Record reads")
    expect(reads.get_by_role("row").nth(1)).to_contain_text("Pat Ient")
    expect(reads.get_by_role("row").nth(1)).to_contain_text("Yes")
    tour.check("audit-reads")
    page.get_by_role("link", name="Break-glass").click()
    grants = page.get_by_role("table", name="Break-glass access")
    expect(grants).to_contain_text("acute risk, therapist unreachable")
    tour.check("audit-break-glass")
