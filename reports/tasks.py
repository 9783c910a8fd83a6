"""Background jobs of the reports app: write a queued report (long periods)."""

from __future__ import annotations

from django_tasks import task

from reports.actions import produce_report


@task()
def generate_report(report_id: int) -> str:
    """Write report ``report_id`` if nobody has (idempotent); returns its status."""
    return produce_report(report_id)
