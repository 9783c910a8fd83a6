"""Entry points that fetch skills data for the current user; 404 for "missing" and "not yours"."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet
from django.http import Http404

from care.access import access_patient, authorize_patient
from care.models import Patient
from core.ids import parse_public_id
from skills.models import Skill

if TYPE_CHECKING:
    from accounts.models import User
    from core.requests import AuthenticatedRequest


def visible_skills(user: User) -> QuerySet[Skill]:
    """The active skills ``user`` may see: the built-in ones and their clinic's own."""
    mine = Q(organisation__isnull=True)
    if user.organisation_id is not None:
        mine |= Q(organisation_id=user.organisation_id)
    return Skill.objects.filter(mine, is_active=True)


def access_skill(request: AuthenticatedRequest, skill_id: object) -> Skill:
    """One skill of the library the user sees (the caller checked ``skills.view_library``)."""
    skill = visible_skills(request.user).filter(public_id=parse_public_id(skill_id)).first()
    if skill is None:
        raise Http404
    return skill


def own_patient(request: AuthenticatedRequest) -> Patient:
    """The signed-in patient's record, for writing to their own log and favourites."""
    patient: Patient | None = getattr(request.user, "patient_profile", None)
    if patient is None or not request.user.has_perm("skills.practise"):
        raise Http404
    return patient


def access_own_practices(request: AuthenticatedRequest) -> Patient:
    """The signed-in patient's record, to read their own practice log (an audited read)."""
    return authorize_patient(request, own_patient(request), "skills.view_practices")


def access_patient_practices(request: AuthenticatedRequest, patient_id: object) -> Patient:
    """A patient whose practice log the user may read (an audited read)."""
    return access_patient(request, patient_id, "skills.view_practices")
