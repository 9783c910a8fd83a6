"""A new staff member sets up TOTP from the key on the page, then uses it at the next log-in."""

from __future__ import annotations

import re
import time

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from accounts.models import Role
from core.testing.factories import make_user
from core.testing.personas import World
from tests.e2e.conftest import Tour, key_from_page, log_in_through_form, totp_code

pytestmark = pytest.mark.e2e

CODE_LABEL = "6-digit code from your authenticator app"


def test_staff_member_sets_up_totp_and_uses_it(e2e_world: World, tour: Tour) -> None:
    # Given a clinician (not a demo account) who has never set up a second factor
    clinician = make_user(Role.CLINICIAN, e2e_world.organisation, full_name="Nina Newcomer")
    page = tour.page

    # When she logs in, she is sent to the set-up page before anything else
    log_in_through_form(tour, clinician)
    expect(page).to_have_url(re.compile(r"/accounts/two-factor/setup/\?next="))
    expect(page.locator(".main-nav")).to_have_count(0)
    tour.check("setup")

    # And a wrong code is refused with a message beside the field
    key = key_from_page(page.get_by_test_id("totp-secret").inner_text())
    right = totp_code(key)
    wrong = f"{(int(right) + 500_000) % 1_000_000:06d}"
    page.get_by_label(CODE_LABEL).fill(wrong)
    page.get_by_role("button", name="Confirm").click()
    refused_at = time.monotonic()
    expect(page.locator(".errorlist")).to_contain_text("That code is not right")
    tour.check("setup-wrong-code")
    assert key_from_page(page.get_by_test_id("totp-secret").inner_text()) == key

    # When she types the code her app shows for the key on the page
    # (django-otp refuses any code for one second after a wrong one)
    time.sleep(max(0.0, 1.1 - (time.monotonic() - refused_at)))
    page.get_by_label(CODE_LABEL).fill(totp_code(key))
    page.get_by_role("button", name="Confirm").click()

    # Then she lands on her home page, with the device confirmed
    expect(page).to_have_url(re.compile(r"/caseload/$"))
    expect(page.locator(".messages").get_by_role("status")).to_contain_text(
        "Two-factor authentication is set up."
    )
    tour.check("home")
    device = TOTPDevice.objects.get(user=clinician)
    assert device.confirmed

    # And at her next log-in she enters a fresh code on the verify page
    page.locator("details.account-menu summary").click()
    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
    log_in_through_form(tour, clinician)
    expect(page).to_have_url(re.compile(r"/caseload/$"))
