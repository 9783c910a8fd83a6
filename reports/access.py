"""Entry points that fetch report requests for the current user; 404 for "missing" and
"not yours". Only the clinicians on the patient's care team request and download reports;
each download is written to the access log as a clinical read (``reports.download``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import Http404, HttpResponse

from audit.recording import record_read
from care.access import access_patient
from care.models import Patient
from core.ids import parse_public_id
from reports.models import ReportRequest, ReportStatus

if TYPE_CHECKING:
    from core.requests import AuthenticatedRequest

REQUEST = "reports.request"
DOWNLOAD = "reports.download"


def access_patient_reports(request: AuthenticatedRequest, patient_id: object) -> Patient:
    """A patient whose progress reports the user may request and list."""
    return access_patient(request, patient_id, REQUEST)


def access_report(patient: Patient, report_id: object) -> ReportRequest:
    """One of ``patient``'s report requests (the caller has accessed the patient), without
    the PDF's bytes."""
    found = (
        ReportRequest.objects.defer("pdf")
        .filter(patient=patient, public_id=parse_public_id(report_id))
        .first()
    )
    if found is None:
        raise Http404
    found.patient = patient
    return found


def access_report_pdf(
    request: AuthenticatedRequest, patient_id: object, report_id: object
) -> tuple[ReportRequest, bytes]:
    """A ready report and its PDF, for download: an audited clinical read."""
    patient = access_patient(request, patient_id, REQUEST)
    if not request.user.has_perm(DOWNLOAD, patient):
        raise Http404
    found = (
        ReportRequest.objects.filter(
            patient=patient, public_id=parse_public_id(report_id), status=ReportStatus.READY
        )
        .only("public_id", "first", "last", "pdf", "patient_id")
        .first()
    )
    if found is None or found.pdf is None:
        raise Http404
    record_read(request, resource=DOWNLOAD, patient=patient, object_id=str(found.public_id))
    return found, bytes(found.pdf)


def report_download(
    request: AuthenticatedRequest, patient_id: object, report_id: object
) -> HttpResponse:
    """A ready report's PDF as an attachment, never cached (the page and the API)."""
    report, pdf = access_report_pdf(request, patient_id, report_id)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="progress-report-{report.first}-{report.last}.pdf"'
    )
    response["Cache-Control"] = "no-store, private"
    return response
