"""API operations for progress reports: ask for one (idempotent), read its status, and
download the PDF (an audited clinical read). Clinicians on the patient's care team only."""

from django.http import HttpResponse
from django.urls import reverse
from ninja import Router, Status

from core.idempotency import idempotent
from core.requests import AuthenticatedRequest
from policy.api import operation
from reports import actions
from reports.access import (
    DOWNLOAD,
    REQUEST,
    access_patient_reports,
    access_report,
    report_download,
)
from reports.models import ReportRequest
from reports.schemas import ReportIn, ReportOut

router = Router(tags=["reports"])


def _report_out(report: ReportRequest) -> ReportOut:
    url = None
    if report.is_ready:
        url = reverse(
            "api:download_report",
            kwargs={"patient_id": report.patient.public_id, "report_id": report.public_id},
        )
    return ReportOut(
        id=report.public_id,
        first=report.first,
        last=report.last,
        include_notes=report.include_notes,
        status=report.status,  # type: ignore[arg-type]
        pages=report.pages,
        created_at=report.created_at,
        finished_at=report.finished_at,
        download_url=url,
    )


@router.post(
    "/reports/patients/{patient_id}/reports",
    response={201: ReportOut},
    operation_id="request_report",
)
@operation("accounts.use_app", object_perm=REQUEST)
@idempotent
def request_report(
    request: AuthenticatedRequest, patient_id: str, payload: ReportIn
) -> Status[ReportOut]:
    """Ask for the patient's progress report over ``first``…``last``. Periods of up to 92
    days are written before the answer (status ``ready``); longer ones are queued (status
    ``queued``): poll ``get_report`` until ``ready``."""
    patient = access_patient_reports(request, patient_id)
    report = actions.request_report(
        request.user,
        patient,
        first=payload.first,
        last=payload.last,
        include_notes=payload.include_notes,
    )
    return Status(201, _report_out(report))


@router.get(
    "/reports/patients/{patient_id}/reports/{report_id}",
    response=ReportOut,
    operation_id="get_report",
)
@operation("accounts.use_app", object_perm=REQUEST)
def get_report(request: AuthenticatedRequest, patient_id: str, report_id: str) -> ReportOut:
    """A report request's status, and where to download it once ready."""
    patient = access_patient_reports(request, patient_id)
    return _report_out(access_report(patient, report_id))


@router.get(
    "/reports/patients/{patient_id}/reports/{report_id}/pdf",
    operation_id="download_report",
    url_name="download_report",
)
@operation("accounts.use_app", object_perm=DOWNLOAD)
def download_report(request: AuthenticatedRequest, patient_id: str, report_id: str) -> HttpResponse:
    """The report as a PDF (``application/pdf``); 404 until it is ready."""
    return report_download(request, patient_id, report_id)
