"""Facts about a user (and optionally a patient) that permissions are built from.

Each predicate takes ``(user)`` or ``(user, patient)``. They query the database
directly so that a change (a withdrawn consent, an ended care-team place, an
expired break-glass grant) takes effect on the very next request.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils import timezone

from accounts.models import Role
from policy.typed_rules import Predicate, predicate

if TYPE_CHECKING:
    from accounts.models import User
    from care.models import Patient


def _has_role(role: str) -> Predicate:
    def check(user: User) -> bool:
        return bool(user.is_authenticated and user.is_active and user.role == role)

    return predicate(check, name=f"is_{role}")


is_patient = _has_role(Role.PATIENT)
is_clinician = _has_role(Role.CLINICIAN)
is_facilitator = _has_role(Role.FACILITATOR)
is_supporter = _has_role(Role.SUPPORTER)
is_researcher = _has_role(Role.RESEARCHER)
is_org_admin = _has_role(Role.ADMIN)


@predicate
def is_signed_in(user: User) -> bool:
    return bool(user.is_authenticated and user.is_active)


@predicate
def may_manage_patients(user: User) -> bool:
    """A clinician whom an admin has allowed to create patients and manage care teams."""
    return bool(user.is_authenticated and user.can_manage_patients)


@predicate
def has_patient_profile(user: User) -> bool:
    return bool(user.is_authenticated and hasattr(user, "patient_profile"))


@predicate
def same_organisation(user: User, patient: Patient | None) -> bool:
    return (
        patient is not None
        and user.organisation_id is not None
        and user.organisation_id == patient.organisation_id
    )


@predicate
def is_the_patient(user: User, patient: Patient | None) -> bool:
    return patient is not None and patient.user_id is not None and patient.user_id == user.pk


@predicate
def on_care_team(user: User, patient: Patient | None) -> bool:
    if patient is None:
        return False
    return patient.care_team.current().filter(member_id=user.pk).exists()


@predicate
def has_active_break_glass(user: User, patient: Patient | None) -> bool:
    if patient is None:
        return False
    return patient.break_glass.filter(user_id=user.pk, expires_at__gt=timezone.now()).exists()


def shares_with_supporter(scope: str) -> Predicate:
    """True when the patient currently shares ``scope`` with this supporter."""

    def check(user: User, patient: Patient | None) -> bool:
        if patient is None:
            return False
        link = patient.supporter_links.current().filter(supporter_id=user.pk).first()
        return link is not None and scope in link.scopes

    return predicate(check, name=f"shares_{scope}")


@predicate
def is_current_supporter(user: User, patient: Patient | None) -> bool:
    if patient is None:
        return False
    return patient.supporter_links.current().filter(supporter_id=user.pk).exists()
