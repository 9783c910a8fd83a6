"""The embedded engine's sorted-input fast path: the sums of :mod:`analytics.indices` as
segment reductions over NumPy arrays.

On rows sorted by unit and time, each unit is a contiguous run of rows, so a per-unit sum
is a segment reduction (``np.add.reduceat`` at the unit starts) and "the previous row of
the same unit" is the previous array element unless a unit starts there. The rows are
processed in chunks that end at a unit boundary (about :data:`CHUNK_ROWS` rows, so the
chunk's intermediate arrays stay in the CPU cache); per chunk and item:

1. the unit starts (a key changes) — and, on the same arrays, the check that the rows are
   in (unit, time) order; out-of-order rows raise :class:`Unsorted` (the caller sorts
   and runs again);
2. the unit mean m from the non-missing values, then y = x − m (two-pass centring);
3. every non-pooled :class:`analytics.indices.Sum`: its row expression evaluated on
   row-aligned arrays of the domain (the values; or the pair closing at each row), with
   a 0/1 mask of the domain, and reduced per unit with ``reduceat``. Elements outside the
   domain are 0 for a row expression that is 0 at 0 (checked, e.g. ``a·b``), NaN
   otherwise (then explicitly zeroed, or ignored by ``fmin``/``fmax`` and comparisons);
4. each scope's raw differences Δ (NaN where no valid pair closes) kept row-aligned for
   the pooled pass.

Then the pooled scalars (R type-7 quantiles, by selection: a strided sample brackets the
order statistics, counting passes confirm them, and only the values inside the bracket
are partitioned) and the pooled sums (the PAC counts, the time-adjusted MSSD) over the
buffers, unit block by unit block. The chunks are shared out over up to two threads
(NumPy releases the GIL in its loops). The row expressions
and reducers are those of :func:`analytics.indices.unit_sums`; nothing here defines an
index. The pair rule is the one of :func:`analytics.engine.pair_ok`: same unit, both values
present, and, within-day, the same day and at most ``max_gap`` apart.
"""

from __future__ import annotations

import itertools
import math
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any

import numpy as np
import polars as pl

from analytics import indices
from analytics.indices import SCOPES, IndexOptions, Scope

#: Rows per chunk (a chunk ends at a unit boundary, so it can be longer).
CHUNK_ROWS = 1 << 16
#: Threads the chunks are shared out over.
THREADS = min(2, os.cpu_count() or 1)
#: Size of the strided sample that brackets a pooled quantile.
SAMPLE = 1 << 16

_DAY_UNITS = {"ns": 86_400_000_000_000, "us": 86_400_000_000, "ms": 86_400_000}
_SECOND_UNITS = {"ns": 1e9, "us": 1e6, "ms": 1e3}


class Unsorted(Exception):
    """The rows are not in (unit, time) order."""


def eligible(frame: pl.DataFrame, unit: Sequence[str], time: str, day: str | None) -> bool:
    """Whether the keys, time and day are plain numbers or naive dates/datetimes without
    nulls (anything else takes the general path)."""
    if frame.height == 0:
        return False
    for name in (*unit, time, *([day] if day else [])):
        dtype = frame.schema[name]
        ok = dtype.is_numeric() or dtype == pl.Date or dtype == pl.Boolean
        if isinstance(dtype, pl.Datetime):
            ok = dtype.time_zone is None
        if not ok or frame[name].null_count():
            return False
    return True


def _physical(series: pl.Series) -> np.ndarray:
    if series.dtype.is_temporal():
        series = series.to_physical()
    elif series.dtype == pl.Boolean:
        series = series.cast(pl.UInt8)
    return series.to_numpy()


class _View:
    """What a row expression sees: arrays built on first use from ``make`` (name → thunk),
    plus scalars."""

    def __init__(self, make: dict[str, Callable[[], Any]], **scalars: float) -> None:
        self._make = make
        self.__dict__.update(scalars)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_") or name not in self._make:
            raise AttributeError(name)
        value = self._make[name]()
        self.__dict__[name] = value
        return value


def _same(value: Any) -> Any:
    return value


def _masked(values: np.ndarray | None, mask: np.ndarray) -> np.ndarray | None:
    return None if values is None else values * mask


def _outside_nan(zeros: _View, name: str, mask: np.ndarray) -> np.ndarray | None:
    """A 0-filled array of ``zeros`` with NaN outside the 0/1 ``mask`` (0/0)."""
    values: np.ndarray | None = getattr(zeros, name)
    return None if values is None else values / mask


def _present(values: np.ndarray) -> np.ndarray:
    present: np.ndarray = np.equal(values, values).astype(np.float64)  # not NaN
    return present


def _zero_at_zero(spec: indices.Sum) -> bool:
    """Whether elements outside the domain can be left as they are: a numeric row
    expression that is 0 when its inputs are 0 (0-filled arrays serve), or a condition
    that is false when its inputs are NaN (NaN-filled arrays serve)."""
    with np.errstate(all="ignore"):
        if spec.reducer == "count_true":
            nan = np.full(1, math.nan)
            view = _View(
                {k: (lambda: nan) for k in ("x", "y", "a", "b", "d", "dt")}, thr=0.0, md=1.0
            )
            return not bool(np.asarray(spec.row(view))[0])
        zero = np.zeros(1)
        view = _View({k: (lambda: zero) for k in ("x", "y", "a", "b", "d", "dt")}, thr=1.0, md=1.0)
        value = np.asarray(spec.row(view))
    return value.dtype != np.bool_ and bool(value[0] == 0.0)


def _segments(
    ufunc: np.ufunc, values: Any, starts: np.ndarray, empty: float = 0.0, dtype: Any = None
) -> np.ndarray:
    """``ufunc`` over the segments [starts[i], starts[i + 1]) of ``values`` (the last one to
    the end); a segment that starts at the end (a unit with no pair) gets ``empty``."""
    values = np.asarray(values)
    if values.size and starts[-1] < values.size:
        return ufunc.reduceat(values, starts, dtype=dtype)  # type: ignore[no-any-return]
    out = np.full(starts.size, empty, dtype=dtype or values.dtype)
    if values.size and starts.size > 1:
        out[:-1] = ufunc.reduceat(values, starts[:-1], dtype=dtype)
    return out


def _reduce(
    spec: indices.Sum,
    zeros: _View,
    nans: _View,
    mask: Callable[[], np.ndarray],
    count: np.ndarray,
    starts: np.ndarray,
    rowlen: np.ndarray,
    zero_ok: bool,
) -> np.ndarray:
    """A :class:`analytics.indices.Sum` reducer as a segment reduction over a domain given
    by a 0/1 ``mask``: elements outside it are 0 in ``zeros`` and NaN in ``nans``."""
    reducer = spec.reducer
    if reducer == "len":
        return rowlen
    if reducer == "count":
        return count
    if reducer == "count_true":
        hits = np.asarray(spec.row(nans))
        if zero_ok:  # here: "false at NaN", so elements outside the domain are false
            return _segments(np.add, hits, starts, 0, np.int64)
        return _segments(np.add, hits & (mask() > 0), starts, 0, np.int64)
    if reducer in ("min", "max"):
        ufunc = np.fmin if reducer == "min" else np.fmax
        return _segments(ufunc, spec.row(nans), starts, math.nan)
    values = spec.row(zeros) if zero_ok else np.where(mask() > 0, spec.row(nans), 0.0)
    total = _segments(np.add, np.asarray(values, dtype=np.float64), starts)
    if reducer == "mean":
        return total / count  # type: ignore[no-any-return]
    return total


#: Elements per block when a pooled row expression is evaluated over a buffer.
BLOCK = 1 << 18


def _blocks(row: Callable[[int, int], np.ndarray], size: int) -> Any:
    """``row`` over the buffer in blocks (its values stay in the CPU cache)."""
    for lo in range(0, size, BLOCK):
        yield row(lo, min(lo + BLOCK, size))


def quantile_type7(
    row: Callable[[int, int], np.ndarray], size: int, present: int, q: float
) -> float | None:
    """R's ``quantile(type = 7)`` of the non-NaN values of ``row`` (evaluated on buffer
    elements [lo, hi); ``present`` of the ``size`` are not NaN), with R's arithmetic: with
    i = 1 + (m − 1)q, l = ⌊i⌋ and h = i − l, x₍ₗ₎ when x₍ₗ₊₁₎ = x₍ₗ₎, else (1 − h)x₍ₗ₎ + h·x₍ₗ₊₁₎
    (1-based order statistics, found by selection). Polars' and Spark's ``linear`` are the
    same rule but may round the last bit differently."""
    m = present
    if m == 0:
        return None
    index = 1 + (m - 1) * q
    lower = math.floor(index)
    h = index - lower
    k, k1 = lower - 1, min(lower, m - 1)
    low, high = _order_statistics(row, size, m, k, k1)
    return low if high == low else (1 - h) * low + h * high


def _count(
    row: Callable[[int, int], np.ndarray], size: int, low: float, high: float
) -> tuple[int, int]:
    """How many values are below ``low`` and how many at most ``high``."""
    below = upto = 0
    for values in _blocks(row, size):
        below += int(np.count_nonzero(values < low))
        upto += int(np.count_nonzero(values <= high))
    return below, upto


def _order_statistics(
    row: Callable[[int, int], np.ndarray], size: int, m: int, k: int, k1: int
) -> tuple[float, float]:
    """The k-th and k1-th smallest non-NaN values (0-based). A random sample (fixed seed)
    proposes a value; counting passes confirm it (ties: both ranks hold it) or move to
    the next distinct sample value; failing that, a bracket of sample values is counted
    and only the values inside it are partitioned; failing that, all are."""
    rng = np.random.default_rng(0)
    at_rows = np.sort(rng.integers(0, size, min(SAMPLE, size)))
    sample = np.concatenate(
        [
            row(lo, min(lo + BLOCK, size))[at_rows[(at_rows >= lo) & (at_rows < lo + BLOCK)] - lo]
            for lo in range(0, size, BLOCK)
        ]
    )
    sample = np.sort(sample[~np.isnan(sample)])
    if sample.size:
        guess = sample[int(k / max(m - 1, 1) * (sample.size - 1))]
        sample = np.unique(sample)  # distinct values, sorted
        at = int(np.searchsorted(sample, guess))
        for _ in range(4):
            value = sample[at]
            below, upto = _count(row, size, value, value)
            if below <= k and k1 < upto:
                return float(value), float(value)
            if below > k and at > 0:
                at -= 1
            elif k1 >= upto and at < sample.size - 1:
                at += 1
            else:
                break
        for width in (8, 64, 512):
            low = sample[max(at - width, 0)]
            high = sample[min(at + width, sample.size - 1)]
            below, upto = _count(row, size, low, high)
            if below <= k and k1 < upto:
                inside = np.concatenate([v[(v >= low) & (v <= high)] for v in _blocks(row, size)])
                part = np.partition(inside, [k - below, k1 - below])
                return float(part[k - below]), float(part[k1 - below])
    values = np.concatenate([v[~np.isnan(v)] for v in _blocks(row, size)])
    part = np.partition(values, [k, k1])
    return float(part[k]), float(part[k1])


class _Item:
    """What one item accumulates: per-unit sums by chunk, and the row-aligned buffers."""

    def __init__(self, name: str, series: pl.Series) -> None:
        self.name = name
        # The values with 0 for missing, and whether each is present (one pass each).
        self.values: np.ndarray = series.fill_null(0.0).to_numpy()
        self.present: np.ndarray = series.is_not_null().to_numpy()
        self.parts: dict[str, dict[int, np.ndarray]] = {}
        self.npairs: dict[Scope, dict[int, np.ndarray]] = {s: {} for s in SCOPES}
        self.buffers: dict[str, np.ndarray] = {}

    def add(self, name: str, chunk: int, values: np.ndarray) -> None:
        self.parts.setdefault(name, {})[chunk] = values


class _Plan:
    """Everything a chunk needs that does not change from chunk to chunk."""

    def __init__(
        self,
        frame: pl.DataFrame,
        unit: Sequence[str],
        time: str,
        day: str | None,
        items: Sequence[str],
        options: IndexOptions,
    ) -> None:
        self.n = frame.height
        self.has_time = options.max_gap is not None or options.time_adjust_lambda is not None
        self.gap = options.max_gap
        self.keys = [_physical(frame[k]) for k in unit]
        time_type = frame.schema[time]
        self.t = _physical(frame[time])
        self.seconds, self.per_day = 1.0, 0
        if isinstance(time_type, pl.Datetime):
            self.seconds = _SECOND_UNITS[time_type.time_unit]
            self.per_day = _DAY_UNITS[time_type.time_unit]
        self.day: np.ndarray | None = None
        if day:
            self.day, self.per_day = _physical(frame[day]), 0
        elif time_type.is_temporal():
            self.day = self.t
        self.sums = indices.unit_sums(options, has_time=self.has_time)
        self.zero_ok = {s.stem: _zero_at_zero(s) for s in self.sums}
        self.values = [s for s in self.sums if s.scope is None]
        self.pairs: dict[Scope, list[indices.Sum]] = {
            scope: [s for s in self.sums if s.scope == scope and not s.pooled] for scope in SCOPES
        }
        self.pooled = indices.pooled_scalars(options, has_time=self.has_time)
        self.buffered = any(s.pooled for s in self.sums) or bool(self.pooled)
        self.items = []
        for item in items:
            series = frame[item].cast(pl.Float64)
            if series.is_nan().any():
                series = series.fill_nan(None)
            self.items.append(_Item(item, series))
        if self.buffered:
            for st in self.items:
                for scope in SCOPES:
                    st.buffers[f"d_{scope}"] = np.empty(self.n)
                    if self.has_time:
                        st.buffers[f"dt_{scope}"] = np.empty(self.n)


def run_sorted(
    frame: pl.DataFrame,
    unit: Sequence[str],
    time: str,
    day: str | None,
    items: Sequence[str],
    options: IndexOptions,
    *,
    progress: Callable[[str], None],
) -> tuple[pl.DataFrame, dict[str, dict[Scope, float]]]:
    """The per-unit sums (one row per unit: keys and the sums' columns) and the PAC
    thresholds, on rows sorted by unit and time; raises :class:`Unsorted` otherwise."""
    plan = _Plan(frame, unit, time, day, items, options)
    progress("pairs")
    done = _parallel(lambda r: _chunks(plan, *r), _ranges(plan, THREADS))
    chunk_starts = [s for part in done for s in part]
    unit_starts = np.concatenate([s for _, s in chunk_starts])
    order = [lo for lo, _ in chunk_starts]

    progress("thresholds")
    thresholds: dict[str, dict[Scope, float]] = {}
    medians: dict[str, dict[Scope, float]] = {}
    jobs = [(st, spec) for st in plan.items for spec in plan.pooled]
    found = _parallel(lambda job: _pooled_scalar(plan, *job), jobs)
    for st in plan.items:
        pooled = {
            spec.name(st.name): value
            for (owner, spec), value in zip(jobs, found, strict=True)
            if owner is st
        }
        thresholds[st.name], medians[st.name] = indices.scalar_values(st.name, options, pooled)

    progress("per-unit sums")
    sum_jobs = [
        (st, [s for s in plan.sums if s.pooled and s.scope == scope])
        for st in plan.items
        for scope in SCOPES
    ]
    _parallel(
        lambda job: _pooled_sums(
            plan, job[0], job[1], chunk_starts, thresholds[job[0].name], medians[job[0].name]
        ),
        [job for job in sum_jobs if job[1]],
    )
    out = frame.select(list(unit)).gather(unit_starts)
    columns: list[pl.Series] = []
    for st in plan.items:
        for name, parts in st.parts.items():
            values = np.concatenate([parts[lo] for lo in order])
            columns.append(pl.Series(name, values, nan_to_null=values.dtype.kind == "f"))
    return out.with_columns(columns), thresholds


def _parallel(work: Callable[[Any], Any], jobs: Sequence[Any]) -> list[Any]:
    """``work`` on each job, on up to :data:`THREADS` threads, results in order."""
    if THREADS < 2 or len(jobs) < 2:
        return [work(job) for job in jobs]
    with ThreadPoolExecutor(min(THREADS, len(jobs))) as pool:
        return list(pool.map(work, jobs))


def _pooled_scalar(plan: _Plan, st: _Item, spec: indices.Pooled) -> float | None:
    """One pooled scalar of one item (the quantile of its row over the scope's pairs)."""
    present = int(sum(float(c.sum()) for c in st.npairs[spec.scope].values()))
    d = st.buffers[f"d_{spec.scope}"]
    dt = st.buffers.get(f"dt_{spec.scope}")

    def row(lo: int, hi: int) -> np.ndarray:
        view = _View(
            {
                "d": partial(_same, d[lo:hi]),
                "dt": partial(_same, dt[lo:hi] if dt is not None else None),
            }
        )
        return np.asarray(spec.row(view), dtype=np.float64)

    return quantile_type7(row, plan.n, present, spec.quantile)


def _ranges(plan: _Plan, threads: int) -> list[tuple[int, int]]:
    """Up to ``threads`` row ranges that split the rows at unit boundaries."""
    n = plan.n
    cuts = [0]
    for part in range(1, threads):
        at = n * part // threads
        if at <= cuts[-1] or at >= n:
            continue
        # Move forward to the next unit start.
        while at < n and all(k[at] == k[at - 1] for k in plan.keys):
            step = min(CHUNK_ROWS, n - at)
            same = np.ones(step, dtype=bool)
            for k in plan.keys:
                same &= k[at : at + step] == k[at - 1]
            moved = np.flatnonzero(~same)
            at = at + int(moved[0]) if moved.size else at + step
        if cuts[-1] < at < n:
            cuts.append(at)
    cuts.append(n)
    return [(a, b) for a, b in itertools.pairwise(cuts)]


def _same_and_ordered(
    keys: list[np.ndarray], t: np.ndarray, first: int, end: int
) -> tuple[np.ndarray, bool]:
    """Per adjacent pair of rows in [first, end): same unit; and whether every pair is in
    ascending (unit…, time) order."""
    tw = t[first:end]
    later = tw[1:] >= tw[:-1]
    same = np.ones(tw.size - 1 if tw.size else 0, dtype=bool)
    for k in reversed(keys):
        kw = k[first:end]
        eq = kw[1:] == kw[:-1]
        later = (kw[1:] > kw[:-1]) | (eq & later)
        same &= eq
    return same, bool(later.all())


def _chunks(plan: _Plan, begin: int, stop: int) -> list[tuple[int, np.ndarray]]:
    """Process rows [begin, stop) chunk by chunk; the (first row, unit starts) of each."""
    out: list[tuple[int, np.ndarray]] = []
    keys, t = plan.keys, plan.t
    lo, width = begin, CHUNK_ROWS
    while lo < stop:
        end = min(lo + width, stop)
        first = max(lo - 1, 0)
        same, in_order = _same_and_ordered(keys, t, first, end)
        if not in_order:
            raise Unsorted
        if lo > 0:
            same = same[1:]
        hi = end
        if end < stop and all(k[end] == k[end - 1] for k in keys):
            breaks = np.flatnonzero(~same)
            if breaks.size == 0:
                width *= 2
                continue
            hi = lo + int(breaks[-1]) + 1
            same = same[: hi - lo - 1]
        width = CHUNK_ROWS
        out.append((lo, _chunk(plan, lo, hi, same)))
        lo = hi
    return out


def _chunk(plan: _Plan, lo: int, hi: int, same: np.ndarray) -> np.ndarray:
    """Steps 2–4 of the module docstring for every item on rows [lo, hi); the unit starts.

    Pair arrays have one element per adjacent pair of rows (rows j, j + 1: length rows − 1)
    and belong to the unit of row j, so the units' segments start where their rows do (a
    pair across units is outside every scope)."""
    rows = hi - lo
    starts = np.concatenate(([0], np.flatnonzero(~same) + 1))
    rowlen = np.diff(np.append(starts, rows))
    scopes: dict[Scope, np.ndarray] = {"all": same}
    dt = None
    if plan.has_time:
        dt = np.diff(plan.t[lo:hi]).astype(np.float64)
        if plan.seconds != 1.0:
            dt /= plan.seconds
    within = same
    if plan.day is not None:
        day = plan.day[lo:hi] // plan.per_day if plan.per_day else plan.day[lo:hi]
        within = within & (day[1:] == day[:-1])
    if plan.gap is not None and dt is not None:
        within = within & (dt <= plan.gap)
    scopes["withinday"] = within
    for st in plan.items:
        _chunk_item(plan, st, lo, rows, starts, rowlen, scopes, dt)
    return starts + lo


def _chunk_item(
    plan: _Plan,
    st: _Item,
    lo: int,
    rows: int,
    starts: np.ndarray,
    rowlen: np.ndarray,
    scopes: dict[Scope, np.ndarray],
    dt: np.ndarray | None,
) -> None:
    x0 = st.values[lo : lo + rows]
    present = st.present[lo : lo + rows]
    w = present.astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        count = np.add.reduceat(w, starts)
        mean = np.add.reduceat(x0, starts) / count
        mean[count == 0] = 0.0
        y0 = x0 - np.repeat(mean, rowlen)
        y0 *= w
        st.add(f"__m_{st.name}", lo, np.where(count > 0, mean, math.nan))
        zeros = _View({"x": lambda: x0, "y": lambda: y0})
        nans = _View({"x": lambda: x0 / w, "y": lambda: y0 / w})
        for spec in plan.values:
            st.add(
                spec.name(st.name),
                lo,
                _reduce(
                    spec, zeros, nans, lambda: w, count, starts, rowlen, plan.zero_ok[spec.stem]
                ),
            )
        both = present[1:] & present[:-1]
        diff = x0[1:] - x0[:-1]
        lag, cur = y0[:-1], y0[1:]
        for scope in SCOPES:
            pair = (scopes[scope] & both).astype(np.float64)
            npairs = _segments(np.add, pair, starts)
            d0 = diff * pair
            zeros = _View(
                {
                    "a": partial(np.multiply, lag, pair),
                    "b": partial(np.multiply, cur, pair),
                    "d": partial(_same, d0),
                    "dt": partial(_masked, dt, pair),
                }
            )
            nans = _View(
                {name: partial(_outside_nan, zeros, name, pair) for name in ("a", "b", "d", "dt")}
            )
            for spec in plan.pairs[scope]:
                st.add(
                    spec.name(st.name),
                    lo,
                    _reduce(
                        spec,
                        zeros,
                        nans,
                        partial(_same, pair),
                        npairs,
                        starts,
                        rowlen,
                        plan.zero_ok[spec.stem],
                    ),
                )
            st.npairs[scope][lo] = npairs
            if st.buffers:
                end = lo + rows - 1
                np.divide(d0, pair, out=st.buffers[f"d_{scope}"][lo:end])
                st.buffers[f"d_{scope}"][end] = math.nan
                if dt is not None and f"dt_{scope}" in st.buffers:
                    st.buffers[f"dt_{scope}"][lo:end] = nans.dt
                    st.buffers[f"dt_{scope}"][end] = math.nan


def _pooled_sums(
    plan: _Plan,
    st: _Item,
    specs: list[indices.Sum],
    chunk_starts: list[tuple[int, np.ndarray]],
    thresholds: dict[Scope, float],
    medians: dict[Scope, float],
) -> None:
    """The sums that need a pooled scalar, over the buffers, chunk by chunk (the buffers
    hold each chunk's pair arrays at its rows, NaN where no valid pair)."""
    ends = [lo for lo, _ in chunk_starts[1:]] + [plan.n]
    with np.errstate(invalid="ignore", divide="ignore"):
        for (lo, unit_starts), hi in zip(chunk_starts, ends, strict=True):
            starts = unit_starts - lo
            rowlen = np.diff(np.append(starts, hi - lo))
            for spec in specs:
                scope: Scope = spec.scope or "all"  # pooled sums are pair sums
                d = st.buffers[f"d_{scope}"][lo : hi - 1]
                dtb = st.buffers.get(f"dt_{scope}")
                dt = None if dtb is None else dtb[lo : hi - 1]
                nans = _View(
                    {"d": partial(_same, d), "dt": partial(_same, dt)},
                    thr=thresholds[scope],
                    md=medians[scope],
                )
                st.add(
                    spec.name(st.name),
                    lo,
                    _reduce(
                        spec,
                        nans,
                        nans,
                        partial(_present, d),
                        st.npairs[scope][lo],
                        starts,
                        rowlen,
                        spec.reducer == "count_true" and plan.zero_ok[spec.stem],
                    ),
                )
