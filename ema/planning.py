"""The planner: turn each active schedule into the next days' prompts, ahead of time.

Planning is idempotent: prompts are unique per (schedule, instant), so planning twice
creates nothing new. A changed schedule or sleep window is re-planned: its future
prompts that nobody has started to deliver are removed and planned again.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.db.models import QuerySet
from django.utils import timezone

from care.models import PatientStatus
from ema.models import EmaSettings, Prompt, PromptStatus, Schedule
from ema.schedules import prompt_times

#: Prompts exist this many local days ahead (today included), so a phone that is briefly
#: offline, or a planner that is late, loses nothing.
DAYS_AHEAD = 2


def plan_schedule(schedule: Schedule, now: datetime | None = None) -> int:
    """Create the missing prompts of ``schedule`` for today and the next days; return how many."""
    now = now or timezone.now()
    patient = schedule.patient
    if not schedule.active or patient.status != PatientStatus.ACTIVE:
        return 0
    zone = ZoneInfo(patient.time_zone)
    settings = EmaSettings.objects.filter(patient=patient).first()
    sleep = settings.sleep_window if settings else None
    today = now.astimezone(zone).date()
    rule = schedule.rule()
    rows = []
    for offset in range(DAYS_AHEAD + 1):
        day = today + timedelta(days=offset)
        if day < schedule.start_date or (schedule.end_date and day > schedule.end_date):
            continue
        for instant in prompt_times(rule, day, zone, sleep=sleep, seed=str(schedule.public_id)):
            if instant > now:
                rows.append(
                    Prompt(
                        schedule=schedule,
                        patient=patient,
                        questionnaire_id=schedule.questionnaire_id,
                        scheduled_at=instant,
                        expires_at=instant + schedule.expires_after,
                    )
                )
    # bulk_create(ignore_conflicts=True) returns every row given, created or not: count the
    # new ones first (a planner running at the same moment may still take some of them).
    existing = set(
        Prompt.objects.filter(
            schedule=schedule, scheduled_at__in=[row.scheduled_at for row in rows]
        ).values_list("scheduled_at", flat=True)
    )
    rows = [row for row in rows if row.scheduled_at not in existing]
    Prompt.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def unstarted_future(schedules: QuerySet[Schedule], now: datetime) -> QuerySet[Prompt]:
    return Prompt.objects.filter(
        schedule__in=schedules,
        status=PromptStatus.PLANNED,
        scheduled_at__gt=now,
        claimed_at__isnull=True,
    )


def replan(schedules: QuerySet[Schedule], now: datetime | None = None) -> int:
    """Plan again after a change: drop future prompts not yet being delivered, then plan."""
    now = now or timezone.now()
    unstarted_future(schedules, now).delete()
    return sum(plan_schedule(schedule, now) for schedule in schedules.select_related("patient"))


def plan_all(now: datetime | None = None) -> int:
    """Plan every active schedule of patients in care (the periodic job)."""
    now = now or timezone.now()
    schedules = Schedule.objects.filter(
        active=True, patient__status=PatientStatus.ACTIVE
    ).select_related("patient")
    return sum(plan_schedule(schedule, now) for schedule in schedules)
