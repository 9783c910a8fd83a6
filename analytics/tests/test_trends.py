"""Early-warning trends: hand-worked windows, an independent NumPy implementation, and
properties (τ in [−1, 1], rising variance gives τ > 0, a constant shift changes nothing)."""

from __future__ import annotations

import math
from datetime import date, timedelta
from itertools import combinations

import numpy as np
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.stats import kendalltau

from analytics.trends import (
    CAVEAT,
    DETRENDS,
    Detrend,
    detrend,
    early_warning_trends,
    kendall_trend,
    trend_sensitivity,
)

START = date(2024, 1, 1)
FAST = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def diary(values: list[float | None], *, start: date = START) -> pl.DataFrame:
    """One row per consecutive day (None = a day with no value)."""
    return pl.DataFrame(
        {
            "date": [start + timedelta(days=i) for i in range(len(values))],
            "value": values,
        },
        schema={"date": pl.Date, "value": pl.Float64},
    )


def naive_windows(
    x: np.ndarray, window: int, min_obs: int
) -> list[tuple[int, float | None, float | None]]:
    """(n_obs, variance, lag-1 autocorrelation) of each full trailing window, loop by loop:
    the stats::acf(na.pass) convention, NaN = missing."""
    out: list[tuple[int, float | None, float | None]] = []
    for end in range(window - 1, len(x)):
        w = x[end - window + 1 : end + 1]
        ok = ~np.isnan(w)
        n = int(ok.sum())
        if n < min_obs:
            out.append((n, None, None))
            continue
        m = float(np.mean(w[ok]))
        c = w - m
        variance = float(np.sum(c[ok] ** 2) / (n - 1))
        pairs = [(c[i - 1], c[i]) for i in range(1, window) if ok[i - 1] and ok[i]]
        acf = None
        if pairs and np.ptp(w[ok]) > 0:
            lag1 = sum(a * b for a, b in pairs) / (len(pairs) + 1)
            acf = min(1.0, max(-1.0, float(lag1 / (np.sum(c[ok] ** 2) / n))))
        out.append((n, variance, acf))
    return out


def naive_tau_b(x: list[float], y: list[float]) -> float:
    """Kendall's τ-b by counting pairs."""
    concordant = discordant = ties_x = ties_y = 0
    for i, j in combinations(range(len(x)), 2):
        dx, dy = x[j] - x[i], y[j] - y[i]
        if dx == 0 and dy == 0:
            continue
        if dx == 0:
            ties_x += 1
        elif dy == 0:
            ties_y += 1
        elif dx * dy > 0:
            concordant += 1
        else:
            discordant += 1
    denominator = math.sqrt((concordant + discordant + ties_x) * (concordant + discordant + ties_y))
    return (concordant - discordant) / denominator


# --- known answers, worked by hand ------------------------------------------------------


def test_windows_worked_by_hand() -> None:
    # Given 6 days 1, 3, 2, 5, 4, 8 and 4-day windows (ending on days 4, 5, 6)
    result = early_warning_trends(
        diary([1, 3, 2, 5, 4, 8]), window_days=4, min_obs=4, detrend_method="none"
    )

    w = result.windows
    assert w["window_start"].to_list() == [START + timedelta(days=i) for i in range(3)]
    assert w["window_end"].to_list() == [START + timedelta(days=i) for i in (3, 4, 5)]
    assert w["n_obs"].to_list() == [4, 4, 4]
    # [1,3,2,5]: mean 2.75, SS 8.75; [3,2,5,4]: SS 5; [2,5,4,8]: mean 4.75, SS 18.75
    assert w["variance"].to_list() == pytest.approx([8.75 / 3, 5 / 3, 18.75 / 3], rel=1e-12)
    # lag-1 sums −2.3125, −0.75, −3.3125 over P + 1 = 4; lag-0 sums 8.75, 5, 18.75 over 4
    assert w["acf_lag1"].to_list() == pytest.approx([-37 / 140, -3 / 20, -53 / 300], rel=1e-12)
    # variance: down, up, up → C = 2, D = 1 → τ = 1/3; acf: up, up, down → τ = 1/3.
    # For n = 3 without ties the exact two-sided p of |τ| ≥ 1/3 is 6/6 = 1.
    assert result.variance.tau == pytest.approx(1 / 3)
    assert result.acf_lag1.tau == pytest.approx(1 / 3)
    assert result.variance.p_value == pytest.approx(1.0)
    assert result.variance.n_windows == result.acf_lag1.n_windows == 3


def test_a_missing_day_stays_missing_and_breaks_pairs() -> None:
    # Given day 3 without a value: 1, 3, –, 5, 4, 8
    result = early_warning_trends(
        diary([1, 3, None, 5, 4, 8]), window_days=4, min_obs=3, detrend_method="none"
    )

    w = result.windows
    assert w["n_obs"].to_list() == [3, 3, 3]
    # [1,3,–,5]: mean 3, SS 8 → 4; only the pair (1,3), whose product (−2)(0) is 0.
    # [3,–,5,4]: mean 4, SS 2 → 1; pair (5,4): (1)(0) = 0.
    # [–,5,4,8]: mean 17/3, SS 26/3 → 13/3; pairs (5,4), (4,8): −25/9 over 3; lag-0 26/9.
    assert w["variance"].to_list() == pytest.approx([4.0, 1.0, 13 / 3], rel=1e-12)
    assert w["acf_lag1"].to_list() == pytest.approx([0.0, 0.0, -25 / 78], abs=1e-12)
    # acf 0, 0, −25/78: one tie in y, two discordant pairs → τ-b = −2/√(3·2)
    assert result.acf_lag1.tau == pytest.approx(-2 / math.sqrt(6))
    assert result.series["value"].to_list() == [1.0, 3.0, None, 5.0, 4.0, 8.0]
    assert result.series["detrended"].null_count() == 1


def test_windows_with_too_few_observations_are_missing() -> None:
    result = early_warning_trends(
        diary([1, 3, None, 5, 4, 8]), window_days=4, min_obs=4, detrend_method="none"
    )

    assert result.windows["variance"].to_list() == [None, None, None]
    assert result.windows["acf_lag1"].to_list() == [None, None, None]
    assert result.variance.tau is None and result.variance.n_windows == 0
    assert result.acf_lag1.tau is None


def test_linear_interpolation_only_when_asked() -> None:
    data = diary([1, 3, None, None, 9])

    plain = early_warning_trends(data, window_days=2, detrend_method="none")
    filled = early_warning_trends(data, window_days=2, detrend_method="none", interpolate="linear")

    assert plain.series["value"].to_list() == [1.0, 3.0, None, None, 9.0]
    assert filled.series["value"].to_list() == [1.0, 3.0, 5.0, 7.0, 9.0]
    assert filled.series["interpolated"].to_list() == [False, False, True, True, False]
    assert "straight lines" in filled.method.description


def test_absent_days_are_added_as_missing_days() -> None:
    # Given rows only for Jan 1, 2 and 5 (Jan 3–4 absent from the input)
    data = pl.DataFrame(
        {"date": [date(2024, 1, 1), date(2024, 1, 5), date(2024, 1, 2)], "value": [1.0, 4.0, 2.0]}
    )

    result = early_warning_trends(data, window_days=2, detrend_method="none")

    assert result.series["date"].to_list() == [date(2024, 1, d) for d in range(1, 6)]
    assert result.series["value"].to_list() == [1.0, 2.0, None, None, 4.0]


def test_detrending_against_independent_computations() -> None:
    rng = np.random.default_rng(7)
    x = 3 + 0.2 * np.arange(40) + rng.normal(size=40)
    x[[5, 6, 20]] = np.nan
    t = np.arange(40.0)
    ok = ~np.isnan(x)

    slope, intercept = np.polyfit(t[ok], x[ok], 1)
    np.testing.assert_allclose(
        detrend(x, "linear")[ok], x[ok] - (intercept + slope * t[ok]), atol=1e-12
    )
    h = 4.0
    smooth = [
        sum(math.exp(-0.5 * ((i - j) / h) ** 2) * x[j] for j in t[ok].astype(int))
        / sum(math.exp(-0.5 * ((i - j) / h) ** 2) for j in t[ok].astype(int))
        for i in t[ok].astype(int)
    ]
    np.testing.assert_allclose(detrend(x, "gaussian", h)[ok], x[ok] - smooth, atol=1e-12)
    diff = detrend(np.array([1.0, 4.0, np.nan, 2.0, 7.0]), "difference")
    np.testing.assert_array_equal(diff, [np.nan, 3.0, np.nan, np.nan, 5.0])
    assert np.isnan(detrend(x, "none")[~ok]).all()


def test_windows_and_tau_against_numpy_and_counting() -> None:
    rng = np.random.default_rng(11)
    x = rng.normal(size=90) * np.linspace(1, 3, 90)
    x[rng.random(90) < 0.2] = np.nan
    values: list[float | None] = [None if np.isnan(v) else float(v) for v in x]
    values[0] = values[-1] = 1.0  # keep the first and last day so the grid is the input's

    result = early_warning_trends(diary(values), window_days=21, min_obs=10, detrend_method="none")

    x = np.array([np.nan if v is None else v for v in values])
    expected = naive_windows(x, 21, 10)
    got = result.windows
    assert got["n_obs"].to_list() == [n for n, _, _ in expected]
    for ours, (_, variance, acf) in zip(got.iter_rows(named=True), expected, strict=True):
        assert (ours["variance"] is None) == (variance is None)
        assert (ours["acf_lag1"] is None) == (acf is None)
        if variance is not None:
            assert ours["variance"] == pytest.approx(variance, rel=1e-9)
        if acf is not None:
            assert ours["acf_lag1"] == pytest.approx(acf, rel=1e-9, abs=1e-12)
    ends = [float(i) for i, (_, v, _) in enumerate(expected) if v is not None]
    variances = [v for _, v, _ in expected if v is not None]
    assert result.variance.tau == pytest.approx(naive_tau_b(ends, variances), rel=1e-12)
    assert result.variance.p_value == pytest.approx(kendalltau(ends, variances).pvalue)
    assert result.variance.tau is not None and result.variance.tau > 0


def test_kendall_trend_needs_windows_and_change() -> None:
    assert kendall_trend([0, 1], [1.0, 2.0]).tau is None
    assert kendall_trend([0, 1, 2, 3], [2.0, 2.0, None, 2.0]).tau is None
    assert kendall_trend([0, 1, 2, 3], [1.0, None, 2.0, 3.0]).tau == pytest.approx(1.0)
    assert kendall_trend([0, 1, 2], [3.0, 2.0, 1.0]).tau == pytest.approx(-1.0)


# --- edge cases ---------------------------------------------------------------------------


def test_all_missing() -> None:
    result = early_warning_trends(diary([None, None, math.nan]), window_days=2)

    assert result.series.height == 0
    assert result.windows.height == 0
    assert (result.variance.tau, result.acf_lag1.tau) == (None, None)
    assert result.method.first_day is None
    assert "no days with a value" in result.method.description


def test_constant_series() -> None:
    result = early_warning_trends(diary([3.0] * 20), window_days=7, detrend_method="none")

    assert result.windows["variance"].to_list() == [0.0] * 14
    assert result.windows["acf_lag1"].null_count() == 14
    assert result.variance.tau is None and result.acf_lag1.tau is None


@pytest.mark.parametrize("method", ["linear", "gaussian"])
def test_a_constant_series_stays_constant_after_detrending(method: Detrend) -> None:
    # 0.1 is not exact in binary: the fitted line or smooth differs from it by rounding
    options = _options(5, method)

    result = early_warning_trends(diary([0.1] * 12), **options)  # type: ignore[arg-type]

    assert result.series["detrended"].to_list() == [0.0] * 12
    assert result.windows["acf_lag1"].null_count() == 8
    assert result.variance.tau is None


def test_series_shorter_than_the_window() -> None:
    result = early_warning_trends(diary([1.0, 2.0, 4.0]), window_days=7)

    assert result.windows.height == 0
    assert result.variance.tau is None


def test_nan_and_null_are_the_same_missing() -> None:
    with_null = early_warning_trends(diary([1, 2, None, 4, 3, 5, 2]), window_days=4)
    with_nan = early_warning_trends(diary([1, 2, math.nan, 4, 3, 5, 2]), window_days=4)

    assert with_nan.windows.equals(with_null.windows)
    assert with_nan.variance == with_null.variance


def test_invalid_parameters() -> None:
    data = diary([1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="bandwidth"):
        early_warning_trends(data, detrend_method="gaussian")
    with pytest.raises(ValueError, match="only to the Gaussian"):
        early_warning_trends(data, detrend_method="linear", bandwidth_days=5)
    with pytest.raises(ValueError, match="min_obs"):
        early_warning_trends(data, window_days=7, min_obs=8)
    with pytest.raises(ValueError, match="more than one row"):
        early_warning_trends(pl.concat([data, data]))


def test_method_and_caveat_are_stated() -> None:
    result = early_warning_trends(
        diary([float(i % 5) for i in range(60)]),
        window_days=21,
        detrend_method="gaussian",
        bandwidth_days=7,
    )

    method = result.method
    assert (method.window_days, method.min_obs, method.detrend, method.bandwidth_days) == (
        21,
        11,
        "gaussian",
        7,
    )
    text = method.description
    assert "21-day windows" in text and "at least 11 days" in text and "bandwidth 7 days" in text
    assert result.caveat == CAVEAT
    assert "not an alert" in CAVEAT and "borderline personality disorder" in CAVEAT


def test_sensitivity_over_window_lengths_and_bandwidths() -> None:
    rng = np.random.default_rng(5)
    values = [float(v) for v in rng.normal(size=80) * np.linspace(1, 4, 80)]

    table = trend_sensitivity(diary(values), windows=(14, 28), detrend_method="linear")
    grid = trend_sensitivity(
        diary(values), windows=(14, 28), bandwidths=(5, 10), detrend_method="gaussian"
    )

    assert table["window_days"].to_list() == [14, 28]
    assert table["min_obs"].to_list() == [7, 14]
    single = early_warning_trends(diary(values), window_days=28, min_obs=14)
    assert table["tau_variance"][1] == single.variance.tau
    assert table["tau_acf_lag1"][1] == single.acf_lag1.tau
    assert grid.select("bandwidth_days", "window_days").rows() == [
        (5.0, 14),
        (5.0, 28),
        (10.0, 14),
        (10.0, 28),
    ]
    with pytest.raises(ValueError, match="bandwidths"):
        trend_sensitivity(diary(values), bandwidths=(5,), detrend_method="linear")


# --- properties ---------------------------------------------------------------------------

# Diary-like values: whole points, or hundredths (not 1e-12 beside 1, where any float
# computation loses the signal).
value = st.one_of(
    st.none(), st.integers(0, 5).map(float), st.integers(-2000, 2000).map(lambda v: v / 100)
)
series = st.lists(value, min_size=0, max_size=50)
detrends = st.sampled_from(DETRENDS)


def _options(window: int, method: Detrend) -> dict[str, object]:
    return {
        "window_days": window,
        "detrend_method": method,
        "bandwidth_days": 5.0 if method == "gaussian" else None,
    }


@FAST
@given(values=series, window=st.integers(2, 12), method=detrends)
def test_tau_is_within_minus_one_and_one(
    values: list[float | None], window: int, method: Detrend
) -> None:
    result = early_warning_trends(diary(values), **_options(window, method))  # type: ignore[arg-type]

    for trend in (result.variance, result.acf_lag1):
        assert trend.tau is None or -1.0 <= trend.tau <= 1.0
        assert trend.p_value is None or 0.0 <= trend.p_value <= 1.0
        assert trend.n_windows <= result.windows.height
    acf = result.windows["acf_lag1"].drop_nulls()
    assert acf.is_between(-1.0, 1.0).all()
    assert (result.windows["variance"].drop_nulls() >= 0).all()


@FAST
@given(
    values=series,
    shift=st.one_of(
        st.integers(-100, 100).map(float), st.floats(-100, 100).map(lambda v: round(v, 3))
    ),
    window=st.integers(2, 12),
    method=detrends,
)
def test_shifting_by_a_constant_changes_nothing(
    values: list[float | None], shift: float, window: int, method: Detrend
) -> None:
    shifted = [None if v is None else v + shift for v in values]
    options = _options(window, method)

    before = early_warning_trends(diary(values), **options)  # type: ignore[arg-type]
    after = early_warning_trends(diary(shifted), **options)  # type: ignore[arg-type]

    assert after.windows["n_obs"].to_list() == before.windows["n_obs"].to_list()
    for name in ("variance", "acf_lag1"):
        a, b = after.windows[name].to_list(), before.windows[name].to_list()
        assert [v is None for v in a] == [v is None for v in b]
        assert [v for v in a if v is not None] == pytest.approx(
            [v for v in b if v is not None], rel=1e-6, abs=1e-6
        )
    assert after.variance.tau == before.variance.tau
    assert after.acf_lag1.tau == before.acf_lag1.tau


@FAST
@given(
    offset=st.floats(-10, 10),
    start=st.floats(0.5, 10),
    growth=st.floats(0.01, 1),
    half_window=st.integers(1, 8),
    length=st.integers(20, 60),
)
def test_a_steadily_widening_swing_gives_tau_one_for_variance(
    offset: float, start: float, growth: float, half_window: int, length: int
) -> None:
    # Given x_t = m ± (a + g·t), alternating in sign: in an even window the mean's pull is
    # constant and Σx² grows, so every window's variance is larger than the one before.
    values = [offset + (start + growth * t) * (-1) ** t for t in range(length)]

    result = early_warning_trends(diary(values), window_days=2 * half_window, detrend_method="none")

    assert result.variance.tau == pytest.approx(1.0)


@FAST
@given(seed=st.integers(0, 2**32 - 1), window=st.sampled_from([14, 21, 28]), method=detrends)
def test_rising_variance_gives_a_positive_tau(seed: int, window: int, method: Detrend) -> None:
    # Given noise whose spread grows twentyfold over 200 days, with a tenth of days missing
    rng = np.random.default_rng(seed)
    x = (1 + 0.1 * np.arange(200)) * rng.normal(size=200)
    values = [None if rng.random() < 0.1 else float(v) for v in x]

    result = early_warning_trends(diary(values), **_options(window, method))  # type: ignore[arg-type]

    assert result.variance.tau is not None and result.variance.tau > 0
