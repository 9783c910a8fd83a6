"""Entry points that fetch EMA data for the current user; 404 for "missing" and "not yours"."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import Http404

from care.access import access_patient, authorize_patient
from care.models import Patient
from core.ids import parse_public_id
from ema.models import Prompt, Schedule

if TYPE_CHECKING:
    from core.requests import AuthenticatedRequest


def access_own_ema(request: AuthenticatedRequest) -> Patient:
    """The signed-in patient's own record, for their check-ins (an audited read)."""
    patient = getattr(request.user, "patient_profile", None)
    if patient is None:
        raise Http404
    return authorize_patient(request, patient, "ema.view_responses")


def access_own_prompt(request: AuthenticatedRequest, prompt_id: object) -> Prompt:
    """One of the signed-in patient's own prompts."""
    patient = getattr(request.user, "patient_profile", None)  # an API token loads it
    if patient is None or not request.user.has_perm("ema.answer_own_prompts"):
        raise Http404
    prompt = (
        Prompt.objects.select_related("questionnaire")
        .filter(public_id=parse_public_id(prompt_id), patient=patient)
        .first()
    )
    if prompt is None:
        raise Http404
    prompt.patient = patient  # the request's own object (with its clinic, for the rules)
    return prompt


def access_patient_ema(request: AuthenticatedRequest, patient_id: object) -> Patient:
    """A patient whose EMA answers the user may read (an audited read)."""
    return access_patient(request, patient_id, "ema.view_responses")


def access_managed_schedule(
    request: AuthenticatedRequest, patient: Patient, schedule_id: object
) -> Schedule:
    """One of ``patient``'s schedules, for a user who manages their schedules."""
    if not request.user.has_perm("ema.manage_schedules", patient):
        raise Http404
    schedule = Schedule.objects.filter(
        patient=patient, public_id=parse_public_id(schedule_id)
    ).first()
    if schedule is None:
        raise Http404
    return schedule
