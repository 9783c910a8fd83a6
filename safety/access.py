"""Entry points that fetch safety data for the current user; 404 for "missing" and "not yours"."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import Http404

from care.access import access_patient, authorize_patient
from care.models import Patient
from core.ids import parse_public_id
from safety.models import Alert, RiskRule

if TYPE_CHECKING:
    from accounts.models import Organisation
    from core.requests import AuthenticatedRequest


def access_own_plan(request: AuthenticatedRequest) -> Patient:
    """The signed-in patient's record, for their own safety plan (an audited read)."""
    patient: Patient | None = getattr(request.user, "patient_profile", None)
    if patient is None:
        raise Http404
    return authorize_patient(request, patient, "safety.view_plan")


def access_patient_plan(request: AuthenticatedRequest, patient_id: object, perm: str) -> Patient:
    """A patient whose plan the user may read (``safety.view_plan``) or edit
    (``safety.edit_plan``); the read is audited either way."""
    patient = access_patient(request, patient_id, "safety.view_plan")
    if perm != "safety.view_plan" and not request.user.has_perm(perm, patient):
        raise Http404
    return patient


def access_shared_plan(request: AuthenticatedRequest, patient_id: object) -> Patient:
    """A patient who shares their safety plan with the signed-in supporter (audited)."""
    return access_patient(request, patient_id, "care.view_shared_safety_plan")


def access_alert(request: AuthenticatedRequest, alert_id: object) -> Alert:
    """An alert about a patient on the user's care team (an audited read)."""
    alert = (
        Alert.objects.select_related("patient", "rule", "acknowledged_by", "resolved_by")
        .filter(public_id=parse_public_id(alert_id))
        .first()
    )
    if alert is None:
        raise Http404
    authorize_patient(request, alert.patient, "safety.handle_alert")
    return alert


def own_organisation(request: AuthenticatedRequest) -> Organisation:
    """The clinic whose rules the user configures (an admin always has one)."""
    organisation = request.user.organisation
    if organisation is None:
        raise Http404
    return organisation


def access_rule(request: AuthenticatedRequest, rule_id: object) -> RiskRule:
    """A risk rule of the user's own clinic (``safety.configure_rules`` is checked by the
    page); another clinic's rule is "not found"."""
    rule = RiskRule.objects.filter(
        public_id=parse_public_id(rule_id), organisation=own_organisation(request)
    ).first()
    if rule is None:
        raise Http404
    return rule
