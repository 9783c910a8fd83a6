"""Build diary and check-in history straight into the tables (fast, no risk rules)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from care.models import Patient
from diary.models import CardTarget, DiaryCard, Target, TargetKind
from ema.actions import default_questionnaire
from ema.models import Prompt, PromptStatus, Schedule, ScheduleKind
from measures.models import Score
from safety.alerts import raise_alert
from safety.models import Alert
from safety.risk import Finding, rules_for


def targets_of(patient: Patient) -> tuple[Target, Target]:
    """The patient's suicide and self-harm targets (created once)."""
    start = date(2000, 1, 1)
    suicide, _ = Target.objects.get_or_create(
        patient=patient, kind=TargetKind.SUICIDE, name="Suicide", defaults={"active_from": start}
    )
    self_harm, _ = Target.objects.get_or_create(
        patient=patient,
        kind=TargetKind.SELF_HARM,
        name="Self-harm",
        defaults={"active_from": start, "position": 1},
    )
    return suicide, self_harm


def add_cards(
    patient: Patient,
    last: date,
    suicide: Sequence[int | None],
    self_harm: Sequence[int | None] | None = None,
    *,
    skip: Sequence[int] = (),
) -> list[DiaryCard]:
    """A card per day ending ``last`` (oldest first), with these urges; ``skip``: indexes
    of days without a card."""
    suicide_target, self_harm_target = targets_of(patient)
    self_harm = self_harm if self_harm is not None else [None] * len(suicide)
    first = last - timedelta(days=len(suicide) - 1)
    now = timezone.now()
    cards = DiaryCard.objects.bulk_create(
        [
            DiaryCard(patient=patient, date=first + timedelta(days=n), first_saved_at=now)
            for n in range(len(suicide))
            if n not in skip
        ]
    )
    by_day = {card.date: card for card in cards}
    rows = []
    for n, (s, h) in enumerate(zip(suicide, self_harm, strict=True)):
        card = by_day.get(first + timedelta(days=n))
        if card is None:
            continue
        rows.append(CardTarget(card=card, target=suicide_target, urge=s))
        rows.append(CardTarget(card=card, target=self_harm_target, urge=h))
    CardTarget.objects.bulk_create(rows)
    return cards


def schedule_for(patient: Patient) -> Schedule:
    return Schedule.objects.create(
        patient=patient,
        questionnaire=default_questionnaire(),
        kind=ScheduleKind.FIXED,
        times=["09:00"],
        start_date=date(2000, 1, 1),
        active=False,
    )


def add_prompt(
    patient: Patient, at: datetime, status: str = PromptStatus.ANSWERED, *, minutes: int = 30
) -> Prompt:
    schedule = Schedule.objects.filter(patient=patient).first() or schedule_for(patient)
    return Prompt.objects.create(
        schedule=schedule,
        patient=patient,
        questionnaire=schedule.questionnaire,
        scheduled_at=at,
        expires_at=at + timedelta(minutes=minutes),
        status=status,
        answered_at=at + timedelta(minutes=5) if status == PromptStatus.ANSWERED else None,
    )


def add_daily_prompts(patient: Patient, last: date, days: int, answered_every: int = 2) -> None:
    """One 09:00 check-in a day for ``days`` days ending ``last``; every
    ``answered_every``-th answered, the others missed."""
    zone = ZoneInfo(patient.time_zone)
    schedule = Schedule.objects.filter(patient=patient).first() or schedule_for(patient)
    prompts = []
    for n in range(days):
        day = last - timedelta(days=n)
        at = datetime(day.year, day.month, day.day, 9, tzinfo=zone)
        answered = n % answered_every == 0
        prompts.append(
            Prompt(
                schedule=schedule,
                patient=patient,
                questionnaire=schedule.questionnaire,
                scheduled_at=at,
                expires_at=at + timedelta(minutes=30),
                status=PromptStatus.ANSWERED if answered else PromptStatus.MISSED,
                answered_at=at + timedelta(minutes=5) if answered else None,
            )
        )
    Prompt.objects.bulk_create(prompts)


def add_alert(patient: Patient, source: str = "test") -> Alert:
    rule = rules_for(patient.organisation_id)[0]
    alert = raise_alert(patient, Finding(rule, f"dashboard:{source}", "Test alert"))
    assert alert is not None
    return alert


def add_score(
    patient: Patient,
    value: float,
    *,
    change: dict[str, dict[str, object]] | None = None,
    observed_at: datetime | None = None,
    key: str = "phq9",
) -> Score:
    """A current score (no scoring run): the values and reliable change given."""
    from core.testing.factories import make_administration
    from measures.actions import current_version

    administration = make_administration(patient, key)
    version = current_version(administration.version.instrument)
    now = observed_at or timezone.now()
    return Score.objects.create(
        administration=administration,
        patient=patient,
        instrument=version.instrument,
        version=version,
        value=value,
        band="Moderate",
        change=change or {},
        observed_at=now,
        computed_at=now,
    )


def deterioration(before: float, after: float) -> dict[str, dict[str, object]]:
    return {
        "baseline": {
            "label": "reliable_deterioration",
            "before": before,
            "after": after,
            "against": "baseline",
        }
    }
