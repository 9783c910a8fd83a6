"""Entry point that fetches a patient for the analytics page and API; 404 for "missing" and
"not yours". The read is a clinical read, written to the access log (``policy.rules``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from care.access import access_patient
from care.models import Patient

if TYPE_CHECKING:
    from core.requests import AuthenticatedRequest

VIEW = "analytics.view_patient"


def access_patient_analytics(request: AuthenticatedRequest, patient_id: object) -> Patient:
    """A patient whose analytics the user may see: the clinical staff on their care team,
    or an administrator with an active break-glass grant."""
    return access_patient(request, patient_id, VIEW)
