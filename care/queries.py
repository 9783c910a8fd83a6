"""Read-side queries for patient lists (caseload, admin directory), without N+1 queries."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Prefetch, Q, QuerySet

from accounts.models import User
from care.models import CareTeamMember, Patient


def caseload_for(user: User, team_roles: Iterable[str] | None = None) -> QuerySet[Patient]:
    """Patients on whose current care team ``user`` is, with ``my_places`` prefetched."""
    if user.organisation_id is None:  # every patient belongs to an organisation
        return Patient.objects.none()
    places = CareTeamMember.objects.current().filter(member=user)
    if team_roles is not None:
        places = places.filter(team_role__in=list(team_roles))
    return (
        Patient.objects.filter(
            organisation_id=user.organisation_id,
            pk__in=places.values("patient_id"),
        )
        .select_related("user")
        .prefetch_related(Prefetch("care_team", queryset=places, to_attr="my_places"))
    )


def patients_for_admin(user: User) -> QuerySet[Patient]:
    """Every patient of the user's organisation, with the current team prefetched."""
    if user.organisation_id is None:  # every patient belongs to an organisation
        return Patient.objects.none()
    team = CareTeamMember.objects.current().select_related("member")
    return (
        Patient.objects.filter(organisation_id=user.organisation_id)
        .select_related("user")
        .prefetch_related(Prefetch("care_team", queryset=team, to_attr="current_team"))
    )


def search_patients(patients: QuerySet[Patient], query: str) -> QuerySet[Patient]:
    if not query:
        return patients
    terms = Q()
    for word in query.split()[:5]:
        terms &= (
            Q(given_name__icontains=word)
            | Q(family_name__icontains=word)
            | Q(preferred_name__icontains=word)
            | Q(record_number__iexact=word)
        )
    return patients.filter(terms)
