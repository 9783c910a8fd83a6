"""Read-side queries over the audit trail of one organisation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TypeVar

from auditlog.models import LogEntry
from django.db.models import Count, Model, Q, QuerySet

from audit.models import AccessLog
from care.models import BreakGlassGrant

_M = TypeVar("_M", bound=Model)


@dataclass(frozen=True)
class TrailFilter:
    actor: str = ""
    patient: str = ""
    since: date | None = None
    until: date | None = None


def _dates(queryset: QuerySet[_M], field: str, filters: TrailFilter) -> QuerySet[_M]:
    if filters.since:
        queryset = queryset.filter(**{f"{field}__date__gte": filters.since})
    if filters.until:
        queryset = queryset.filter(**{f"{field}__date__lte": filters.until})
    return queryset


def access_rows(organisation_id: int, filters: TrailFilter) -> QuerySet[AccessLog]:
    rows = AccessLog.objects.filter(
        Q(patient__organisation_id=organisation_id) | Q(actor__organisation_id=organisation_id)
    ).select_related("patient", "break_glass")
    if filters.actor:
        rows = rows.filter(actor_email__icontains=filters.actor)
    if filters.patient:
        rows = rows.filter(
            Q(patient__family_name__icontains=filters.patient)
            | Q(patient__given_name__icontains=filters.patient)
        )
    return _dates(rows, "created_at", filters)


def change_rows(organisation_id: int, filters: TrailFilter) -> QuerySet[LogEntry]:
    rows = LogEntry.objects.filter(actor__organisation_id=organisation_id).select_related(
        "actor", "content_type"
    )
    if filters.actor:
        rows = rows.filter(actor__email__icontains=filters.actor)
    if filters.patient:
        rows = rows.filter(object_repr__icontains=filters.patient)
    return _dates(rows, "timestamp", filters)


def break_glass_rows(organisation_id: int, filters: TrailFilter) -> QuerySet[BreakGlassGrant]:
    rows = (
        BreakGlassGrant.objects.filter(patient__organisation_id=organisation_id)
        .select_related("user", "patient")
        .annotate(read_count=Count("reads"))
        # An aggregate drops the model's default ordering; pagination needs one.
        .order_by("-created_at", "-id")
    )
    if filters.actor:
        rows = rows.filter(user__email__icontains=filters.actor)
    if filters.patient:
        rows = rows.filter(
            Q(patient__family_name__icontains=filters.patient)
            | Q(patient__given_name__icontains=filters.patient)
        )
    return _dates(rows, "created_at", filters)
