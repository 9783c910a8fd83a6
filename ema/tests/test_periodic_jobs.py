"""The periodic scheduler runs the EMA planner and dispatcher when each falls due."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from config.periodic import PERIODIC
from core.scheduling import enqueue_due
from ema.models import Channel, Delivery, Prompt, PromptStatus
from ema.tests.builders import make_ema_patient, make_schedule, prompts_of

pytestmark = pytest.mark.django_db

EMA_JOBS = {"ema.plan_prompts", "ema.dispatch_prompts"}


def at(hour: int, minute: int, second: int = 0) -> datetime:
    amsterdam = ZoneInfo("Europe/Amsterdam")
    return datetime(2026, 6, 10, hour, minute, second, tzinfo=amsterdam).astimezone(UTC)


def ema_jobs_enqueued(moment: datetime) -> set[str]:
    with time_machine.travel(moment, tick=False):
        return set(enqueue_due(moment)) & EMA_JOBS


def test_the_ema_jobs_are_registered_with_their_intervals() -> None:
    every = {job.name: job.every for job in PERIODIC}
    assert every["ema.plan_prompts"] == timedelta(minutes=30)
    assert every["ema.dispatch_prompts"] == timedelta(minutes=1)


def test_the_scheduler_plans_and_dispatches_prompts_when_due() -> None:
    # Given a patient prompted at 10:00 every day, and a scheduler starting at 09:59:30
    schedule = make_schedule(make_ema_patient(push_enabled=False), times=["10:00"])

    # When the scheduler first checks, both jobs are due and run (tasks run at once in tests)
    assert ema_jobs_enqueued(at(9, 59, 30)) == EMA_JOBS
    # Then the planner made today's and the next two days' prompts
    assert len(prompts_of(schedule)) == 3
    today = Prompt.objects.get(schedule=schedule, scheduled_at=at(10, 0))
    assert today.status == PromptStatus.PLANNED

    # When it checks again within the minute, nothing is due
    assert ema_jobs_enqueued(at(9, 59, 50)) == set()

    # When it checks a minute later, only the dispatcher is due, and it sends the 10:00 prompt
    assert ema_jobs_enqueued(at(10, 0, 30)) == {"ema.dispatch_prompts"}
    today.refresh_from_db()
    assert today.status == PromptStatus.SENT
    assert Delivery.objects.filter(prompt=today, channel=Channel.IN_APP).count() == 1

    # When half an hour has passed since the first check, the planner is due again
    assert ema_jobs_enqueued(at(10, 29, 30)) == EMA_JOBS
    # and, as nothing changed, it planned nothing new and nothing was sent twice
    assert len(prompts_of(schedule)) == 3
    assert Delivery.objects.filter(prompt=today, channel=Channel.IN_APP).count() == 1
