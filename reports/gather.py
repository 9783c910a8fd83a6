"""Read one patient's records for a period into a :class:`Report` (a fixed number of queries).

Dates are the patient's local calendar days: the period runs from ``first`` 00:00 to the
end of ``last`` on the patient's clock. Free text (diary notes) is read only when the
clinician asked for it; alert reasons, resolutions, watch reasons, safety-plan content and
skill-practice notes are never read.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Q
from django.utils import timezone

from care.crisis import CrisisResources, crisis_resources
from care.models import Patient
from diary.models import DiaryCard
from diary.queries import cards_between
from ema.models import Prompt, PromptStatus
from measures.models import Score
from measures.summaries import change_label
from reports import content
from reports.models import ReportRequest
from safety.models import Alert, RiskWatch, SafetyPlanVersion
from skills.models import Practice as PracticeRow

MISERY = "emotional misery"


@dataclass(frozen=True)
class ScoreLine:
    instrument: str
    day: date
    value: float | None
    band: str
    #: The reliable-change label and the difference, in words ("—": none).
    since_baseline: str
    since_previous: str


@dataclass(frozen=True)
class Report:
    patient_name: str
    record_number: str
    date_of_birth: date | None
    clinic: str
    requested_by: str
    generated_at: datetime
    time_zone: str
    include_notes: bool
    summary: content.Summary
    weeks: list[content.DiaryWeek]
    acted: list[tuple[str, int]]
    scores: list[ScoreLine]
    instability: list[content.ItemInstability]
    skills: list[content.SkillLine]
    practices: int
    safety: content.SafetyEvents
    notes: list[tuple[date, str]]
    crisis: CrisisResources


def local_bounds(first: date, last: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The instants where ``first`` begins and the day after ``last`` begins, on ``zone``."""
    return (
        datetime.combine(first, time.min, zone),
        datetime.combine(last + timedelta(days=1), time.min, zone),
    )


def diary_days(patient: Patient, first: date, last: date) -> list[content.DiaryDay]:
    days = []
    for card in cards_between(patient, first, last).values():
        misery = next(
            (e.rating for e in card.emotions.all() if e.emotion.name.strip().lower() == MISERY),
            None,
        )
        urges: dict[str, int | None] = {}
        acted: dict[str, bool | None] = {}
        for row in card.targets.all():
            kind = row.target.kind
            if row.urge is not None:
                urges[kind] = max(urges.get(kind) or 0, row.urge)
            acted[row.target.name] = row.acted
        days.append(_day(card, misery, urges, acted))
    return days


def _day(
    card: DiaryCard,
    misery: int | None,
    urges: dict[str, int | None],
    acted: dict[str, bool | None],
) -> content.DiaryDay:
    return content.DiaryDay(
        date=card.date,
        misery=misery,
        urges=urges,
        acted=acted,
        skills_used=card.skills_used,
        sleep_hours=None if card.sleep_hours is None else float(card.sleep_hours),
        note=card.note,
    )


def checkins(
    patient: Patient, start: datetime, end: datetime, now: datetime
) -> tuple[list[content.Checkin], list[tuple[str, str]]]:
    """The check-ins due in the period (closed: answered, missed or expired), and the scale
    questions asked, as (id, label) in order."""
    zone = ZoneInfo(patient.time_zone)
    closed = Q(status__in=[PromptStatus.ANSWERED, PromptStatus.MISSED]) | Q(expires_at__lte=now)
    prompts = (
        Prompt.objects.filter(
            closed,
            patient=patient,
            scheduled_at__gte=start,
            scheduled_at__lt=min(end, now),
        )
        .exclude(status=PromptStatus.CANCELLED)
        .select_related("questionnaire", "response")
        .order_by("scheduled_at", "id")
    )
    found = []
    items: dict[str, str] = {}
    for prompt in prompts:
        scales = [q for q in prompt.questionnaire.questions if q.get("type") == "scale"]
        for question in scales:
            items.setdefault(question["id"], _item_label(question))
        answered = prompt.status == PromptStatus.ANSWERED
        answers: dict[str, Any] = {}
        if answered and hasattr(prompt, "response"):
            answers = prompt.response.answers
        found.append(
            content.Checkin(
                at=prompt.scheduled_at,
                day=prompt.scheduled_at.astimezone(zone).date(),
                answered=answered,
                values={q["id"]: _float(answers.get(q["id"])) for q in scales},
            )
        )
    return found, list(items.items())


def _item_label(question: dict[str, Any]) -> str:
    name = str(question["id"]).replace("_", " ").capitalize()
    return f"{name} ({question.get('min', 0)}–{question.get('max', 100)})"


def _float(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def change_words(found: dict[str, Any] | None) -> str:
    """ "Reliable improvement (−11)": the label of a stored change and its difference."""
    if not found:
        return "—"
    words = change_label(str(found.get("label", "")))
    difference = found.get("difference")
    if isinstance(difference, int | float):
        words += f" ({difference:+.4g})".replace("-", "−")
    return words


def score_lines(patient: Patient, start: datetime, end: datetime) -> list[ScoreLine]:
    zone = ZoneInfo(patient.time_zone)
    scores = (
        Score.objects.select_related("instrument")
        .filter(patient=patient, is_current=True, observed_at__gte=start, observed_at__lt=end)
        .order_by("instrument__short_title", "observed_at", "id")
    )
    lines = []
    for one in scores:
        lines.append(
            ScoreLine(
                instrument=one.instrument.short_title,
                day=one.observed_at.astimezone(zone).date(),
                value=one.value,
                band=one.band,
                since_baseline=change_words((one.change or {}).get("baseline")),
                since_previous=change_words((one.change or {}).get("previous")),
            )
        )
    return lines


def safety(patient: Patient, start: datetime, end: datetime) -> content.SafetyEvents:
    zone = ZoneInfo(patient.time_zone)
    rules = list(
        Alert.objects.filter(patient=patient, created_at__gte=start, created_at__lt=end)
        .order_by("created_at")
        .values_list("rule__name", flat=True)
    )
    watches = [
        content.Watch(
            started=started.astimezone(zone).date(),
            ended=None if ended is None else ended.astimezone(zone).date(),
        )
        for started, ended in RiskWatch.objects.filter(patient=patient, started_at__lt=end)
        .filter(Q(ended_at__isnull=True) | Q(ended_at__gte=start))
        .values_list("started_at", "ended_at")
    ]
    versions = [
        (number, saved.astimezone(zone).date())
        for number, saved in SafetyPlanVersion.objects.filter(
            patient=patient, saved_at__gte=start, saved_at__lt=end
        ).values_list("number", "saved_at")
    ]
    return content.safety_events(rules, watches, versions)


def practices(patient: Patient, first: date, last: date) -> list[content.Practice]:
    return [
        content.Practice(skill, before, after)
        for skill, before, after in PracticeRow.objects.filter(
            patient=patient, day__gte=first, day__lte=last
        ).values_list("skill__name", "distress_before", "distress_after")
    ]


def gather(request: ReportRequest, now: datetime | None = None) -> Report:
    """Everything the report of ``request`` shows."""
    now = now or timezone.now()
    patient = request.patient
    zone = ZoneInfo(patient.time_zone)
    first, last = request.first, request.last
    start, end = local_bounds(first, last, zone)
    days = diary_days(patient, first, last)
    found, items = checkins(patient, start, end, now)
    practised = practices(patient, first, last)
    notes: list[tuple[date, str]] = []
    if request.include_notes:
        notes = [(d.date, d.note.strip()) for d in days if d.note.strip()]
    return Report(
        patient_name=patient.display_name,
        record_number=patient.record_number,
        date_of_birth=patient.date_of_birth,
        clinic=patient.organisation.name,
        requested_by=request.requested_by.full_name,
        generated_at=now.astimezone(zone),
        time_zone=patient.time_zone,
        include_notes=request.include_notes,
        summary=content.summary(first, last, days, found),
        weeks=content.weekly_diary(days, first, last),
        acted=content.acted_days(days),
        scores=score_lines(patient, start, end),
        instability=content.instability_by_week(found, items, first),
        skills=content.skills_practised(practised),
        practices=len(practised),
        safety=safety(patient, start, end),
        notes=notes,
        crisis=crisis_resources(patient.organisation),
    )
