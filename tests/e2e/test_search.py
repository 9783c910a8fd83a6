"""A clinician finds a patient on the caseload by typing: the list narrows without a reload."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from care.models import TeamRole
from core.testing.factories import make_patient, make_team_place
from core.testing.personas import World
from tests.e2e.conftest import Tour, log_in_through_form, staff_with_device

pytestmark = pytest.mark.e2e


def test_caseload_narrows_as_the_clinician_types(e2e_world: World, tour: Tour, page: Page) -> None:
    # Given a therapist with three patients on her caseload
    for given, family in [("Greta", "Lindqvist"), ("Hugo", "Lindholm")]:
        patient = make_patient(e2e_world.organisation, given_name=given, family_name=family)
        make_team_place(patient, e2e_world.therapist, TeamRole.PRIMARY_THERAPIST)
    staff_with_device(e2e_world.therapist)
    log_in_through_form(tour, e2e_world.therapist)
    expect(page).to_have_url(re.compile(r"/caseload/$"))
    rows = page.locator("#caseload-results tbody tr")
    expect(rows).to_have_count(3)
    tour.check("caseload")
    page.evaluate("window.__sameDocument = true")

    # When she types part of a family name (no button pressed)
    page.get_by_label("Find a patient").press_sequentially("Lindq", delay=20)

    # Then the list narrows in place, the count is announced, and the address keeps the query
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Greta Lindqvist")
    expect(page.locator("#caseload-results [role=status]")).to_have_text("1 patient")
    expect(page).to_have_url(re.compile(r"/caseload/\?q=Lindq$"))
    assert page.evaluate("window.__sameDocument") is True
    tour.check("caseload-filtered")
