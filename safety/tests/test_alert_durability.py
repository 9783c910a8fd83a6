"""A worker killed between claiming an alert e-mail and marking it sent loses nothing.

A real ``wisemind send_alert_notices`` process claims the notice, reaches the mail backend
and is killed there with SIGKILL, either before the message left or just after. The next
worker sends the notice once its lease has run out (at least once by e-mail: twice when the
dead worker had already handed it over), and the care team sees the alert once. PostgreSQL
only, like the other multi-process tests (``ema/tests/test_dispatch_concurrency.py``).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core.mail import EmailMessage
from django.utils import timezone

from core.testing.personas import World
from ema.tests.test_dispatch_concurrency import database_url, wait_for
from safety import alerts
from safety.models import Alert, AlertNotice, NoticeStatus
from safety.queries import alerts_for
from safety.risk import Finding, rules_for

pytestmark = [
    pytest.mark.skipif(
        settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
        reason="a worker process on its own connection needs a server database",
    ),
    pytest.mark.django_db(transaction=True),
]

ROOT = Path(__file__).resolve().parents[2]


def raise_test_alert(world: World) -> Alert:
    rule = next(r for r in rules_for(world.organisation.pk) if r.key == "diary-suicide-urge")
    finding = Finding(rule, "diary:2025-03-12", "Suicide urge 5 of 5 on the diary card.")
    alert = alerts.raise_alert(world.patient_record, finding)
    assert alert is not None
    return alert


def worker(tmp_path: Path, stall: str) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "WISEMIND_ENV": "test",
        "DATABASE_URL": database_url(),
        "WISEMIND_DATA_DIR": str(tmp_path),
        "EMAIL_BACKEND": "core.testing.mail.StallingBackend",
        "EMAIL_FILE_PATH": str(tmp_path / "mail"),
        "WISEMIND_MAIL_STALL": stall,
        "WISEMIND_MAIL_MARKER": str(tmp_path / "stalled"),
    }
    env.pop("WISEMIND_TEST_DB_NAME", None)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return subprocess.Popen(
        [sys.executable, "-m", "core.cli", "send_alert_notices"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def kill_when_stalled(process: subprocess.Popen[str], tmp_path: Path) -> None:
    def stalled() -> bool:
        if process.poll() is not None:
            pytest.fail(f"the worker stopped before the mail backend: {process.communicate()}")
        return (tmp_path / "stalled").exists()

    wait_for(stalled, "the worker to reach the mail backend")
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)


def mails_written(tmp_path: Path) -> int:
    folder = tmp_path / "mail"
    return len(list(folder.iterdir())) if folder.exists() else 0


@pytest.mark.parametrize(("stall", "mailed_by_the_dead_worker"), [("before", 0), ("after", 1)])
def test_a_worker_killed_while_sending_an_alert_leaves_it_to_the_next_worker(
    world: World,
    tmp_path: Path,
    mailoutbox: list[EmailMessage],
    stall: str,
    mailed_by_the_dead_worker: int,
) -> None:
    # Given an alert whose e-mail to the therapist is waiting (not sent in this process)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(alerts, "_send_soon", lambda: None)
        alert = raise_test_alert(world)
    [notice] = AlertNotice.objects.filter(alert=alert)

    # When a worker process claims it and is killed inside the mail backend
    kill_when_stalled(worker(tmp_path, stall), tmp_path)
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.PENDING and notice.claimed_at is not None
    assert mails_written(tmp_path) == mailed_by_the_dead_worker

    # Then the next worker leaves it alone under the dead worker's lease, and sends it after
    claimed_at = notice.claimed_at
    assert alerts.dispatch_notices(claimed_at + alerts.LEASE - timedelta(seconds=1)) == 0
    assert alerts.dispatch_notices(claimed_at + alerts.LEASE + timedelta(seconds=1)) == 1
    assert alerts.dispatch_notices(claimed_at + alerts.LEASE + timedelta(minutes=10)) == 0

    notice.refresh_from_db()
    assert notice.status == NoticeStatus.SENT
    assert [m.to for m in mailoutbox] == [[world.therapist.email]]  # at least once in all
    print(
        f"\nkilled {stall} sending: e-mails by the dead worker {mails_written(tmp_path)},"
        f" by the next {len(mailoutbox)}; alert rows 1"
    )
    # ... and the team sees the alert once, however many e-mails went out
    assert list(alerts_for(world.therapist)) == [alert]
    assert list(alerts_for(world.facilitator)) == [alert]
    assert Alert.objects.count() == 1
    assert timezone.now() < alert.escalate_at  # not escalated by any of this
