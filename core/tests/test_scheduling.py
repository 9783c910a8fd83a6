"""The periodic scheduler enqueues each due run exactly once, however many schedulers run."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from core.models import IdempotencyRecord, PeriodicRun
from core.scheduling import Periodic, enqueue_due
from core.tasks import IDEMPOTENCY_RETENTION, prune_idempotency_records

pytestmark = pytest.mark.django_db


class CountingTask:
    def __init__(self) -> None:
        self.enqueued = 0

    def enqueue(self) -> None:
        self.enqueued += 1


def test_a_due_job_is_enqueued_once_per_interval() -> None:
    task = CountingTask()
    jobs = (Periodic("test.job", task, timedelta(hours=1)),)
    start = timezone.now()

    # Given a first check, which runs the new job at once
    assert enqueue_due(start, jobs) == ["test.job"]
    # When other schedulers check again before the interval has passed
    assert enqueue_due(start + timedelta(minutes=59), jobs) == []
    assert enqueue_due(start + timedelta(minutes=59), jobs) == []
    # Then nothing more is enqueued until the job falls due again, and then once
    assert enqueue_due(start + timedelta(hours=1), jobs) == ["test.job"]
    assert enqueue_due(start + timedelta(hours=1), jobs) == []
    assert task.enqueued == 2
    assert PeriodicRun.objects.get(name="test.job").next_run_at == start + timedelta(hours=2)


def test_a_failed_enqueue_leaves_the_run_due() -> None:
    class BrokenTask:
        def enqueue(self) -> None:
            raise RuntimeError("queue unavailable")

    jobs = (Periodic("test.broken", BrokenTask(), timedelta(hours=1)),)
    now = timezone.now()
    with pytest.raises(RuntimeError):
        enqueue_due(now, jobs)
    # The claim was rolled back with the failed enqueue: the next check tries again.
    assert PeriodicRun.objects.get(name="test.broken").next_run_at <= now


def test_pruning_keeps_recent_idempotency_records(world: object) -> None:
    from core.testing.personas import World

    assert isinstance(world, World)
    old = IdempotencyRecord.objects.create(
        user=world.patient, key="old", request_hash="x", status_code=201, response_body={}
    )
    with time_machine.travel(timezone.now() + IDEMPOTENCY_RETENTION + timedelta(minutes=1)):
        recent = IdempotencyRecord.objects.create(
            user=world.patient, key="new", request_hash="y", status_code=201, response_body={}
        )
        assert prune_idempotency_records.call() == 1
    assert list(IdempotencyRecord.objects.values_list("pk", flat=True)) == [recent.pk]
    assert not IdempotencyRecord.objects.filter(pk=old.pk).exists()


def test_scheduler_command_runs_the_built_in_jobs_once() -> None:
    out = StringIO()
    call_command("scheduler", "--once", stdout=out)
    assert "Enqueued core.prune_idempotency_records" in out.getvalue()
    out = StringIO()
    call_command("scheduler", "--once", stdout=out)
    assert out.getvalue() == ""
