"""What a progress report says, computed from plain data (no Django, no database).

:mod:`reports.gather` reads a patient's records into the dataclasses below; the functions
here turn them into the report's sections. Each is a pure function, tested on hand-built
data (``reports/tests/test_content.py``).

* **Weekly diary means** (:func:`weekly_diary`): for each ISO week (Monday to Sunday) that
  overlaps the period, cut to the period, the arithmetic mean of each rating over the
  cards of that week that have a value (missing values are left out, never taken as 0).
  Ratings: emotional misery 0–5, urges 0–5 (suicide, self-harm, alcohol or drugs; where a
  card has two targets of one kind, the higher urge), skills use 0–7 (the diary card's
  ordinal code, ``CLINICAL.md`` §2: its mean only reads as "higher or lower codes"), and
  hours of sleep.
* **Days acted on** (:func:`acted_days`): per target, the days its "acted on" was yes.
* **Instability indices per week** (:func:`instability_by_week`): computed by
  :func:`analytics.engine.compute_local`, never re-implemented here (``CLINICAL.md`` §5).
  One unit is the patient in one ISO week; every scheduled check-in is a row (a missed
  one breaks the pairs on each side); only pairs within a day count (overnight pairs are
  dropped, §5). PAC uses the pooled rule of Trull et al. (2008): the threshold is the 0.9
  quantile of \\|Δ\\| pooled over this patient's weeks in the period, and is stated with
  the table.
* **Skills practised** (:func:`skills_practised`): per skill, how many times, and the mean
  change in distress (after − before, 0–100; negative: distress went down).
* **Safety events** (:func:`safety_events`): alerts counted by rule, high-risk watch
  periods and safety-plan versions, with dates only — no text.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import polars as pl

from analytics.engine import Columns, compute_local
from analytics.indices import IndexOptions, PacRule

#: The urges a report follows, by diary target kind, in the order shown.
URGE_KINDS: tuple[tuple[str, str], ...] = (
    ("suicide", "Urge: suicide"),
    ("self_harm", "Urge: self-harm"),
    ("substance", "Urge: alcohol or drugs"),
)

#: Analytic numbers in a report are shown beside this, in plain words.
JUDGEMENT_NOTE = (
    "Every number, chart and label in this report supports clinical judgement; none of "
    "them is a diagnosis."
)

#: The PAC rule a report uses (the default of Trull et al. 2008).
PAC_RULE = PacRule()


def week_start(day: date) -> date:
    """The Monday of ``day``'s ISO week."""
    return day - timedelta(days=day.weekday())


def mean(values: Iterable[float | None]) -> float | None:
    """The mean of the values that are present (None and NaN are missing); None if none."""
    present = [float(v) for v in values if v is not None and not math.isnan(float(v))]
    return sum(present) / len(present) if present else None


# --- diary -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class DiaryDay:
    """One diary card, reduced to what a report uses."""

    date: date
    misery: int | None = None
    #: Urge 0–5 by target kind (``suicide``, ``self_harm``, ``substance``, …).
    urges: Mapping[str, int | None] = field(default_factory=dict)
    #: Whether each target (by its name on the card) was acted on.
    acted: Mapping[str, bool | None] = field(default_factory=dict)
    skills_used: int | None = None
    sleep_hours: float | None = None
    note: str = ""


@dataclass(frozen=True)
class DiaryWeek:
    monday: date
    first: date
    last: date
    cards: int
    days: int
    misery: float | None
    urges: Mapping[str, float | None]
    skills_used: float | None
    sleep_hours: float | None
    acted_days: int

    @property
    def urge_values(self) -> list[float | None]:
        """The weekly mean urges in the order of :data:`URGE_KINDS`."""
        return [self.urges.get(kind) for kind, _label in URGE_KINDS]


def period_weeks(first: date, last: date) -> list[tuple[date, date, date]]:
    """(Monday, first day, last day) of each ISO week overlapping ``first``…``last``, cut to it."""
    weeks = []
    monday = week_start(first)
    while monday <= last:
        weeks.append((monday, max(monday, first), min(monday + timedelta(days=6), last)))
        monday += timedelta(days=7)
    return weeks


def weekly_diary(days: Sequence[DiaryDay], first: date, last: date) -> list[DiaryWeek]:
    """Weekly means of the diary ratings over the cards of each week (see the module)."""
    by_week: dict[date, list[DiaryDay]] = defaultdict(list)
    for day in days:
        if first <= day.date <= last:
            by_week[week_start(day.date)].append(day)
    weeks = []
    for monday, start, end in period_weeks(first, last):
        cards = by_week.get(monday, [])
        weeks.append(
            DiaryWeek(
                monday=monday,
                first=start,
                last=end,
                cards=len(cards),
                days=(end - start).days + 1,
                misery=mean(c.misery for c in cards),
                urges={kind: mean(c.urges.get(kind) for c in cards) for kind, _ in URGE_KINDS},
                skills_used=mean(c.skills_used for c in cards),
                sleep_hours=mean(c.sleep_hours for c in cards),
                acted_days=sum(1 for c in cards if any(v is True for v in c.acted.values())),
            )
        )
    return weeks


def acted_days(days: Sequence[DiaryDay]) -> list[tuple[str, int]]:
    """Per target name, the number of days it was acted on (targets never acted on: 0), and
    ``"Any target"`` last."""
    counts: Counter[str] = Counter()
    names: dict[str, None] = {}
    any_days = 0
    for day in days:
        for name, acted in day.acted.items():
            names.setdefault(name)
            if acted is True:
                counts[name] += 1
        if any(v is True for v in day.acted.values()):
            any_days += 1
    return [(name, counts[name]) for name in names] + [("Any target", any_days)]


# --- check-ins (EMA) ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Checkin:
    """One scheduled check-in: when, the patient's local day, and the scale answers (all
    missing when it was not answered)."""

    at: datetime
    day: date
    answered: bool
    values: Mapping[str, float | None] = field(default_factory=dict)


@dataclass(frozen=True)
class WeekIndices:
    monday: date
    #: The week's first day in the period (its Monday, or the period's first day).
    start: date
    n_rows: int
    n_obs: int
    mean: float | None
    sd: float | None
    mssd: float | None
    pac: float | None
    acf_lag1: float | None
    #: √MSSD (within-day), the engine's ``rmssd_withinday``.
    rmssd: float | None = None


@dataclass(frozen=True)
class ItemInstability:
    item: str
    label: str
    weeks: list[WeekIndices]
    #: The PAC threshold c in the item's units (None: no within-day pairs at all).
    pac_threshold: float | None
    pac_rule: str

    @property
    def pac_informative(self) -> bool:
        """False when c is 0 (most changes were 0): every pair would count as acute."""
        return self.pac_threshold is not None and self.pac_threshold > 0

    @property
    def pac_threshold_text(self) -> str:
        return "—" if self.pac_threshold is None else f"{self.pac_threshold:.4g}"


def checkin_frame(checkins: Sequence[Checkin], items: Sequence[str]) -> pl.DataFrame:
    """The tidy frame :mod:`analytics.engine` reads: one row per scheduled check-in."""
    return pl.DataFrame(
        {
            "person": [1] * len(checkins),
            "t": [c.at.replace(tzinfo=None) for c in checkins],
            "day": [c.day for c in checkins],
            "week": [week_start(c.day) for c in checkins],
            **{
                item: [None if c.values.get(item) is None else c.values[item] for c in checkins]
                for item in items
            },
        },
        schema={
            "person": pl.Int64,
            "t": pl.Datetime("us"),
            "day": pl.Date,
            "week": pl.Date,
            **dict.fromkeys(items, pl.Float64),
        },
    )


def _number(value: object) -> float | None:
    if value is None:
        return None
    number = float(value)  # type: ignore[arg-type]
    return None if math.isnan(number) else number


def instability_by_week(
    checkins: Sequence[Checkin], items: Sequence[tuple[str, str]], first: date | None = None
) -> list[ItemInstability]:
    """Per item (id, label): n, mean, SD, within-day MSSD, PAC and lag-1 autocorrelation for
    each ISO week with check-ins, by :func:`analytics.engine.compute_local`."""
    ids = [item for item, _label in items]
    if not checkins or not ids:
        return []
    ordered = sorted(checkins, key=lambda c: c.at)
    result = compute_local(
        checkin_frame(ordered, ids),
        Columns(id="person", time="t", items=tuple(ids), day="day", period="week"),
        IndexOptions(pac=PAC_RULE),
    )
    found = []
    for item, label in items:
        rows = result.frame.filter(pl.col("item") == item).sort("week")
        weeks = [
            WeekIndices(
                monday=row["week"],
                start=row["week"] if first is None else max(row["week"], first),
                n_rows=int(row["n_rows"]),
                n_obs=int(row["n_obs"]),
                mean=_number(row["mean"]),
                sd=_number(row["sd"]),
                mssd=_number(row["mssd_withinday"]),
                pac=_number(row["pac_withinday"]),
                acf_lag1=_number(row["acf_lag1_withinday"]),
                rmssd=_number(row["rmssd_withinday"]),
            )
            for row in rows.iter_rows(named=True)
        ]
        threshold = result.thresholds.get(item, {}).get("withinday")
        found.append(
            ItemInstability(
                item=item,
                label=label,
                weeks=weeks,
                pac_threshold=_number(threshold),
                pac_rule=PAC_RULE.label,
            )
        )
    return found


# --- skills -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Practice:
    skill: str
    distress_before: int
    distress_after: int


@dataclass(frozen=True)
class SkillLine:
    skill: str
    times: int
    #: Mean of (after − before), 0–100 scale; negative: distress went down.
    mean_change: float


def skills_practised(practices: Sequence[Practice]) -> list[SkillLine]:
    """Per skill: times practised and the mean change in distress; most practised first."""
    by_skill: dict[str, list[int]] = defaultdict(list)
    for one in practices:
        by_skill[one.skill].append(one.distress_after - one.distress_before)
    lines = [
        SkillLine(skill, len(changes), sum(changes) / len(changes))
        for skill, changes in by_skill.items()
    ]
    return sorted(lines, key=lambda line: (-line.times, line.skill))


# --- safety -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Watch:
    started: date
    ended: date | None


@dataclass(frozen=True)
class SafetyEvents:
    alerts_by_rule: list[tuple[str, int]]
    alerts: int
    watches: list[Watch]
    plan_versions: list[tuple[int, date]]


def safety_events(
    alert_rules: Sequence[str],
    watches: Sequence[Watch],
    plan_versions: Sequence[tuple[int, date]],
) -> SafetyEvents:
    """Alerts counted by rule (most first), watch periods and plan versions by date."""
    counts = Counter(alert_rules)
    return SafetyEvents(
        alerts_by_rule=sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])),
        alerts=len(alert_rules),
        watches=sorted(watches, key=lambda w: w.started),
        plan_versions=sorted(plan_versions),
    )


# --- the summary ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Summary:
    first: date
    last: date
    days: int
    cards: int
    checkins_due: int
    checkins_answered: int

    @property
    def card_rate(self) -> float | None:
        return self.cards / self.days if self.days else None

    @property
    def checkin_rate(self) -> float | None:
        return self.checkins_answered / self.checkins_due if self.checkins_due else None


def summary(
    first: date, last: date, days: Sequence[DiaryDay], checkins: Sequence[Checkin]
) -> Summary:
    """Diary cards filled against days in the period; check-ins answered against due."""
    return Summary(
        first=first,
        last=last,
        days=(last - first).days + 1,
        cards=sum(1 for d in days if first <= d.date <= last),
        checkins_due=sum(1 for c in checkins if first <= c.day <= last),
        checkins_answered=sum(1 for c in checkins if first <= c.day <= last and c.answered),
    )
