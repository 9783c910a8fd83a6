"""The caseload's rows: a fixed number of queries, however many patients or days of history.

One query each for the patients (with their last diary day), their open alerts (one
aggregate), their last 28 days from the daily table, and each questionnaire's latest
score (a window function). Everything else is computed here in Python.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Count, F, OuterRef, Q, Subquery
from django.db.models.expressions import Window
from django.db.models.functions import RowNumber
from django.utils import timezone
from django.utils.safestring import SafeString

from accounts.models import User
from care.models import Patient
from care.queries import caseload_for, search_patients
from dashboard.attention import (
    Assessment,
    Deterioration,
    ReasonKind,
    Signals,
    assess,
    order_by_attention,
    urge_window,
)
from dashboard.charts import text_alternative, urge_sparkline
from dashboard.models import PatientDay
from diary.models import DiaryCard
from measures.models import Score
from measures.scoring import RELIABLE_DETERIORATION
from measures.summaries import change_label
from safety.models import Alert, AlertStatus

#: Compliance is over the 14 complete days before today (today is still open).
COMPLIANCE_DAYS = 14
#: The sparkline's days, today included.
TREND_DAYS = 28


@dataclass(frozen=True)
class Rate:
    done: int
    of: int

    @property
    def share(self) -> float | None:
        return self.done / self.of if self.of else None

    @property
    def percent(self) -> int | None:
        share = self.share
        return None if share is None else round(share * 100)


@dataclass(frozen=True)
class LatestScore:
    instrument: str
    value: float
    band: str
    observed_at: datetime
    #: The reliable-change label against the baseline (or, without one, the previous score).
    change_label: str
    against: str

    @property
    def change_words(self) -> str:
        return change_label(self.change_label) if self.change_label else ""


@dataclass(frozen=True)
class CaseloadRow:
    patient: Patient
    today: date
    open_alerts: int
    unacknowledged_alerts: int
    last_diary_day: date | None
    diary: Rate
    checkins: Rate
    dates: list[date]
    suicide_urges: list[int | None]
    self_harm_urges: list[int | None]
    latest_score: LatestScore | None
    assessment: Assessment

    @property
    def sparkline(self) -> SafeString:
        return urge_sparkline(self.suicide_urges, self.self_harm_urges)

    @property
    def trend_text(self) -> str:
        return text_alternative(self.suicide_urges, self.self_harm_urges)


class Sort:
    ATTENTION = "attention"
    NAME = "name"
    LAST_DIARY = "last-diary"
    CHOICES = (ATTENTION, NAME, LAST_DIARY)


def _scores(patient_ids: list[int]) -> dict[int, list[Score]]:
    """Each patient's latest valid current score per questionnaire, newest first."""
    latest = (
        Score.objects.filter(patient_id__in=patient_ids, is_current=True, value__isnull=False)
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("patient_id"), F("instrument_id")],
                order_by=[F("observed_at").desc(), F("id").desc()],
            )
        )
        .filter(rank=1)
        .select_related("instrument")
        .order_by("patient_id", "-observed_at", "-id")
    )
    found: dict[int, list[Score]] = defaultdict(list)
    for score in latest:
        found[score.patient_id].append(score)
    return found


def _deteriorations(scores: list[Score]) -> tuple[Deterioration, ...]:
    found = []
    for score in scores:
        for against in ("baseline", "previous"):
            change = (score.change or {}).get(against)
            if change and change.get("label") == RELIABLE_DETERIORATION:
                found.append(
                    Deterioration(
                        score.instrument.short_title,
                        against,
                        float(change["before"]),
                        float(change["after"]),
                    )
                )
    return tuple(found)


def _latest(scores: list[Score]) -> LatestScore | None:
    if not scores:
        return None
    score = scores[0]
    change = score.change or {}
    against = "baseline" if "baseline" in change else "previous" if "previous" in change else ""
    return LatestScore(
        instrument=score.instrument.short_title,
        value=float(score.value or 0),
        band=score.band,
        observed_at=score.observed_at,
        change_label=str(change[against]["label"]) if against else "",
        against=against,
    )


def caseload_rows(user: User, query: str = "", now: datetime | None = None) -> list[CaseloadRow]:
    """Every patient on ``user``'s care teams (matching ``query``), in attention order."""
    now = now or timezone.now()
    last_card = DiaryCard.objects.filter(patient=OuterRef("pk")).order_by("-date").values("date")
    patients = list(
        search_patients(caseload_for(user), query)
        .prefetch_related(None)
        .annotate(last_diary_day=Subquery(last_card[:1]))
        .order_by("family_name", "given_name", "pk")
    )
    if not patients:
        return []
    ids = [p.pk for p in patients]
    alerts: dict[int, dict[str, int]] = {
        row["patient_id"]: {"total": row["total"], "unacknowledged": row["unacknowledged"]}
        for row in Alert.objects.filter(patient_id__in=ids)
        .exclude(status=AlertStatus.RESOLVED)
        .values("patient_id")
        .annotate(total=Count("id"), unacknowledged=Count("id", filter=Q(status=AlertStatus.OPEN)))
        .order_by()
    }
    todays = {p.pk: now.astimezone(ZoneInfo(p.time_zone)).date() for p in patients}
    first = min(todays.values()) - timedelta(days=TREND_DAYS - 1)
    days: dict[int, dict[date, PatientDay]] = defaultdict(dict)
    for day in PatientDay.objects.filter(patient_id__in=ids, date__gte=first).order_by():
        days[day.patient_id][day.date] = day
    scores = _scores(ids)

    rows = []
    for patient in patients:
        today = todays[patient.pk]
        mine = days[patient.pk]
        dates = [today - timedelta(days=TREND_DAYS - 1 - n) for n in range(TREND_DAYS)]
        suicide = urge_window({d: r.suicide_urge for d, r in mine.items()}, today, TREND_DAYS)
        self_harm = urge_window({d: r.self_harm_urge for d, r in mine.items()}, today, TREND_DAYS)
        window = [today - timedelta(days=n) for n in range(1, COMPLIANCE_DAYS + 1)]
        shown = [mine[d] for d in window if d in mine]
        diary = Rate(sum(1 for d in shown if d.has_card), COMPLIANCE_DAYS)
        checkins = Rate(sum(d.prompts_answered for d in shown), sum(d.prompts_due for d in shown))
        alert = alerts.get(patient.pk, {})
        last_day: date | None = patient.last_diary_day  # type: ignore[attr-defined]
        signals = Signals(
            name=patient.display_name,
            key=str(patient.public_id),
            today=today,
            open_alerts=alert.get("total", 0),
            unacknowledged_alerts=alert.get("unacknowledged", 0),
            deteriorations=_deteriorations(scores.get(patient.pk, [])),
            suicide_urges=suicide[-14:],
            self_harm_urges=self_harm[-14:],
            uses_app=patient.user_id is not None,
            last_card=last_day,
        )
        rows.append(
            CaseloadRow(
                patient=patient,
                today=today,
                open_alerts=signals.open_alerts,
                unacknowledged_alerts=signals.unacknowledged_alerts,
                last_diary_day=last_day,
                diary=diary,
                checkins=checkins,
                dates=dates,
                suicide_urges=suicide,
                self_harm_urges=self_harm,
                latest_score=_latest(scores.get(patient.pk, [])),
                assessment=assess(signals),
            )
        )
    return order_by_attention(rows, lambda row: row.assessment)


def filter_rows(
    rows: list[CaseloadRow], *, needs_attention: bool = False, reason: ReasonKind | None = None
) -> list[CaseloadRow]:
    if needs_attention:
        rows = [row for row in rows if row.assessment.needs_attention]
    if reason is not None:
        rows = [row for row in rows if reason in row.assessment.kinds]
    return rows


def sort_rows(rows: list[CaseloadRow], sort: str) -> list[CaseloadRow]:
    """``rows`` (in attention order) by name, or by last diary day (longest ago first)."""
    if sort == Sort.NAME:
        return sorted(
            rows, key=lambda r: (r.patient.display_name.casefold(), str(r.patient.public_id))
        )
    if sort == Sort.LAST_DIARY:
        return sorted(
            rows,
            key=lambda r: (
                r.last_diary_day is not None,
                r.last_diary_day or date.min,
                r.patient.display_name.casefold(),
            ),
        )
    return rows
