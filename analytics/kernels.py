"""Compiled loops for the embedded engine's sorted-input fast path, generated from the sums
of :mod:`analytics.indices` (decision 0023).

Nothing here defines an index. Each :class:`analytics.indices.Sum` row expression is run
once on symbolic values (:class:`Symbol`), which records it as Python source (``v.a *
v.b`` becomes ``(a * b)``); the source of a loop over each unit's rows is assembled
around those expressions and compiled by Numba. Per unit, a first pass gives the mean m
of its present values; then its rows are taken block by block (:data:`BLOCK` rows, so
the block's scratch arrays stay in the CPU cache): the values are copied with NaN for
missing (read through the validity bitmap), with day numbers and time steps beside them,
and a pass over the values and one over the pairs evaluate every sum's expression on
every row, a mask choosing what is added. These passes do not branch on the data, so
LLVM vectorises them (sums are reassociated: they agree with a sequential sum to about
1e-15 of the sum of the absolute terms).

Five loops are generated per set of sums and :class:`Layout`:

* ``sums`` — every sum that needs no pooled scalar; for each pooled scalar (the PAC
  threshold, the time-adjustment median) the count of its row values, per unit the count
  above a bracket of order-preserving integer keys guessed beforehand and the count in
  it, and the values in it (kept unit by unit). All of it without a branch on the data,
  but for packing a block's kept values when it has any;
* ``sums_tied`` — the same for a bracket of at most two values (whole numbers, as rating
  scales give): counts alone, nothing kept;
* ``hist`` — a histogram of each pooled scalar's row values over the top 16 bits of the
  key, and how many are not whole numbers (on a sample of units, to guess the bracket;
  on all of them when it missed);
* ``collect`` — the row values of each pooled scalar in given bins (when it missed);
* ``pooled`` — the sums that use the pooled scalars (the PAC counts, unless the kept
  values give them, and the time-adjusted MSSD).

Beside them, ``unit_starts`` finds the units and ``count_from`` counts the kept values at
or above a pooled scalar, unit by unit (the PAC counts when the kept values give them).

The generated modules are written to a cache directory (``WISEMIND_KERNEL_CACHE``, else
``$XDG_CACHE_HOME/wisemind/kernels``, else ``~/.cache/wisemind/kernels``) so that Numba
can keep the machine code between processes; a module's name is a hash of its source.
"""

from __future__ import annotations

import hashlib
import importlib.util
import math
import os
import re
import sys
import tempfile
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

from analytics import indices
from analytics.indices import SCOPES

#: Bumped when the generated code changes shape (part of each module's hash).
GENERATION = 4
#: Histogram bins of a pooled scalar: the top 16 bits of the 64-bit key.
BIN_SHIFT = 48
BINS = 1 << (64 - BIN_SHIFT)
_INT64_MAX = (1 << 63) - 1


def key(value: float) -> int:
    """The order-preserving integer key of a float, as the generated ``skey`` makes it
    (-0.0 counts as 0.0)."""
    bits = int(np.float64(value + 0.0).view(np.int64))
    return bits ^ ((bits >> 63) & _INT64_MAX)


def unkey(k: int) -> float:
    """The float of a :func:`key` (the mapping is its own inverse on the bits)."""
    bits = k ^ ((k >> 63) & _INT64_MAX)
    return float(np.int64(bits).view(np.float64))


def bin_keys(first: int, last: int) -> tuple[int, int]:
    """The keys [lo, hi] of histogram bins first…last."""
    lo = (first - BINS // 2) << BIN_SHIFT
    return lo, min(((last - BINS // 2 + 1) << BIN_SHIFT) - 1, _INT64_MAX)


#: How every generated loop is compiled: no Python division checks (a division by zero
#: gives inf or NaN, as in NumPy), no GIL, and sums that may be reassociated (so that
#: they vectorise; no other fast-math liberty: NaN tests must keep working).
_JIT = '@njit(nogil=True, cache=True, error_model="numpy", fastmath={"reassoc"})'

_OPS = {
    "add": "+",
    "sub": "-",
    "mul": "*",
    "truediv": "/",
    "pow": "**",
    "ge": ">=",
    "gt": ">",
    "le": "<=",
    "lt": "<",
    "eq": "==",
    "ne": "!=",
}


def _literal(value: Any) -> str:
    if isinstance(value, Symbol):
        return value.text
    if isinstance(value, bool):
        return repr(value)
    number = float(value)
    if math.isnan(number):
        return "math.nan"
    if math.isinf(number):
        return "math.inf" if number > 0 else "(-math.inf)"
    return repr(number)


class Symbol:
    """A value in a row expression, recorded as source text."""

    __hash__ = None  # type: ignore[assignment]  # == records a comparison

    def __init__(self, text: str) -> None:
        self.text = text

    def __abs__(self) -> Symbol:
        return Symbol(f"abs({self.text})")

    def __neg__(self) -> Symbol:
        return Symbol(f"(-{self.text})")

    def __bool__(self) -> bool:
        raise TypeError("a row expression cannot branch on its values")


def _binary(op: str) -> tuple[Any, Any]:
    sign = _OPS[op]

    def forward(self: Symbol, other: Any) -> Symbol:
        return Symbol(f"({self.text} {sign} {_literal(other)})")

    def reverse(self: Symbol, other: Any) -> Symbol:
        return Symbol(f"({_literal(other)} {sign} {self.text})")

    return forward, reverse


for _name in _OPS:
    _fwd, _rev = _binary(_name)
    setattr(Symbol, f"__{_name}__", _fwd)
    if _name in ("add", "sub", "mul", "truediv", "pow"):
        setattr(Symbol, f"__r{_name}__", _rev)


class _Names:
    """What a row expression sees in the generated loop: the loop's variable names."""

    def __init__(self, scope: str | None) -> None:
        self.x, self.y = Symbol("xv"), Symbol("y")
        self.a, self.b, self.d, self.dt = Symbol("a"), Symbol("b"), Symbol("d"), Symbol("dt")
        if scope is not None:
            self.thr, self.md = Symbol(f"thr_{scope}"), Symbol(f"md_{scope}")


def row_source(row: Any, scope: str | None) -> str:
    """The source text of a row expression (``lambda v: v.d * v.d`` → ``(d * d)``)."""
    value = row(_Names(scope))
    if not isinstance(value, Symbol):
        return _literal(value)
    return value.text


# The generated module's header: the helpers every loop uses.
_HEADER = '''\
"""Generated by analytics.kernels from analytics.indices; do not edit."""
import math

import numpy as np
from numba import njit
from numba.core import types
from numba.extending import intrinsic

BLOCK = {block}
_M = np.int64(0x7FFFFFFFFFFFFFFF)
#: Below this many time units from a unit's first day start, day numbers are worked out
#: exactly in floating point.
_EXACT = np.int64(1 << 52)

# A byte of the validity bitmap -> eight 0/1 bytes (least significant bit first).
_LUT = np.zeros(256, np.uint64)
for _b in range(256):
    for _k in range(8):
        _LUT[_b] |= np.uint64(((_b >> _k) & 1) << (8 * _k))


@intrinsic
def _i64bits(typingctx, value):
    def codegen(context, builder, signature, args):
        return builder.bitcast(args[0], context.get_value_type(types.int64))

    return types.int64(types.float64), codegen


@intrinsic
def _f64bits(typingctx, value):
    def codegen(context, builder, signature, args):
        return builder.bitcast(args[0], context.get_value_type(types.float64))

    return types.float64(types.int64), codegen


@njit(inline="always")
def skey(value):
    """A signed integer key in the order of the floats (-0.0 counts as 0.0)."""
    b = _i64bits(value + 0.0)
    return b ^ ((b >> 63) & _M)


@njit(inline="always")
def unkey(k):
    """The float of a skey (the mapping is its own inverse on the bits)."""
    return _f64bits(k ^ ((k >> 63) & _M))


@njit(nogil=True, cache=True)
def count_from(kept, inside, value, strict, out):
    """Per unit u (inside[u] values of ``kept`` each, unit by unit), how many are at or
    above ``value`` (above it, when strict), added to out[u]."""
    j = 0
    for u in range(inside.size):
        hits = 0
        for i in range(j, j + inside[u]):
            hits += kept[i] > value if strict else kept[i] >= value
        out[u] += hits
        j += inside[u]


@njit(inline="always")
def valid_bytes(bits, off, s, n, scratch):
    """Rows s ... s + n - 1 of the validity bitmap as 0/1 bytes."""
    j0 = off + s
    b0 = j0 >> 3
    for b in range(((j0 & 7) + n + 7) >> 3):
        scratch[b] = _LUT[bits[b0 + b]]
    shift = j0 & 7
    return scratch.view(np.uint8)[shift : shift + n]
'''


def _uses(lines: Sequence[str], *names: str) -> bool:
    words = set(re.findall(r"[A-Za-z_][A-Za-z_0-9]*", "\n".join(lines)))
    return any(name in words for name in names)


@dataclass(frozen=True)
class Layout:
    """What the generated loops are specialised for (each its own compiled code: a flag
    tested inside a loop costs as much as the loop's arithmetic)."""

    #: How many key columns make a unit.
    keys: int
    #: 0: no days; 1: a day column (or Date times) compared; 2: datetime times cut into
    #: days of ``div`` time units.
    use_day: int
    #: Whether within-day pairs are also at most ``gap`` apart.
    use_gap: bool
    #: Whether the values come with a validity bitmap (else NaN alone is missing).
    has_bits: bool


_ARGS = "starts, u0, u1, t, day, div, seconds, gap, x, bits, off"
_MASKS = {None: "ok", "all": "pv", "withinday": "pw"}
#: Rows per block: a unit's rows are copied block by block into scratch arrays that stay
#: in the CPU cache.
BLOCK = 8192


class Accumulators:
    """One generated loop: its accumulators (initialised per unit, updated on the values
    or on each scope's pairs, stored per unit) and the pooled scalars' rows it bins
    (``hist``) or keeps (``collect``)."""

    def __init__(self) -> None:
        self.init: list[str] = []
        self.store: list[str] = []
        self.values: list[str] = []
        self.pairs: dict[str, list[str]] = {
            scope: [f"np_{scope} += {_MASKS[scope]}"] for scope in SCOPES
        }
        self.init += [f"np_{scope} = 0" for scope in SCOPES]
        self.scalars: list[indices.Pooled] = []
        self.mode = ""

    def add(self, column: int, spec: indices.Sum) -> None:
        acc, val = f"acc{column}", f"r{column}"
        scope = spec.scope
        body = self.values if scope is None else self.pairs[scope]
        mask = _MASKS[scope]
        domain = "cnt" if scope is None else f"np_{scope}"
        reducer, expr = spec.reducer, row_source(spec.row, scope)
        if reducer == "len":
            self.store.append(f"res[u, {column}] = e - s")
            return
        if reducer == "count":
            self.store.append(f"res[u, {column}] = {domain}")
            return
        if reducer == "count_true":
            self.init.append(f"{acc} = 0")
            body.append(f"{acc} += {mask} & {expr}")
            self.store.append(f"res[u, {column}] = {acc}")
        elif reducer in ("min", "max"):
            # On integer keys in the floats' order, so that the loop still vectorises.
            pick, empty = ("min", "_M") if reducer == "min" else ("max", "(-_M - 1)")
            self.init.append(f"{acc} = {empty}")
            body.append(f"{val} = {expr}")
            body.append(f"{acc} = {pick}({acc}, skey({val}) if {mask} else {empty})")
            self.store.append(f"res[u, {column}] = unkey({acc}) if {domain} > 0 else math.nan")
        else:  # sum, mean
            self.init.append(f"{acc} = 0.0")
            body.append(f"{val} = {expr}")
            body.append(f"{acc} += {val} if {mask} else 0.0")
            if reducer == "mean":
                self.store.append(
                    f"res[u, {column}] = {acc} / {domain} if {domain} > 0 else math.nan"
                )
            else:
                self.store.append(f"res[u, {column}] = {acc}")

    def bin_scalars(self, scalars: Sequence[indices.Pooled], mode: str) -> None:
        """What the loop does with each pooled scalar's row values: ``bracket`` (count
        them, per unit those above the bracket [lo[p], hi[p]] of keys and those in it, and
        keep those in it), ``tied`` (count them, per unit those at or above lo[p] and at
        or above hi[p], and in all those above each: a bracket of at most two values needs
        nothing kept), ``hist`` (a histogram over :data:`BINS` bins, and a count of those
        that are not whole numbers) or ``collect`` (keep those in the bins [lo[p],
        hi[p]])."""
        if mode not in ("bracket", "tied", "hist", "collect"):
            raise ValueError(f"unknown mode {mode!r}")
        self.scalars, self.mode = list(scalars), mode

    def function(self, name: str, extra_args: str, layout: Layout) -> list[str]:
        return [_JIT, f"def {name}({_ARGS}, {extra_args}):", *self._body(layout)]

    def _body(self, layout: Layout) -> list[str]:
        """Per unit: the mean m of its present values (when used), then block by block: the
        values copied into ``xs`` (NaN when missing; ``xs[0]`` is the previous row, NaN at
        the unit's start), day numbers into ``dq`` and time steps into ``dts``; a pass
        over the values; a pass over the pairs (rows k − 1 and k); and, for the pooled
        scalars, a pass that bins or keeps their row values. The value and pair passes
        do not branch on the data (masks select what is added), so they vectorise."""
        scalar_rows = [row_source(sc.row, sc.scope) for sc in self.scalars]
        body = [*self.values, *self.pairs["all"], *self.pairs["withinday"], *self.store]
        centre = _uses([*body, *scalar_rows], "y", "a", "b", "m")
        need_dt = _uses([*body, *scalar_rows], "dt") or layout.use_gap
        out = [
            "    xs = np.empty(BLOCK + 1)",
            "    dq = np.zeros(BLOCK + 1)",
            "    dts = np.zeros(BLOCK + 1)",
            "    scratch = np.empty(BLOCK // 8 + 2, np.uint64)",
            "    inv = 1.0 / div",
            "    fd = float(div)",
        ]
        mode, count = self.mode, len(self.scalars)
        first = mode in ("bracket", "tied")  # the first pass: checks the order too
        if first:
            out.append("    late = 0")
        for p, _ in enumerate(self.scalars):
            if mode != "tied":
                out += [
                    f"    hv{p} = np.empty(BLOCK + 1)",
                    f"    inc{p} = np.zeros(BLOCK + 1, np.uint8)",
                ]
            if mode in ("hist", "collect"):  # the bins of the block's values
                out.append(f"    bk{p} = np.zeros(BLOCK + 1, np.int64)")
            if mode != "hist":
                out += [f"    lo{p} = np.int64(lo[{p}])", f"    hi{p} = np.int64(hi[{p}])"]
            if mode in ("bracket", "collect"):
                out += [
                    f"    cap{p} = cap[{p}]",
                    f"    f{p} = fill[{p}]",
                    f"    o{p} = out[{p}]",
                ]
            if first:
                out.append(f"    tot{p} = 0")
            if mode == "tied":
                out += [f"    gl{p} = 0", f"    gh{p} = 0"]
            if mode == "hist":
                out.append(f"    nf{p} = 0")
        present = "(vb[k] == 1) & (v == v)" if layout.has_bits else "v == v"
        bitmap = ["vb = valid_bytes(bits, off, bs, nb, scratch)"] if layout.has_bits else []
        out += [
            "    for u in range(u0, u1):",
            "        s = starts[u]",
            "        e = starts[u + 1]",
            "        cnt = 0",
        ]
        if centre:
            out += [
                "        tot = 0.0",
                "        for bs in range(s, e, BLOCK):",
                "            nb = min(BLOCK, e - bs)",
                "            xb = x[bs : bs + nb]",
                *(f"            {line}" for line in bitmap),
                "            for k in range(nb):",
                "                v = xb[k]",
                f"                ok = {present}",
                "                cnt += ok",
                "                tot += v if ok else 0.0",
                "        m = tot / cnt if cnt > 0 else 0.0",
            ]
        out += [f"        {line}" for line in self.init]
        out += ["        xs[0] = math.nan", "        tlast = t[s]"]
        if first:
            out.append("        tprev = t[s]")
            out += [f"        ku{j} = k{j}[s]" for j in range(layout.keys)]
            for p in range(count):
                out += [f"        ab{p} = 0", f"        in{p} = 0"]
        if layout.use_day == 2:
            out += [
                "        q0 = t[s] // div",
                "        base = q0 * div",
                "        exact = 0 <= t[e - 1] - base < _EXACT",
            ]
        out += [
            "        for bs in range(s, e, BLOCK):",
            "            nb = min(BLOCK, e - bs)",
            "            xb = x[bs : bs + nb]",
        ]
        block = [
            *(f"b{p} = in{p}" for p in range(count) if mode == "bracket"),
            *bitmap,
            "for k in range(nb):",
            "    v = xb[k]",
            f"    xs[k + 1] = v if {present} else math.nan",
        ]
        if layout.use_day == 1:
            block += ["db = day[bs : bs + nb]", "for k in range(nb):", "    dq[k + 1] = db[k]"]
        elif layout.use_day == 2:
            # Exact: r and q·div are integers below 2^53, so the corrections are exact.
            block += [
                "tb = t[bs : bs + nb]",
                "if exact:",
                "    for k in range(nb):",
                "        r = float(tb[k] - base)",
                "        q = math.floor(r * inv)",
                "        q = q - 1.0 if r - q * fd < 0.0 else q",
                "        q = q + 1.0 if r - q * fd >= fd else q",
                "        dq[k + 1] = q",
                "else:",
                "    for k in range(nb):",
                "        dq[k + 1] = float(tb[k] // div - q0)",
            ]
        if first:
            # The check that the unit's times ascend and that its rows all have its key
            # (``unit_starts`` read only a few keys per unit).
            block += [
                "tb = t[bs : bs + nb]",
                "late += tb[0] < tprev",
                "for k in range(1, nb):",
                "    late += tb[k] < tb[k - 1]",
                "tprev = tb[nb - 1]",
            ]
            for j in range(layout.keys):
                block += [
                    f"kb{j} = k{j}[bs : bs + nb]",
                    "for k in range(nb):",
                    f"    late += kb{j}[k] != ku{j}",
                ]
        if need_dt:
            block += [
                "tb = t[bs : bs + nb]",
                "dts[1] = (tb[0] - tlast) / seconds",
                "for k in range(1, nb):",
                "    dts[k + 1] = (tb[k] - tb[k - 1]) / seconds",
                "tlast = tb[nb - 1]",
            ]
        if self.values:
            block += ["for k in range(1, nb + 1):", "    xv = xs[k]", "    ok = xv == xv"]
            if centre:
                block.append("    y = xv - m")
            block += [f"    {line}" for line in self.values]
        block += [
            "for k in range(1, nb + 1):",
            "    xv = xs[k]",
            "    xp = xs[k - 1]",
            "    pv = (xv == xv) & (xp == xp)",
            "    d = xv - xp",
        ]
        if centre:
            block += ["    a = xp - m", "    b = xv - m"]
        if need_dt:
            block.append("    dt = dts[k]")
        block += [f"    {line}" for line in self.pairs["all"]]
        within = "pv"
        if layout.use_day:
            within += " & (dq[k] == dq[k - 1])"
        if layout.use_gap:
            within += " & (dt <= gap)"
        block.append(f"    pw = {within}")
        block += [f"    {line}" for line in self.pairs["withinday"]]
        for p, (scalar, row) in enumerate(zip(self.scalars, scalar_rows, strict=True)):
            block += [
                f"    h{p} = {row}",
                f"    i{p} = {_MASKS[scalar.scope]} & (h{p} == h{p})",
            ]
            if mode == "tied":
                # Per unit those at or above lo and at or above hi (the PAC counts for a
                # threshold of lo, or above lo up to hi); in all, those above each.
                block += [
                    f"    kk{p} = skey(h{p})",
                    f"    tot{p} += i{p}",
                    f"    ab{p} += i{p} & (kk{p} >= lo{p})",
                    f"    in{p} += i{p} & (kk{p} >= hi{p})",
                    f"    gl{p} += i{p} & (kk{p} > lo{p})",
                    f"    gh{p} += i{p} & (kk{p} > hi{p})",
                ]
                continue
            block.append(f"    hv{p}[k] = h{p}")
            if mode == "hist":
                block.append(f"    nf{p} += i{p} & (h{p} != math.floor(h{p}))")
            if mode == "bracket":
                # Counted on keys in the floats' order, without a branch.
                block += [
                    f"    kk{p} = skey(h{p})",
                    f"    tot{p} += i{p}",
                    f"    ab{p} += i{p} & (kk{p} > hi{p})",
                    f"    w{p} = i{p} & (kk{p} >= lo{p}) & (kk{p} <= hi{p})",
                    f"    in{p} += w{p}",
                    f"    inc{p}[k] = w{p}",
                ]
            else:
                block += [
                    f"    bk{p}[k] = (skey(h{p}) >> {BIN_SHIFT}) + {BINS // 2}",
                    f"    inc{p}[k] = i{p}",
                ]
        if mode == "bracket":
            # The block's values in the bracket, packed (when it has any; a block that
            # would not fit stops the keeping: the caller sees fewer kept than counted).
            for p in range(count):
                block += [
                    f"if in{p} > b{p}:",
                    f"    if f{p} + nb <= cap{p}:",
                    "        for k in range(1, nb + 1):",
                    f"            o{p}[f{p}] = hv{p}[k]",
                    f"            f{p} += inc{p}[k]",
                    "    else:",
                    f"        cap{p} = -1",
                ]
        elif mode in ("hist", "collect") and self.scalars:
            block.append("for k in range(1, nb + 1):")
            for p in range(count):
                if mode == "hist":
                    block.append(f"    hist[{p}, bk{p}[k]] += inc{p}[k]")
                else:
                    block += [
                        f"    if inc{p}[k] and lo{p} <= bk{p}[k] <= hi{p} and f{p} < cap{p}:",
                        f"        o{p}[f{p}] = hv{p}[k]",
                        f"        f{p} += 1",
                    ]
        block += ["xs[0] = xs[nb]", "dq[0] = dq[nb]"]
        out += [f"            {line}" for line in block]
        out += [f"        {line}" for line in self.store]
        if first:
            out += [f"        counts[u, {p}] = ab{p}" for p in range(count)]
            out += [f"        counts[u, {count + p}] = in{p}" for p in range(count)]
            out += [f"    tots[{p}] = tot{p}" for p in range(count)]
        if mode == "tied":
            out += [f"    tots[{count + p}] = gl{p}" for p in range(count)]
            out += [f"    tots[{2 * count + p}] = gh{p}" for p in range(count)]
        if mode == "hist":
            out += [f"    fractional[{p}] += nf{p}" for p in range(count)]
        if mode in ("bracket", "collect"):
            out += [f"    fill[{p}] = f{p}" for p in range(count)]
        if first:
            out.append("    return late")
        return out


def _scalars() -> list[str]:
    """Lines reading the pooled scalars of each scope from ``scal`` (thr, md per scope)."""
    lines = []
    for j, scope in enumerate(SCOPES):
        lines += [f"    thr_{scope} = scal[{2 * j}]", f"    md_{scope} = scal[{2 * j + 1}]"]
    return lines


def source(
    plain: Sequence[indices.Sum],
    pooled: Sequence[indices.Sum],
    scalars: Sequence[indices.Pooled],
    layout: Layout,
) -> str:
    """The module source of the loops for these sums and pooled scalars.

    ``sums(…, k0…, res, counts, lo, hi, out, fill, cap, tots)``: column j of ``res`` holds
    ``plain[j]``, then the unit mean m; for the row values of ``scalars[p]`` (P of them),
    ``tots[p]`` counts them all, ``counts[u, p]`` those of unit u whose order-preserving key
    is above hi[p], ``counts[u, P + p]`` those in [lo[p], hi[p]], and those are kept in
    ``out[p, fill[p]…]``, unit by unit (``fill`` advances; a block that would pass
    ``cap[p]`` stops the keeping).
    ``sums_tied(…, k0…, res, counts, lo, hi, tots)``: as ``sums`` for a bracket of at most
    two values (lo[p] and hi[p], keys), keeping nothing: ``counts[u, p]`` counts unit u's
    row values at or above lo[p], ``counts[u, P + p]`` those at or above hi[p]; ``tots[p]``
    all of them, ``tots[P + p]`` those above lo[p], ``tots[2P + p]`` those above hi[p].
    ``hist(…, hist, fractional)``: ``hist[p]`` counts the row values of ``scalars[p]`` by
    :data:`BINS` bins of the key, and ``fractional[p]`` those that are not whole numbers.
    ``collect(…, lo, hi, out, fill, cap)``: the row values of ``scalars[p]`` whose bin is
    in [lo[p], hi[p]] go to ``out[p, fill[p]…]`` (``fill`` advances, up to ``cap[p]``).
    ``pooled(…, scal, res)``: column j of ``res`` holds ``pooled[j]``.
    ``unit_starts(k0…, lo, hi, out)``: the rows of [lo, hi) where a unit starts (a key
    changes), into ``out``; their number, and whether the units' keys ascend. (``sums``
    returns how many rows are out of order: a time that goes back inside a unit, or a key
    unlike the unit's.)
    """
    parts = [_HEADER.replace("{block}", str(BLOCK))]

    acc = Accumulators()
    for column, spec in enumerate(plain):
        acc.add(column, spec)
    acc.store.append(f"res[u, {len(plain)}] = m if cnt > 0 else math.nan")
    acc.bin_scalars(scalars, "bracket")
    keys = "".join(f"k{j}, " for j in range(layout.keys))
    args = f"{keys}res, counts, lo, hi, out, fill, cap, tots"
    parts.append("\n".join(acc.function("sums", args, layout)))

    acc = Accumulators()
    for column, spec in enumerate(plain):
        acc.add(column, spec)
    acc.store.append(f"res[u, {len(plain)}] = m if cnt > 0 else math.nan")
    acc.bin_scalars(scalars, "tied")
    args = f"{keys}res, counts, lo, hi, tots"
    parts.append("\n".join(acc.function("sums_tied", args, layout)))

    acc = Accumulators()
    acc.bin_scalars(scalars, "hist")
    parts.append("\n".join(acc.function("hist", "hist, fractional", layout)))

    acc = Accumulators()
    acc.bin_scalars(scalars, "collect")
    parts.append("\n".join(acc.function("collect", "lo, hi, out, fill, cap", layout)))

    acc = Accumulators()
    for column, spec in enumerate(pooled):
        acc.add(column, spec)
    lines = acc.function("pooled", "scal, res", layout)
    parts.append("\n".join([*lines[:2], *_scalars(), *lines[2:]]))

    parts.append(_unit_starts(layout.keys))
    return "\n\n\n".join(parts) + "\n"


def _unit_starts(keys: int) -> str:
    """``unit_starts``: each unit's end found by galloping from the last unit's length (two
    probes when units are as long as the one before, about 2·log₂ of the difference
    otherwise), so that only a few keys per unit are read. On sorted keys that is exact;
    on unsorted keys it still gives runs whose ends it checks (the next key is greater),
    and ``sums`` checks that every row of a unit has the unit's key."""
    names = [f"k{j}" for j in range(keys)]

    def same(i: str, j: str) -> str:
        return " and ".join(f"{k}[{i}] == {k}[{j}]" for k in names)

    def greater(i: str, j: str) -> str:
        # Lexicographic: k0 greater, or k0 equal and k1 greater, …
        text = f"{names[-1]}[{i}] > {names[-1]}[{j}]"
        for k in reversed(names[:-1]):
            text = f"{k}[{i}] > {k}[{j}] or ({k}[{i}] == {k}[{j}] and ({text}))"
        return text

    return f'''\
{_JIT}
def _run_end({", ".join(names)}, s, n, guess):
    """The first row after s whose key differs from row s's (n if none), on sorted keys:
    galloping from s + guess, then bisecting."""
    low = s
    high = s + max(guess, 1)
    step = max(guess, 1)
    while high < n and {same("high", "s")}:
        low = high
        step *= 2
        high = low + step
    high = min(high, n)
    if high - 1 > low and {same("high - 1", "s")}:
        low = high - 1
    while high - low > 1:
        middle = (low + high) // 2
        if {same("middle", "s")}:
            low = middle
        else:
            high = middle
    return high


{_JIT}
def unit_starts({", ".join(names)}, lo, hi, out):
    n = k0.size
    m = 0
    ordered = True
    s = lo
    if 0 < s < n:
        s = _run_end({", ".join(names)}, s - 1, n, 1)
        if s < n and not ({greater("s", "s - 1")}):
            ordered = False
    guess = 1
    while s < hi:
        out[m] = s
        m += 1
        e = _run_end({", ".join(names)}, s, n, guess)
        if e < n and not ({greater("e", "s")}):
            ordered = False
        guess = e - s
        s = e
    return m, ordered'''


def cache_dir() -> Path:
    """Where generated modules (and Numba's machine code next to them) are kept."""
    explicit = os.environ.get("WISEMIND_KERNEL_CACHE")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "wisemind" / "kernels"


_LOADED: dict[str, ModuleType] = {}
_LOADING = threading.Lock()


def load(text: str) -> ModuleType:
    """The module compiled from ``text`` (written once to the cache directory; loaded
    once per process, whichever thread asks first)."""
    digest = hashlib.sha256(f"{GENERATION}\n{text}".encode()).hexdigest()[:20]
    with _LOADING:
        if digest not in _LOADED:
            if not _LOADED:
                wide_vectors()
            _LOADED[digest] = _import(f"wisemind_kernel_{digest}", text)
        return _LOADED[digest]


#: The LLVM feature that keeps vectors at 256 bits on CPUs that have 512-bit ones.
_PREFER_256 = "-prefer-256-bit"


def wide_vectors() -> bool:
    """On a CPU with AVX-512, let LLVM vectorise the loops 512 bits wide (8 doubles):
    LLVM keeps to 256 bits there by default, for fear of the clock slowdown that older
    Xeons had on 512-bit instructions. Our loops are long runs of arithmetic, where the
    wider vectors gave 10–15 % (decision 0023). Done before Numba's first compilation in
    the process, by setting its CPU features (the host's, plus this one); a user's own
    ``NUMBA_CPU_FEATURES`` or ``NUMBA_CPU_NAME`` is left alone. Numba's cache keys its
    machine code by the features, so code compiled either way is never mixed up. Whether
    the features are set now."""
    from numba.core import codegen, config

    settings: Any = config  # its settings are read from the environment at import
    if settings.CPU_FEATURES is not None or settings.CPU_NAME is not None:
        return settings.CPU_FEATURES is not None and _PREFER_256 in settings.CPU_FEATURES
    features: str = codegen.get_host_cpu_features()  # type: ignore[no-untyped-call]
    if "+avx512f" not in features.split(","):
        return False
    settings.CPU_FEATURES = f"{features},{_PREFER_256}"
    return True


def _import(name: str, text: str) -> ModuleType:
    """Write ``text`` as ``name``.py in the first writable cache directory (unless it is
    there already, word for word) and import it."""
    for folder in (cache_dir(), Path(tempfile.gettempdir()) / "wisemind-kernels"):
        try:
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / f"{name}.py"
            if not path.exists() or path.read_text() != text:
                fd, tmp = tempfile.mkstemp(dir=folder, suffix=".tmp")
                with os.fdopen(fd, "w") as handle:
                    handle.write(text)
                os.replace(tmp, path)
            break
        except OSError:
            continue
    else:
        raise OSError(
            "no writable directory for the compiled analytics loops: set WISEMIND_KERNEL_CACHE"
        )
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load the generated module {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # Numba's cache finds the module's globals by name
    spec.loader.exec_module(module)
    return module
