"""The compiled path's shortcuts: PAC counts from the values kept in the first pass, the
fallback when the guessed bracket misses, the unit starts found by galloping, and keys or
times out of order inside a unit."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analytics import fastpath, kernels
from analytics.engine import Columns, compute
from analytics.indices import IndexOptions, PacRule

COLUMNS = Columns(id="id", time="t", items=("x",), day="day")


@pytest.fixture(autouse=True)
def compiled_and_sampled() -> Iterator[None]:
    """The compiled path on small data, with the bracket guessed from a sample."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(fastpath, "MIN_ROWS", 0)
        patch.setattr(fastpath, "SAMPLE_MIN_ROWS", 0)
        patch.setattr(fastpath, "SAMPLE_MIN_VALUES", 1)
        yield


def scale_data(
    people: int = 64, rows: int = 120, seed: int = 7, *, whole: bool = True
) -> pl.DataFrame:
    """Integer ratings 0–10 (many ties; or, not ``whole``, with a random fraction added),
    10 % missing, one day per person."""
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 11, people * rows).astype(float)
    if not whole:
        x += rng.random(x.size)
    x[rng.random(x.size) < 0.1] = np.nan
    return pl.DataFrame(
        {
            "id": np.repeat(np.arange(people), rows),
            "t": np.tile(np.arange(rows), people),
            "day": 0,
            "x": x,
        }
    )


def expected_pac(data: pl.DataFrame, q: float) -> tuple[float, dict[int, float]]:
    diffs = {
        int(pid): np.abs(np.diff(group.sort("t")["x"].to_numpy()))
        for (pid,), group in data.group_by("id")
    }
    pooled = np.concatenate([d[~np.isnan(d)] for d in diffs.values()])
    threshold = float(np.quantile(pooled, q))
    pac = {pid: float(np.mean(d[~np.isnan(d)] >= threshold)) for pid, d in diffs.items()}
    return threshold, pac


def assert_pac(result: Any, data: pl.DataFrame, q: float) -> None:
    threshold, pac = expected_pac(data, q)
    assert result.thresholds["x"]["all"] == pytest.approx(threshold, rel=1e-12)
    got = dict(zip(result.frame["id"].to_list(), result.frame["pac_all"].to_list(), strict=True))
    assert got == pytest.approx(pac, rel=1e-12)


def refuse(*_: Any, **__: Any) -> None:
    raise AssertionError("this pass should not run")


@pytest.mark.parametrize("whole", [True, False], ids=["tied", "kept"])
@pytest.mark.parametrize("q", [0.5, 0.9])
def test_pac_counts_come_from_the_first_pass_without_another(q: float, whole: bool) -> None:
    """Whole numbers: a bracket of at most two values, counted (``sums_tied``); else the
    values in the bracket, kept."""
    data = scale_data(whole=whole)
    routes: list[bool] = []
    first_pass = fastpath._Run.sums

    def spy(self: Any, item: Any) -> Any:
        first = first_pass(self, item)
        routes.append(first.tied)
        return first

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(fastpath._Run, "sums", spy)
        patch.setattr(fastpath._Run, "pooled_sums", refuse)
        patch.setattr(fastpath._Run, "histogram_quantiles", refuse)
        result = compute(data, COLUMNS, IndexOptions(pac=PacRule(quantile=q)))

    assert routes == [whole]
    assert_pac(result, data, q)


@pytest.mark.parametrize("tied", [True, False], ids=["tied", "kept"])
def test_a_bracket_that_misses_falls_back_to_a_histogram_and_a_pass_for_the_counts(
    tied: bool,
) -> None:
    data = scale_data(whole=tied)
    calls: list[str] = []
    histogram, pooled = fastpath._Run.histogram_quantiles, fastpath._Run.pooled_sums

    def far_away(self: Any, item: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray, bool]:
        count = len(self.scalars)
        key = kernels.key(1e300)  # far above every |Δ| of a 0–10 scale
        return (
            np.full(count, key, dtype=np.int64),
            np.full(count, key if tied else key + 10, dtype=np.int64),
            np.full(count, 0 if tied else 10_000, dtype=np.int64),
            tied,
        )

    def spy(name: str, method: Any) -> Any:
        def call(*args: Any, **kwargs: Any) -> Any:
            calls.append(name)
            return method(*args, **kwargs)

        return call

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(fastpath._Run, "bracket", far_away)
        patch.setattr(fastpath._Run, "histogram_quantiles", spy("histogram", histogram))
        patch.setattr(fastpath._Run, "pooled_sums", spy("pooled", pooled))
        result = compute(data, COLUMNS, IndexOptions(pac=PacRule(quantile=0.9)))

    assert calls == ["histogram", "pooled"]
    assert_pac(result, data, 0.9)


def test_a_bracket_with_too_little_room_falls_back_too() -> None:
    data = scale_data(whole=False)
    real_bracket = fastpath._Run.bracket

    def cramped(self: Any, item: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray, bool]:
        lo, hi, _cap, tied = real_bracket(self, item)
        assert not tied
        return lo, hi, np.full(lo.size, 3, dtype=np.int64), tied  # less than a block

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(fastpath._Run, "bracket", cramped)
        result = compute(data, COLUMNS, IndexOptions(pac=PacRule(quantile=0.9)))

    assert_pac(result, data, 0.9)


def test_times_out_of_order_inside_a_unit_are_sorted_first() -> None:
    # Keys in order, but each person's times run backwards.
    data = scale_data(people=8, rows=40)
    backwards = data.with_columns(pl.col("t").reverse().over("id"))
    tries = []
    run_sorted = fastpath.run_sorted

    def counted(*args: Any, **kwargs: Any) -> Any:
        tries.append(args[0]["t"][0])
        return run_sorted(*args, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(fastpath, "run_sorted", counted)
        result = compute(backwards.with_columns(pl.col("x").reverse().over("id")), COLUMNS)

    assert tries == [39, 0]  # refused as it came, then run on the sorted rows
    expected = compute(data, COLUMNS).frame
    assert result.frame.equals(expected)


@settings(max_examples=60, deadline=None)
@given(
    lengths=st.lists(st.integers(1, 300), min_size=1, max_size=40),
    threads=st.integers(1, 3),
    two_keys=st.booleans(),
)
def test_unit_starts_found_by_galloping_are_every_key_change(
    lengths: list[int], threads: int, two_keys: bool
) -> None:
    """Units of any lengths (so the gallop's guess is short, long and exact), shared out
    over 1–3 threads, by one key or two (the second alone changing)."""
    ids = np.repeat(np.arange(len(lengths)), lengths)
    unit = ["a", "b"] if two_keys else ["id"]
    frame = pl.DataFrame(
        {"id": ids, "a": ids // 3, "b": ids % 3, "t": np.arange(ids.size), "x": 1.0}
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(fastpath, "THREADS", threads)
        run = fastpath._Run(frame, unit, "t", None, IndexOptions())
        run.find_units()
    assert run.starts.tolist() == [*np.cumsum([0, *lengths[:-1]]).tolist(), ids.size]


@pytest.mark.parametrize("where", [0.3, 0.5, 0.9])
@pytest.mark.parametrize("period", [None, "p"])
def test_a_key_out_of_order_inside_a_run_is_sorted_first(where: float, period: str | None) -> None:
    """One row of person 0 moved among the rows of a later person (its time in order
    there): the units' ends found by galloping still ascend, so each row's key must be
    checked too."""
    data = scale_data(people=4, rows=150).with_columns(pl.col("t") * 2, p=pl.col("t") // 50)
    rows = data.to_dicts()
    stray = rows.pop(3)
    at = int(len(rows) * where)
    stray["t"] = rows[at - 1]["t"] + 1  # in order there: only its key is out of place
    rows.insert(at, stray)
    shuffled = pl.DataFrame(rows, schema=data.schema)
    columns = Columns(id="id", period=period, time="t", items=("x",), day="day")
    tries = []
    run_sorted = fastpath.run_sorted

    def counted(*args: Any, **kwargs: Any) -> Any:
        tries.append(args[0].height)
        return run_sorted(*args, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(fastpath, "run_sorted", counted)
        result = compute(shuffled, columns)

    assert len(tries) == 2  # refused as it came, then run on the sorted rows
    assert result.frame.equals(compute(shuffled.sort(["id", "t"]), columns).frame)


def test_a_tied_bracket_with_a_value_between_its_two_gives_no_order_statistics() -> None:
    """Counts at lo = 4 and hi = 5 tell the ranks only when no value lies between them;
    the sample saw whole numbers, but the data may hold a 4.5."""
    lo, hi = kernels.key(4.0), kernels.key(5.0)
    bracket = fastpath._Collected(
        np.array([lo]), np.array([hi]), np.zeros(1, dtype=np.int64), threads=1
    )

    def first(above_lo: int) -> Any:
        # 100 values: 60 below 4, 10 at 4, 30 at or above 5 (none above 5).
        cnt = np.array([[40, 30]])  # at or above lo, at or above hi (one unit)
        totals = np.array([100, above_lo, 0])
        return fastpath._FirstPass(np.zeros((1, 1)), cnt, totals, bracket, tied=True)

    order_stat = fastpath._tied_order_stats(first(30), 0, 1, (65, 70))
    assert order_stat is not None
    assert order_stat(65, 70) == (4.0, 5.0)  # ranks 60–69 hold 4, 70–99 hold 5
    assert fastpath._tied_order_stats(first(30), 0, 1, (55, 56)) is None  # below the bracket
    assert fastpath._tied_order_stats(first(33), 0, 1, (65, 70)) is None  # three are 4 < x < 5
