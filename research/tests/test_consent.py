"""A patient agrees to research and withdraws, themselves only; both idempotent, audited."""

from __future__ import annotations

from typing import Any

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from core.testing.personas import World
from research import actions
from research.models import ResearchConsent

URL = "research:consent"


def test_patient_agrees_and_withdraws_from_their_page(world: World, client_for: Any) -> None:
    # Given the patient on their research page, not having agreed
    client = client_for(world.patient)
    page = client.get(reverse(URL))
    assert page.status_code == 200
    assert "You have not agreed" in page.content.decode()

    # When they agree (twice: a double click)
    for _ in range(2):
        response = client.post(reverse(URL), {"decision": "grant"})
        assert response.status_code == 302

    # Then one consent stands, with the text version, recorded in the change history
    consent = ResearchConsent.objects.get(patient=world.patient_record)
    assert consent.withdrawn_at is None
    assert consent.text_version == actions.CONSENT_TEXT_VERSION
    assert consent.organisation == world.organisation
    entry = LogEntry.objects.get_for_object(consent).get()
    assert entry.actor == world.patient
    assert "You agreed on" in client.get(reverse(URL)).content.decode()

    # When they withdraw (twice)
    for _ in range(2):
        client.post(reverse(URL), {"decision": "withdraw"})

    # Then nothing stands, and the history keeps the withdrawn consent
    consent.refresh_from_db()
    assert consent.withdrawn_at is not None
    assert not ResearchConsent.objects.current().exists()
    assert LogEntry.objects.get_for_object(consent).count() == 2

    # And agreeing again starts a new consent beside the old one
    client.post(reverse(URL), {"decision": "grant"})
    assert ResearchConsent.objects.filter(patient=world.patient_record).count() == 2
    assert ResearchConsent.objects.current().count() == 1


def test_page_says_what_is_shared_who_sees_it_and_care_is_unchanged(
    world: World, client_for: Any
) -> None:
    text = client_for(world.patient).get(reverse(URL)).content.decode()
    for words in [
        "What is shared",
        "never shared",
        "Your notes",
        "Only your clinic's researchers",
        "nothing about your care changes",
        "withdraw at any time",
    ]:
        assert words in text


def test_my_care_links_to_the_research_page(world: World, client_for: Any) -> None:
    text = client_for(world.patient).get(reverse("care:me")).content.decode()
    assert reverse(URL) in text


@pytest.mark.parametrize("persona", ["therapist", "admin", "researcher", "supporter"])
def test_nobody_agrees_on_a_patients_behalf(world: World, persona: str) -> None:
    actor = getattr(world, persona)
    with pytest.raises(PermissionDenied):
        actions.grant_consent(actor, world.patient_record)
    with pytest.raises(PermissionDenied):
        actions.withdraw_consent(actor, world.patient_record)
    assert not ResearchConsent.objects.exists()


def test_another_patient_cannot_agree_for_someone_else(world: World) -> None:
    with pytest.raises(PermissionDenied):
        actions.grant_consent(world.other_patient, world.patient_record)


def test_an_unknown_decision_changes_nothing(world: World, client_for: Any) -> None:
    response = client_for(world.patient).post(reverse(URL), {"decision": "maybe"})
    assert response.status_code == 302
    assert not ResearchConsent.objects.exists()
