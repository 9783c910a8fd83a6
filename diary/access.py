"""Entry points that fetch diary data for the current user; 404 for "missing" and "not yours"."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import Http404

from care.access import access_patient, authorize_patient
from care.models import Patient
from core.ids import parse_public_id
from diary.models import Emotion, Target

if TYPE_CHECKING:
    from core.requests import AuthenticatedRequest


def access_own_diary(request: AuthenticatedRequest) -> Patient:
    """The signed-in patient's own record, for their diary (an audited read)."""
    # The permission check that let the request in has usually loaded it already.
    patient: Patient | None = getattr(request.user, "patient_profile", None)
    if patient is None:
        raise Http404
    return authorize_patient(request, patient, "diary.view_cards")


def access_patient_diary(request: AuthenticatedRequest, patient_id: object) -> Patient:
    """A patient whose cards the user may read (an audited read)."""
    return access_patient(request, patient_id, "diary.view_cards")


def access_card_item(patient: Patient, item_id: object) -> Target | Emotion:
    """One of ``patient``'s targets or emotions (the caller has accessed the patient)."""
    public_id = parse_public_id(item_id)
    item: Target | Emotion | None = (
        Target.objects.filter(patient=patient, public_id=public_id).first()
        or Emotion.objects.filter(patient=patient, public_id=public_id).first()
    )
    if item is None:
        raise Http404
    return item
