"""Read-side views of coaching requests, without N+1 queries."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING

from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from care.models import CareTeamMember, Patient
from coaching.models import (
    Availability,
    AvailabilityWindow,
    CoachingMessage,
    CoachingRequest,
    RequestStatus,
    Weekday,
)
from diary.cards import local_today
from skills.access import visible_skills
from skills.models import Practice, Skill

if TYPE_CHECKING:
    from accounts.models import User

#: The span of the therapist's median response time.
RESPONSE_SPAN = timedelta(days=30)


def patient_requests(patient: Patient) -> QuerySet[CoachingRequest]:
    """The patient's requests, newest first."""
    return CoachingRequest.objects.filter(patient=patient).select_related("recipient")


def with_thread(requests: QuerySet[CoachingRequest]) -> QuerySet[CoachingRequest]:
    """Requests with their skills and messages (and authors) loaded up front."""
    return requests.prefetch_related(
        Prefetch("skills_tried", queryset=Skill.objects.order_by("name")),
        Prefetch("messages", queryset=CoachingMessage.objects.select_related("author")),
    )


def inbox(user: User) -> QuerySet[CoachingRequest]:
    """Requests to ``user`` that are not closed, of patients whose team they are still on,
    oldest wait first."""
    on_team = CareTeamMember.objects.current().filter(patient=OuterRef("patient"), member=user)
    return (
        CoachingRequest.objects.filter(recipient=user)
        .exclude(status=RequestStatus.CLOSED)
        .filter(Exists(on_team))
        .select_related("patient")
        .order_by("waiting_since", "id")
    )


def median_response_time(user: User, now: datetime | None = None) -> timedelta | None:
    """The median time from request to first answer, over requests to ``user`` in the last
    30 days that have been answered (``None`` if there are none)."""
    now = now or timezone.now()
    rows = CoachingRequest.objects.filter(
        recipient=user, created_at__gte=now - RESPONSE_SPAN, first_response_at__isnull=False
    ).values_list("created_at", "first_response_at")
    seconds = [(answered - asked).total_seconds() for asked, answered in rows if answered]
    return timedelta(seconds=statistics.median(seconds)) if seconds else None


def skills_practised_today(patient: Patient) -> list[Skill]:
    """The skills the patient logged practising today (their local day), for the form."""
    today = local_today(patient.time_zone)
    ids = Practice.objects.filter(patient=patient, day=today).values("skill_id")
    return list(Skill.objects.filter(pk__in=ids, is_active=True).order_by("name"))


def skill_choices(user: User) -> QuerySet[Skill]:
    """Skills a patient may name as tried: their library (built in and their clinic's)."""
    return visible_skills(user).order_by("name")


@dataclass(frozen=True)
class HoursLine:
    day: str
    spans: list[str]


def describe_hours(availability: Availability | None) -> list[HoursLine]:
    """The weekly windows as lines ("Monday: 09:00–12:00, 14:00–17:00")."""
    if availability is None:
        return []
    rows: list[AvailabilityWindow] = list(availability.windows.all())
    lines = []
    for weekday in Weekday:
        spans = [f"{_hhmm(w.start)}–{_hhmm(w.end)}" for w in rows if w.weekday == weekday.value]
        if spans:
            lines.append(HoursLine(str(weekday.label), spans))
    return lines


def _hhmm(value: time) -> str:
    return value.strftime("%H:%M")


def format_duration(value: timedelta | None) -> str:
    """A waiting or response time in words a person reads at a glance."""
    if value is None:
        return ""
    minutes = int(value.total_seconds() // 60)
    if minutes < 1:
        return _("under a minute")
    if minutes < 60:
        return _("%(n)d min") % {"n": minutes}
    hours, rest = divmod(minutes, 60)
    if hours < 48:
        return _("%(h)d h %(m)d min") % {"h": hours, "m": rest}
    return _("%(d)d days") % {"d": hours // 24}
