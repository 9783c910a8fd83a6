"""Read-side shapes of the safety plan for pages and the API."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet

from care.models import CareTeamMember
from safety.models import Alert, AlertStatus
from safety.plans import CONTACT_SECTIONS, HINTS, STEPS, PlanContent, Section

if TYPE_CHECKING:
    from accounts.models import User


@dataclass(frozen=True)
class ShownSection:
    value: str
    label: str
    hint: str
    step: int
    is_contacts: bool
    items: tuple[Any, ...]


def plan_sections(plan: PlanContent) -> list[ShownSection]:
    """The six steps in order, each with its items (reasons for living are shown apart)."""
    return [
        ShownSection(
            section,
            str(Section(section).label),
            str(HINTS[section]),
            number,
            section in CONTACT_SECTIONS,
            plan.items(section),
        )
        for number, section in enumerate(STEPS, start=1)
    ]


def alerts_for(user: User, *, open_only: bool = True) -> QuerySet[Alert]:
    """Alerts about patients on ``user``'s care team (open and acknowledged first)."""
    alerts = Alert.objects.filter(
        patient__care_team__in=CareTeamMember.objects.current().filter(member=user),
        patient__organisation_id=user.organisation_id,
    )
    if open_only:
        alerts = alerts.exclude(status=AlertStatus.RESOLVED)
    return alerts.select_related("patient", "rule", "acknowledged_by").distinct()
