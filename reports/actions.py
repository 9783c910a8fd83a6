"""Writes of the reports app: request a report, and write one (in the request or the worker).

A report of at most :data:`SYNC_MAX_DAYS` days is written in the request that asks for it;
a longer one is queued (``reports.tasks.generate_report``) and the page shows its status.
Writing claims the request with a conditional update whose row count says who won, so a
task run twice writes the report once.
"""

from __future__ import annotations

import logging
from datetime import date, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from care.models import Patient
from core.actions import ActionError, action, enqueue_after_commit
from ema.queries import local_today
from reports.models import ReportRequest, ReportStatus

logger = logging.getLogger(__name__)

#: Reports of up to this many days are written at once; longer ones in the background.
SYNC_MAX_DAYS = 92
#: The longest period a report covers.
MAX_DAYS = 731
#: A report "being written" for longer than this was left by a worker that died.
STALE_RUN = timedelta(minutes=15)


def check_period(patient: Patient, first: date, last: date) -> None:
    if first > last:
        raise ActionError(_("The period must end on or after its first day."), field="last")
    if last > local_today(patient):
        raise ActionError(_("The period cannot end after today."), field="last")
    if (last - first).days + 1 > MAX_DAYS:
        raise ActionError(
            _("A report covers at most %(days)d days.") % {"days": MAX_DAYS}, field="first"
        )


@action
def request_report(
    actor: User, patient: Patient, *, first: date, last: date, include_notes: bool = False
) -> ReportRequest:
    """Ask for ``patient``'s report from ``first`` to ``last`` (their local dates); written
    now when it is short, else queued."""
    check_period(patient, first, last)
    report = ReportRequest.objects.create(
        patient=patient,
        requested_by=actor,
        first=first,
        last=last,
        include_notes=include_notes,
    )
    if report.days <= SYNC_MAX_DAYS:
        produce_report(report.pk)
        report.refresh_from_db()
    else:
        from reports.tasks import generate_report

        enqueue_after_commit(generate_report, report.pk)
    return report


def claim(report_id: int) -> bool:
    """Mark a queued request (or one left running by a dead worker) as running; True for
    the one caller whose update changed the row."""
    now = timezone.now()
    claimable = Q(status=ReportStatus.QUEUED) | Q(
        status=ReportStatus.RUNNING, started_at__lt=now - STALE_RUN
    )
    updated = ReportRequest.objects.filter(claimable, pk=report_id).update(
        status=ReportStatus.RUNNING, started_at=now
    )
    return updated == 1


def produce_report(report_id: int) -> str:
    """Write the PDF of a claimed request and store it; returns the request's status.
    Idempotent: a request already written (or being written) is left alone."""
    from reports.gather import gather
    from reports.rendering import render_pdf

    if not claim(report_id):
        return str(ReportRequest.objects.values_list("status", flat=True).get(pk=report_id))
    report = ReportRequest.objects.select_related(
        "patient", "patient__organisation", "requested_by"
    ).get(pk=report_id)
    try:
        rendered = render_pdf(gather(report))
    except Exception:
        if transaction.get_connection().needs_rollback:
            raise
        logger.exception("Report %s could not be written", report.public_id)
        report.status = ReportStatus.FAILED
        report.error = "The report could not be written; the error is in the server log."
        report.finished_at = timezone.now()
        report.save(update_fields=["status", "error", "finished_at"])
        return str(report.status)
    report.pdf = rendered.pdf
    report.pages = rendered.pages
    report.status = ReportStatus.READY
    report.finished_at = timezone.now()
    report.save(update_fields=["pdf", "pages", "status", "finished_at"])
    return str(report.status)
