"""What helps me: next-day pairs, OLS slope and difference in means against hand-worked
values, statsmodels and scipy, the minimum-data rule, and the sentences."""

from __future__ import annotations

import itertools
import math
from datetime import date, timedelta

import numpy as np
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import stats

from analytics.helps import (
    NOT_ENOUGH,
    Association,
    MinimumData,
    NotEnoughData,
    associate,
    describe,
    next_day_pairs,
    what_helps,
)

START = date(2024, 3, 1)
FAST = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# The t quantile with 2 degrees of freedom has a closed form: (2p − 1)/√(2p(1 − p)) = 4.3027.
T_975_DF2 = 0.95 / math.sqrt(2 * 0.975 * 0.025)


def days(**columns: list[float | None]) -> pl.DataFrame:
    length = len(next(iter(columns.values())))
    return pl.DataFrame(
        {"date": [START + timedelta(days=i) for i in range(length)], **columns},
        schema={"date": pl.Date, **dict.fromkeys(columns, pl.Float64)},
    )


def random_diary(rng: np.random.Generator, n: int = 60, missing: float = 0.15) -> pl.DataFrame:
    skills = rng.integers(0, 8, size=n).astype(float)
    practised = (rng.random(n) < 0.4).astype(float)
    urge = np.clip(np.round(3 - 0.3 * np.roll(skills, 1) + rng.normal(size=n)), 0, 5)
    skills[rng.random(n) < missing] = np.nan
    urge[rng.random(n) < missing] = np.nan
    frame = days(skills_used=list(skills), opposite_action=list(practised), self_harm=list(urge))
    keep = rng.random(n) > missing  # whole days absent from the diary, too
    return frame.filter(pl.Series(keep, dtype=pl.Boolean))


# --- pairs --------------------------------------------------------------------------------


def test_pairs_are_today_and_the_next_calendar_day_only() -> None:
    # Given days 1–6; day 4's card is absent, day 2's urge is missing
    frame = days(
        skills_used=[1, 2, 3, 4, 5, 6],
        self_harm=[0, None, 2, 3, 4, 5],
    ).filter(pl.col("date") != START + timedelta(days=3))

    pairs = next_day_pairs(frame, "skills_used", "self_harm")

    # day 1 → day 2 (urge missing): no; 2 → 3: yes; 3 → 4 (absent): no; 5 → 6: yes
    assert pairs["date"].to_list() == [START + timedelta(days=1), START + timedelta(days=4)]
    assert pairs["x"].to_list() == [2.0, 5.0]
    assert pairs["y"].to_list() == [2.0, 5.0]


def test_duplicate_days_are_an_error() -> None:
    frame = days(skills_used=[1, 2], self_harm=[0, 1])

    with pytest.raises(ValueError, match="more than one row"):
        associate(pl.concat([frame, frame]), "skills_used", "self_harm")


# --- known answers ------------------------------------------------------------------------


def test_slope_worked_by_hand() -> None:
    # Given skill use 0, 1, 2, 3 on days 1–4 and next-day urges 3, 2, 2, 0 on days 2–5
    frame = days(skills_used=[0, 1, 2, 3, None], self_harm=[None, 3, 2, 2, 0])

    result = associate(frame, "skills_used", "self_harm", minimum=MinimumData(pairs=4))

    # x̄ = 1.5, ȳ = 1.75, Sxx = 5, Sxy = −4.5 → b = −0.9; fitted 3.1, 2.2, 1.3, 0.4;
    # residuals −0.1, −0.2, 0.7, −0.4 → SSR = 0.7, s² = 0.35, SE = √(0.35/5) = √0.07
    assert isinstance(result, Association)
    assert result.kind == "slope" and result.n == 4
    assert result.estimate == pytest.approx(-0.9, rel=1e-12)
    assert result.standard_error == pytest.approx(math.sqrt(0.07), rel=1e-12)
    half = T_975_DF2 * math.sqrt(0.07)
    assert (result.ci_low, result.ci_high) == pytest.approx((-0.9 - half, -0.9 + half), rel=1e-9)


def test_difference_in_means_worked_by_hand() -> None:
    # Given practice on days 1, 3 (next-day misery 1, 2) and not on days 2, 4, 5
    # (next-day misery 4, 3, 5)
    frame = days(opposite_action=[1, 0, 2, 0, 0, None], misery=[None, 1, 4, 2, 3, 5])

    result = associate(
        frame,
        "opposite_action",
        "misery",
        kind="difference",
        minimum=MinimumData(pairs=5, days_with=2, days_without=3),
    )

    # means 1.5 and 4 → d = −2.5; pooled s² = (0.5 + 2)/3 = 5/6; SE = √(5/6·(1/2 + 1/3))
    assert isinstance(result, Association)
    assert (result.n, result.n_with, result.n_without) == (5, 2, 3)
    assert result.estimate == pytest.approx(-2.5, rel=1e-12)
    assert result.standard_error == pytest.approx(math.sqrt(5 / 6 * 5 / 6), rel=1e-12)


def test_slope_against_statsmodels() -> None:
    import statsmodels.api as sm

    frame = random_diary(np.random.default_rng(1))
    pairs = next_day_pairs(frame, "skills_used", "self_harm")

    result = associate(frame, "skills_used", "self_harm")

    fit = sm.OLS(pairs["y"].to_numpy(), sm.add_constant(pairs["x"].to_numpy())).fit()
    assert isinstance(result, Association)
    assert result.n == pairs.height == int(fit.nobs)
    assert result.estimate == pytest.approx(fit.params[1], rel=1e-10)
    assert result.standard_error == pytest.approx(fit.bse[1], rel=1e-10)
    low, high = fit.conf_int(alpha=0.05)[1]
    assert (result.ci_low, result.ci_high) == pytest.approx((low, high), rel=1e-10)


def test_difference_against_scipy_two_sample_t() -> None:
    frame = random_diary(np.random.default_rng(2))
    pairs = next_day_pairs(frame, "opposite_action", "self_harm")
    practised = pairs.filter(pl.col("x") > 0)["y"].to_numpy()
    other = pairs.filter(pl.col("x") == 0)["y"].to_numpy()

    result = associate(frame, "opposite_action", "self_harm", kind="difference")

    test = stats.ttest_ind(practised, other, equal_var=True)
    interval = test.confidence_interval(0.95)
    assert isinstance(result, Association)
    assert result.estimate == pytest.approx(practised.mean() - other.mean(), rel=1e-10)
    assert (result.ci_low, result.ci_high) == pytest.approx(
        (interval.low, interval.high), rel=1e-10
    )
    assert (result.n_with, result.n_without) == (len(practised), len(other))


# --- the minimum-data rule ----------------------------------------------------------------


def test_too_few_pairs_gives_a_reason_not_a_number() -> None:
    frame = days(skills_used=[float(i % 8) for i in range(14)], self_harm=[1.0] * 14)

    result = associate(frame, "skills_used", "self_harm")  # 13 pairs

    assert isinstance(result, NotEnoughData)
    assert result.message == NOT_ENOUGH
    assert result.reason == "13 pairs of consecutive days so far; 14 needed"


def test_too_few_days_with_or_without_practice() -> None:
    rng = np.random.default_rng(3)
    urge = [float(v) for v in rng.integers(0, 6, size=30)]
    rarely = days(skill=[1.0 if i < 4 else 0.0 for i in range(30)], urge=urge)
    always = days(skill=[0.0 if i < 3 else 1.0 for i in range(30)], urge=urge)

    few_with = associate(rarely, "skill", "urge", kind="difference")
    few_without = associate(always, "skill", "urge", kind="difference")

    assert isinstance(few_with, NotEnoughData)
    assert few_with.reason.startswith("4 days with this skill practised")
    assert isinstance(few_without, NotEnoughData)
    assert few_without.reason.startswith("3 days without this skill")


def test_no_variation_gives_a_reason() -> None:
    flat_outcome = days(skills_used=[float(i % 8) for i in range(20)], urge=[0.0] * 20)
    flat_skills = days(skills_used=[5.0] * 20, urge=[float(i % 6) for i in range(20)])

    outcome = associate(flat_outcome, "skills_used", "urge")
    skills = associate(flat_skills, "skills_used", "urge")

    assert isinstance(outcome, NotEnoughData) and "was 0 on every day" in outcome.reason
    assert isinstance(skills, NotEnoughData) and "skill use was the same" in skills.reason


def test_all_missing() -> None:
    frame = days(skills_used=[None] * 20, urge=[math.nan] * 20)

    result = associate(frame, "skills_used", "urge")

    assert isinstance(result, NotEnoughData) and result.n == 0


def test_what_helps_covers_every_exposure_and_outcome() -> None:
    frame = random_diary(np.random.default_rng(4), n=80)

    results = what_helps(frame, outcomes=["self_harm"], skills=["opposite_action"])

    assert [(r.exposure, r.kind) for r in results] == [
        ("skills_used", "slope"),
        ("opposite_action", "difference"),
    ]


# --- sentences ----------------------------------------------------------------------------


def _association(**changes: object) -> Association:
    base: dict[str, object] = {
        "exposure": "skills_used",
        "outcome": "self_harm",
        "kind": "slope",
        "estimate": -0.6,
        "ci_low": -1.04,
        "ci_high": -0.16,
        "standard_error": 0.2,
        "n": 40,
        "n_with": None,
        "n_without": None,
        "minimum": MinimumData(),
    }
    base.update(changes)
    return Association(**base)  # type: ignore[arg-type]


def test_sentences() -> None:
    labels = {"exposure_label": "used more skills", "outcome_label": "your urge to self-harm"}

    slope = describe(_association(), **labels)
    difference = describe(
        _association(
            kind="difference",
            estimate=0.84,
            ci_low=0.1,
            ci_high=1.58,
            n_with=12,
            n_without=20,
            n=32,
        ),
        exposure_label="practised opposite action",
        outcome_label="your emotional misery",
    )
    same = describe(_association(estimate=-0.04, ci_low=-0.4, ci_high=0.3), **labels)
    waiting = describe(
        associate(days(skills_used=[1.0, 2.0], urge=[0.0, 1.0]), "skills_used", "urge"), **labels
    )

    assert slope == (
        "On days after you used more skills, your urge to self-harm was on average 0.6 lower "
        "for each point higher on the skills scale (95 % CI −1.0 to −0.2; 40 days)."
    )
    assert difference == (
        "On days after you practised opposite action, your emotional misery was on average "
        "0.8 higher than on days after you did not (95 % CI 0.1 to 1.6; 32 days: 12 after "
        "practice, 20 without)."
    )
    assert same == (
        "On days after you used more skills, your urge to self-harm was on average about the "
        "same for each point higher on the skills scale (0.0; 95 % CI −0.4 to 0.3; 40 days)."
    )
    assert waiting == (
        "Not enough data yet to look at your urge to self-harm on days after you used more "
        "skills: 1 pairs of consecutive days so far; 14 needed."
    )
    for text in (slope, difference, same):
        assert "cause" not in text and "because" not in text


# --- properties ---------------------------------------------------------------------------

rating = st.one_of(st.none(), st.integers(0, 5).map(float))
day = st.tuples(st.one_of(st.none(), st.integers(0, 7).map(float)), rating, st.booleans())


def frame_of(rows: list[tuple[float | None, float | None, bool]]) -> pl.DataFrame:
    """(skills, urge, card absent) per consecutive day."""
    return days(skills_used=[s for s, _, _ in rows], urge=[u for _, u, _ in rows]).filter(
        pl.Series([not absent for _, _, absent in rows], dtype=pl.Boolean)
    )


def naive_pair_count(rows: list[tuple[float | None, float | None, bool]]) -> int:
    return sum(
        1
        for today, tomorrow in itertools.pairwise(rows)
        if not today[2] and not tomorrow[2] and today[0] is not None and tomorrow[1] is not None
    )


@FAST
@given(
    rows=st.lists(day, max_size=45),
    pairs=st.integers(3, 20),
    kind=st.sampled_from(["slope", "difference"]),
)
def test_fewer_pairs_than_the_minimum_never_gives_a_number(
    rows: list[tuple[float | None, float | None, bool]], pairs: int, kind: str
) -> None:
    minimum = MinimumData(pairs=pairs, days_with=2, days_without=2)

    result = associate(frame_of(rows), "skills_used", "urge", kind=kind, minimum=minimum)  # type: ignore[arg-type]

    assert result.n == naive_pair_count(rows)
    if result.n < pairs:
        assert isinstance(result, NotEnoughData)
    if isinstance(result, Association):
        assert result.n >= pairs
        if kind == "difference":
            assert result.n_with is not None and result.n_with >= 2
            assert result.n_without is not None and result.n_without >= 2


@FAST
@given(rows=st.lists(day, min_size=10, max_size=45), kind=st.sampled_from(["slope", "difference"]))
def test_the_interval_contains_the_estimate(
    rows: list[tuple[float | None, float | None, bool]], kind: str
) -> None:
    minimum = MinimumData(pairs=3, days_with=1, days_without=1)

    result = associate(frame_of(rows), "skills_used", "urge", kind=kind, minimum=minimum)  # type: ignore[arg-type]

    if isinstance(result, Association):
        assert result.ci_low <= result.estimate <= result.ci_high
        assert result.standard_error >= 0
        assert math.isfinite(result.ci_low) and math.isfinite(result.ci_high)


@FAST
@given(rows=st.lists(day, min_size=10, max_size=45), shift=st.integers(-10, 10))
def test_shifting_the_outcome_changes_nothing_but_the_level(
    rows: list[tuple[float | None, float | None, bool]], shift: int
) -> None:
    minimum = MinimumData(pairs=3)
    moved = [(s, None if u is None else u + shift, a) for s, u, a in rows]

    before = associate(frame_of(rows), "skills_used", "urge", minimum=minimum)
    after = associate(frame_of(moved), "skills_used", "urge", minimum=minimum)

    assert type(after) is type(before) and after.n == before.n
    if isinstance(before, Association) and isinstance(after, Association):
        assert after.estimate == pytest.approx(before.estimate, abs=1e-9)
        assert after.ci_low == pytest.approx(before.ci_low, abs=1e-9)
        assert after.ci_high == pytest.approx(before.ci_high, abs=1e-9)
