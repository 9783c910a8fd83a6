"""Entry points that fetch measures data for the current user; 404 for "missing" and "not
yours". Reads of questionnaires and scores are clinical reads (``measures.view_results``)
and are written to the access log."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import Http404
from django.utils import timezone

from accounts.models import Role
from audit.recording import record_read
from care.access import access_patient, authorize_patient
from care.models import Patient
from core.ids import parse_public_id
from measures.models import Administration, Assignment, Instrument, TherapySession

if TYPE_CHECKING:
    from core.requests import AuthenticatedRequest

VIEW = "measures.view_results"
ASSIGN = "measures.assign"
SESSIONS = "measures.manage_sessions"


def own_patient(request: AuthenticatedRequest) -> Patient:
    """The signed-in patient's record, to fill in their own questionnaires."""
    patient: Patient | None = getattr(request.user, "patient_profile", None)
    if patient is None or not request.user.has_perm("measures.fill_own"):
        raise Http404
    return patient


def access_own_results(request: AuthenticatedRequest) -> Patient:
    """The signed-in patient's record, to list their own questionnaires (an audited read)."""
    return authorize_patient(request, own_patient(request), VIEW)


def access_patient_results(request: AuthenticatedRequest, patient_id: object) -> Patient:
    """A patient whose scores the user may read (the care team; an audited read)."""
    return access_patient(request, patient_id, VIEW)


def access_patient_to_assign(request: AuthenticatedRequest, patient_id: object) -> Patient:
    """A patient to whom the user (a clinician on the team) may assign questionnaires."""
    patient = access_patient(request, patient_id, ASSIGN)
    return patient


def access_patient_sessions(request: AuthenticatedRequest, patient_id: object) -> Patient:
    """A patient whose therapy sessions the user (a clinician on the team) may book."""
    return access_patient(request, patient_id, SESSIONS)


def access_session(
    request: AuthenticatedRequest, patient: Patient, session_id: object
) -> TherapySession:
    """One of ``patient``'s therapy sessions (the caller has accessed the patient to manage
    their sessions); recorded as a read of the clinical record."""
    found = TherapySession.objects.filter(
        patient=patient, public_id=parse_public_id(session_id)
    ).first()
    if found is None:
        raise Http404
    found.patient = patient
    record_read(request, resource=VIEW, patient=patient, object_id=str(found.public_id))
    return found


def access_administration(
    request: AuthenticatedRequest, administration_id: object, *, own: bool = False
) -> Administration:
    """One questionnaire the user may read (``own``: only the patient's own, to fill in);
    every access is recorded as a read."""
    found = (
        Administration.objects.select_related(
            "patient", "patient__organisation", "patient__user", "version__instrument"
        )
        .filter(public_id=parse_public_id(administration_id))
        .first()
    )
    if found is None:
        raise Http404
    user = request.user
    if own and (found.patient.user_id != user.pk or not user.has_perm("measures.fill_own")):
        raise Http404
    if not user.has_perm(VIEW, found.patient):
        raise Http404
    grant = None
    if user.role == Role.ADMIN:
        grant = found.patient.break_glass.filter(user=user, expires_at__gt=timezone.now()).first()
    record_read(
        request,
        resource=VIEW,
        patient=found.patient,
        object_id=str(found.public_id),
        break_glass=grant,
    )
    return found


def access_assignment(patient: Patient, assignment_id: object) -> Assignment:
    """One of ``patient``'s assignments (the caller has accessed the patient)."""
    found = (
        Assignment.objects.select_related("instrument")
        .filter(patient=patient, public_id=parse_public_id(assignment_id))
        .first()
    )
    if found is None:
        raise Http404
    return found


def access_instrument(request: AuthenticatedRequest, key: str) -> Instrument:
    found = Instrument.objects.filter(key=key, is_active=True).first()
    if found is None:
        raise Http404
    return found
