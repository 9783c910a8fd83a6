"""Entry points of the research app: the patient's own record (for their consent) and the
researcher's organisation (the only one whose de-identified data they may export)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.http import Http404

from audit.recording import record_read
from care.models import Patient
from research.models import ResearchExport

if TYPE_CHECKING:
    from core.requests import AuthenticatedRequest

MANAGE_CONSENT = "research.manage_own_consent"
EXPORT = "research.export_deidentified"


def access_own_patient_for_consent(request: AuthenticatedRequest) -> Patient:
    """The signed-in patient's own record; nobody else's (a consent is only ever one's own)."""
    if not request.user.has_perm(MANAGE_CONSENT):
        raise PermissionDenied
    patient = Patient.objects.filter(user=request.user).select_related("organisation").first()
    if patient is None:
        raise Http404
    return patient


def access_export_organisation(request: AuthenticatedRequest) -> int:
    """The id of the researcher's own organisation: exports never reach another one."""
    if not request.user.has_perm(EXPORT):
        raise PermissionDenied
    organisation_id = request.user.organisation_id
    if organisation_id is None:
        raise Http404
    return organisation_id


def record_export_read(request: AuthenticatedRequest, export: ResearchExport) -> None:
    """The export in the access log too (no patient: the file names nobody)."""
    record_read(request, resource=EXPORT, patient=None, object_id=str(export.public_id))
