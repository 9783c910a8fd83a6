"""Read-side queries: a patient's open check-ins, compliance per schedule, recent answers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from care.models import Patient
from ema.models import Prompt, PromptResponse, PromptStatus, Questionnaire, Schedule


def local_today(patient: Patient, now: datetime | None = None) -> date:
    """Today's date where the patient lives."""
    return (now or timezone.now()).astimezone(ZoneInfo(patient.time_zone)).date()


def open_prompts(patient: Patient, now: datetime | None = None) -> QuerySet[Prompt]:
    """Check-ins the patient can answer now: due, not answered, not past their day."""
    now = now or timezone.now()
    zone = ZoneInfo(patient.time_zone)
    local_midnight = datetime.combine(now.astimezone(zone).date(), datetime.min.time(), zone)
    return (
        Prompt.objects.filter(
            patient=patient,
            scheduled_at__lte=now,
            scheduled_at__gte=local_midnight,
            status__in=[PromptStatus.PLANNED, PromptStatus.SENT, PromptStatus.MISSED],
        )
        .select_related("questionnaire")
        .order_by("-scheduled_at")
    )


@dataclass(frozen=True)
class Compliance:
    schedule: Schedule | None
    due: int
    on_time: int
    late: int
    missed: int

    @property
    def answered(self) -> int:
        return self.on_time + self.late

    @property
    def rate(self) -> float | None:
        """Share of due prompts answered (on time or late)."""
        return self.answered / self.due if self.due else None

    @property
    def on_time_rate(self) -> float | None:
        return self.on_time / self.due if self.due else None


def compliance(patient: Patient, days: int = 28, now: datetime | None = None) -> list[Compliance]:
    """Per schedule and in total, over the last ``days`` days: due, on time, late, missed."""
    now = now or timezone.now()
    since = now - timedelta(days=days)
    due = Q(scheduled_at__lte=now, scheduled_at__gte=since) & ~Q(status=PromptStatus.CANCELLED)
    closed = Q(status__in=[PromptStatus.ANSWERED, PromptStatus.MISSED]) | Q(expires_at__lte=now)
    rows = (
        Prompt.objects.filter(due & closed, patient=patient)
        .values("schedule_id")
        .annotate(
            due=Count("id"),
            on_time=Count("id", filter=Q(status=PromptStatus.ANSWERED, is_late=False)),
            late=Count("id", filter=Q(status=PromptStatus.ANSWERED, is_late=True)),
            missed=Count("id", filter=~Q(status=PromptStatus.ANSWERED)),
        )
    )
    schedules = {s.pk: s for s in Schedule.objects.filter(patient=patient)}
    result = [
        Compliance(
            schedules.get(row["schedule_id"]),
            row["due"],
            row["on_time"],
            row["late"],
            row["missed"],
        )
        for row in rows
    ]
    result.sort(key=lambda c: c.schedule.pk if c.schedule else 0)
    total = Compliance(
        None,
        sum(c.due for c in result),
        sum(c.on_time for c in result),
        sum(c.late for c in result),
        sum(c.missed for c in result),
    )
    return [*result, total]


def recent_responses(patient: Patient, limit: int = 50) -> QuerySet[PromptResponse]:
    return (
        PromptResponse.objects.filter(prompt__patient=patient)
        .select_related("prompt", "prompt__questionnaire")
        .order_by("-submitted_at")[:limit]
    )


def questionnaires_for(organisation_id: int | None) -> list[Questionnaire]:
    """The questionnaires a schedule may use: the shared ones and the organisation's own,
    each at its latest version."""
    latest: dict[tuple[int | None, str], Questionnaire] = {}
    for questionnaire in Questionnaire.objects.filter(
        Q(organisation__isnull=True) | Q(organisation_id=organisation_id)
    ).order_by("organisation_id", "slug", "version"):
        latest[(questionnaire.organisation_id, questionnaire.slug)] = questionnaire
    return sorted(latest.values(), key=lambda q: (q.organisation_id is not None, q.name))
