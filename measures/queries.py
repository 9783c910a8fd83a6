"""Reads of the measures app, each a fixed number of queries whatever the history's length."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from django.db.models import QuerySet
from django.utils import timezone

from care.models import Patient
from measures.actions import definition_for
from measures.definitions import Definition
from measures.models import (
    OPEN_STATUSES,
    Administration,
    AdministrationStatus,
    Assignment,
    Instrument,
    InstrumentVersion,
    LicensedItemText,
    Score,
    TherapySession,
)


def open_questionnaires(patient: Patient) -> QuerySet[Administration]:
    """The patient's questionnaires that are due, not yet sent and not closed (one before
    a session closes when it starts), oldest first."""
    now = timezone.now()
    return (
        Administration.objects.select_related("version__instrument")
        .filter(patient=patient, due_at__lte=now, status__in=OPEN_STATUSES)
        .exclude(closes_at__lte=now)
        .order_by("due_at", "id")
    )


def sent_questionnaires(patient: Patient, limit: int = 20) -> list[Administration]:
    """The patient's sent questionnaires, newest first."""
    return list(
        Administration.objects.select_related("version__instrument")
        .filter(patient=patient, status=AdministrationStatus.SUBMITTED)
        .order_by("-submitted_at", "-id")[:limit]
    )


def assignments(patient: Patient) -> QuerySet[Assignment]:
    return Assignment.objects.select_related("instrument", "assigned_by").filter(patient=patient)


@dataclass
class Series:
    """One instrument's current scores for a patient, oldest first, with its definition."""

    instrument: Instrument
    definition: Definition
    scores: list[Score]

    @property
    def baseline(self) -> Score | None:
        return next((s for s in self.scores if s.value is not None), None)

    @property
    def latest(self) -> Score | None:
        return next((s for s in reversed(self.scores) if s.value is not None), None)


def series_for(patient: Patient) -> list[Series]:
    """Each instrument the patient has scores on, with the newest definition used."""
    scores = (
        Score.objects.select_related("instrument", "version", "administration")
        .filter(patient=patient, is_current=True)
        .order_by("instrument__short_title", "observed_at", "id")
    )
    grouped: dict[int, list[Score]] = defaultdict(list)
    for one in scores:
        grouped[one.instrument_id].append(one)
    found = []
    for rows in grouped.values():
        newest: InstrumentVersion = max(
            (s.version for s in rows), key=lambda v: (v.loaded_at, v.pk)
        )
        found.append(Series(rows[0].instrument, newest.parsed(), rows))
    return found


def instrument_choices(patient: Patient) -> list[tuple[Instrument, bool]]:
    """Every active instrument, and whether it can be given to this patient (its item text
    is shipped, or the clinic has loaded its own licensed copy)."""
    licensed = set(
        LicensedItemText.objects.filter(organisation_id=patient.organisation_id).values_list(
            "instrument_id", flat=True
        )
    )
    return [
        (instrument, instrument.item_text == "public" or instrument.pk in licensed)
        for instrument in Instrument.objects.filter(is_active=True)
    ]


def fill_definition(administration: Administration) -> Definition:
    return definition_for(administration.version, administration.patient.organisation_id)


def sessions_of(patient: Patient, limit: int = 50) -> list[TherapySession]:
    """The patient's coming sessions and those of the last 30 days (cancelled ones too,
    marked), soonest first."""
    since = timezone.now() - timedelta(days=30)
    return list(
        TherapySession.objects.filter(patient=patient, starts_at__gte=since).order_by(
            "starts_at", "id"
        )[:limit]
    )


class EventKind(StrEnum):
    SESSION = "session"
    ALERT = "alert"
    WATCH = "watch"
    PLAN = "plan"


@dataclass(frozen=True)
class TreatmentEvent:
    """Something that happened in the patient's care, for the charts' time axis. A watch
    has an end (``None``: still on watch); a safety-plan version has its number. Alerts
    carry no text: only when one was raised."""

    kind: EventKind
    at: datetime
    until: datetime | None = None
    number: int | None = None


def treatment_events(patient: Patient) -> list[TreatmentEvent]:
    """The treatment events known so far (up to now), oldest first: sessions held (not
    cancelled), risk alerts raised, high-risk watches and safety-plan versions. Four
    queries, whatever the history's length."""
    from safety.models import Alert, RiskWatch, SafetyPlanVersion

    now = timezone.now()
    events = [
        TreatmentEvent(EventKind.SESSION, at)
        for at in TherapySession.objects.filter(
            patient=patient, cancelled_at__isnull=True, starts_at__lte=now
        ).values_list("starts_at", flat=True)
    ]
    events += [
        TreatmentEvent(EventKind.ALERT, at)
        for at in Alert.objects.filter(patient=patient).values_list("created_at", flat=True)
    ]
    events += [
        TreatmentEvent(EventKind.WATCH, started, until=ended)
        for started, ended in RiskWatch.objects.filter(patient=patient).values_list(
            "started_at", "ended_at"
        )
    ]
    events += [
        TreatmentEvent(EventKind.PLAN, saved, number=number)
        for saved, number in SafetyPlanVersion.objects.filter(patient=patient).values_list(
            "saved_at", "number"
        )
    ]
    return sorted((e for e in events if e.at <= now), key=lambda e: (e.at, e.kind))
