"""The recurring jobs registry: (name, task, interval) for ``wisemind scheduler``.

To add a domain's recurring job, declare the task in ``<app>/tasks.py`` and list it here.
"""

from __future__ import annotations

from datetime import timedelta

from coaching.tasks import send_coaching_notices
from core.scheduling import Periodic
from core.tasks import prune_idempotency_records
from dashboard.tasks import refresh_patient_days
from ema.tasks import dispatch_prompts, plan_prompts
from measures.tasks import plan_questionnaires, send_questionnaire_reminders
from safety.tasks import check_missed_diary_cards, send_alert_notices

PERIODIC: tuple[Periodic, ...] = (
    Periodic("core.prune_idempotency_records", prune_idempotency_records, timedelta(hours=6)),
    Periodic("ema.plan_prompts", plan_prompts, timedelta(minutes=30)),
    Periodic("ema.dispatch_prompts", dispatch_prompts, timedelta(minutes=1)),
    # Also after each alert is raised; this catches a worker that died, and escalates.
    Periodic("safety.send_alert_notices", send_alert_notices, timedelta(minutes=1)),
    # Also after each coaching request; this catches a worker that died or a mail failure.
    Periodic("coaching.send_coaching_notices", send_coaching_notices, timedelta(minutes=2)),
    Periodic("safety.check_missed_diary_cards", check_missed_diary_cards, timedelta(minutes=30)),
    Periodic("measures.plan_questionnaires", plan_questionnaires, timedelta(minutes=15)),
    Periodic(
        "measures.send_questionnaire_reminders", send_questionnaire_reminders, timedelta(minutes=5)
    ),
    # An upsert of the changed patients' recent days; `rebuild_patient_days` rebuilds all.
    Periodic("dashboard.refresh_patient_days", refresh_patient_days, timedelta(minutes=10)),
)
