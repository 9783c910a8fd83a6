"""Entry points that fetch coaching data for the current user; 404 for "missing" and "not
yours". Reads of a request are clinical reads (``coaching.view_requests``) and are audited."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import Http404
from django.utils import timezone

from accounts.models import Role
from audit.recording import record_read
from care.access import authorize_patient
from care.models import Patient
from coaching.models import Availability, CoachingRequest
from core.ids import parse_public_id
from policy.rules import CLINICAL_READS

if TYPE_CHECKING:
    from core.requests import AuthenticatedRequest

VIEW = "coaching.view_requests"


def own_patient(request: AuthenticatedRequest) -> Patient:
    """The signed-in patient's record, for asking their therapist."""
    patient: Patient | None = getattr(request.user, "patient_profile", None)
    if patient is None or not request.user.has_perm("coaching.ask"):
        raise Http404
    return patient


def access_own_requests(request: AuthenticatedRequest) -> Patient:
    """The signed-in patient's record, to list their own requests (an audited read)."""
    return authorize_patient(request, own_patient(request), VIEW)


def access_request(
    request: AuthenticatedRequest, request_id: object, perm: str = VIEW
) -> CoachingRequest:
    """One request the user may read, and, for another ``perm`` (``coaching.reply``,
    ``coaching.answer``), act on; every access is recorded as a read of the request."""
    found = (
        CoachingRequest.objects.select_related(
            "patient", "patient__organisation", "recipient", "closed_by"
        )
        .filter(public_id=parse_public_id(request_id))
        .first()
    )
    if found is None:
        raise Http404
    user = request.user
    if not user.has_perm(VIEW, found.patient) or not user.has_perm(perm, found.patient):
        raise Http404
    if VIEW in CLINICAL_READS:
        grant = None
        if user.role == Role.ADMIN:
            grant = found.patient.break_glass.filter(
                user=user, expires_at__gt=timezone.now()
            ).first()
        record_read(
            request,
            resource=VIEW,
            patient=found.patient,
            object_id=str(found.public_id),
            break_glass=grant,
        )
    return found


def own_availability(request: AuthenticatedRequest) -> Availability | None:
    """The signed-in clinician's coaching hours (``None`` until they set them)."""
    if not request.user.has_perm("coaching.set_availability"):
        raise Http404
    return Availability.objects.prefetch_related("windows").filter(clinician=request.user).first()
