"""Small builders for the check-in API and page tests: schedules and prompts made by hand."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from care.models import Patient
from ema.actions import default_questionnaire
from ema.models import Prompt, Questionnaire, Schedule, ScheduleKind

#: Wednesday 12 March 2025, 10:00 in Amsterdam (the persona patient's zone, UTC+1).
NOW = datetime(2025, 3, 12, 9, 0, tzinfo=UTC)
TODAY = date(2025, 3, 12)

#: A complete, valid set of answers to the default questionnaire.
ANSWERS: dict[str, Any] = {
    "sad": 40,
    "anxious": 55,
    "angry": 10,
    "happy": 30,
    "urge_self_harm": 0,
    "activity": "work",
    "company": "colleagues",
}


def amsterdam(hour: int, minute: int = 0, day: date = TODAY) -> datetime:
    """A wall-clock time in Amsterdam in March 2025 (before the change to summer time)."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC) - timedelta(hours=1)


def make_schedule(
    patient: Patient, *, questionnaire: Questionnaire | None = None, **fields: Any
) -> Schedule:
    """A schedule saved as is: no prompts are planned (tests add their own)."""
    fields.setdefault("kind", ScheduleKind.FIXED)
    fields.setdefault("times", ["09:00", "13:00"])
    fields.setdefault("start_date", date(2025, 1, 1))
    return Schedule.objects.create(
        patient=patient, questionnaire=questionnaire or default_questionnaire(), **fields
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
