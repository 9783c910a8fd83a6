"""The periodic scheduler: enqueue recurring background jobs when they fall due.

Each app adds its recurring jobs to ``config.periodic.PERIODIC`` (name, task, interval). The
``wisemind scheduler`` command calls ``enqueue_due`` in a loop. A run is claimed
by a conditional UPDATE of its ``PeriodicRun`` row (only the process whose update
changes the row enqueues), and the job is enqueued in the same transaction as the
claim, so several schedulers can run side by side without enqueuing a run twice,
and a crash between claim and enqueue loses nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from core.models import PeriodicRun


@dataclass(frozen=True)
class Periodic:
    name: str
    task: Any  # a django_tasks Task taking no arguments
    every: timedelta


def enqueue_due(now: datetime | None = None, jobs: tuple[Periodic, ...] | None = None) -> list[str]:
    """Enqueue every job that is due at ``now``; return the names enqueued."""
    if jobs is None:
        from config.periodic import PERIODIC

        jobs = PERIODIC
    now = now or timezone.now()
    enqueued = []
    for job in jobs:
        PeriodicRun.objects.get_or_create(name=job.name, defaults={"next_run_at": now})
        with transaction.atomic():
            claimed = PeriodicRun.objects.filter(name=job.name, next_run_at__lte=now).update(
                next_run_at=now + job.every, last_enqueued_at=now
            )
            if claimed:
                job.task.enqueue()
                enqueued.append(job.name)
    return enqueued
