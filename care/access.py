"""Entry points that fetch protected care objects for the current user.

Each returns the object or raises ``Http404``: the same answer for "does not
exist" and "not yours", so that ids cannot be probed. Reads that the policy
marks as clinical (``policy.rules.CLINICAL_READS``) are written to the access log.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import Http404
from django.utils import timezone

from accounts.models import Role
from audit.recording import record_read
from care.models import CareTeamMember, Patient, SupporterLink
from core.ids import parse_public_id
from policy.rules import CLINICAL_READS

if TYPE_CHECKING:
    from core.requests import AuthenticatedRequest


def access_patient(request: AuthenticatedRequest, public_id: object, perm: str) -> Patient:
    """The patient ``public_id`` if ``perm`` is granted on them, else 404; audits clinical reads."""
    patient = (
        Patient.objects.select_related("organisation", "user")
        .filter(public_id=parse_public_id(public_id))
        .first()
    )
    if patient is None:
        raise Http404
    return authorize_patient(request, patient, perm)


def authorize_patient(request: AuthenticatedRequest, patient: Patient, perm: str) -> Patient:
    """``patient`` (already loaded) if ``perm`` is granted on them, else 404; audits clinical
    reads. For callers that found the patient through the user, e.g. their own record."""
    user = request.user
    if not user.has_perm(perm, patient):
        raise Http404
    if perm in CLINICAL_READS:
        grant = None
        if user.role == Role.ADMIN:
            grant = patient.break_glass.filter(user=user, expires_at__gt=timezone.now()).first()
        record_read(
            request,
            resource=perm,
            patient=patient,
            object_id=str(patient.public_id),
            break_glass=grant,
        )
    return patient


def access_own_patient_profile(request: AuthenticatedRequest) -> Patient:
    """The signed-in patient's own record (audited as a clinical read by themselves)."""
    patient = Patient.objects.filter(user=request.user).select_related("organisation").first()
    if patient is None:
        raise Http404
    return authorize_patient(request, patient, "care.view_patient")


def access_care_team_member(
    request: AuthenticatedRequest, patient: Patient, public_id: object
) -> CareTeamMember:
    """A current care-team place of ``patient`` (already accessed by the caller)."""
    member = (
        CareTeamMember.objects.current()
        .select_related("member")
        .filter(patient=patient, public_id=parse_public_id(public_id))
        .first()
    )
    if member is None:
        raise Http404
    return member


def access_own_supporter_link(request: AuthenticatedRequest, public_id: object) -> SupporterLink:
    """One of the signed-in patient's current supporter links."""
    link = (
        SupporterLink.objects.current()
        .select_related("supporter", "patient")
        .filter(public_id=parse_public_id(public_id), patient__user=request.user)
        .first()
    )
    if link is None or not request.user.has_perm("care.manage_own_supporters"):
        raise Http404
    return link


def access_shared_link(request: AuthenticatedRequest, patient_id: object) -> SupporterLink:
    """The signed-in supporter's current link to patient ``patient_id`` (audited read)."""
    patient = access_patient(request, patient_id, "care.view_as_supporter")
    link = (
        patient.supporter_links.current()
        .select_related("patient", "patient__organisation")
        .filter(supporter=request.user)
        .first()
    )
    if link is None:  # withdrawn between the check and this read
        raise Http404
    return link
