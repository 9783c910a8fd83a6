"""Every per-person index equals the independent R reference values to 1e-9 (both engines)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import polars as pl
import pytest

from analytics import fastpath
from analytics.engine import Columns, compute
from analytics.tests.conftest import reference

COLUMNS = Columns(id="id", time="counter", items=("sad", "happy"), day="day")

#: R reference column → wisemind column (the rest have the same name).
RENAMED = {
    "mssd_pairs_all": "mssd_all",
    "rmssd_pairs_all": "rmssd_all",
    "mssd_pairs_withinday": "mssd_withinday",
    "rmssd_pairs_withinday": "rmssd_withinday",
    "pac90_all": "pac_all",
    "pac90_withinday": "pac_withinday",
    "psych_autoR": "autor_all",
}
#: Pooled 90th percentiles of |Δ| stated in the dataset's README.
THRESHOLDS = {"sad": {"all": 36.0, "withinday": 35.0}, "happy": {"all": 39.0, "withinday": 38.0}}


def assert_frames_close(left: pl.DataFrame, right: pl.DataFrame, tol: float = 1e-9) -> None:
    """Same columns, same non-float values, same nulls, floats within ``tol``."""
    assert left.columns == right.columns
    for column in left.columns:
        if left[column].dtype.is_float():
            assert left[column].is_null().to_list() == right[column].is_null().to_list(), column
            worst = (left[column] - right[column]).abs().max()
            assert worst is None or worst <= tol, f"{column}: off by {worst}"
        else:
            assert left[column].to_list() == right[column].to_list(), column


def assert_matches_reference(result: pl.DataFrame, item: str) -> None:
    ref = reference(item)
    got = result.filter(pl.col("item") == item).sort("id")
    assert got["id"].to_list() == ref["id"].to_list()
    checked = 0
    for column in ref.columns[1:]:
        if column.startswith("lmer_"):
            continue  # the multilevel model: test_multilevel.py
        ours = got[RENAMED.get(column, column)].cast(pl.Float64)
        assert ours.null_count() == ref[column].null_count() == 0, column
        worst = (ours - ref[column]).abs().max()
        assert isinstance(worst, float)
        assert worst <= 1e-9, f"{item} {column}: off by {worst}"
        checked += 1
    assert checked == 18


@pytest.fixture(scope="module", params=["compiled", "general"])
def local_path(request: pytest.FixtureRequest) -> Iterator[str]:
    """The embedded engine's compiled fast path (forced, the data being small) or its
    general Polars pipeline."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(fastpath, "MIN_ROWS", 0 if request.param == "compiled" else 10**12)
        yield request.param


@pytest.fixture(scope="module")
def local_result(ema: pl.DataFrame, local_path: str) -> Any:
    return compute(ema, COLUMNS)


@pytest.mark.parametrize("item", ["sad", "happy"])
def test_local_engine_matches_r(local_result: Any, item: str) -> None:
    assert_matches_reference(local_result.frame, item)
    assert local_result.thresholds[item] == THRESHOLDS[item]
    assert local_result.frame["pac_rule"].unique().to_list() == [
        "pooled quantile 0.9 of |diff| (R type 7)"
    ]


@pytest.mark.spark
def test_spark_engine_matches_r_and_local(ema: pl.DataFrame, spark: Any, local_result: Any) -> None:
    result = compute(ema, COLUMNS, engine="spark", spark=spark)

    for item in ("sad", "happy"):
        assert_matches_reference(result.frame, item)
    assert result.thresholds == local_result.thresholds
    assert_frames_close(result.frame, local_result.frame)


def test_unsorted_input_gives_the_same_result(ema: pl.DataFrame, local_result: Any) -> None:
    shuffled = ema.sample(fraction=1.0, shuffle=True, seed=7)

    result = compute(shuffled, COLUMNS)

    assert_frames_close(result.frame, local_result.frame)
