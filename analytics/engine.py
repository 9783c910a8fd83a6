"""Running the index definitions of :mod:`analytics.indices` on an engine.

Two engines run the same definitions (:func:`analytics.indices.unit_sums`, decision 0019):

* ``local`` (the default), in process. On large inputs, on rows sorted by unit and time
  (sorted first when they are not; the check is part of the first pass), the sums are
  compiled loops generated from the same definitions (:mod:`analytics.fastpath`); small
  inputs (a patient's chart, a report: no compilation wanted) and keys the fast path
  cannot take (strings, nulls, zoned datetimes) go through the general pipeline below on
  Polars, "the previous row of the same unit" being a plain ``shift(1)`` masked where the
  unit changes.
* ``spark``: PySpark (the optional ``spark`` extra), for data too large for one machine:
  the general pipeline (:func:`_run`: unit means as a window, pair columns, one
  ``group_by(unit).agg``), "the previous row" being ``shift(1).over(unit, order_by=time)``.

Both take a tidy frame (one row per scheduled prompt: id, time or counter, items; optional
day and period columns) and return one row per unit and item with the columns of
:data:`analytics.indices.INDEX_COLUMNS`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any, Literal

import narwhals as nw
import polars as pl

from analytics import fastpath, indices
from analytics.indices import SCOPES, IndexOptions, Scope

#: Helper columns are named as :mod:`analytics.indices` reads them.
_c = indices.column_name

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
    #: Kept for compatibility; values are now centred on each unit's own mean.
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


def pair_ok(unit: Sequence[str], prev: indices.Prev, scope: Scope, *, has_day: bool) -> nw.Expr:
    """The pair rule on Narwhals: a row and the row before it belong to the same unit (and,
    within-day, to the same day; ``max_gap`` is applied by :func:`_pair_columns`). The
    fast path applies the same rule to arrays (:func:`_pair_masks`)."""
    ok = nw.lit(value=True)
    for key in unit:
        ok = ok & (prev(nw.col(key)) == nw.col(key))
    if scope == "withinday" and has_day:
        ok = ok & (prev(nw.col("__day")) == nw.col("__day"))
    return ok.fill_null(value=False)


def _pair_columns(
    item: str,
    unit: Sequence[str],
    prev: indices.Prev,
    options: IndexOptions,
    *,
    has_day: bool,
    has_time: bool,
) -> list[nw.Expr]:
    """Per-row columns of one item, null where the row does not close a valid pair of the
    scope: the lagged centred value ``__a``, the raw difference ``__d``, the interval ``__dt``."""
    x, y = nw.col(item), nw.col(_c("y", item))
    exprs: list[nw.Expr] = []
    for scope in SCOPES:
        ok = pair_ok(unit, prev, scope, has_day=has_day) & ~x.is_null() & ~prev(x).is_null()
        if has_time:
            dt = nw.col("__t") - prev(nw.col("__t"))
            if scope == "withinday" and options.max_gap is not None:
                ok = ok & (dt <= options.max_gap).fill_null(value=False)
            exprs.append(nw.when(ok).then(dt).alias(_c("dt", item, scope)))
        exprs.append(nw.when(ok).then(prev(y)).alias(_c("a", item, scope)))
        exprs.append(nw.when(ok).then(x - prev(x)).alias(_c("d", item, scope)))
    return exprs


def _expr_rows(item: str, scope: Scope | None, scalars: dict[str, float]) -> SimpleNamespace:
    """What a :class:`indices.Sum` row expression sees, as Narwhals expressions."""
    if scope is None:
        return SimpleNamespace(x=nw.col(item), y=nw.col(_c("y", item)))
    a = nw.col(_c("a", item, scope))
    return SimpleNamespace(
        a=a,
        b=nw.when(~a.is_null()).then(nw.col(_c("y", item))),
        d=nw.col(_c("d", item, scope)),
        dt=nw.col(_c("dt", item, scope)),
        **scalars,
    )


def _reduce_expr(reducer: indices.Reducer, row: nw.Expr) -> nw.Expr:
    if reducer == "len":
        return nw.len()
    if reducer == "count":
        return row.count()
    if reducer == "count_true":
        return row.cast(nw.Int64).sum()
    if reducer == "min":
        return row.min()
    if reducer == "max":
        return row.max()
    if reducer == "mean":
        return row.mean()
    return row.sum()


def _indices_frame(
    sums: pl.DataFrame,
    columns: Columns,
    options: IndexOptions,
    thresholds: dict[str, dict[Scope, float]],
) -> pl.DataFrame:
    """The indices (:func:`indices.unit_indices`) over the per-unit sums, one row per unit
    and item."""
    with_time_adjust = options.time_adjust_lambda is not None
    parts = []
    for item in columns.items:
        *helpers, last = _polars_steps(item, options, with_time_adjust=with_time_adjust)
        frame = sums.with_columns(
            pl.lit(thresholds[item][scope], dtype=pl.Float64).alias(_c("thr", item, scope))
            for scope in SCOPES
        )
        for step in helpers:
            frame = frame.with_columns(step)
        parts.append(frame.select(*columns.unit, pl.lit(item).alias("item"), *last))
    return pl.concat(parts, how="vertical").sort([*columns.unit, "item"])


@functools.lru_cache(maxsize=64)
def _polars_steps(
    item: str, options: IndexOptions, *, with_time_adjust: bool
) -> tuple[tuple[pl.Expr, ...], ...]:
    """:func:`indices.unit_indices` as Polars expressions, translated by Narwhals once
    per item and options: the translation of the whole set costs about ten times what
    evaluating it on 10,000 units does. (Narwhals has no public call for one expression's
    native form; ``_to_compliant_expr`` is what its own ``with_columns`` calls.
    ``test_engine`` checks the result against Narwhals' ``with_columns``.)"""
    namespace = nw.from_native(pl.DataFrame(), eager_only=True).__narwhals_namespace__()
    steps = indices.unit_indices(item, options, with_time_adjust=with_time_adjust)
    return tuple(tuple(_native(e._to_compliant_expr(namespace)) for e in step) for step in steps)


def _native(compliant: Any) -> pl.Expr:
    native = compliant.native
    if not isinstance(native, pl.Expr):  # pragma: no cover - a Narwhals change
        raise TypeError(f"expected a Polars expression from Narwhals, got {type(native)}")
    return native


def _run(
    frame: Any,
    columns: Columns,
    options: IndexOptions,
    prev: indices.Prev,
    *,
    has_day: bool,
    progress: Callable[[str], None],
) -> Result:
    """The general pipeline on Narwhals (Spark; Polars when the fast path cannot run):
    unit means → pair columns → pooled scalars → one ``group_by(unit).agg`` → indices."""
    has_time = _needs_time(options)
    unit = columns.unit
    progress("pairs")
    frame = frame.with_columns(
        *(nw.col(item).mean().over(*unit).alias(_c("m", item)) for item in columns.items)
    )
    frame = frame.with_columns(
        *((nw.col(item) - nw.col(_c("m", item))).alias(_c("y", item)) for item in columns.items)
    )
    frame = frame.with_columns(
        *(
            e
            for item in columns.items
            for e in _pair_columns(item, unit, prev, options, has_day=has_day, has_time=has_time)
        )
    )
    if isinstance(frame, nw.DataFrame):
        frame = frame.lazy()
    progress("thresholds")
    pooled_exprs = []
    for item in columns.items:
        for scalar in indices.pooled_scalars(options, has_time=has_time):
            row = scalar.row(_expr_rows(item, scalar.scope, {}))
            agg = (
                row.median() if scalar.quantile == 0.5 else row.quantile(scalar.quantile, "linear")
            )
            pooled_exprs.append(agg.alias(scalar.name(item)))
    pooled: dict[str, Any] = {}
    if pooled_exprs:
        row_frame = frame.select(*pooled_exprs)
        if isinstance(row_frame, nw.LazyFrame):
            row_frame = row_frame.collect()
        pooled = {k: v[0] for k, v in row_frame.to_dict(as_series=False).items()}
    thresholds: dict[str, dict[Scope, float]] = {}
    aggs: list[nw.Expr] = []
    for item in columns.items:
        thresholds[item], medians = indices.scalar_values(item, options, pooled)
        aggs.append(nw.col(_c("m", item)).min().alias(_c("m", item)))
        for spec in indices.unit_sums(options, has_time=has_time):
            scalars = (
                {}
                if spec.scope is None
                else {"thr": thresholds[item][spec.scope], "md": medians[spec.scope]}
            )
            row = spec.row(_expr_rows(item, spec.scope, scalars))
            aggs.append(_reduce_expr(spec.reducer, row).alias(spec.name(item)))
    progress("per-unit sums")
    sums = frame.group_by(*unit).agg(*aggs)
    if isinstance(sums, nw.LazyFrame):
        sums = sums.collect("polars")
    progress("indices")
    out = _indices_frame(nw.to_native(sums), columns, options, thresholds)
    return Result(frame=out, options=options, thresholds=thresholds)


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
    """The indices on the embedded engine: the compiled sorted-input fast path
    (:mod:`analytics.fastpath`) for at least :data:`analytics.fastpath.MIN_ROWS` rows whose
    keys, time and day are plain numbers or naive dates/datetimes without nulls, sorting
    first when the rows are out of order; the general Polars pipeline (:func:`_run`)
    otherwise."""
    options = options or IndexOptions()
    keep = [*columns.unit, columns.time, *columns.items]
    if columns.day is not None:
        keep.append(columns.day)
    native: pl.DataFrame = data.lazy().select(list(dict.fromkeys(keep))).collect()
    progress = _once(progress)
    progress("sort")
    order = [*columns.unit, columns.time]
    if native.height >= fastpath.MIN_ROWS and fastpath.eligible(
        native, columns.unit, columns.time, columns.day
    ):
        for attempt in range(2):
            try:
                sums, thresholds = fastpath.run_sorted(
                    native,
                    columns.unit,
                    columns.time,
                    columns.day,
                    columns.items,
                    options,
                    progress=progress,
                )
            except fastpath.Unsorted:
                if attempt == 0:
                    native = native.sort(order)
                continue
            progress("indices")
            out = _indices_frame(sums, columns, options, thresholds)
            return Result(frame=out, options=options, thresholds=thresholds)
    std = _standard_columns(nw.from_native(native), columns).to_native()
    std = std.sort([*columns.unit, "__t"])
    drop = [
        c for c in (columns.time, columns.day) if c and c not in (*columns.unit, *columns.items)
    ]
    if not _needs_time(options):
        drop.append("__t")
    std = std.drop(drop)
    frame = nw.from_native(std, eager_only=True)

    def prev(expr: nw.Expr) -> nw.Expr:
        return expr.shift(1)

    return _run(frame, columns, options, prev, has_day="__day" in std.columns, progress=progress)


def _once(progress: Callable[[str], None]) -> Callable[[str], None]:
    """``progress`` called at most once per stage (the fast path may start over)."""
    seen: set[str] = set()

    def call(stage: str) -> None:
        if stage not in seen:
            seen.add(stage)
            progress(stage)

    return call


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
