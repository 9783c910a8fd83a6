"""Background jobs of the safety app: e-mail alert notices, escalate unacknowledged alerts."""

from __future__ import annotations

from django_tasks import task

from safety.alerts import dispatch_notices


@task()
def send_alert_notices() -> int:
    """Escalate alerts whose time ran out, then send every unsent notice (at least once)."""
    return dispatch_notices()
