"""Shared fixtures: the real EMA dataset with its R reference values, one Spark session."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from analytics.engine import read_table

#: A copy of the project's shared EMA test data (CC BY 4.0; see its README and LICENSE), kept
#: in the repository so that the reference tests run on every clean clone.
EMA_DIR = Path(__file__).resolve().parent / "data" / "ema"
DATA = EMA_DIR / "0012_dejonckheere_ts.tsv"
REFERENCE = EMA_DIR / "reference"


@pytest.fixture(scope="session")
def ema() -> pl.DataFrame:
    return read_table(DATA)


def reference(item: str) -> pl.DataFrame:
    return pl.read_csv(REFERENCE / f"ref_R_0012_dejonckheere_{item}.csv")


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    pytest.importorskip("pyspark")
    import logging

    from analytics.engine import spark_session

    # py4j logs at INFO when the JVM connection closes, after pytest closed its streams.
    logging.getLogger("py4j").setLevel(logging.WARNING)
    session = spark_session("local[2]")
    yield session
    session.stop()
