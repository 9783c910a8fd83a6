"""A supporter sees the weekly diary summary only while the patient shares it, and no ratings."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse

from audit.models import AccessLog
from care.actions import update_sharing
from care.models import SharingScope
from core.testing.personas import World
from diary.actions import SaveMode, ensure_card_items, save_card
from diary.cards import CardValues, TargetValue, local_today

pytestmark = pytest.mark.django_db


def url(world: World) -> str:
    return reverse("diary:shared_summary", args=[world.patient_record.public_id])


def test_supporter_sees_days_filled_and_skills_but_no_ratings(
    world: World, client_for: Any
) -> None:
    # Given two cards this week, one with an urge and a note
    patient = world.patient_record
    ensure_card_items(None, patient)
    target = str(patient.diary_targets.first().public_id)  # type: ignore[union-attr]
    today = local_today(patient.time_zone)
    save_card(
        world.patient,
        patient,
        today,
        CardValues(skills_used=5, note="private words", targets={target: TargetValue(urge=4)}),
        mode=SaveMode.EDIT,
    )
    save_card(
        world.patient,
        patient,
        today - timedelta(days=1),
        CardValues(skills_used=2),
        mode=SaveMode.EDIT,
    )

    # When the supporter opens the summary
    response = client_for(world.supporter).get(url(world))

    # Then they see counts, not the card's contents, and the read is logged
    assert response.status_code == 200
    summary = response.context["summary"]
    assert (summary.days_with_card, summary.days_skills_used, summary.days_skills_helped) == (
        2,
        1,
        1,
    )
    assert b"private words" not in response.content
    assert AccessLog.objects.filter(
        actor=world.supporter, resource="care.view_shared_diary_summary"
    ).exists()


def test_summary_closes_the_moment_the_patient_stops_sharing_it(
    world: World, client_for: Any
) -> None:
    client = client_for(world.supporter)
    assert client.get(url(world)).status_code == 200
    update_sharing(world.patient, world.supporter_link, scopes=[SharingScope.SAFETY_PLAN])
    assert client.get(url(world)).status_code == 404
