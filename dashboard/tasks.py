"""Background job of the dashboard: keep the daily table up to date (idempotent)."""

from __future__ import annotations

from django_tasks import task

from dashboard.days import refresh_changed


@task()
def refresh_patient_days() -> int:
    """Recompute the recent days of patients whose cards or check-ins changed (an upsert:
    safe to run twice, or twice at once)."""
    return refresh_changed()
