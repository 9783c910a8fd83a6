"""Several dispatcher processes on one PostgreSQL database send every prompt exactly once.

These tests start real ``wisemind dispatch_prompts`` processes against the test database,
so they need committed data (``transaction=True``) and PostgreSQL's row locks; on SQLite,
where one writer at a time is the rule, they are skipped. They run in the ordinary suite
whenever it runs on PostgreSQL.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone

from ema.dispatch import LEASE, claim_due, dispatch_due
from ema.models import Channel, Delivery, Prompt, PromptStatus, Schedule
from ema.tests.builders import make_ema_patient, make_schedule

pytestmark = [
    pytest.mark.skipif(
        settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
        reason="concurrent dispatchers are a PostgreSQL deployment (SELECT … FOR UPDATE SKIP "
        "LOCKED); SQLite lets one writer at a time",
    ),
    pytest.mark.django_db(transaction=True),
]

ROOT = Path(__file__).resolve().parents[2]
PROMPTS = 10_000
BATCH = 200
DISPATCHER_APP = "wisemind-test-dispatcher"


def database_url() -> str:
    """The test database pytest-django created (not the configured one), as a URL."""
    db = connection.settings_dict
    user = quote(db["USER"] or "")
    password = f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else ""
    host = db["HOST"] or "127.0.0.1"
    port = f":{db['PORT']}" if db["PORT"] else ""
    return f"postgres://{user}{password}@{host}{port}/{quote(db['NAME'])}"


def dispatcher(tmp_path: Path, *args: str) -> subprocess.Popen[str]:
    """A ``wisemind dispatch_prompts`` process of its own, on the same test database."""
    env = {
        **os.environ,
        "WISEMIND_ENV": "test",
        "DATABASE_URL": database_url(),
        "WISEMIND_DATA_DIR": str(tmp_path),
        # libpq names the session, so the test can tell this process's session from
        # PostgreSQL's own (autovacuum and others also show in pg_stat_activity)
        "PGAPPNAME": DISPATCHER_APP,
    }
    # The process runs against the database named in DATABASE_URL; it creates no test
    # database, so the test-name setting must not send it anywhere else.
    env.pop("WISEMIND_TEST_DB_NAME", None)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "core.cli", "dispatch_prompts", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def sent_by(process: subprocess.Popen[str], timeout: float = 120) -> int:
    out, err = process.communicate(timeout=timeout)
    assert process.returncode == 0, err
    match = re.fullmatch(r"Sent (\d+) prompts?\.\n", out)
    assert match, (out, err)
    return int(match.group(1))


def wait_for(condition: Callable[[], bool], what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.01)


def due_prompts(schedule: Schedule, count: int, *, now: datetime) -> list[int]:
    """``count`` prompts that fell due in the last hour and stay open for another hour."""
    rows = [
        Prompt(
            schedule=schedule,
            patient=schedule.patient,
            questionnaire_id=schedule.questionnaire_id,
            scheduled_at=now - timedelta(hours=1) + timedelta(milliseconds=n),
            expires_at=now + timedelta(hours=1),
        )
        for n in range(count)
    ]
    Prompt.objects.bulk_create(rows, batch_size=2000)
    return list(Prompt.objects.filter(schedule=schedule).values_list("pk", flat=True))


def in_app_per_prompt() -> dict[int, int]:
    rows = (
        Delivery.objects.filter(channel=Channel.IN_APP)
        .values("prompt_id")
        .annotate(n=Count("id"))
        .values_list("prompt_id", "n")
    )
    return dict(rows)


@pytest.fixture
def schedule() -> Schedule:
    # A patient who wants neither push nor e-mail: each prompt has one in-app delivery.
    patient = make_ema_patient(push_enabled=False, email_enabled=False)
    return make_schedule(patient)


def waiting_for_the_table(table: str) -> int:
    """How many other sessions are waiting for a lock on ``table``."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(DISTINCT pid) FROM pg_locks"
            " WHERE relation = %s::regclass AND NOT granted AND pid <> pg_backend_pid()",
            [table],
        )
        row = cursor.fetchone()
    return int(row[0]) if row else 0


def dispatcher_sessions() -> int:
    """How many sessions dispatcher processes still hold on this test database."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE datname = current_database() AND application_name = %s",
            [DISPATCHER_APP],
        )
        row = cursor.fetchone()
    return int(row[0]) if row else 0


def test_two_dispatcher_processes_send_10000_prompts_each_exactly_once(
    schedule: Schedule, tmp_path: Path
) -> None:
    # Given 10,000 prompts that are due
    ids = due_prompts(schedule, PROMPTS, now=timezone.now())
    assert len(ids) == PROMPTS
    table = Prompt._meta.db_table

    # When two dispatcher processes start together: both are held at their first claim by a
    # table lock until both are waiting, so that they race from the same moment
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {table} IN EXCLUSIVE MODE")
        processes = [dispatcher(tmp_path, "--batch", str(BATCH)) for _ in range(2)]

        def both_waiting() -> bool:
            for process in processes:
                if process.poll() is not None:
                    pytest.fail(f"a dispatcher stopped early: {process.communicate()}")
            return waiting_for_the_table(table) == 2

        wait_for(both_waiting, "both dispatchers to reach their first claim")
        released = time.monotonic()
    counts = [sent_by(process) for process in processes]
    elapsed = time.monotonic() - released

    # Then every prompt was sent, each exactly once, and both processes did part of the work
    per_prompt = in_app_per_prompt()
    duplicates = {pk: n for pk, n in per_prompt.items() if n > 1}
    print(
        f"\n{PROMPTS} prompts, batch {BATCH}: dispatchers sent {counts[0]} + {counts[1]}"
        f" = {sum(counts)} in {elapsed:.1f} s; prompts with more than one delivery:"
        f" {len(duplicates)}"
    )
    assert duplicates == {}
    assert sum(counts) == PROMPTS
    assert set(per_prompt) == set(ids)
    assert Delivery.objects.count() == PROMPTS
    statuses = dict(Prompt.objects.values_list("status").annotate(n=Count("id")))
    assert statuses == {PromptStatus.SENT: PROMPTS}
    assert not Prompt.objects.filter(claimed_at__isnull=False).exists()
    assert all(count > 0 for count in counts), counts


def test_after_a_dispatcher_died_the_next_sends_its_prompts_once_after_the_lease(
    schedule: Schedule, tmp_path: Path
) -> None:
    now = timezone.now()
    ids = due_prompts(schedule, 600, now=now)

    # Given a dispatcher that claimed 400 prompts more than a lease ago and then died, and
    # one that claimed the other 200 a minute ago and is still at work on them
    dead = claim_due(now - LEASE - timedelta(seconds=30), batch=400)
    working = claim_due(now - timedelta(minutes=1), batch=200)
    assert sorted(dead + working) == sorted(ids)

    # When two new dispatcher processes run
    counts = [sent_by(process) for process in [dispatcher(tmp_path), dispatcher(tmp_path)]]

    # Then they sent the dead dispatcher's prompts, each exactly once, and left the others
    assert sum(counts) == 400
    assert in_app_per_prompt() == dict.fromkeys(dead, 1)
    assert set(Prompt.objects.filter(pk__in=dead).values_list("status", flat=True)) == {
        PromptStatus.SENT
    }
    untouched = Prompt.objects.filter(pk__in=working)
    assert set(untouched.values_list("status", flat=True)) == {PromptStatus.PLANNED}
    assert not untouched.filter(claimed_at__isnull=True).exists()


def test_a_dispatcher_killed_mid_batch_loses_nothing_and_sends_nothing_twice(
    schedule: Schedule, tmp_path: Path
) -> None:
    ids = due_prompts(schedule, 2000, now=timezone.now())

    # Given a dispatcher that claims all 2,000 prompts in one batch and is killed (SIGKILL)
    # while it works through them
    process = dispatcher(tmp_path, "--batch", "2000")
    wait_for(lambda: Delivery.objects.count() >= 50 or process.poll() is not None, "deliveries")
    assert process.poll() is None, "the dispatcher finished before it could be killed"
    assert dispatcher_sessions() == 1
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)
    wait_for(lambda: dispatcher_sessions() == 0, "the killed dispatcher's session to end")
    sent_before = Prompt.objects.filter(status=PromptStatus.SENT).count()
    left = Prompt.objects.filter(status=PromptStatus.PLANNED)
    assert 0 < sent_before < len(ids)
    assert not left.filter(claimed_at__isnull=True).exists()  # all were claimed by it

    # When the next dispatcher runs, before and then after the dead one's lease
    claimed_at = max(left.values_list("claimed_at", flat=True))
    assert dispatch_due(claimed_at + LEASE - timedelta(seconds=1)) == 0
    sent_after = dispatch_due(claimed_at + LEASE + timedelta(seconds=1))

    # Then every prompt is sent and has exactly one in-app delivery
    print(f"\nkilled after {sent_before} of {len(ids)}; the next dispatcher sent {sent_after}")
    assert sent_before + sent_after == len(ids)
    assert in_app_per_prompt() == dict.fromkeys(ids, 1)
    assert set(Prompt.objects.values_list("status", flat=True)) == {PromptStatus.SENT}
