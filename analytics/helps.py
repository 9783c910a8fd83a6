"""What helps me: one patient's skill use on a day and their ratings the next day.

**An association, not an effect.** Every number here describes how two things went
together in one person's diary. It does not show that using skills *caused* the next
day's ratings. Other explanations fit the same numbers. A shared trend (both improving
over the months of treatment), a third factor (a calmer week allows more practice and
brings fewer urges), and the reverse direction (days with fewer urges leave room for
practice) are all possible. Results are worded as observations to discuss with the
therapist (:func:`describe`), never as conclusions.

Input: a tidy frame with one row per diary day for one patient. It has a date, the
day's ``skills_used`` code (0–7, diary card, ``CLINICAL.md`` §2), optional per-skill practice
columns (True/False or a count; > 0 counts as "practised"), and the day's outcome ratings
(urges 0–5, emotional misery 0–5). NaN and null are missing.

**Pairs.** For an exposure e and an outcome y, a pair is (e on day d, y on day d + 1) for
two consecutive calendar days that both have a value. A day absent from the frame, or a
missing value, breaks the pair on each side. Nothing is interpolated.

**Estimates** (one model, ordinary least squares, over the n pairs (xᵢ, yᵢ)):

* Skill use (``skills_used``, a number): the OLS slope
  b = Σ(xᵢ − x̄)(yᵢ − ȳ)/Σ(xᵢ − x̄)², the average difference in the next day's rating per
  one point higher on the skills scale. Its standard error is
  SE = √[s²/Σ(xᵢ − x̄)²], with s² = Σ(yᵢ − ŷᵢ)²/(n − 2).
* A practised skill (practised or not): the difference in means
  d = ȳ(practised) − ȳ(not practised). This is the OLS slope on a 0/1 indicator, so it
  has the same SE, which is the pooled-variance (Student) two-sample SE.

The 95 % confidence interval is b ± t₀.₉₇₅,ₙ₋₂·SE (t-distribution, ``scipy.stats.t``).

**Minimum data** (:class:`MinimumData`, a parameter). An association needs at least
``pairs`` valid pairs (default 14). For a practised skill it also needs at least
``days_with`` pairs after a day with practice and ``days_without`` pairs after a day
without (default 5 each). Both the exposure and the outcome must also vary among the
pairs. Otherwise the result is :class:`NotEnoughData`, which gives the reason instead of a
number.

Limits worth stating beside the numbers:

* The interval assumes independent days. Diary ratings are autocorrelated, which makes
  the interval too narrow.
* The 0–7 skills code is ordinal, not a count. Its steps mix effort, success and
  helpfulness (6 = "used without trying, didn't help" sits above 5 = "tried, could use
  them, helped"). The slope therefore reads only as "higher codes versus lower codes".
* Looking at many skills and outcomes will turn up some intervals that exclude zero by
  chance.

This module imports no Django.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import narwhals as nw
import numpy as np
import polars as pl
from narwhals.typing import IntoDataFrame

Kind = Literal["slope", "difference"]

#: What a page shows instead of a number when the minimum-data rule is not met.
NOT_ENOUGH = "not enough data yet"

#: Shown once under the observations (``describe``), in plain words.
OBSERVATION_NOTE = (
    "These are patterns in your own diary, to talk over with your therapist. They show "
    "what tended to go together, not what caused what. Other things in your life may "
    "explain them, and they can change as more days are added."
)


@dataclass(frozen=True)
class MinimumData:
    """The minimum-data rule; every result states the rule it was checked against."""

    pairs: int = 14
    days_with: int = 5
    days_without: int = 5

    def __post_init__(self) -> None:
        if self.pairs < 3:
            raise ValueError("an interval needs at least 3 pairs")
        if self.days_with < 1 or self.days_without < 1:
            raise ValueError("days_with and days_without must be at least 1")


@dataclass(frozen=True)
class Association:
    """An observed association between an exposure today and an outcome tomorrow.

    ``estimate`` is the OLS slope (``kind="slope"``) or the difference in means, practised
    minus not practised (``kind="difference"``). The interval is the 95 % t-interval. ``n``
    counts the pairs of consecutive days. ``n_with`` and ``n_without`` are set for a
    practised skill.
    """

    exposure: str
    outcome: str
    kind: Kind
    estimate: float
    ci_low: float
    ci_high: float
    standard_error: float
    n: int
    n_with: int | None
    n_without: int | None
    minimum: MinimumData


@dataclass(frozen=True)
class NotEnoughData:
    """No number: the minimum-data rule is not met (``reason`` says how)."""

    exposure: str
    outcome: str
    kind: Kind
    reason: str
    n: int
    n_with: int | None
    n_without: int | None
    minimum: MinimumData
    message: str = NOT_ENOUGH


Result = Association | NotEnoughData


def next_day_pairs(
    frame: IntoDataFrame, exposure: str, outcome: str, *, date_col: str = "date"
) -> pl.DataFrame:
    """Pairs (x = exposure on day d, y = outcome on day d + 1) over consecutive calendar
    days that both have a value: columns ``date`` (day d), ``x``, ``y``."""
    native = nw.from_native(frame, eager_only=True).to_polars()
    data = native.select(
        pl.col(date_col).cast(pl.Date).alias("date"),
        pl.col(exposure).cast(pl.Float64).fill_nan(None).alias("x"),
        pl.col(outcome).cast(pl.Float64).fill_nan(None).alias("y"),
    )
    if data["date"].null_count():
        raise ValueError(f"column {date_col!r} has empty dates")
    duplicated = data.filter(pl.col("date").is_duplicated())["date"].unique().sort()
    if duplicated.len():
        shown = ", ".join(d.isoformat() for d in duplicated.head(5).to_list())
        raise ValueError(f"more than one row for a day: {shown}")
    tomorrow = data.select(
        (pl.col("date") - pl.duration(days=1)).alias("date"), pl.col("y").alias("y_next")
    )
    return (
        data.select("date", "x")
        .join(tomorrow, on="date", how="inner")
        .rename({"y_next": "y"})
        .drop_nulls(["x", "y"])
        .sort("date")
    )


def _t_quantile(df: int) -> float:
    from scipy.stats import t  # type: ignore[import-untyped]

    return float(t.ppf(0.975, df))


def ols_slope(x: np.ndarray, y: np.ndarray) -> tuple[float, float, float, float]:
    """(b, SE, ci_low, ci_high) of the OLS slope of y on x (module docstring formulas).
    Needs n ≥ 3 and spread in x."""
    n = len(x)
    xc = x - x.mean()
    sxx = float(np.dot(xc, xc))
    b = float(np.dot(xc, y - y.mean())) / sxx
    residuals = y - y.mean() - b * xc
    s2 = float(np.dot(residuals, residuals)) / (n - 2)
    se = math.sqrt(s2 / sxx)
    half = _t_quantile(n - 2) * se
    return b, se, b - half, b + half


def associate(
    frame: IntoDataFrame,
    exposure: str,
    outcome: str,
    *,
    kind: Kind = "slope",
    date_col: str = "date",
    minimum: MinimumData | None = None,
) -> Result:
    """The association between ``exposure`` on a day and ``outcome`` the next calendar day.

    ``kind="slope"`` treats the exposure as a number, such as the 0–7 skills code.
    ``kind="difference"`` treats it as practised (> 0) or not. This is an association for
    discussion, not an effect of the exposure (see the module docstring).
    """
    minimum = minimum or MinimumData()
    pairs = next_day_pairs(frame, exposure, outcome, date_col=date_col)
    x = pairs["x"].to_numpy().astype(float)
    y = pairs["y"].to_numpy().astype(float)
    n = len(x)
    n_with: int | None = None
    n_without: int | None = None
    if kind == "difference":
        x = (x > 0).astype(float)
        n_with = int(x.sum())
        n_without = n - n_with

    def not_enough(reason: str) -> NotEnoughData:
        return NotEnoughData(
            exposure=exposure,
            outcome=outcome,
            kind=kind,
            reason=reason,
            n=n,
            n_with=n_with,
            n_without=n_without,
            minimum=minimum,
        )

    if n < minimum.pairs:
        return not_enough(f"{n} pairs of consecutive days so far; {minimum.pairs} needed")
    if n_with is not None and n_without is not None:
        if n_with < minimum.days_with:
            return not_enough(
                f"{n_with} days with this skill practised (followed by a rated day) so far; "
                f"{minimum.days_with} needed"
            )
        if n_without < minimum.days_without:
            return not_enough(
                f"{n_without} days without this skill (followed by a rated day) so far; "
                f"{minimum.days_without} needed"
            )
    if np.ptp(x) == 0:
        return not_enough("skill use was the same on every day, so there is nothing to compare")
    if np.ptp(y) == 0:
        return not_enough(f"the rating was {y[0]:g} on every day, so there is nothing to compare")
    b, se, low, high = ols_slope(x, y)
    return Association(
        exposure=exposure,
        outcome=outcome,
        kind=kind,
        estimate=b,
        ci_low=low,
        ci_high=high,
        standard_error=se,
        n=n,
        n_with=n_with,
        n_without=n_without,
        minimum=minimum,
    )


def what_helps(
    frame: IntoDataFrame,
    *,
    outcomes: Sequence[str],
    skills_used: str | None = "skills_used",
    skills: Sequence[str] = (),
    date_col: str = "date",
    minimum: MinimumData | None = None,
) -> list[Result]:
    """Every association of a patient's diary: skill use (slope) and each practised skill
    (difference in means) against each outcome the next day, exposure by exposure."""
    exposures: list[tuple[str, Kind]] = []
    if skills_used is not None:
        exposures.append((skills_used, "slope"))
    exposures += [(skill, "difference") for skill in skills]
    return [
        associate(frame, exposure, outcome, kind=kind, date_col=date_col, minimum=minimum)
        for exposure, kind in exposures
        for outcome in outcomes
    ]


def _number(value: float) -> str:
    """One decimal, a true minus sign, and no "−0.0"."""
    text = f"{value:.1f}"
    if text in {"-0.0", "0.0"}:
        return "0.0"
    return text.replace("-", "−")


def describe(result: Result, *, exposure_label: str, outcome_label: str) -> str:
    """The result as one sentence of observation, for the patient and therapist to discuss.

    ``exposure_label`` completes "On days after you …" ("used more skills", "practised
    opposite action"). ``outcome_label`` names the rating ("your urge to self-harm").
    For example: "On days after you used more skills, your urge to self-harm was on
    average 0.6 lower for each point higher on the skills scale (95 % CI −1.0 to −0.2;
    40 days)." Pair the sentences with :data:`OBSERVATION_NOTE`. They describe an
    association, never an effect.
    """
    if isinstance(result, NotEnoughData):
        return (
            f"Not enough data yet to look at {outcome_label} on days after you "
            f"{exposure_label}: {result.reason}."
        )
    rounded = _number(result.estimate)
    interval = f"95 % CI {_number(result.ci_low)} to {_number(result.ci_high)}"
    if result.kind == "slope":
        per = " for each point higher on the skills scale"
        days = f"{result.n} days"
        compared = ""
    else:
        per = ""
        days = f"{result.n} days: {result.n_with} after practice, {result.n_without} without"
        compared = " than on days after you did not"
    if rounded == "0.0":
        return (
            f"On days after you {exposure_label}, {outcome_label} was on average about the "
            f"same{per} (0.0; {interval}; {days})."
        )
    direction = "lower" if result.estimate < 0 else "higher"
    magnitude = _number(abs(result.estimate))
    return (
        f"On days after you {exposure_label}, {outcome_label} was on average {magnitude} "
        f"{direction}{per}{compared} ({interval}; {days})."
    )
