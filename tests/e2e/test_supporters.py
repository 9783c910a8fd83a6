"""On a phone, a patient invites a supporter, changes what they see, then stops sharing."""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import urlsplit

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from core.testing.personas import World
from tests.e2e.conftest import PHONE, ContextFactory, Tour, log_in_through_form

pytestmark = pytest.mark.e2e

NEW_PASSWORD = "a long and unusual passphrase 42"


def invitation_path(to: str) -> str:
    message = next(m for m in reversed(mail.outbox) if to in m.to)
    link = re.search(r"https?://\S+/accounts/invitation/\S+", message.body)
    assert link, message.body
    return urlsplit(link.group(0)).path


def test_patient_invites_a_supporter_and_later_stops_sharing(
    e2e_world: World, new_context: ContextFactory, tour_for: Callable[[Page], Tour]
) -> None:
    phone = {"viewport": PHONE, "is_mobile": True, "has_touch": True}
    patient = tour_for(new_context(**phone).new_page())
    supporter = tour_for(new_context(**phone).new_page())
    p = patient.page

    # Given the patient, logged in on a 360 px wide phone, with the menu at the bottom
    log_in_through_form(patient, e2e_world.patient)
    expect(p).to_have_url(re.compile(r"/diary/$"))
    patient.check("home")
    nav = p.get_by_role("navigation", name="Main")
    box = nav.bounding_box()
    assert box is not None and box["y"] + box["height"] == PHONE["height"]

    # When she invites her brother to see her safety plan and diary summary
    nav.get_by_role("link", name="My supporters").tap()
    expect(p).to_have_url(re.compile(r"/me/supporters/$"))
    patient.check("my-supporters")
    p.get_by_label("Their name").fill("Sam Sibling")
    p.get_by_label("Their e-mail address").fill("sam@example.org")
    p.get_by_label("How they know you").fill("brother")
    p.get_by_label("My safety plan").check()
    p.get_by_label("A weekly summary of my diary card").check()
    p.get_by_role("button", name="Send invitation").tap()

    # Then he is listed with what he sees, and receives an invitation
    expect(p.locator(".messages").get_by_role("status")).to_contain_text("Sam Sibling is invited.")
    card = p.get_by_role("region", name="Sam Sibling (brother)")
    expect(card.get_by_role("listitem")).to_have_text(
        ["A weekly summary of my diary card", "My safety plan"]
    )
    patient.check("invited")

    # When he accepts the invitation and chooses a password
    s = supporter.page
    supporter.emergency_number = patient.emergency_number
    s.goto(invitation_path("sam@example.org"))
    supporter.check("accept-invitation")
    s.get_by_label(re.compile(r"^New password:?$")).fill(NEW_PASSWORD)
    s.get_by_label("New password confirmation").fill(NEW_PASSWORD)
    s.get_by_role("button", name="Save and continue").tap()

    # Then he sees what she shares with him (in words written for him), and nothing else
    expect(s).to_have_url(re.compile(r"/shared/$"))
    shared = s.get_by_role("region", name="Pat Ient")
    expect(shared.get_by_role("listitem")).to_have_text(
        ["A weekly summary of their diary card", "Their safety plan"]
    )
    supporter.check("shared-list")
    shared.get_by_role("link", name="Pat Ient").tap()
    expect(s.get_by_role("heading", level=1)).to_have_text("Pat Ient")
    expect(s.get_by_role("region", name="Care team")).to_have_count(0)
    supporter.check("shared-detail")
    detail_url = s.url

    # When she narrows what he sees to the safety plan
    card.get_by_role("link", name="Change what they see").tap()
    expect(p.get_by_role("heading", level=1)).to_have_text("What Sam Sibling sees")
    patient.check("sharing")
    p.get_by_label("A weekly summary of my diary card").uncheck()
    p.get_by_role("button", name="Save").tap()
    expect(p.locator(".messages").get_by_role("status")).to_contain_text(
        "Your sharing choices are saved."
    )
    expect(card.get_by_role("listitem")).to_have_text(["My safety plan"])

    # And later stops sharing with him altogether (after confirming)
    p.once("dialog", lambda dialog: dialog.accept())
    card.get_by_role("button", name="Stop sharing").tap()
    expect(p.locator(".messages").get_by_role("status")).to_contain_text(
        "Sam Sibling no longer sees anything"
    )
    expect(card).to_have_count(0)
    patient.check("withdrawn")

    # Then he no longer sees her, and her page is gone for him
    s.get_by_role("navigation", name="Main").get_by_role("link", name="People I support").tap()
    expect(s.get_by_text("Nobody is sharing with you at the moment.")).to_be_visible()
    supporter.check("shared-list-empty")
    response = s.goto(detail_url)
    assert response is not None and response.status == 404
    supporter.check("shared-detail-gone")
