"""Background jobs of the safety app: e-mail alert notices, escalate unacknowledged alerts."""

from __future__ import annotations

from django_tasks import task

from safety.alerts import dispatch_notices
from safety.watch import check_missed_cards


@task()
def send_alert_notices() -> int:
    """Escalate alerts whose time ran out, then send every unsent notice (at least once)."""
    return dispatch_notices()


@task()
def check_missed_diary_cards() -> int:
    """Raise an alert for each patient on high-risk watch with too many days without a card."""
    return check_missed_cards()
