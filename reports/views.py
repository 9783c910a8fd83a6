"""Pages: a patient's progress reports (ask for one, see their status) and the download."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from care.models import Patient
from core.actions import ActionError
from core.forms import add_action_error
from core.requests import AuthenticatedRequest
from ema.queries import local_today
from policy.routes import page
from reports import actions
from reports.access import REQUEST, access_patient_reports, report_download
from reports.forms import ReportForm
from reports.models import ReportRequest, ReportStatus


def _page(
    request: AuthenticatedRequest, patient: Patient, form: ReportForm, status: int = 200
) -> HttpResponse:
    reports = list(
        ReportRequest.objects.filter(patient=patient)
        .defer("pdf")
        .select_related("requested_by")[:20]
    )
    context = {
        "patient": patient,
        "form": form,
        "reports": reports,
        "waiting": any(r.status in (ReportStatus.QUEUED, ReportStatus.RUNNING) for r in reports),
        "sync_max_days": actions.SYNC_MAX_DAYS,
    }
    return render(request, "reports/patient.html", context, status=status)


@page("accounts.use_app", object_perm=REQUEST)
def patient_reports(request: AuthenticatedRequest, patient_id: str) -> HttpResponse:
    patient = access_patient_reports(request, patient_id)
    if request.method != "POST":
        today = local_today(patient)
        initial = {"first": today - timedelta(days=27), "last": today}
        return _page(request, patient, ReportForm(initial=initial))
    form = ReportForm(request.POST)
    if form.is_valid():
        try:
            report = actions.request_report(request.user, patient, **form.cleaned_data)
        except ActionError as exc:
            add_action_error(form, exc)
        else:
            if report.status == ReportStatus.READY:
                messages.success(request, _("The report is ready to download."))
            elif report.status == ReportStatus.FAILED:
                messages.error(request, _("The report could not be written."))
            else:
                messages.info(
                    request,
                    _("The report is being written. This page shows when it is ready."),
                )
            return redirect("reports:patient", patient_id=patient.public_id)
    return _page(request, patient, form, status=400)


@page("accounts.use_app", object_perm="reports.download")
def download(request: AuthenticatedRequest, patient_id: str, report_id: str) -> HttpResponse:
    """The PDF, only through this view (an audited clinical read); never cached."""
    return report_download(request, patient_id, report_id)
