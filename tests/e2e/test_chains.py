"""A patient on a phone writes a chain analysis from a diary day and shares it; the therapist
comments on a link; the patient reads the comment."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from chains.models import ChainAnalysis, ChainStatus
from core.testing.factories import builtin_skill
from core.testing.personas import World
from diary.actions import SaveMode, ensure_card_items, save_card
from diary.cards import CardValues, TargetValue, local_today
from diary.models import Emotion, Target
from tests.e2e.conftest import (
    DESKTOP,
    PHONE,
    ContextFactory,
    Tour,
    log_in_through_form,
    staff_with_device,
)

pytestmark = pytest.mark.e2e


def _acted_yesterday(world: World) -> str:
    """Yesterday's card: self-harm acted on, shame 4, 5.5 hours of sleep."""
    patient = world.patient_record
    ensure_card_items(None, patient)
    day = local_today(patient.time_zone) - timedelta(days=1)
    self_harm = Target.objects.get(patient=patient, name="Self-harm")
    shame = Emotion.objects.get(patient=patient, name="Shame")
    save_card(
        world.patient,
        patient,
        day,
        CardValues(
            emotions={str(shame.public_id): 4},
            targets={
                str(self_harm.public_id): TargetValue(urge=4, acted=True, detail="scratched arm")
            },
            sleep_hours=Decimal("5.5"),
        ),
        mode=SaveMode.EDIT,
    )
    return day.isoformat()


def test_writes_and_shares_a_chain_analysis(
    e2e_world: World, new_context: ContextFactory, tour_for: Callable[[Page], Tour]
) -> None:
    builtin_skill("check-the-facts")  # the browser tests' database is emptied between tests
    day = _acted_yesterday(e2e_world)
    tour = tour_for(new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page())
    page = tour.page

    # Given the patient on their phone opens yesterday's card, where they acted on an urge
    log_in_through_form(tour, e2e_world.patient)
    tour.check("home")
    tour.goto(f"/diary/{day}/", "diary-day")

    # When they start a chain analysis from it
    page.get_by_role("link", name="Understand what happened (chain analysis)").tap()
    expect(page.get_by_role("heading", level=1)).to_have_text("Start a chain analysis")
    expect(page.get_by_test_id("day-snapshot")).to_contain_text("5.5 hours")
    expect(page.get_by_label("The problem behaviour")).to_have_value("Self-harm (scratched arm)")
    tour.check("start")
    page.get_by_role("button", name="Start").tap()
    expect(page.get_by_role("heading", level=1)).to_have_text("Chain analysis")
    expect(page.get_by_test_id("day-snapshot")).to_contain_text("Shame")
    chain = ChainAnalysis.objects.get(patient=e2e_world.patient_record)

    # And type the prompting event: the draft saves itself (once the page's script has run:
    # a busy machine can show the heading before it)
    page.wait_for_load_state("load")
    page.get_by_role("textbox", name="What set it off (prompting event)").fill(
        "Sam cancelled our plans."
    )
    expect(page.get_by_role("status").filter(has_text="Saved at")).to_be_visible()
    chain.refresh_from_db()
    assert chain.prompting_event == "Sam cancelled our plans."

    # And add three links
    new_link = page.get_by_role("group", name="Add a link")
    added = [
        ("Event", "Read the message at work"),
        ("Feeling", "Shame, hot face"),
        ("Thought", "Nobody wants me around"),
    ]
    for count, (kind, text) in enumerate(added, start=1):
        new_link.get_by_label("Kind").select_option(label=kind)
        new_link.get_by_label("What happened next").fill(text)
        new_link.get_by_role("button", name="Add link").tap()
        expect(page.get_by_role("group", name=re.compile(r"^Link \d$"))).to_have_count(count)
    links = page.get_by_test_id("chain-link")
    expect(links.nth(2).get_by_label("What happened")).to_have_value("Nobody wants me around")

    # And move the thought up, before the feeling
    links.nth(2).get_by_role("button", name="Move up link 3").tap()
    expect(links.nth(1).get_by_label("What happened")).to_have_value("Nobody wants me around")
    expect(links.nth(2).get_by_label("What happened")).to_have_value("Shame, hot face")

    # And pick a skilful alternative for the thought from the library
    thought = links.nth(1)
    thought.get_by_label("Add a skill").fill("Check the Facts")
    thought.get_by_role("button", name="Add skill").tap()
    expect(links.nth(1).get_by_role("link", name="Check the Facts")).to_be_visible()
    page.wait_for_load_state("load")
    links.nth(1).get_by_label("Or in your own words").fill("Ask Sam why")
    expect(page.get_by_role("status").filter(has_text="Saved at")).to_be_visible()
    tour.check("worksheet")

    # And share it with the care team
    page.get_by_role("button", name="Share with my care team").tap()
    expect(page.get_by_role("heading", level=1)).to_have_text("Share with my care team")
    tour.check("share")
    page.get_by_role("button", name="Share it").tap()
    expect(
        page.get_by_role("status").filter(has_text="Shared with your care team.")
    ).to_be_visible()
    tour.check("shared")
    chain.refresh_from_db()
    assert chain.status == ChainStatus.SHARED
    texts = [link.text for link in chain.links.order_by("position")]
    assert texts == ["Read the message at work", "Nobody wants me around", "Shame, hot face"]
    assert [s.name for s in chain.links.get(position=1).skills.all()] == ["Check the Facts"]

    # Then the therapist finds it from the patient's page and comments on the thought
    staff_with_device(e2e_world.therapist)
    therapist = tour_for(new_context(viewport=DESKTOP).new_page())
    log_in_through_form(therapist, e2e_world.therapist)
    therapist.check("therapist-home")
    therapist.goto(f"/patients/{e2e_world.patient_record.public_id}/", "patient")
    therapist.page.get_by_role("link", name="Chain analyses").click()
    expect(therapist.page.get_by_role("heading", level=1)).to_contain_text("Chain analyses of")
    therapist.check("patient-chains")
    therapist.page.get_by_role("link", name="Self-harm (scratched arm)").click()
    expect(therapist.page.get_by_role("heading", level=1)).to_have_text("Chain analysis")
    therapist.check("therapist-chain")
    second = therapist.page.get_by_test_id("chain-link").nth(1)
    second.get_by_label("Comment on this link").fill("What would checking the facts look like?")
    second.get_by_role("button", name="Add comment").click()
    expect(therapist.page.get_by_role("status").filter(has_text="Comment added.")).to_be_visible()
    therapist.check("commented")

    # And the patient sees the comment on that link
    page.reload()
    expect(page.get_by_test_id("chain-link").nth(1).get_by_test_id("link-comment")).to_contain_text(
        "What would checking the facts look like?"
    )
    tour.check("patient-sees-comment")
