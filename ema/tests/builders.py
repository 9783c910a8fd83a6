"""Small builders for the EMA planner and dispatcher tests (patients, schedules, prompts)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from accounts.models import Organisation
from care.models import Patient
from core.testing.factories import make_organisation, make_patient, make_patient_with_login
from ema.actions import default_questionnaire
from ema.models import EmaSettings, Prompt, Schedule, ScheduleKind


def make_ema_patient(
    *,
    time_zone: str = "Europe/Amsterdam",
    login: bool = True,
    organisation: Organisation | None = None,
    **settings: Any,
) -> Patient:
    """A patient (with a log-in unless ``login=False``) and, if given, their EMA settings."""
    organisation = organisation or make_organisation(time_zone=time_zone)
    if login:
        patient = make_patient_with_login(organisation, time_zone=time_zone)
    else:
        patient = make_patient(organisation, time_zone=time_zone)
    if settings:
        EmaSettings.objects.create(patient=patient, **settings)
    return patient


def make_schedule(
    patient: Patient,
    *,
    kind: str = ScheduleKind.FIXED,
    start_date: date = date(2000, 1, 1),
    **fields: Any,
) -> Schedule:
    if kind == ScheduleKind.FIXED:
        fields.setdefault("times", ["09:00", "13:00", "20:00"])
    else:
        fields.setdefault("windows", [["09:00", "12:00"]])
    return Schedule.objects.create(
        patient=patient,
        questionnaire=default_questionnaire(),
        kind=kind,
        start_date=start_date,
        **fields,
    )


def make_prompt(schedule: Schedule, scheduled_at: datetime, **fields: Any) -> Prompt:
    fields.setdefault("expires_at", scheduled_at + schedule.expires_after)
    return Prompt.objects.create(
        schedule=schedule,
        patient=schedule.patient,
        questionnaire_id=schedule.questionnaire_id,
        scheduled_at=scheduled_at,
        **fields,
    )


def prompts_of(schedule: Schedule) -> list[datetime]:
    return list(
        Prompt.objects.filter(schedule=schedule)
        .order_by("scheduled_at")
        .values_list("scheduled_at", flat=True)
    )


def minutes(n: int) -> timedelta:
    return timedelta(minutes=n)
