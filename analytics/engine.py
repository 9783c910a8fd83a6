"""Running the index definitions of :mod:`analytics.indices` on an engine.

Two engines run the same Narwhals expressions (decision 0019):

* ``local`` (the default): Polars, in process. The input is sorted by unit and time once
  (skipped when it already is), and "the previous row of the same unit" is a plain
  ``shift(1)`` masked where the unit changes — no window partitioning.
* ``spark``: PySpark (the optional ``spark`` extra), for data too large for one machine.
  "The previous row" is ``shift(1).over(unit, order_by=time)``.

Both take a tidy frame (one row per scheduled prompt: id, time or counter, items; optional
day and period columns) and return one row per unit and item with the columns of
:data:`analytics.indices.INDEX_COLUMNS`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import narwhals as nw
import polars as pl

from analytics import indices
from analytics.indices import SCOPES, IndexOptions, Scope

if TYPE_CHECKING:
    from pyspark.sql import DataFrame as SparkDataFrame
    from pyspark.sql import SparkSession

Engine = Literal["local", "spark"]

#: Strings read as missing from CSV files (R writes NA; pandas NaN / nan).
CSV_NULLS = ["", "NA", "NaN", "nan", "null", "NULL"]


@dataclass(frozen=True)
class Columns:
    """Which input columns hold what."""

    id: str
    time: str
    items: tuple[str, ...]
    #: Day of each row for the within-day pairs (default: the date of a datetime time).
    day: str | None = None
    #: Optional period (e.g. an ISO week) for per-person-per-period indices.
    period: str | None = None

    @property
    def unit(self) -> list[str]:
        return [self.id] if self.period is None else [self.id, self.period]


@dataclass
class Result:
    """Indices (one row per unit and item) and the parameters they were computed with."""

    frame: pl.DataFrame
    options: IndexOptions
    thresholds: dict[str, dict[Scope, float]] = field(default_factory=dict)
    centers: dict[str, float] = field(default_factory=dict)


def read_table(path: str | Path, *, separator: str | None = None) -> pl.DataFrame:
    """A CSV/TSV or Parquet file as a Polars frame (``NA``, ``NaN`` and empty read as null)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in {".parquet", ".pq"}:
        return pl.read_parquet(path)
    sep = separator or ("\t" if suffix in {".tsv", ".tab"} else ",")
    return pl.read_csv(path, separator=sep, null_values=CSV_NULLS, infer_schema_length=None)


def _standard_columns(frame: nw.DataFrame[Any] | nw.LazyFrame[Any], columns: Columns) -> Any:
    """Items as float with NaN → null, ``__t`` (numeric time; seconds for datetimes) and
    ``__day`` (the ``day`` column, or the date of a datetime time)."""
    schema = frame.collect_schema()
    time_type = schema[columns.time]
    exprs: list[nw.Expr] = [
        nw.col(item).cast(nw.Float64).fill_nan(None).alias(item) for item in columns.items
    ]
    if time_type == nw.Datetime:
        exprs.append((nw.col(columns.time).dt.timestamp("us") / 1e6).alias("__t"))
    elif time_type == nw.Date:
        exprs.append(
            (nw.col(columns.time).cast(nw.Datetime("us")).dt.timestamp("us") / 86_400e6).alias(
                "__t"
            )
        )
    else:
        exprs.append(nw.col(columns.time).cast(nw.Float64).alias("__t"))
    if columns.day is not None:
        exprs.append(nw.col(columns.day).alias("__day"))
    elif time_type == nw.Datetime or time_type == nw.Date:
        exprs.append(nw.col(columns.time).dt.date().alias("__day"))
    return frame.with_columns(*exprs)


def _centers(frame: Any, columns: Columns) -> dict[str, float]:
    """The pooled mean of each item rounded to an integer (see :mod:`analytics.indices`)."""
    row = frame.select(*(nw.col(i).mean() for i in columns.items))
    if isinstance(row, nw.LazyFrame):
        row = row.collect()
    values = row.row(0)
    return {
        item: 0.0 if value is None else float(round(value))
        for item, value in zip(columns.items, values, strict=True)
    }


def _run(
    frame: Any,
    columns: Columns,
    options: IndexOptions,
    prev: indices.Prev,
    *,
    has_day: bool,
    progress: Callable[[str], None],
) -> Result:
    """The shared pipeline: pair columns → pooled scalars → per-unit sums → indices."""
    centers = _centers(frame, columns)
    progress("pairs")
    pair_exprs = [
        e
        for item in columns.items
        for e in indices.pair_columns(
            item,
            columns.unit,
            prev,
            options,
            has_day=has_day,
            has_time=_needs_time(options),
            center=centers[item],
        )
    ]
    frame = frame.with_columns(*pair_exprs)
    if isinstance(frame, nw.DataFrame):
        # Polars plans the aggregations below better lazily (fused, in parallel).
        frame = frame.lazy()
    progress("thresholds")
    pooled_exprs = [
        e
        for item in columns.items
        for e in indices.pooled_scalars(
            item, options, has_time=_needs_time(options), center=centers[item]
        )
    ]
    pooled: dict[str, Any] = {}
    if pooled_exprs:
        row = frame.select(*pooled_exprs)
        if isinstance(row, nw.LazyFrame):
            row = row.collect()
        pooled = row.to_dict(as_series=False)
        pooled = {k: v[0] for k, v in pooled.items()}
    thresholds: dict[str, dict[Scope, float]] = {}
    medians: dict[str, dict[Scope, float]] = {}
    for item in columns.items:
        thresholds[item] = {
            s: indices.threshold_value(options, pooled.get(f"__thr_{s}_{item}")) for s in SCOPES
        }
        medians[item] = {
            s: float(
                options.time_adjust_median
                if options.time_adjust_median is not None
                else (pooled.get(f"__md_{s}_{item}") or float("nan"))
            )
            for s in SCOPES
        }
    progress("per-unit sums")
    aggs = [
        e
        for item in columns.items
        for e in indices.unit_aggregations(
            item,
            options,
            thresholds[item],
            medians[item],
            has_time=_needs_time(options),
            center=centers[item],
        )
    ]
    sums = frame.group_by(*columns.unit).agg(*aggs)
    if isinstance(sums, nw.LazyFrame):
        sums = sums.collect("polars")
    sums_pl: pl.DataFrame = nw.to_native(sums)
    progress("indices")
    with_time_adjust = options.time_adjust_lambda is not None
    parts = []
    sums_nw = nw.from_native(sums_pl, eager_only=True)
    for item in columns.items:
        part = sums_nw.select(
            *(nw.col(k) for k in columns.unit),
            nw.lit(item).alias("item"),
            *indices.unit_indices(
                item,
                options,
                thresholds[item],
                center=centers[item],
                with_time_adjust=with_time_adjust,
            ),
        )
        parts.append(nw.to_native(part))
    out = pl.concat(parts, how="vertical").sort([*columns.unit, "item"])
    return Result(frame=out, options=options, thresholds=thresholds, centers=centers)


def _needs_time(options: IndexOptions) -> bool:
    return options.max_gap is not None or options.time_adjust_lambda is not None


def _noop(_: str) -> None:
    return None


def compute_local(
    data: pl.DataFrame | pl.LazyFrame,
    columns: Columns,
    options: IndexOptions | None = None,
    *,
    progress: Callable[[str], None] = _noop,
) -> Result:
    """The indices on Polars (embedded engine), with the sorted-input fast path."""
    options = options or IndexOptions()
    keep = [*columns.unit, columns.time, *columns.items]
    if columns.day is not None:
        keep.append(columns.day)
    lazy = data.lazy().select(list(dict.fromkeys(keep)))
    std = _standard_columns(nw.from_native(lazy), columns)
    native: pl.DataFrame = std.to_native().collect()
    progress("sort")
    order = [*columns.unit, "__t"]
    if not _is_sorted(native, order):
        native = native.sort(order)
    # Keep only what the pairs need (memory: the input is often most of the machine's).
    drop = [
        c for c in (columns.time, columns.day) if c and c not in (*columns.unit, *columns.items)
    ]
    if not _needs_time(options):
        drop.append("__t")
    native = native.drop(drop)
    frame = nw.from_native(native, eager_only=True)

    def prev(expr: nw.Expr) -> nw.Expr:
        return expr.shift(1)

    return _run(
        frame,
        columns,
        options,
        prev,
        has_day="__day" in native.columns,
        progress=progress,
    )


def _is_sorted(frame: pl.DataFrame, order: Sequence[str]) -> bool:
    """Whether rows are in ascending (unit…, time) order, ties broken by later keys."""
    if frame.height < 2:
        return True
    later_ok = pl.lit(value=True)
    # Lexicographic check from the last key backwards: row > previous row.
    for key in reversed(order):
        col, before = pl.col(key), pl.col(key).shift(1)
        later_ok = (col > before) | ((col == before) & later_ok)
    ok = frame.select(later_ok.slice(1).all()).item()
    return bool(ok)


def compute_spark(
    data: SparkDataFrame,
    columns: Columns,
    options: IndexOptions | None = None,
    *,
    progress: Callable[[str], None] = _noop,
) -> Result:
    """The indices on PySpark: the same definitions, ``shift(1).over(unit, order_by=time)``."""
    options = options or IndexOptions()
    keep = [*columns.unit, columns.time, *columns.items]
    if columns.day is not None:
        keep.append(columns.day)
    data = data.select(*dict.fromkeys(keep))
    columns = _spark_time_as_seconds(data, columns)
    if columns.day == "__day":
        data = data.withColumn("__day", _F().to_date(data[columns.time]))
        data = data.withColumn(
            columns.time, _F().unix_micros(data[columns.time].cast("timestamp")) / 1e6
        )
    frame = _standard_columns(nw.from_native(data), columns)
    has_day = "__day" in frame.collect_schema().names()
    unit = columns.unit

    def prev(expr: nw.Expr) -> nw.Expr:
        return expr.shift(1).over(*unit, order_by="__t")

    return _run(frame, columns, options, prev, has_day=has_day, progress=progress)


def _F() -> Any:
    from pyspark.sql import functions

    return functions


def _spark_time_as_seconds(data: SparkDataFrame, columns: Columns) -> Columns:
    """Spark: a datetime time becomes epoch seconds and its date the ``__day`` column
    (Narwhals has no timestamp conversion on Spark), so the shared code sees a number."""
    from dataclasses import replace

    kind = data.schema[columns.time].dataType.typeName()
    if kind in {"timestamp", "timestamp_ntz", "date"} and columns.day is None:
        return replace(columns, day="__day")
    return columns


def spark_session(master: str = "local[2]") -> SparkSession:
    """A local Spark session with settings for small, exact jobs."""
    from pyspark.sql import SparkSession

    builder: Any = SparkSession.builder
    session: SparkSession = (
        builder.master(master)
        .appName("wisemind-analytics")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.driver.memory", "2g")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    return session


def compute(
    data: pl.DataFrame | pl.LazyFrame,
    columns: Columns,
    options: IndexOptions | None = None,
    *,
    engine: Engine = "local",
    spark: SparkSession | None = None,
    progress: Callable[[str], None] = _noop,
) -> Result:
    """The indices of a Polars frame on the chosen engine."""
    if engine == "local":
        return compute_local(data, columns, options, progress=progress)
    session = spark or spark_session()
    frame = data.collect() if isinstance(data, pl.LazyFrame) else data
    sdf = session.createDataFrame(frame.to_arrow())
    return compute_spark(sdf, columns, options, progress=progress)


def stages() -> Iterator[str]:
    """The progress stages, in order (for a progress bar)."""
    yield from ("sort", "pairs", "thresholds", "per-unit sums", "indices")
