"""Fixtures of the chain-analysis tests: a diary day on which a target was acted on."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from care.models import Patient
from core.testing.personas import World
from diary.actions import SaveMode, ensure_card_items, save_card
from diary.cards import CardValues, TargetValue, local_today
from diary.models import Emotion, Target


def item(patient: Patient, name: str) -> str:
    found = (
        Target.objects.filter(patient=patient, name=name).first()
        or Emotion.objects.filter(patient=patient, name=name).first()
    )
    assert found is not None, name
    return str(found.public_id)


@pytest.fixture
def acted_day(world: World) -> date:
    """Yesterday's card of world.patient: self-harm acted on, shame and sadness, 5.5 h sleep."""
    patient = world.patient_record
    ensure_card_items(None, patient)
    day = local_today(patient.time_zone) - timedelta(days=1)
    save_card(
        world.patient,
        patient,
        day,
        CardValues(
            emotions={item(patient, "Shame"): 4, item(patient, "Sadness"): 3},
            targets={
                item(patient, "Self-harm"): TargetValue(urge=4, acted=True, detail="scratched arm"),
                item(patient, "Alcohol or drugs"): TargetValue(urge=2, acted=False),
            },
            sleep_hours=Decimal("5.5"),
        ),
        mode=SaveMode.EDIT,
    )
    return day
