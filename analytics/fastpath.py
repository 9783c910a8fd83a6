"""The embedded engine's sorted-input fast path: the sums of :mod:`analytics.indices` in
compiled loops over each unit's rows (decision 0023).

On rows sorted by unit and time, each unit is a contiguous run of rows and "the previous
row of the same unit" is the previous row unless a unit starts there. The loops are
generated from the sums' row expressions by :mod:`analytics.kernels` and compiled by
Numba; the units are shared out over up to two threads (the loops release the GIL):

1. the unit starts (a key changes), found by galloping from the last unit's length so
   that only a few keys per unit are read, and the check that the units' keys ascend;
2. per unit, the mean m of the present values, then every sum that needs no pooled
   scalar over the values (y = x − m) and the valid pairs of each scope; for each pooled
   scalar (e.g. |Δ| for the PAC threshold) the count of its row values, per unit those
   above a bracket of values guessed from a sample of units and those in it, and the
   values in it, kept; and the check that each unit's times ascend and its rows all have
   its key (out-of-order rows raise :class:`Unsorted`: the caller sorts and runs again);
3. each pooled scalar (R type-7 quantile): when the kept values hold the two order
   statistics it needs, a partial sort of them gives those exactly (else a histogram of
   all values gives the bins that hold them, and one more pass collects those bins);
4. the sums that use the pooled scalars: the PAC counts follow from step 2 (the count
   above the bracket plus the kept values at or above the threshold) when the threshold
   came from the kept values; else, and for the time-adjusted MSSD, one more pass.

The values are read in place from the item's Arrow buffers (values and validity bitmap):
NaN and null are both missing. The pair rule is the one of
:func:`analytics.engine.pair_ok`: same unit, both values present, and, within-day, the
same day and at most ``max_gap`` apart.
"""

from __future__ import annotations

import functools
import itertools
import math
import os
import re
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from types import ModuleType
from typing import Any, NamedTuple

import numpy as np
import polars as pl
import pyarrow as pa

from analytics import indices, kernels
from analytics.indices import SCOPES, IndexOptions, Scope

#: Inputs with fewer rows take the general pipeline: the loops are compiled on first use
#: (about a second, then cached on disk), which a small input does not repay.
MIN_ROWS = 200_000
#: Threads the units are shared out over.
THREADS = min(2, os.cpu_count() or 1)

_DAY_UNITS = {"ns": 86_400_000_000_000, "us": 86_400_000_000, "ms": 86_400_000}
_SECOND_UNITS = {"ns": 1e9, "us": 1e6, "ms": 1e3}
_NO_BITS = np.zeros(1, dtype=np.uint8)
_COUNTS = ("len", "count", "count_true")


class Item(NamedTuple):
    """An item's values as float64 read in place, its validity bitmap (least significant
    bit first; a dummy when there is none), and the bitmap's offset."""

    values: np.ndarray
    bits: np.ndarray
    offset: int
    has_bits: bool


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


def _values(series: pl.Series) -> Item:
    """The item's values and validity bitmap, as its Arrow buffers hold them."""
    series = series.cast(pl.Float64).rechunk()
    if series.null_count() == 0:
        return Item(series.to_numpy(), _NO_BITS, 0, has_bits=False)
    array = series.to_arrow()
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    validity, data = array.buffers()[:2]
    offset = array.offset
    values = np.frombuffer(data, dtype=np.float64)[offset : offset + len(array)]
    return Item(values, np.frombuffer(validity, dtype=np.uint8), offset, has_bits=True)


def type7_ranks(m: int, q: float) -> tuple[int, int, float]:
    """R's ``quantile(type = 7)`` of ``m`` values: i = 1 + (m − 1)q, l = ⌊i⌋, h = i − l; the
    0-based ranks of x₍ₗ₎ and x₍ₗ₊₁₎ (the last value when l = m), and h."""
    index = 1 + (m - 1) * q
    lower = math.floor(index)
    return lower - 1, min(lower, m - 1), index - lower


def quantile_type7(
    m: int, q: float, order_stat: Callable[[int, int], tuple[float, float]]
) -> float | None:
    """R's ``quantile(type = 7)`` of ``m`` values with R's arithmetic: x₍ₗ₎ when
    x₍ₗ₊₁₎ = x₍ₗ₎, else (1 − h)x₍ₗ₎ + h·x₍ₗ₊₁₎ (see :func:`type7_ranks`; ``order_stat(k,
    k1)`` gives the k-th and k1-th smallest, 0-based). Polars' and Spark's ``linear`` are
    the same rule but may round the last bit differently."""
    if m == 0:
        return None
    k, k1, h = type7_ranks(m, q)
    low, high = order_stat(k, k1)
    return low if high == low else (1 - h) * low + h * high


#: The bracket of a pooled quantile is guessed from about one unit in SAMPLE_SHARE, in
#: SAMPLE_BLOCKS runs of units spread over the data, when there are SAMPLE_MIN_ROWS rows.
SAMPLE_SHARE = 32
SAMPLE_BLOCKS = 16
SAMPLE_MIN_ROWS = 200_000
SAMPLE_MIN_VALUES = 1_000


class _Collected:
    """The values of each pooled scalar in a range [lo, hi] (of bins, or of keys), kept by
    each thread (up to ``cap`` each)."""

    def __init__(self, lo: np.ndarray, hi: np.ndarray, cap: np.ndarray, threads: int) -> None:
        self.lo, self.hi, self.cap = lo, hi, cap
        width = int(cap.max(initial=0))
        self.outs = [np.empty((cap.size, width)) for _ in range(threads)]
        self.fills = [np.zeros(cap.size, dtype=np.int64) for _ in range(threads)]

    def args(self, thread: int) -> tuple[np.ndarray, ...]:
        return self.lo, self.hi, self.outs[thread], self.fills[thread], self.cap

    def kept(self, p: int) -> int:
        return sum(int(fill[p]) for fill in self.fills)

    def per_thread(self, p: int) -> list[np.ndarray]:
        """Scalar p's kept values, unit by unit, as each thread kept them."""
        return [out[p, : fill[p]] for out, fill in zip(self.outs, self.fills, strict=True)]

    def values(self, p: int) -> np.ndarray:
        """Scalar p's kept values, unit by unit (a new array)."""
        return np.concatenate(self.per_thread(p))


class _FirstPass(NamedTuple):
    """What step 2 gives for an item: the plain sums and unit mean (one row per unit);
    per unit and pooled scalar p (of P), the row values above the bracket (column p) and
    in it (column P + p); each scalar's count of row values (``totals[p]``); and the
    values kept in the bracket, unit by unit. With a ``tied`` bracket (at most two values,
    nothing kept), column p counts the values at or above lo[p] and column P + p those at
    or above hi[p]; ``totals[P + p]`` and ``totals[2P + p]`` count those above lo[p] and
    above hi[p]."""

    res: np.ndarray
    cnt: np.ndarray
    totals: np.ndarray
    kept: _Collected
    tied: bool = False


class _Scalar(NamedTuple):
    """A pooled scalar's value, and whether it came from the first pass's bracket and
    lies inside it (then the first pass's counts, and the values kept, give the counts at
    or above it)."""

    value: float | None
    from_bracket: bool = False


def _whole_numbers(lo: int, hi: int) -> tuple[int, int] | None:
    """The least and greatest whole number whose key is in [lo, hi], when there are one
    or two of them."""
    low, high = kernels.unkey(lo), kernels.unkey(hi)
    if not (math.isfinite(low) and math.isfinite(high)):
        return None
    least, greatest = math.ceil(low), math.floor(high)
    return (least, greatest) if 0 <= greatest - least <= 1 else None


def _tied_order_stats(
    first: _FirstPass, p: int, count: int, ranks: tuple[int, int]
) -> Callable[[int, int], tuple[float, float]] | None:
    """The order statistics of scalar p from a tied bracket's counts: the ranks from
    ``below`` on hold lo's value while they last, then hi's. None when the two ranks
    wanted are not among those, or a value lies strictly between lo and hi (the counts
    then cannot tell)."""
    lo, hi = first.kept.lo[p], first.kept.hi[p]
    at_least_lo, at_least_hi = int(first.cnt[:, p].sum()), int(first.cnt[:, count + p].sum())
    above_lo, above_hi = int(first.totals[count + p]), int(first.totals[2 * count + p])
    if lo < hi and above_lo != at_least_hi:
        return None
    below = int(first.totals[p]) - at_least_lo
    end_lo = below + at_least_lo - above_lo  # ranks [below, end_lo) hold lo's value
    end = below + at_least_lo - above_hi  # and up to end, hi's
    if not below <= ranks[0] <= ranks[1] < end:
        return None
    values = (kernels.unkey(int(lo)), kernels.unkey(int(hi)))

    def order_stat(k: int, k1: int) -> tuple[float, float]:
        return values[k >= end_lo], values[k1 >= end_lo]

    return order_stat


def _order_stats(values: np.ndarray, below: int) -> Callable[[int, int], tuple[float, float]]:
    """The k-th and k1-th smallest of all row values (0-based), from ``values``: those
    from rank ``below`` on, in any order (reordered in place)."""

    def order_stat(k: int, k1: int) -> tuple[float, float]:
        # One selection, then the next order statistic is the least of those above it
        # (NumPy's partition with two ranks takes several times as long as with one).
        i, i1 = k - below, k1 - below
        values.partition(i)
        if i1 == i:
            return float(values[i]), float(values[i])
        tail = values[i + 1 :]
        if i1 > i + 1:
            tail.partition(i1 - i - 1)
        return float(values[i]), float(tail[i1 - i - 1] if i1 > i + 1 else tail.min())

    return order_stat


class _Run:
    """One call: the compiled loops, the common arrays and the units' row ranges."""

    def __init__(
        self,
        frame: pl.DataFrame,
        unit: Sequence[str],
        time: str,
        day: str | None,
        options: IndexOptions,
    ) -> None:
        self.n = frame.height
        has_time = options.max_gap is not None or options.time_adjust_lambda is not None
        self.plain, self.pooled, self.scalars = _sum_sets(options, has_time)
        self.keys = [_physical(frame[k]) for k in unit]
        time_type = frame.schema[time]
        self.t = _physical(frame[time])
        seconds, per_day = 1.0, 1
        if isinstance(time_type, pl.Datetime):
            seconds = _SECOND_UNITS[time_type.time_unit]
            per_day = _DAY_UNITS[time_type.time_unit]
        # Days (see analytics.kernels): none; a day column (or Date times) compared; or
        # datetime times divided into days of ``per_day`` units.
        self.day, self.div, self.use_day = self.t, per_day, 0
        if day:
            self.day, self.use_day = _physical(frame[day]), 1
        elif isinstance(time_type, pl.Datetime):
            self.use_day = 2
        elif time_type == pl.Date:
            self.use_day = 1
        self.seconds = seconds
        self.gap = float(options.max_gap) if options.max_gap is not None else 0.0
        self.use_gap = options.max_gap is not None
        self.nkeys = len(unit)
        self.options, self.has_time = options, has_time
        self.module = self.compiled(has_bits=False)
        self.starts = np.zeros(1, dtype=np.int64)
        self.parts: list[tuple[int, int]] = []

    def compiled(self, *, has_bits: bool) -> ModuleType:
        """The loops for these sums, keys, days and gap rule (and bitmap or not)."""
        layout = kernels.Layout(self.nkeys, self.use_day, self.use_gap, has_bits)
        return _compiled(self.options, self.has_time, layout)

    def find_units(self) -> None:
        """Step 1: the unit starts (with ``n`` appended), and the threads' unit ranges."""
        cuts = [self.n * j // THREADS for j in range(THREADS + 1)]
        spans = [(lo, hi) for lo, hi in itertools.pairwise(cuts) if hi > lo]
        outs = [np.empty(hi - lo, dtype=np.int64) for lo, hi in spans]
        found = _parallel(
            lambda job: self.module.unit_starts(*self.keys, job[0][0], job[0][1], job[1]),
            list(zip(spans, outs, strict=True)),
        )
        if not all(ordered for _, ordered in found):
            raise Unsorted
        self.starts = np.concatenate(
            [out[:count] for out, (count, _) in zip(outs, found, strict=True)]
            + [np.array([self.n], dtype=np.int64)]
        )
        units = self.starts.size - 1
        middle = np.searchsorted(self.starts, [self.n * j // THREADS for j in range(1, THREADS)])
        bounds = [0, *(int(min(m, units)) for m in middle), units]
        self.parts = [(lo, hi) for lo, hi in itertools.pairwise(bounds) if hi > lo]

    def common(self, item: Item, part: tuple[int, int]) -> tuple[Any, ...]:
        return (
            self.starts, part[0], part[1], self.t, self.day, self.div, self.seconds,
            self.gap, item.values, item.bits, item.offset,
        )  # fmt: skip

    def sums(self, item: Item) -> _FirstPass:
        """Step 2: the plain sums and unit mean, and each pooled scalar's counts and the
        values in a bracket of keys guessed from a sample of units."""
        units, count = self.starts.size - 1, len(self.scalars)
        res = np.empty((units, len(self.plain) + 1))
        cnt = np.zeros((units, 2 * count), dtype=np.int64)
        tots = np.zeros((len(self.parts), 3 * count), dtype=np.int64)
        module = self.compiled(has_bits=item.has_bits)  # loaded here, not by both threads
        lo, hi, cap, tied = self.bracket(item)
        kept = _Collected(lo, hi, cap, len(self.parts))

        def first_pass(j: int) -> int:
            common = (*self.common(item, self.parts[j]), *self.keys, res, cnt)
            if tied:
                return int(module.sums_tied(*common, lo, hi, tots[j]))
            return int(module.sums(*common, *kept.args(j), tots[j]))

        late = _parallel(first_pass, range(len(self.parts)))
        if any(late):
            raise Unsorted
        return _FirstPass(res, cnt, tots.sum(axis=0), kept, tied=tied)

    def bracket(self, item: Item) -> tuple[np.ndarray, np.ndarray, np.ndarray, bool]:
        """For each pooled scalar, the keys [lo, hi] that hold its quantile with near
        certainty (whole histogram bins), guessed from a sample of units (about one in
        :data:`SAMPLE_SHARE`), and how many values to keep room for; an empty bracket
        (lo > hi) when there is too little to sample (step 3 then takes a histogram).
        Whether every bracket is ``tied``: when the sample's values are all whole numbers
        and the bins hold at most two of them, the bracket is those (lo and hi their
        keys), and the first pass counts instead of keeping."""
        count = len(self.scalars)
        lo = np.ones(count, dtype=np.int64)
        hi = np.zeros(count, dtype=np.int64)
        cap = np.zeros(count, dtype=np.int64)
        units = self.starts.size - 1
        if not count or self.n < SAMPLE_MIN_ROWS:
            return lo, hi, cap, False
        width = max(1, units // (SAMPLE_BLOCKS * SAMPLE_SHARE))
        spans = sorted(
            {(u, min(u + width, units)) for u in range(0, units, units // SAMPLE_BLOCKS or 1)}
        )
        hist = np.zeros((count, kernels.BINS), dtype=np.int64)
        fractional = np.zeros(count, dtype=np.int64)
        module = self.compiled(has_bits=item.has_bits)
        for span in spans:
            module.hist(*self.common(item, span), hist, fractional)
        tied: list[tuple[int, int] | None] = [None] * count
        rows = sum(int(self.starts[b] - self.starts[a]) for a, b in spans)
        for p, spec in enumerate(self.scalars):
            size = int(hist[p].sum())
            if size < SAMPLE_MIN_VALUES:
                continue
            rank = spec.quantile * (size - 1)
            margin = 6 * math.sqrt(size * spec.quantile * (1 - spec.quantile)) + size / 1000 + 8
            cum = np.cumsum(hist[p])
            first, last = (
                int(b)
                for b in np.searchsorted(
                    cum,
                    [max(0, math.floor(rank - margin)), min(size - 1, math.ceil(rank + margin))],
                    side="right",
                )
            )
            inside = int(cum[last] - (cum[first - 1] if first else 0))
            lo[p], hi[p] = kernels.bin_keys(first, last)
            room = int(inside * self.n / max(rows, 1) * 1.5) + 2 * kernels.BLOCK
            cap[p] = min(self.n + kernels.BLOCK, room)
            if fractional[p] == 0:
                tied[p] = _whole_numbers(int(lo[p]), int(hi[p]))
        if not all(tied):
            return lo, hi, cap, False
        for p, (low, high) in enumerate(t for t in tied if t is not None):
            lo[p], hi[p] = kernels.key(low), kernels.key(high)
        return lo, hi, np.zeros(count, dtype=np.int64), True

    def scalar_values(self, item: Item, first: _FirstPass) -> list[_Scalar]:
        """Step 3: each pooled scalar's quantile. When the values kept in step 2 are all
        there and hold the two order statistics it needs, a partial sort of them gives
        those exactly (with a tied bracket, the counts at its two values give them); else
        a histogram of all values gives the bins that hold them, and one more pass
        collects those bins."""
        count = len(self.scalars)
        found: list[_Scalar | None] = []
        for p, spec in enumerate(self.scalars):
            m = int(first.totals[p])
            if m == 0:
                found.append(_Scalar(None))
                continue
            k, k1, _ = type7_ranks(m, spec.quantile)
            if first.tied:
                order_stat = _tied_order_stats(first, p, count, (k, k1))
                value = quantile_type7(m, spec.quantile, order_stat) if order_stat else None
                found.append(None if value is None else _Scalar(value, from_bracket=True))
                continue
            above, inside = int(first.cnt[:, p].sum()), int(first.cnt[:, count + p].sum())
            below = m - above - inside
            if first.kept.kept(p) != inside or not below <= k <= k1 < below + inside:
                found.append(None)
                continue
            value = quantile_type7(m, spec.quantile, _order_stats(first.kept.values(p), below))
            inside_bracket = first.kept.lo[p] <= kernels.key(value or 0.0) <= first.kept.hi[p]
            found.append(_Scalar(value, from_bracket=value is not None and inside_bracket))
        missing = [p for p, one in enumerate(found) if one is None]
        if missing:
            values = self.histogram_quantiles(item, m=first.totals)
            for p in missing:
                found[p] = _Scalar(values[p])
        return [one if one is not None else _Scalar(None) for one in found]

    def histogram_quantiles(self, item: Item, m: np.ndarray) -> list[float | None]:
        """Each pooled scalar's quantile from a histogram of all its row values and the
        values in the bins that hold the two order statistics it needs."""
        count = len(self.scalars)
        module = self.compiled(has_bits=item.has_bits)
        hists = np.zeros((len(self.parts), count, kernels.BINS), dtype=np.int64)
        fractional = np.zeros((len(self.parts), count), dtype=np.int64)
        _parallel(
            lambda j: module.hist(*self.common(item, self.parts[j]), hists[j], fractional[j]),
            range(len(self.parts)),
        )
        total = hists.sum(axis=0)
        lo = np.ones(count, dtype=np.int64)
        hi = np.zeros(count, dtype=np.int64)
        wanted: list[tuple[int, int, int] | None] = []  # (k, k1, below) per scalar
        for p, spec in enumerate(self.scalars):
            if int(m[p]) == 0:
                wanted.append(None)
                continue
            k, k1, _ = type7_ranks(int(m[p]), spec.quantile)
            cum = np.cumsum(total[p])
            first, last = (int(b) for b in np.searchsorted(cum, [k, k1], side="right"))
            lo[p], hi[p] = first, last
            wanted.append((k, k1, int(cum[first - 1]) if first else 0))
        cap = np.array(
            [max(int(h[p, lo[p] : hi[p] + 1].sum()) for h in hists) for p in range(count)],
            dtype=np.int64,
        )
        now = _Collected(lo, hi, cap, len(self.parts))
        _parallel(
            lambda j: module.collect(*self.common(item, self.parts[j]), *now.args(j)),
            range(len(self.parts)),
        )
        values: list[float | None] = []
        for p, spec in enumerate(self.scalars):
            want = wanted[p]
            if want is None:
                values.append(None)
                continue
            _k, _k1, below = want
            order_stat = _order_stats(now.values(p), below)
            values.append(quantile_type7(int(m[p]), spec.quantile, order_stat))
        return values

    def rank_counts(self, first: _FirstPass, scalars: list[_Scalar]) -> np.ndarray | None:
        """The pooled sums without one more pass, when every one of them counts a pooled
        scalar's row values at or above (or above) the scalar (the PAC counts) and that
        scalar came from its bracket: the count above the bracket plus the kept values at
        or above it (with a tied bracket, the count at or above lo when the scalar is lo,
        else at or above hi). None otherwise."""
        units = first.cnt.shape[0]
        out = np.empty((units, len(self.pooled)))
        rows = {
            (kernels.row_source(sc.row, sc.scope), sc.scope): p
            for p, sc in enumerate(self.scalars)
            if sc.stem == "thr"
        }
        for j, spec in enumerate(self.pooled):
            if spec.reducer != "count_true" or spec.scope is None:
                return None
            source = kernels.row_source(spec.row, spec.scope)
            test = re.fullmatch(rf"\((.*) (>=|>) thr_{spec.scope}\)", source)
            p = rows.get((test.group(1), spec.scope)) if test else None
            if test is None or p is None:
                return None
            value = scalars[p].value
            if not scalars[p].from_bracket or value is None:
                return None
            if first.tied:
                if test.group(2) == ">":  # would need the counts above, per unit
                    return None
                at_lo = value == kernels.unkey(int(first.kept.lo[p]))
                out[:, j] = first.cnt[:, p if at_lo else len(self.scalars) + p]
                continue
            column = first.cnt[:, p].astype(np.float64)
            inside = first.cnt[:, len(self.scalars) + p]  # kept values per unit
            strict = test.group(2) == ">"
            for (u0, u1), kept in zip(self.parts, first.kept.per_thread(p), strict=True):
                self.module.count_from(kept, inside[u0:u1], value, strict, column[u0:u1])
            out[:, j] = column
        return out

    def pooled_sums(self, item: Item, scal: np.ndarray) -> np.ndarray:
        """Step 4: the sums that use the pooled scalars (one row per unit)."""
        res = np.empty((self.starts.size - 1, len(self.pooled)))
        module = self.compiled(has_bits=item.has_bits)
        _parallel(
            lambda j: module.pooled(*self.common(item, self.parts[j]), scal, res),
            range(len(self.parts)),
        )
        return res


class _SumSets(NamedTuple):
    """The sums that need no pooled scalar, those that do, and the pooled scalars."""

    plain: list[indices.Sum]
    pooled: list[indices.Sum]
    scalars: list[indices.Pooled]


@functools.lru_cache(maxsize=32)
def _sum_sets(options: IndexOptions, has_time: bool) -> _SumSets:
    sums = indices.unit_sums(options, has_time=has_time)
    return _SumSets(
        [s for s in sums if not s.pooled],
        [s for s in sums if s.pooled],
        indices.pooled_scalars(options, has_time=has_time),
    )


@functools.lru_cache(maxsize=32)
def _compiled(options: IndexOptions, has_time: bool, layout: kernels.Layout) -> ModuleType:
    """The loops of these options' sums, generated and loaded once per process
    (generating the source takes about a millisecond)."""
    return kernels.load(kernels.source(*_sum_sets(options, has_time), layout))


def _column(name: str, spec_reducer: str, values: np.ndarray) -> pl.Series:
    if spec_reducer in _COUNTS:
        return pl.Series(name, values.astype(np.int64))
    return pl.Series(name, values, nan_to_null=True)


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
    run = _Run(frame, unit, time, day, options)
    progress("pairs")
    run.find_units()
    columns: list[pl.Series] = []
    thresholds: dict[str, dict[Scope, float]] = {}
    for name in items:
        item = _values(frame[name])
        first = run.sums(item)
        res = first.res
        columns += [
            _column(spec.name(name), spec.reducer, res[:, j]) for j, spec in enumerate(run.plain)
        ]
        columns.append(pl.Series(f"__m_{name}", res[:, -1], nan_to_null=True))
        progress("thresholds")
        found = run.scalar_values(item, first)
        pooled = {spec.name(name): one.value for spec, one in zip(run.scalars, found, strict=True)}
        thresholds[name], medians = indices.scalar_values(name, options, pooled)
        progress("per-unit sums")
        if run.pooled:
            counted = run.rank_counts(first, found)
            if counted is None:
                scal = np.array(
                    [v for scope in SCOPES for v in (thresholds[name][scope], medians[scope])]
                )
                counted = run.pooled_sums(item, scal)
            res = counted
            columns += [
                _column(spec.name(name), spec.reducer, res[:, j])
                for j, spec in enumerate(run.pooled)
            ]
    out = frame.select(list(unit)).gather(run.starts[:-1])
    return out.with_columns(columns), thresholds


_POOL: ThreadPoolExecutor | None = None


def _parallel(work: Callable[[Any], Any], jobs: Sequence[Any]) -> list[Any]:
    """``work`` on each job, on up to :data:`THREADS` threads, results in order."""
    global _POOL
    if THREADS < 2 or len(jobs) < 2:
        return [work(job) for job in jobs]
    if _POOL is None:
        _POOL = ThreadPoolExecutor(THREADS, thread_name_prefix="wisemind-analytics")
    return list(_POOL.map(work, jobs))
