"""Filling the daily table (``PatientDay``) from diary cards and check-ins.

* ``summarise_days`` is pure: the rows for a range of local days from plain values.
* ``refresh_patient`` recomputes a range of days for one patient and upserts the rows
  (``INSERT … ON CONFLICT DO UPDATE`` on patient and date), so running it twice, or two
  workers at once, leaves the same rows.
* ``refresh_changed`` is the worker's incremental pass: the patients whose cards or
  check-ins changed since the last mark, from their earliest changed day (at least the
  last ``RECENT_DAYS`` days) to today.
* ``rebuild_all`` recomputes every patient's whole history (the management command).

Days are the patient's local calendar days: a check-in belongs to the day on the
patient's wall clock when it was scheduled, so a day across a DST change is 23 or 25
hours long.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Max, Min, Q
from django.utils import timezone

from care.models import Patient
from dashboard.models import PatientDay, RefreshMark
from diary.models import CardTarget, DiaryCard, TargetKind
from ema.models import Prompt, PromptStatus

#: The incremental pass recomputes at least this many days (today included) per patient.
RECENT_DAYS = 3
#: Changes committed up to this long before the mark was set are looked at again, so a
#: transaction that was still open when the last run started is not missed.
OVERLAP = timedelta(minutes=10)
MARK_KEY = "patient-days"
_FIELDS = [
    "has_card",
    "card_late",
    "suicide_urge",
    "self_harm_urge",
    "prompts_due",
    "prompts_answered",
    "refreshed_at",
]


@dataclass(frozen=True)
class PromptFact:
    scheduled_at: datetime
    status: str
    expires_at: datetime


def local_midnight(day: date, zone: ZoneInfo) -> datetime:
    """The instant the local ``day`` begins (a DST change at midnight moves it, not the day)."""
    return datetime.combine(day, time.min, tzinfo=zone)


def days_between(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def summarise_days(
    patient_id: int,
    first: date,
    last: date,
    zone: ZoneInfo,
    *,
    cards: dict[date, bool],
    urges: dict[tuple[date, str], int],
    prompts: Iterable[PromptFact],
    now: datetime,
) -> list[PatientDay]:
    """One row per local day from ``first`` to ``last``.

    ``cards`` maps a day with a card to whether it was late; ``urges`` maps (day, target
    kind) to the highest urge rated. A check-in counts as due once it is closed (answered,
    missed, or past its expiry) and was not cancelled, as in ``ema.queries.compliance``.
    """
    due: dict[date, int] = {}
    answered: dict[date, int] = {}
    for prompt in prompts:
        if prompt.status == PromptStatus.CANCELLED or prompt.scheduled_at > now:
            continue
        closed = prompt.status in (PromptStatus.ANSWERED, PromptStatus.MISSED)
        if not closed and prompt.expires_at > now:
            continue
        day = prompt.scheduled_at.astimezone(zone).date()
        due[day] = due.get(day, 0) + 1
        if prompt.status == PromptStatus.ANSWERED:
            answered[day] = answered.get(day, 0) + 1
    return [
        PatientDay(
            patient_id=patient_id,
            date=day,
            has_card=day in cards,
            card_late=cards.get(day, False),
            suicide_urge=urges.get((day, TargetKind.SUICIDE)),
            self_harm_urge=urges.get((day, TargetKind.SELF_HARM)),
            prompts_due=due.get(day, 0),
            prompts_answered=answered.get(day, 0),
            refreshed_at=now,
        )
        for day in days_between(first, last)
    ]


def compute_days(patient: Patient, first: date, last: date, now: datetime) -> list[PatientDay]:
    """Read the patient's cards, urges and check-ins for the range (three queries)."""
    zone = ZoneInfo(patient.time_zone)
    cards = dict(
        DiaryCard.objects.filter(patient=patient, date__gte=first, date__lte=last).values_list(
            "date", "is_late"
        )
    )
    urges = {
        (row["card__date"], row["target__kind"]): row["top"]
        for row in CardTarget.objects.filter(
            card__patient=patient,
            card__date__gte=first,
            card__date__lte=last,
            target__kind__in=[TargetKind.SUICIDE, TargetKind.SELF_HARM],
            urge__isnull=False,
        )
        .values("card__date", "target__kind")
        .annotate(top=Max("urge"))
        .order_by()
    }
    prompts = [
        PromptFact(*values)
        for values in Prompt.objects.filter(
            patient=patient,
            scheduled_at__gte=local_midnight(first, zone),
            scheduled_at__lt=local_midnight(last + timedelta(days=1), zone),
        ).values_list("scheduled_at", "status", "expires_at")
    ]
    return summarise_days(
        patient.pk, first, last, zone, cards=cards, urges=urges, prompts=prompts, now=now
    )


def store(rows: Sequence[PatientDay]) -> int:
    """Insert or update the rows on (patient, date): an upsert, safe to repeat."""
    PatientDay.objects.bulk_create(
        rows,
        batch_size=500,
        update_conflicts=True,
        unique_fields=["patient", "date"],
        update_fields=_FIELDS,
    )
    return len(rows)


def local_today(patient: Patient, now: datetime) -> date:
    return now.astimezone(ZoneInfo(patient.time_zone)).date()


def refresh_patient(patient: Patient, first: date, now: datetime | None = None) -> int:
    """Recompute the patient's days from ``first`` to their local today; rows written."""
    now = now or timezone.now()
    last = local_today(patient, now)
    if first > last:
        return 0
    return store(compute_days(patient, first, last, now))


def first_day(patient: Patient, now: datetime) -> date:
    """The first local day the patient has anything on: a card, a check-in, or the record."""
    zone = ZoneInfo(patient.time_zone)
    candidates = [patient.created_at.astimezone(zone).date(), local_today(patient, now)]
    first_card = DiaryCard.objects.filter(patient=patient).aggregate(first=Min("date"))["first"]
    if first_card is not None:
        candidates.append(first_card)
    first_prompt = Prompt.objects.filter(patient=patient).aggregate(first=Min("scheduled_at"))
    if first_prompt["first"] is not None:
        candidates.append(first_prompt["first"].astimezone(zone).date())
    return min(candidates)


def rebuild_patient(patient: Patient, now: datetime | None = None) -> int:
    """Recompute the patient's whole history and drop rows outside it."""
    now = now or timezone.now()
    first = first_day(patient, now)
    written = refresh_patient(patient, first, now)
    PatientDay.objects.filter(patient=patient).exclude(
        date__gte=first, date__lte=local_today(patient, now)
    ).delete()
    return written


def rebuild_all(now: datetime | None = None) -> int:
    """Every patient's whole history (the full rebuild); sets the incremental mark."""
    now = now or timezone.now()
    written = sum(rebuild_patient(patient, now) for patient in Patient.objects.order_by("pk"))
    _move_mark(now)
    return written


def refresh_changed(now: datetime | None = None, *, days: int = RECENT_DAYS) -> int:
    """The incremental pass: recompute the changed patients' recent days; rows written.

    The first run (no mark yet) is a full rebuild.
    """
    now = now or timezone.now()
    mark = RefreshMark.objects.filter(key=MARK_KEY).first()
    if mark is None:
        return rebuild_all(now)
    since = mark.since - OVERLAP
    cards = dict(
        DiaryCard.objects.filter(updated_at__gte=since)
        .values("patient_id")
        .annotate(first=Min("date"))
        .values_list("patient_id", "first")
    )
    prompts = dict(
        Prompt.objects.filter(
            Q(answered_at__gte=since)
            | Q(sent_at__gte=since)
            | Q(expires_at__gte=since, expires_at__lte=now)
        )
        .values("patient_id")
        .annotate(first=Min("scheduled_at"))
        .values_list("patient_id", "first")
    )
    written = 0
    for patient in Patient.objects.filter(pk__in=set(cards) | set(prompts)).order_by("pk"):
        zone = ZoneInfo(patient.time_zone)
        first = local_today(patient, now) - timedelta(days=days - 1)
        if patient.pk in cards:
            first = min(first, cards[patient.pk])
        if patient.pk in prompts:
            first = min(first, prompts[patient.pk].astimezone(zone).date())
        written += refresh_patient(patient, first, now)
    _move_mark(now)
    return written


def _move_mark(now: datetime) -> None:
    """Set the mark to ``now`` unless a run that started later already moved it further."""
    updated = RefreshMark.objects.filter(key=MARK_KEY, since__lt=now).update(since=now)
    if not updated and not RefreshMark.objects.filter(key=MARK_KEY).exists():
        RefreshMark.objects.get_or_create(key=MARK_KEY, defaults={"since": now})
