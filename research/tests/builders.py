"""Builders for research tests: consenting patients with diary cards and check-ins."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone

from accounts.models import Organisation
from care.models import Patient
from core.testing.factories import make_patient_with_login
from diary.actions import ensure_card_items
from diary.models import CardEmotion, CardTarget, DiaryCard, Emotion, Target
from ema.models import Prompt, PromptResponse, PromptStatus, Schedule
from ema.tests.builders import make_prompt, make_schedule
from research.models import ResearchConsent


def consenting(patient: Patient, *, withdrawn: bool = False) -> Patient:
    now = timezone.now()
    ResearchConsent.objects.create(
        patient=patient,
        organisation_id=patient.organisation_id,
        text_version="1",
        granted_at=now,
        withdrawn_at=now if withdrawn else None,
    )
    return patient


def research_patient(organisation: Organisation, **fields: Any) -> Patient:
    """A consenting patient with a log-in, the default diary items and a check-in schedule."""
    patient = consenting(make_patient_with_login(organisation, **fields))
    ensure_card_items(None, patient)
    return patient


def add_card(
    patient: Patient,
    day: date,
    *,
    emotions: dict[str, int] | None = None,
    urges: dict[str, int] | None = None,
    acted: dict[str, bool] | None = None,
    skills_used: int | None = None,
    meds: bool | None = None,
    sleep: str | None = None,
    note: str = "",
) -> DiaryCard:
    """A card; ``emotions`` by emotion name, ``urges``/``acted`` by target kind."""
    card = DiaryCard.objects.create(
        patient=patient,
        date=day,
        skills_used=skills_used,
        prescribed_meds_taken=meds,
        sleep_hours=None if sleep is None else Decimal(sleep),
        note=note,
        first_saved_at=timezone.now(),
    )
    for name, rating in (emotions or {}).items():
        emotion = Emotion.objects.filter(patient=patient, name=name).first()
        if emotion is None:
            emotion = Emotion.objects.create(patient=patient, name=name, active_from=day)
        CardEmotion.objects.create(card=card, emotion=emotion, rating=rating)
    kinds = set(urges or {}) | set(acted or {})
    for kind in kinds:
        target = Target.objects.filter(patient=patient, kind=kind).first()
        if target is None:
            target = Target.objects.create(patient=patient, kind=kind, name=kind, active_from=day)
        CardTarget.objects.create(
            card=card,
            target=target,
            urge=(urges or {}).get(kind),
            acted=(acted or {}).get(kind),
            detail="a detail that must not leave",
        )
    return card


def schedule_for(patient: Patient) -> Schedule:
    return make_schedule(patient)


def add_checkin(schedule: Schedule, at: datetime, answers: dict[str, Any] | None = None) -> Prompt:
    """A closed check-in at ``at``: answered with ``answers``, or missed when ``None``."""
    status = PromptStatus.MISSED if answers is None else PromptStatus.ANSWERED
    prompt = make_prompt(schedule, at, status=status)
    if answers is not None:
        assert schedule.patient.user is not None
        PromptResponse.objects.create(
            prompt=prompt, answers=answers, submitted_at=at, answered_by=schedule.patient.user
        )
    return prompt
