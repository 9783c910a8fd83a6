"""One patient's analytics page and API: what the charts show, for a period of local days.

Nothing here computes an index, a trend or an association of its own. It gathers a
patient's records with the functions that already do so and hands them to the one
definition of each number:

* diary cards: :func:`diary.queries.cards_between` (emotions per emotion 0–5, urges per
  target 0–5, skill use 0–7, sleep hours, prescribed medication taken); a day without a
  card, or an item left blank, is ``None`` — a gap on the chart, never 0;
* check-ins (EMA): :func:`reports.gather.checkins` (one row per scheduled check-in, a
  missed one is a row of ``None``), and the instability indices per ISO week by
  :func:`reports.content.instability_by_week`, i.e. :func:`analytics.engine.compute_local`;
* questionnaire scores and their severity bands: :func:`measures.queries.series_for`;
* treatment events: :func:`measures.queries.treatment_events` and, for the ones in the
  period, :func:`measures.charts.events_in` (risk alerts are instants only, no text);
* early-warning trends: :func:`analytics.trends.early_warning_trends` (window and method
  stated, the caveat beside them, never an alert);
* what helps: :func:`analytics.helps.what_helps` (observations with a 95 % CI and the
  minimum-data rule).

:func:`patient_analytics` reads (a fixed number of queries, whatever the length of the
history); :func:`chart_payload` turns the result into the JSON that the page's charts and
the API share.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import polars as pl
from django.utils import timezone

from analytics.helps import (
    NOT_ENOUGH,
    OBSERVATION_NOTE,
    Association,
    MinimumData,
    NotEnoughData,
    describe,
    what_helps,
)
from analytics.trends import CAVEAT, Detrend, EarlyWarningTrends, early_warning_trends
from care.models import Patient
from diary.queries import cards_between
from measures.charts import Window, event_label, event_lines, events_in
from measures.queries import EventKind, TreatmentEvent, series_for, treatment_events
from reports.content import Checkin, ItemInstability, instability_by_week
from reports.gather import checkins, local_bounds

#: The period presets (days ending today) and the default.
PRESETS: tuple[int, ...] = (30, 90, 180, 365)
DEFAULT_DAYS = 90
#: The longest custom period (two years and a day, so that a leap year fits).
MAX_DAYS = 731

#: Early-warning trends: the window and detrending the page uses (stated beside them).
TREND_WINDOW_DAYS = 28
TREND_DETREND: Detrend = "linear"

#: What the page says beside every analytic number (as :data:`reports.content.JUDGEMENT_NOTE`).
NOTE = (
    "These analytics support clinical judgement; they are not a diagnosis. Every number, "
    "chart and label on this page is something to look at and ask about, with the patient."
)

MISERY = "emotional misery"


class PeriodError(ValueError):
    """A period that cannot be shown; ``field`` names the input at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Period:
    """Local calendar days ``first`` … ``last`` (inclusive) on the patient's clock."""

    first: date
    last: date

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def dates(self) -> list[date]:
        return [self.first + timedelta(days=n) for n in range(self.days)]


def choose_period(preset: str | None, first: date | None, last: date | None, today: date) -> Period:
    """The period asked for: a preset (``"30"``, ``"90"``, …: that many days ending today),
    ``"custom"`` (``first`` and ``last`` given), or nothing (the last 90 days, or the custom
    dates if any were given). Raises :class:`PeriodError` with a plain message."""
    if not preset:
        preset = "custom" if first is not None or last is not None else str(DEFAULT_DAYS)
    if preset != "custom":
        if preset not in {str(n) for n in PRESETS}:
            shown = ", ".join(str(n) for n in PRESETS)
            raise PeriodError("range", f"Choose one of the periods offered ({shown} days).")
        return Period(today - timedelta(days=int(preset) - 1), today)
    if first is None:
        raise PeriodError("first", "Enter the first day of the period.")
    if last is None:
        raise PeriodError("last", "Enter the last day of the period.")
    if last > today:
        raise PeriodError("last", "The period cannot end after today.")
    if first > last:
        raise PeriodError("first", "The first day must be on or before the last day.")
    if (last - first).days + 1 > MAX_DAYS:
        raise PeriodError("first", f"Choose a period of at most {MAX_DAYS} days.")
    return Period(first, last)


# --- what the page shows ---------------------------------------------------------------------


@dataclass(frozen=True)
class DailySeries:
    """One value per day of the period (``None``: no card that day, or left blank)."""

    key: str
    label: str
    values: list[float | None]

    @property
    def rated_days(self) -> int:
        return sum(1 for v in self.values if v is not None)


@dataclass(frozen=True)
class Diary:
    days: list[date]
    cards: int
    emotions: list[DailySeries]
    urges: list[DailySeries]
    skills_used: DailySeries
    sleep_hours: DailySeries
    #: 1 = prescribed medication taken as prescribed, 0 = not, None = not answered.
    medication: DailySeries
    #: Per skill the patient named on a card (their own words, grouped ignoring case): 1 on
    #: a day whose card names it, 0 on a day with a card that does not, None without a card.
    practised: list[DailySeries] = field(default_factory=list)

    @property
    def adherence(self) -> tuple[int, int]:
        """(days taken as prescribed, days answered)."""
        answered = [v for v in self.medication.values if v is not None]
        return sum(1 for v in answered if v == 1), len(answered)


@dataclass(frozen=True)
class EmaItem:
    item: str
    label: str
    #: (local wall-clock time of the scheduled check-in, answer or None).
    points: list[tuple[datetime, float | None]]


@dataclass(frozen=True)
class Ema:
    due: int
    answered: int
    #: The scale items answered at least once in the period (the others: ``unanswered``).
    items: list[EmaItem]
    instability: list[ItemInstability]
    unanswered: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ScoreSeries:
    key: str
    title: str
    low: float
    high: float
    #: (label, lower, upper) of each severity band, lowest first.
    bands: list[tuple[str, float, float]]
    #: (local time, score, band) of each valid score in the period.
    points: list[tuple[datetime, float, str]]


@dataclass(frozen=True)
class Trend:
    key: str
    label: str
    result: EarlyWarningTrends

    @property
    def n_windows(self) -> int:
        return self.result.windows.height


@dataclass(frozen=True)
class Observation:
    outcome: str
    sentence: str
    result: Association | NotEnoughData


@dataclass(frozen=True)
class PatientAnalytics:
    period: Period
    time_zone: str
    diary: Diary
    ema: Ema
    scores: list[ScoreSeries]
    #: Treatment events in the period (watches overlapping it), oldest first.
    events: list[TreatmentEvent]
    trends: list[Trend]
    helps: list[Observation]
    minimum: MinimumData = field(default_factory=MinimumData)

    @property
    def event_lines(self) -> list[str]:
        return event_lines(self.events)

    @property
    def shows_risk_data(self) -> bool:
        """Urges rated, or a risk alert or high-risk watch in the period."""
        return any(s.rated_days for s in self.diary.urges) or any(
            e.kind in (EventKind.ALERT, EventKind.WATCH) for e in self.events
        )


def _number(value: Any) -> float | None:
    if value is None:
        return None
    number = float(value)
    return None if math.isnan(number) else number


def diary_of(patient: Patient, period: Period) -> Diary:
    """The diary series of the period, one value per day (three queries)."""
    cards = cards_between(patient, period.first, period.last)
    days = period.dates()
    emotions: dict[str, dict[date, float | None]] = {}
    emotion_order: dict[str, tuple[int, int]] = {}
    urges: dict[str, dict[date, float | None]] = {}
    urge_order: dict[str, tuple[int, int]] = {}
    for day, card in cards.items():
        for row in card.emotions.all():
            name = row.emotion.name
            emotion_order.setdefault(name, (row.emotion.position, row.emotion.pk))
            emotions.setdefault(name, {})[day] = _number(row.rating)
        for target_row in card.targets.all():
            name = target_row.target.name
            urge_order.setdefault(name, (target_row.target.position, target_row.target.pk))
            urges.setdefault(name, {})[day] = _number(target_row.urge)

    def series(key: str, label: str, by_day: dict[date, float | None]) -> DailySeries:
        return DailySeries(key, label, [by_day.get(d) for d in days])

    named: dict[str, str] = {}  # casefolded → as first written
    for card in cards.values():
        for skill in card.skills:
            if str(skill).strip():
                named.setdefault(str(skill).strip().casefold(), str(skill).strip())

    def practised(key: str) -> dict[date, float | None]:
        return {
            day: float(any(str(s).strip().casefold() == key for s in card.skills))
            for day, card in cards.items()
        }

    def card_values(attribute: str) -> dict[date, float | None]:
        found: dict[date, float | None] = {}
        for day, card in cards.items():
            value = getattr(card, attribute)
            found[day] = None if value is None else float(value)
        return found

    return Diary(
        days=days,
        cards=len(cards),
        emotions=[
            series(f"emotion-{n}", name, emotions[name])
            for n, name in enumerate(sorted(emotions, key=lambda k: emotion_order[k]))
        ],
        urges=[
            series(f"urge-{n}", name, urges[name])
            for n, name in enumerate(sorted(urges, key=lambda k: urge_order[k]))
        ],
        skills_used=series("skills", "Skills used (0–7)", card_values("skills_used")),
        sleep_hours=series("sleep", "Hours of sleep", card_values("sleep_hours")),
        medication=series(
            "medication", "Medication taken as prescribed", card_values("prescribed_meds_taken")
        ),
        practised=[
            series(f"skill-{n}", named[key], practised(key)) for n, key in enumerate(sorted(named))
        ],
    )


def ema_of(
    found: list[Checkin], items: list[tuple[str, str]], period: Period, zone: ZoneInfo
) -> Ema:
    """Momentary series per scale item and the weekly instability indices (the engine)."""
    ordered = sorted(found, key=lambda c: c.at)
    local = [c.at.astimezone(zone).replace(tzinfo=None) for c in ordered]
    answered = [
        (item, label)
        for item, label in items
        if any(c.values.get(item) is not None for c in ordered)
    ]
    return Ema(
        due=len(ordered),
        answered=sum(1 for c in ordered if c.answered),
        items=[
            EmaItem(
                item,
                label,
                [(at, c.values.get(item)) for at, c in zip(local, ordered, strict=True)],
            )
            for item, label in answered
        ],
        instability=instability_by_week(ordered, answered, period.first),
        unanswered=[label for item, label in items if (item, label) not in answered],
    )


def scores_of(
    patient: Patient, start: datetime, end: datetime, zone: ZoneInfo
) -> list[ScoreSeries]:
    """Each instrument's valid scores in the period, with the severity bands of its newest
    definition (one query)."""
    found = []
    for series in series_for(patient):
        points = [
            (s.observed_at.astimezone(zone).replace(tzinfo=None), float(s.value), s.band)
            for s in series.scores
            if s.value is not None and start <= s.observed_at < end
        ]
        if not points:
            continue
        definition = series.definition
        low, high = (float(v) for v in definition.score_range())
        lowers = [float(b.lower) for b in definition.bands]
        bands = [
            (band.label, lowers[n], lowers[n + 1] if n + 1 < len(lowers) else high)
            for n, band in enumerate(definition.bands)
        ]
        found.append(
            ScoreSeries(series.instrument.key, definition.short_title, low, high, bands, points)
        )
    return found


def trends_of(diary: Diary) -> list[Trend]:
    """Early-warning trends of emotional misery and each urge (the trends module)."""
    chosen = [(s, s.label) for s in diary.emotions if s.label.strip().lower() == MISERY] + [
        (s, f"Urge: {s.label}") for s in diary.urges
    ]
    found = []
    for series, label in chosen:
        if not series.rated_days:
            continue
        frame = pl.DataFrame(
            {"date": diary.days, "value": series.values},
            schema={"date": pl.Date, "value": pl.Float64},
        )
        result = early_warning_trends(
            frame, window_days=TREND_WINDOW_DAYS, detrend_method=TREND_DETREND
        )
        found.append(Trend(series.key, label, result))
    return found


def helps_of(diary: Diary, minimum: MinimumData) -> list[Observation]:
    """Skill use on a day, and each skill the patient practised on enough days (the
    minimum-data rule's ``days_with``), against each urge and emotional misery the next
    day."""
    outcomes = [s for s in diary.urges] + [
        s for s in diary.emotions if s.label.strip().lower() == MISERY
    ]
    skills = [s for s in diary.practised if sum(1 for v in s.values if v == 1) >= minimum.days_with]
    if not outcomes or not (diary.skills_used.rated_days or skills):
        return []
    columns = [diary.skills_used, *outcomes, *skills]
    frame = pl.DataFrame(
        {"date": diary.days, **{s.key: s.values for s in columns}},
        schema={"date": pl.Date, **{s.key: pl.Float64 for s in columns}},
    )
    results = what_helps(
        frame,
        outcomes=[s.key for s in outcomes],
        skills_used="skills" if diary.skills_used.rated_days else None,
        skills=[s.key for s in skills],
        minimum=minimum,
    )
    labels = {s.key: s.label for s in outcomes}
    exposures = {"skills": "used more skills"} | {s.key: f"practised “{s.label}”" for s in skills}
    return [
        Observation(
            outcome=labels[r.outcome],
            sentence=describe(
                r,
                exposure_label=exposures[r.exposure],
                outcome_label=_outcome_words(labels[r.outcome]),
            ),
            result=r,
        )
        for r in results
    ]


def _outcome_words(label: str) -> str:
    if label.strip().lower() == MISERY:
        return "your emotional misery"
    return f"your urge ({label.lower()})"


def patient_analytics(
    patient: Patient, period: Period, now: datetime | None = None
) -> PatientAnalytics:
    """Everything the analytics page of ``patient`` shows for ``period`` (a fixed number of
    queries: diary 3, check-ins 1, scores 1, treatment events 4)."""
    now = now or timezone.now()
    zone = ZoneInfo(patient.time_zone)
    start, end = local_bounds(period.first, period.last, zone)
    diary = diary_of(patient, period)
    found, items = checkins(patient, start, end, now)
    minimum = MinimumData()
    events = events_in(Window(start, min(end, now)), treatment_events(patient))
    return PatientAnalytics(
        period=period,
        time_zone=patient.time_zone,
        diary=diary,
        ema=ema_of(found, items, period, zone),
        scores=scores_of(patient, start, end, zone),
        events=events,
        trends=trends_of(diary),
        helps=helps_of(diary, minimum),
        minimum=minimum,
    )


# --- the JSON the charts and the API share -------------------------------------------------------


def _iso(value: date | datetime) -> str:
    return value.isoformat(timespec="minutes") if isinstance(value, datetime) else value.isoformat()


def _series(series: DailySeries) -> dict[str, Any]:
    return {"key": series.key, "label": series.label, "values": series.values}


def _event(event: TreatmentEvent, zone: ZoneInfo) -> dict[str, Any]:
    at = event.at.astimezone(zone).replace(tzinfo=None)
    found: dict[str, Any] = {"kind": str(event.kind), "at": _iso(at), "label": event_label(event)}
    if event.kind == EventKind.WATCH:
        until = None if event.until is None else event.until.astimezone(zone).replace(tzinfo=None)
        found["until"] = None if until is None else _iso(until)
    if event.kind == EventKind.PLAN:
        found["number"] = event.number
    return found


def _result(observation: Observation) -> dict[str, Any]:
    r = observation.result
    base: dict[str, Any] = {
        "exposure": "skills_used",
        "outcome": observation.outcome,
        "kind": r.kind,
        "pairs": r.n,
        "sentence": observation.sentence,
    }
    if isinstance(r, NotEnoughData):
        return base | {"estimate": None, "ci_low": None, "ci_high": None, "reason": r.reason}
    return base | {"estimate": r.estimate, "ci_low": r.ci_low, "ci_high": r.ci_high}


def chart_payload(analytics: PatientAnalytics) -> dict[str, Any]:
    """The page's chart data and the API's answer: plain JSON. Dates and times are the
    patient's local wall-clock (ISO 8601 without an offset); ``null`` is missing."""
    period = analytics.period
    zone = ZoneInfo(analytics.time_zone)
    diary = analytics.diary
    taken, answered = diary.adherence
    return {
        "first": period.first.isoformat(),
        "last": period.last.isoformat(),
        "axis": [_iso(period.first), _iso(period.last + timedelta(days=1))],
        "time_zone": analytics.time_zone,
        "note": NOTE,
        "diary": {
            "days": [d.isoformat() for d in diary.days],
            "cards": diary.cards,
            "emotions": [_series(s) for s in diary.emotions],
            "urges": [_series(s) for s in diary.urges],
            "skills_used": _series(diary.skills_used),
            "sleep_hours": _series(diary.sleep_hours),
            "medication": _series(diary.medication),
            "adherence": {"taken": taken, "answered": answered},
        },
        "ema": {
            "due": analytics.ema.due,
            "answered": analytics.ema.answered,
            "items": [
                {
                    "item": one.item,
                    "label": one.label,
                    "times": [_iso(at) for at, _value in one.points],
                    "values": [value for _at, value in one.points],
                }
                for one in analytics.ema.items
            ],
            "instability": [
                {
                    "item": one.item,
                    "label": one.label,
                    "pac_threshold": one.pac_threshold,
                    "pac_rule": one.pac_rule,
                    "weeks": [
                        {
                            "week": w.monday.isoformat(),
                            "start": w.start.isoformat(),
                            "n_obs": w.n_obs,
                            "mean": w.mean,
                            "sd": w.sd,
                            "mssd": w.mssd,
                            "rmssd": w.rmssd,
                            "pac": w.pac,
                            "acf_lag1": w.acf_lag1,
                        }
                        for w in one.weeks
                    ],
                }
                for one in analytics.ema.instability
            ],
        },
        "scores": [
            {
                "key": s.key,
                "title": s.title,
                "range": [s.low, s.high],
                "bands": [{"label": b, "lower": lo, "upper": hi} for b, lo, hi in s.bands],
                "times": [_iso(at) for at, _v, _b in s.points],
                "values": [v for _at, v, _b in s.points],
                "band_of_each": [b for _at, _v, b in s.points],
            }
            for s in analytics.scores
        ],
        "events": [_event(e, zone) for e in analytics.events],
        "trends": {
            "window_days": TREND_WINDOW_DAYS,
            "detrend": TREND_DETREND,
            "caveat": CAVEAT,
            "series": [
                {
                    "key": t.key,
                    "label": t.label,
                    "method": t.result.method.description,
                    "tau_variance": t.result.variance.tau,
                    "p_variance": t.result.variance.p_value,
                    "tau_acf_lag1": t.result.acf_lag1.tau,
                    "p_acf_lag1": t.result.acf_lag1.p_value,
                    "windows": [
                        {
                            "end": row["window_end"].isoformat(),
                            "n_obs": row["n_obs"],
                            "variance": row["variance"],
                            "acf_lag1": row["acf_lag1"],
                        }
                        for row in t.result.windows.iter_rows(named=True)
                    ],
                }
                for t in analytics.trends
            ],
        },
        "helps": {
            "note": OBSERVATION_NOTE,
            "not_enough": NOT_ENOUGH,
            "minimum_pairs": analytics.minimum.pairs,
            "observations": [_result(o) for o in analytics.helps],
        },
    }


# --- the words beside each chart (its accessible name and summary) -------------------------------


def number(value: float | None) -> str:
    """Up to two decimals, no trailing zeros; "—" for missing."""
    if value is None:
        return "—"
    return f"{value:.2f}".rstrip("0").rstrip(".")


def summarise(series: DailySeries) -> str:
    """One daily series in words: on how many days it was rated, its range, mean and the
    most recent value."""
    known = [v for v in series.values if v is not None]
    if not known:
        return f"{series.label}: not rated in this period"
    return (
        f"{series.label}: rated on {len(known)} of {len(series.values)} days; lowest "
        f"{number(min(known))}, highest {number(max(known))}, mean "
        f"{number(sum(known) / len(known))}, most recent {number(known[-1])}"
    )


def chart_texts(analytics: PatientAnalytics) -> dict[str, str]:
    """The accessible name of each chart (by its id on the page): what it shows in numbers.
    The tables under the charts hold every value."""
    diary = analytics.diary
    days = analytics.period.days
    taken, answered = diary.adherence
    texts = {
        "emotions": f"Emotions (0–5) per day over {days} days. "
        + ". ".join(summarise(s) for s in diary.emotions),
        "urges": f"Urges (0–5) per day over {days} days. "
        + ". ".join(summarise(s) for s in diary.urges),
        "skills": f"Skill use (0–7) per day over {days} days. " + summarise(diary.skills_used),
        "sleep": f"Hours of sleep per day over {days} days. " + summarise(diary.sleep_hours),
        "medication": (
            f"Prescribed medication taken as prescribed on {taken} of {answered} days "
            f"answered ({days} days in the period)."
        ),
        "events": "Treatment events: "
        + ("; ".join(analytics.event_lines) or "none in this period")
        + ".",
    }
    ema_parts = []
    for item in analytics.ema.items:
        known = [v for _at, v in item.points if v is not None]
        if known:
            ema_parts.append(
                f"{item.label}: answered at {len(known)} of {len(item.points)} check-ins; "
                f"lowest {number(min(known))}, highest {number(max(known))}, mean "
                f"{number(sum(known) / len(known))}"
            )
        else:
            ema_parts.append(f"{item.label}: no answers in this period")
    if analytics.ema.unanswered:
        ema_parts.append("Never answered: " + ", ".join(analytics.ema.unanswered))
    texts["ema"] = "Check-in answers over time. " + ". ".join(ema_parts)
    texts["instability"] = (
        "Within-day mean squared successive difference (MSSD) per ISO week, per check-in "
        "item; the values are in the table below."
    )
    for score in analytics.scores:
        first, last = score.points[0], score.points[-1]
        texts[f"score-{score.key}"] = (
            f"{score.title} scores: {len(score.points)} in this period, from "
            f"{number(first[1])} ({first[2] or 'no band'}) on {first[0]:%d %b %Y} to "
            f"{number(last[1])} ({last[2] or 'no band'}) on {last[0]:%d %b %Y}. Severity "
            "bands: " + ", ".join(f"{b} {number(lo)}–{number(hi)}" for b, lo, hi in score.bands)
        )
    for trend in analytics.trends:
        result = trend.result
        texts[f"trend-{trend.key}"] = (
            f"{trend.label}: rolling variance and lag-1 autocorrelation in "
            f"{result.method.window_days}-day windows ({result.windows.height} windows). "
            f"Kendall's τ of the variance {number(result.variance.tau)}, of the lag-1 "
            f"autocorrelation {number(result.acf_lag1.tau)}."
        )
    return texts


def diary_table(diary: Diary, series: list[DailySeries]) -> list[tuple[date, list[float | None]]]:
    """Rows of a day-by-day table of ``series``: (day, values), newest first."""
    return [
        (day, [s.values[n] for s in series]) for n, day in reversed(list(enumerate(diary.days)))
    ]
