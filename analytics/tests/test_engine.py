"""The engine's own steps: the index expressions translated to Polars once."""

from __future__ import annotations

import math

import narwhals as nw
import numpy as np
import polars as pl
import pytest

from analytics import engine, fastpath, indices
from analytics.indices import SCOPES, IndexOptions, PacRule


def sums_frame(options: IndexOptions) -> pl.DataFrame:
    rng = np.random.default_rng(3)
    rows = 40 * 60
    x = rng.integers(0, 11, rows).astype(float)
    x[rng.random(rows) < 0.15] = np.nan
    x[:60] = 5.0  # a constant series
    data = pl.DataFrame(
        {"id": np.repeat(np.arange(40), 60), "t": np.tile(np.arange(60), 40), "x": x}
    ).with_columns(day=pl.col("t") // 6)
    sums, _ = fastpath.run_sorted(data, ["id"], "t", "day", ["x"], options, progress=print)
    return sums


@pytest.mark.parametrize(
    "options",
    [
        IndexOptions(),
        IndexOptions(pac=PacRule(quantile=None, fixed=3.0)),
        IndexOptions(time_adjust_lambda=1.0, max_gap=2.0),
    ],
    ids=["default", "fixed", "time-adjusted"],
)
def test_the_translated_expressions_give_what_narwhals_gives(options: IndexOptions) -> None:
    sums = sums_frame(options)
    thresholds = {"all": 4.0, "withinday": math.nan}
    columns = engine.Columns(id="id", time="t", items=("x",), day="day")
    adjust = options.time_adjust_lambda is not None

    got = engine._indices_frame(sums, columns, options, {"x": thresholds})

    frame = nw.from_native(
        sums.with_columns(pl.lit(thresholds[scope]).alias(f"__thr_{scope}_x") for scope in SCOPES),
        eager_only=True,
    )
    *helpers, last = indices.unit_indices("x", options, with_time_adjust=adjust)
    for step in helpers:
        frame = frame.with_columns(*step)
    expected = frame.select("id", nw.lit("x").alias("item"), *last).to_native().sort("id")
    assert got.equals(expected)
    assert got["pac_threshold_all"].unique().to_list() == [4.0]
    assert math.isnan(got["pac_threshold_withinday"][0])
    # Translated once: a second call takes the cached expressions.
    before = engine._polars_steps.cache_info().hits
    engine._indices_frame(sums, columns, options, {"x": thresholds})
    assert engine._polars_steps.cache_info().hits == before + 1
