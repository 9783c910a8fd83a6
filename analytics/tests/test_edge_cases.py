"""Edge cases against a plain, independent implementation: one observation, constant
series, all missing, gaps, unsorted input, NaN versus null."""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

import numpy as np
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analytics import fastpath, kernels
from analytics.engine import Columns, compute
from analytics.indices import IndexOptions, PacRule
from analytics.tests.test_reference import assert_frames_close

COLUMNS = Columns(id="id", time="t", items=("x",), day="day")


@pytest.fixture(scope="module", params=["compiled", "general"], autouse=True)
def local_path(request: pytest.FixtureRequest) -> Iterator[str]:
    """Every test here runs on the embedded engine's compiled fast path (forced, the data
    being small) and on its general Polars pipeline."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(fastpath, "MIN_ROWS", 0 if request.param == "compiled" else 10**12)
        yield request.param


FIXED = IndexOptions(pac=PacRule(quantile=None, fixed=2.0))


def naive(x: np.ndarray, day: np.ndarray, *, within_day: bool, threshold: float) -> dict[str, Any]:
    """Indices of one person's series, written out loop by loop (NaN is missing)."""
    ok = ~np.isnan(x)
    n = int(ok.sum())
    pairs = [
        (x[i - 1], x[i])
        for i in range(1, len(x))
        if ok[i - 1] and ok[i] and (not within_day or day[i] == day[i - 1])
    ]
    out: dict[str, Any] = {"n_obs": n, "n_pairs": len(pairs)}
    out["mean"] = float(np.mean(x[ok])) if n else None
    out["sd"] = float(np.std(x[ok], ddof=1)) if n >= 2 else None
    diffs = np.array([b - a for a, b in pairs])
    out["mssd"] = float(np.mean(diffs**2)) if pairs else None
    out["pac"] = float(np.mean(np.abs(diffs) >= threshold)) if pairs else None
    constant = n == 0 or np.nanmax(x) == np.nanmin(x)
    acf = None
    if pairs and n >= 2 and not constant:
        m = np.mean(x[ok])
        lag1 = sum((a - m) * (b - m) for a, b in pairs) / (len(pairs) + 1)
        acf = min(1.0, max(-1.0, float(lag1 / (np.sum((x[ok] - m) ** 2) / n))))
    out["acf_lag1"] = acf
    a, b = np.array([p[0] for p in pairs]), np.array([p[1] for p in pairs])
    spread_a = len(pairs) >= 2 and np.var(a) > 0 and not constant
    out["ar1_ols"] = float(np.polyfit(a, b, 1)[0]) if spread_a else None
    out["autor"] = float(np.corrcoef(a, b)[0, 1]) if spread_a and np.var(b) > 0 else None
    # How ill-conditioned the one-pass sums are: the engines centre every value on the
    # unit's mean m, so Σ(a − ā)² comes out as Σ(a − m)² − P(ā − m)², which loses digits
    # when the predecessors barely vary around a mean far from m (and so for b).
    out["conditioning"] = 1.0
    if spread_a and np.var(b) > 0:
        m = np.mean(x[ok])
        out["conditioning"] = max(
            float(np.sum((v - m) ** 2) / np.sum((v - np.mean(v)) ** 2)) for v in (a, b)
        )
    return out


def close(ours: Any, theirs: Any, conditioning: float = 1.0) -> bool:
    """Equal to 1e-9, or to what the conditioning of the one-pass sums allows."""
    if theirs is None:
        return ours is None
    tolerance = max(1e-9, 1e-14 * conditioning)
    return ours is not None and math.isclose(ours, theirs, rel_tol=tolerance, abs_tol=1e-9)


missing = st.sampled_from([None, math.nan])
value = st.one_of(st.integers(0, 6).map(float), st.floats(-50, 50).map(lambda v: round(v, 2)))
row = st.tuples(st.one_of(value, missing), st.booleans())  # (value, new day after this row)
person = st.lists(row, min_size=0, max_size=12)


def frame(people: list[list[tuple[float | None, bool]]]) -> pl.DataFrame:
    ids: list[int] = []
    ts: list[int] = []
    days: list[int] = []
    xs: list[float | None] = []
    for pid, rows in enumerate(people):
        day = 0
        for t, (value_, new_day) in enumerate(rows):
            ids.append(pid)
            ts.append(t)
            days.append(day)
            xs.append(value_)
            day += int(new_day)
    return pl.DataFrame(
        {"id": ids, "t": ts, "day": days, "x": xs},
        schema={"id": pl.Int64, "t": pl.Int64, "day": pl.Int64, "x": pl.Float64},
        strict=False,
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(people=st.lists(person, min_size=1, max_size=4), seed=st.integers(0, 2**16))
def test_indices_equal_a_plain_implementation(
    people: list[list[tuple[float | None, bool]]], seed: int
) -> None:
    data = frame(people)
    shuffled = data.sample(fraction=1.0, shuffle=True, seed=seed)  # input order must not matter

    result = compute(shuffled, COLUMNS, FIXED).frame

    for pid, rows in enumerate(people):
        sub = data.filter(pl.col("id") == pid)
        got = result.filter(pl.col("id") == pid)
        if not rows:
            assert got.height == 0
            continue
        x = sub["x"].fill_null(math.nan).to_numpy()
        day = sub["day"].to_numpy()
        assert got["n_rows"].item() == len(rows)
        for scope in ("all", "withinday"):
            expected = naive(x, day, within_day=scope == "withinday", threshold=2.0)
            assert got["n_obs"].item() == expected["n_obs"]
            assert got[f"n_pairs_{scope}"].item() == expected["n_pairs"]
            for name in ("mean", "sd"):
                assert close(got[name].item(), expected[name]), (name, got[name].item())
            for name in ("mssd", "pac", "acf_lag1", "ar1_ols", "autor"):
                ours = got[f"{name}_{scope}"].item()
                conditioning = expected["conditioning"] if name in ("ar1_ols", "autor") else 1
                assert close(ours, expected[name], conditioning), (scope, name, ours, expected)


def test_nan_and_null_are_the_same_missing() -> None:
    with_null = pl.DataFrame(
        {"id": [1] * 5, "t": range(5), "day": [0] * 5, "x": [1.0, None, 3.0, 4.0, None]}
    )
    with_nan = with_null.with_columns(pl.col("x").fill_null(math.nan))

    assert_frames_close(compute(with_nan, COLUMNS).frame, compute(with_null, COLUMNS).frame)


def test_one_observation_constant_and_all_missing() -> None:
    data = pl.DataFrame(
        {
            "id": [1, 2, 2, 2, 3, 3],
            "t": [0, 0, 1, 2, 0, 1],
            "day": [0] * 6,
            "x": [5.0, 4.0, 4.0, 4.0, None, math.nan],
        }
    )

    result = compute(data, COLUMNS).frame.sort("id")

    one, constant, empty = result.rows(named=True)
    assert (one["n_obs"], one["mean"], one["sd"], one["n_pairs_all"]) == (1, 5.0, None, 0)
    assert one["mssd_all"] is None and one["psych_mssd"] is None and one["acf_lag1_all"] is None
    # every |Δ| is 0, so the pooled threshold is 0 and every pair meets "|Δ| ≥ c"
    assert (constant["sd"], constant["mssd_all"], constant["pac_all"]) == (0.0, 0.0, 1.0)
    assert constant["pac_threshold_all"] == 0.0
    assert constant["acf_lag1_all"] is None and constant["ar1_ols_all"] is None
    assert constant["autor_all"] is None
    assert (empty["n_rows"], empty["n_obs"], empty["mean"], empty["n_pairs_all"]) == (2, 0, None, 0)


def test_a_missing_row_breaks_the_pair_but_an_absent_row_does_not_unless_max_gap() -> None:
    # Given rows at t = 0, 1, 3 (t = 2 absent from the file) on one day
    data = pl.DataFrame({"id": [1, 1, 1], "t": [0, 1, 3], "day": [0, 0, 0], "x": [1.0, 2.0, 5.0]})

    adjacent = compute(data, COLUMNS).frame
    gapped = compute(data, COLUMNS, IndexOptions(max_gap=1)).frame

    assert adjacent["n_pairs_withinday"].item() == 2
    assert gapped["n_pairs_withinday"].item() == 1
    assert gapped["mssd_withinday"].item() == 1.0
    assert gapped["n_pairs_all"].item() == 2  # the gap rule is a within-day rule


def test_datetime_time_gives_days_and_time_adjusted_differences() -> None:
    # Given two beeps a day, 2 h apart, and one overnight pair (14 h)
    times = pl.Series(
        ["2024-03-01 09:00", "2024-03-01 11:00", "2024-03-02 01:00", "2024-03-02 03:00"]
    ).str.to_datetime()
    data = pl.DataFrame({"id": [1] * 4, "time": times, "x": [0.0, 2.0, 4.0, 6.0]})
    columns = Columns(id="id", time="time", items=("x",))

    result = compute(data, columns, IndexOptions(time_adjust_lambda=0.5)).frame

    assert result["n_pairs_all"].item() == 3
    assert result["n_pairs_withinday"].item() == 2
    # Md of the all-pairs intervals = 2 h; the 14 h pair is divided by √7 before squaring.
    assert result["tasd_mssd_all"].item() == pytest.approx((4 + 4 / 7 + 4) / 3, rel=1e-12)
    assert result["tasd_mssd_withinday"].item() == pytest.approx(4.0, rel=1e-12)


@pytest.mark.parametrize("unit", ["ns", "us"])
def test_days_of_long_nanosecond_series_take_the_exact_integer_path(unit: str) -> None:
    """A person followed for 200 days in nanoseconds spans more than 2^52 time units, past
    which the compiled path works out days by integer division instead of in floating
    point; both give the general pipeline's days."""
    rng = np.random.default_rng(5)
    hours = np.sort(rng.choice(200 * 24, size=600, replace=False)).astype(np.int64)
    start = np.datetime64("2024-01-01T00:00:00", unit)
    times = pl.Series(start + hours * np.timedelta64(3600, "s").astype(f"timedelta64[{unit}]"))
    data = pl.DataFrame({"id": np.repeat([1, 2], 300), "time": times, "x": rng.normal(size=600)})
    data = data.sort("id", "time")
    columns = Columns(id="id", time="time", items=("x",))

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(fastpath, "MIN_ROWS", 0)
        fast = compute(data, columns, IndexOptions(max_gap=7200)).frame
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(fastpath, "MIN_ROWS", 10**12)
        general = compute(data, columns, IndexOptions(max_gap=7200)).frame

    assert_frames_close(fast, general)
    assert 0 < fast["n_pairs_withinday"].sum() < fast["n_pairs_all"].sum()


def test_pooled_threshold_is_r_type_7_quantile() -> None:
    rng = np.random.default_rng(3)
    data = pl.DataFrame(
        {
            "id": np.repeat([1, 2, 3], 20),
            "t": np.tile(np.arange(20), 3),
            "day": 0,
            "x": rng.normal(size=60),
        }
    )
    diffs = np.concatenate(
        [np.abs(np.diff(data["x"].to_numpy()[i * 20 : (i + 1) * 20])) for i in range(3)]
    )

    result = compute(data, COLUMNS, IndexOptions(pac=PacRule(quantile=0.75)))

    assert result.thresholds["x"]["all"] == pytest.approx(np.quantile(diffs, 0.75), rel=1e-12)
    assert result.frame["pac_rule"][0] == "pooled quantile 0.75 of |diff| (R type 7)"


spread = st.one_of(
    st.integers(0, 40).map(float),  # many ties, as on an integer scale
    st.floats(0, 1e-300),  # subnormal and tiny values share few histogram bins
    st.floats(-1e12, 1e12, allow_nan=False),
)


@settings(max_examples=60, deadline=None)
@given(
    series=st.lists(st.lists(spread, min_size=0, max_size=30), min_size=1, max_size=4),
    q=st.sampled_from([0.0, 0.1, 0.5, 0.9, 0.97, 1.0]),
    sample=st.booleans(),
    block=st.sampled_from([2, kernels.BLOCK]),
)
def test_pooled_quantile_and_pac_counts_equal_numpy(
    series: list[list[float]], q: float, sample: bool, block: int
) -> None:
    """The pooled quantile is R's type 7 on the pooled |Δ|, and each unit's PAC counts the
    pairs at or above it. On the compiled path the quantile comes from histogram bins and
    the values in them: kept in the first pass when a bracket guessed from a sample of
    units holds them (``sample``: sampling forced on this small data), else collected."""
    rows = [(pid, t, v) for pid, values in enumerate(series) for t, v in enumerate(values)]
    data = pl.DataFrame(
        {
            "id": [r[0] for r in rows],
            "t": [r[1] for r in rows],
            "day": 0,
            "x": [r[2] for r in rows],
        },
        schema={"id": pl.Int64, "t": pl.Int64, "day": pl.Int64, "x": pl.Float64},
    )
    diffs = [np.abs(np.diff(np.array(values))) for values in series]
    pooled = np.concatenate(diffs)
    if data.height == 0:
        return

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(kernels, "BLOCK", block)
        if sample:
            patch.setattr(fastpath, "SAMPLE_MIN_ROWS", 0)
            patch.setattr(fastpath, "SAMPLE_MIN_VALUES", 1)
        result = compute(data, COLUMNS, IndexOptions(pac=PacRule(quantile=q)))

    threshold = result.thresholds["x"]["all"]
    if pooled.size == 0:
        assert math.isnan(threshold)
        return
    assert threshold == pytest.approx(float(np.quantile(pooled, q)), rel=1e-12, abs=1e-300)
    frame_ = result.frame.sort("id")
    for pid, d in enumerate(diffs):
        if not series[pid]:
            continue
        pac = frame_.filter(pl.col("id") == pid)["pac_all"].item()
        expected = float(np.mean(d >= threshold)) if d.size else None
        assert pac == expected


def test_per_person_per_period() -> None:
    data = pl.DataFrame(
        {
            "id": [1] * 6,
            "t": range(6),
            "day": [0] * 6,
            "week": [1, 1, 1, 2, 2, 2],
            "x": [1.0, 2.0, 3.0, 10.0, 10.0, 12.0],
        }
    )
    columns = Columns(id="id", time="t", items=("x",), day="day", period="week")

    result = compute(data, columns).frame.sort("week")

    assert result["n_pairs_all"].to_list() == [2, 2]  # no pair across the week boundary
    assert result["mssd_all"].to_list() == [1.0, 2.0]


@pytest.mark.spark
def test_spark_edge_cases_match_local(spark: Any) -> None:
    data = pl.DataFrame(
        {
            "id": [1, 2, 2, 2, 3, 3, 4, 4, 4, 4],
            "t": [0, 0, 1, 2, 0, 1, 3, 1, 0, 2],
            "day": [0, 0, 0, 0, 0, 0, 0, 1, 0, 1],
            "x": [5.0, 4.0, 4.0, 4.0, None, math.nan, 1.0, math.nan, 7.0, 2.5],
        }
    )

    local = compute(data, COLUMNS, IndexOptions(max_gap=1, time_adjust_lambda=1.0)).frame
    remote = compute(
        data,
        COLUMNS,
        IndexOptions(max_gap=1, time_adjust_lambda=1.0),
        engine="spark",
        spark=spark,
    ).frame

    assert_frames_close(remote, local)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    people=st.lists(person, min_size=1, max_size=5),
    threads=st.integers(1, 3),
    max_gap=st.sampled_from([None, 1.0]),
    block=st.sampled_from([2, kernels.BLOCK]),
)
def test_sorted_fast_path_equals_the_general_pipeline(
    people: list[list[tuple[float | None, bool]]],
    threads: int,
    max_gap: float | None,
    block: int,
) -> None:
    """The compiled sorted-input path (units shared over one to three threads, read in
    blocks of 2 rows or the default) and the Narwhals pipeline give the same indices from
    the same definitions."""
    data = frame(people)
    results = []
    for options in (
        IndexOptions(pac=FIXED.pac, max_gap=max_gap, time_adjust_lambda=0.5),
        IndexOptions(max_gap=max_gap),
    ):
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(fastpath, "THREADS", threads)
            patch.setattr(kernels, "BLOCK", block)
            fast = compute(data, COLUMNS, options)
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(fastpath, "eligible", lambda *_: False)
            general = compute(data, COLUMNS, options)
        results.append((fast, general))

    fast, general = results[0]
    assert_frames_close(fast.frame, general.frame)
    # The pooled quantile: R's arithmetic on the fast path, Polars' in the general one
    # (the same rule; the last bit may differ).
    fast, general = results[1]
    for scope in ("all", "withinday"):
        ours, theirs = fast.thresholds["x"][scope], general.thresholds["x"][scope]
        assert (math.isnan(ours) and math.isnan(theirs)) or ours == pytest.approx(theirs, rel=1e-12)


def test_keys_the_fast_path_cannot_take_use_the_general_pipeline() -> None:
    data = pl.DataFrame(
        {"id": ["b", "a", "b", "a"], "t": [1, 0, 0, 1], "day": [0] * 4, "x": [1.0, 2.0, 4.0, 3.0]}
    )

    result = compute(data, COLUMNS).frame.sort("id")

    assert result["id"].to_list() == ["a", "b"]
    assert result["mssd_all"].to_list() == [1.0, 9.0]
