"""Affective-instability indices: each defined once, for every engine.

Every index here is computed per *unit* (a person, or a person in a period) and per item,
from the rows of that unit sorted by time. Each index is an expression over a few per-unit
sums, and each sum is a row expression and a reducer over the unit's values or over its
valid pairs (see "How an engine computes them" below). An engine supplies those rows —
Narwhals expressions on Polars or PySpark (the previous row of the same unit being
``shift(1).over(unit, order_by=time)``, or ``shift(1)`` on sorted input), or NumPy arrays
on the embedded engine's sorted-input fast path — and nothing else differs between
engines, so their results agree (see :mod:`analytics.engine`, :mod:`analytics.fastpath`).

Conventions (the ones the R reference values in ``analytics/tests/data/ema/reference`` use):

* **Missing.** NaN and null are the same missing value: items are cast to float and NaN is
  turned into null before anything else.
* **Rows and pairs.** ``n_rows`` counts a unit's rows (scheduled beeps, answered or not);
  ``n_obs`` its non-missing values. A *pair* is two adjacent rows of the same unit (in time
  order) that are both non-missing: a missed beep kept as a row breaks the pair on each
  side. Two *scopes* of pairs are computed:

  - ``all`` — every such pair (overnight pairs included);
  - ``withinday`` — only pairs whose two rows share the same day (the ``day`` column, or the
    calendar date of a datetime ``time``) and, when ``max_gap`` is given, are at most
    ``max_gap`` apart in time (seconds for a datetime time, counter units otherwise). The
    first beep of a day has no predecessor.

  With ``period`` set, a unit is (person, period) and pairs never cross a period boundary.

Indices (x₁…x_N a unit's values, Δᵢ = xᵢ − xᵢ₋₁ over the P valid pairs of a scope; main
source: Jahng, Wood & Trull 2008, *Psychol Methods* 13:354–375; ``CLINICAL.md`` §5):

* ``mean`` = Σx/N; ``sd`` = √[Σ(x − x̄)²/(N − 1)] (within-person SD, time order ignored).
* ``mssd_<scope>`` = ΣΔ²/P (mean over valid pairs); ``rmssd_<scope>`` = √mssd.
* ``psych_mssd`` = ΣΔ²(all pairs)/(N − 1), the ``psych::mssd`` convention (R package psych):
  it divides by the number of observations minus one, not by the number of valid pairs,
  so it differs from ``mssd_all`` when values are missing. ``psych_rmssd`` = √psych_mssd.
* ``pac_<scope>`` (probability of acute change; Trull et al. 2008, *J Abnorm Psychol*
  117:647–661) = share of valid pairs with \\|Δ\\| ≥ c. The threshold rule is a parameter
  (:class:`PacRule`): by default c is the 0.9 quantile of \\|Δ\\| pooled over every unit's
  valid pairs of that scope (R ``quantile(type = 7)``, linear interpolation), or a fixed c.
  The threshold and the rule are returned with every value (``pac_threshold_<scope>``,
  ``pac_rule``).
* ``acf_lag1_<scope>`` = lag-1 autocorrelation as R's ``stats::acf(x, lag.max = 1,
  na.action = na.pass)`` computes it: with cᵢ = xᵢ − x̄ (x̄ over all N values),
  r₁ = [Σ_pairs cᵢ₋₁cᵢ / (P + 1)] / [Σ cᵢ² / N], clipped to [−1, 1].
* ``autor_<scope>`` = Pearson correlation of the (xᵢ₋₁, xᵢ) pairs (``psych::autoR``).
* ``ar1_ols_<scope>`` = the per-unit OLS slope of xᵢ on xᵢ₋₁ over the pairs:
  Σ(xᵢ₋₁ − ā)(xᵢ − b̄)/Σ(xᵢ₋₁ − ā)², ā and b̄ the means of the lagged and current values.
* ``tasd_mssd_<scope>`` (optional, ``time_adjust_lambda`` set) = mean of ASD², with
  ASDᵢ = Δᵢ / (Δtᵢ/Md)^λ, Δtᵢ the pair's time interval and Md the median interval of the
  scope's valid pairs pooled over units (or ``time_adjust_median``). This follows the form
  given for Jahng, Wood & Trull (2008) in ``CLINICAL.md`` §5, **which is not yet
  confirmed** against the paper (the exact form and how λ is estimated are to verify):
  λ is an explicit parameter here, never estimated, and this is not offered as "the
  published method".

Edge cases: an index whose denominator is empty is missing (null): ``mean`` with N = 0,
``sd``/``psych_mssd`` with N < 2, pair indices with P = 0, ``autor``/``ar1_ols`` with P < 2
or no spread among the pairs, and ``acf``/``autor``/``ar1_ols`` for a constant series
(R returns NA or NaN there).

How an engine computes them: every index is a function of a few **per-unit sums**, and each
sum is defined once here (:func:`unit_sums`) as a *row expression* and a *reducer* (sum,
count, min, max, mean) over a *domain*: the unit's non-missing values, or the valid pairs
of a scope. The row expressions are plain arithmetic written once and evaluated by an
engine on whatever it has — Narwhals expressions (Polars, PySpark: one
``group_by(unit).agg``), or NumPy arrays on the embedded engine's sorted-input fast path
(segment reductions over each unit's contiguous rows). The indices are then Narwhals
expressions over the sums (:func:`unit_indices`), the same for every engine; pooled
scalars (the PAC threshold, the time-adjustment median) are defined once in
:func:`pooled_scalars`.

Values are centred on their unit's mean m before sums of squares and products are taken
(y = x − m; a two-pass scheme: m first, then the sums of y), and the variances use the
corrected two-pass form Σy² − (Σy)²/N, so no precision is lost to cancellation when a
person's mean is large relative to their spread. Successive differences Δ are taken on
the raw values (never on centred ones), so a PAC comparison \\|Δ\\| ≥ c is exact for
integer-valued scales.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import narwhals as nw

Scope = Literal["all", "withinday"]
SCOPES: tuple[Scope, ...] = ("all", "withinday")

#: A function returning an expression's value on the previous row of the same unit.
Prev = Callable[[nw.Expr], nw.Expr]

#: Relative size under which a sum of squared deviations counts as zero (no spread).
SPREAD_EPS = 1e-12


@dataclass(frozen=True)
class PacRule:
    """How the PAC threshold c is chosen: a pooled quantile of \\|Δ\\| or a fixed value.

    ``PacRule()`` is the default of Trull et al. (2008): the 0.9 quantile of the absolute
    successive differences pooled over all units (R ``quantile(type = 7)``).
    """

    quantile: float | None = 0.9
    fixed: float | None = None

    def __post_init__(self) -> None:
        if (self.quantile is None) == (self.fixed is None):
            raise ValueError("PacRule takes either a quantile or a fixed threshold")
        if self.quantile is not None and not 0.0 <= self.quantile <= 1.0:
            raise ValueError("the PAC quantile must be between 0 and 1")

    @classmethod
    def parse(cls, text: str) -> PacRule:
        """``"q0.9"`` (pooled quantile) or ``"36"`` (fixed threshold)."""
        text = text.strip()
        if text.lower().startswith("q"):
            return cls(quantile=float(text[1:]))
        return cls(quantile=None, fixed=float(text))

    @property
    def label(self) -> str:
        if self.fixed is not None:
            return f"fixed {self.fixed:g}"
        return f"pooled quantile {self.quantile:g} of |diff| (R type 7)"


@dataclass(frozen=True)
class IndexOptions:
    """Parameters of the index set; every one is returned with the result."""

    pac: PacRule = PacRule()
    #: Within-day pairs are also at most this far apart (seconds or counter units).
    max_gap: float | None = None
    #: λ of the time-adjusted successive differences; None leaves them out.
    time_adjust_lambda: float | None = None
    #: Md of the time adjustment; None uses the pooled median interval of the scope.
    time_adjust_median: float | None = None


def column_name(stem: str, item: str, scope: Scope | None = None) -> str:
    """The name of a helper column an engine produces (a per-unit sum, a pair column, a
    pooled scalar): ``__<stem>_<scope>_<item>``, or ``__<stem>_<item>``."""
    return f"__{stem}_{scope}_{item}" if scope else f"__{stem}_{item}"


#: How a sum reduces its row expression over the domain: ``len`` counts the unit's rows
#: (missing or not), ``count`` the domain's elements, ``count_true`` the true ones.
Reducer = Literal["len", "count", "sum", "count_true", "min", "max", "mean"]


@dataclass(frozen=True)
class Sum:
    """One per-unit sum: ``reducer`` over ``row`` evaluated on a domain.

    ``scope`` None: the domain is the unit's non-missing values, and ``row`` sees ``v.x``
    (the value) and ``v.y`` (the value minus the unit's mean m). A scope: the domain is
    the unit's valid pairs of that scope, and ``row`` sees ``v.a`` and ``v.b`` (the
    lagged and current values, centred on m), ``v.d`` (the raw difference xᵢ − xᵢ₋₁),
    ``v.dt`` (the pair's time interval) and the pooled scalars ``v.thr`` (PAC threshold)
    and ``v.md`` (time-adjustment median). ``pooled`` marks sums that need those scalars
    (an engine computes them after the pooled pass; they use only ``d`` and ``dt``).
    """

    stem: str
    scope: Scope | None
    reducer: Reducer
    row: Callable[[Any], Any]
    pooled: bool = False

    def name(self, item: str) -> str:
        return column_name(self.stem, item, self.scope)


@dataclass(frozen=True)
class Pooled:
    """A scalar pooled over every unit's valid pairs of a scope: the R type-7 quantile
    ``quantile`` of ``row`` (the median when 0.5)."""

    stem: str
    scope: Scope
    row: Callable[[Any], Any]
    quantile: float

    def name(self, item: str) -> str:
        return column_name(self.stem, item, self.scope)


def absolute(value: Any) -> Any:
    """\\|value\\| for a Narwhals expression or a NumPy array."""
    return value.abs() if isinstance(value, nw.Expr) else abs(value)


def unit_sums(options: IndexOptions, *, has_time: bool) -> list[Sum]:
    """The per-unit sums every index follows from (the single definition)."""
    out = [
        Sum("nrows", None, "len", lambda v: v.x),
        Sum("n", None, "count", lambda v: v.x),
        Sum("sy", None, "sum", lambda v: v.y),
        Sum("syy", None, "sum", lambda v: v.y * v.y),
        Sum("min", None, "min", lambda v: v.x),
        Sum("max", None, "max", lambda v: v.x),
    ]
    time_adjust = has_time and options.time_adjust_lambda is not None
    power = 2 * (options.time_adjust_lambda or 0.0)
    for scope in SCOPES:
        out += [
            Sum("np", scope, "count", lambda v: v.d),
            Sum("ssd", scope, "sum", lambda v: v.d * v.d),
            Sum("nbig", scope, "count_true", lambda v: absolute(v.d) >= v.thr, pooled=True),
            Sum("sa", scope, "sum", lambda v: v.a),
            Sum("sb", scope, "sum", lambda v: v.b),
            Sum("saa", scope, "sum", lambda v: v.a * v.a),
            Sum("sbb", scope, "sum", lambda v: v.b * v.b),
            Sum("sab", scope, "sum", lambda v: v.a * v.b),
        ]
        if time_adjust:
            out.append(
                Sum(
                    "tasd",
                    scope,
                    "mean",
                    lambda v: (v.d * v.d) / ((v.dt / v.md) ** power),
                    pooled=True,
                )
            )
    return out


def pooled_scalars(options: IndexOptions, *, has_time: bool) -> list[Pooled]:
    """The pooled scalars of each scope: the PAC threshold (a quantile of \\|Δ\\|, when the
    rule is a quantile) and the time-adjustment median Md (when λ is set and Md is not)."""
    out: list[Pooled] = []
    for scope in SCOPES:
        if options.pac.quantile is not None:
            out.append(Pooled("thr", scope, lambda v: absolute(v.d), options.pac.quantile))
        wants_median = options.time_adjust_lambda is not None and options.time_adjust_median is None
        if has_time and wants_median:
            out.append(Pooled("md", scope, lambda v: v.dt, 0.5))
    return out


def unit_indices(
    item: str, options: IndexOptions, *, with_time_adjust: bool
) -> list[list[nw.Expr]]:
    """The indices of one item, as expressions over the per-unit sums (and ``__m``, the
    unit mean the values were centred on; ``__thr_<scope>``, the PAC threshold used, a
    constant), in steps: each step but the last adds helper columns (terms used more than
    once, named ``__h…``) that later steps read; the last gives the indices. Nothing in
    them depends on the data, so an engine may translate them once."""

    def col(stem: str, scope: Scope | None = None) -> nw.Expr:
        return nw.col(column_name(stem, item, scope))

    steps: list[list[nw.Expr]] = [[], [], []]

    def helper(step: int, stem: str, expr: nw.Expr, scope: Scope | None = None) -> nw.Expr:
        """``expr`` as a helper column of step ``step``; the expression reading it."""
        steps[step].append(expr.alias(column_name(f"h{stem}", item, scope)))
        return col(f"h{stem}", scope)

    n = helper(0, "n", col("n").cast(nw.Float64))
    ybar = helper(0, "ybar", col("sy") / col("n").cast(nw.Float64))  # centred mean (≈ 0)
    constant = helper(0, "constant", (col("max") == col("min")) | (col("n") < 1))
    sxx = col("syy") - col("sy") * ybar  # Σ(x − x̄)², corrected two-pass form
    sxx = helper(1, "sxx", nw.when(constant).then(0.0).when(sxx > 0.0).then(sxx).otherwise(0.0))
    sd = nw.when(n >= 2).then((sxx / (n - 1.0)).sqrt())
    out = [
        col("nrows").cast(nw.Int64).alias("n_rows"),
        col("n").cast(nw.Int64).alias("n_obs"),
        nw.when(n >= 1).then(col("m") + ybar).alias("mean"),
        sd.alias("sd"),
    ]
    for scope in SCOPES:
        npairs = helper(0, "npairs", col("np", scope).cast(nw.Float64), scope)
        mssd = nw.when(npairs >= 1).then(col("ssd", scope) / npairs)
        saa = helper(
            1, "saa", col("saa", scope) - col("sa", scope) * col("sa", scope) / npairs, scope
        )
        sbb = helper(
            1, "sbb", col("sbb", scope) - col("sb", scope) * col("sb", scope) / npairs, scope
        )
        sab = helper(
            1, "sab", col("sab", scope) - col("sa", scope) * col("sb", scope) / npairs, scope
        )
        spread_a = saa > SPREAD_EPS * (col("saa", scope).abs() + 1.0)
        spread_b = sbb > SPREAD_EPS * (col("sbb", scope).abs() + 1.0)
        ols_ok = helper(2, "ols", (npairs >= 2) & spread_a & ~constant, scope)
        # stats::acf: deviations from the mean of all N values; lag-1 sum over P + 1.
        lag1 = (
            col("sab", scope) - ybar * (col("sa", scope) + col("sb", scope)) + npairs * ybar * ybar
        )
        lag0 = sxx / n
        acf = helper(2, "acf", (lag1 / (npairs + 1.0)) / lag0, scope)
        acf = nw.when(acf > 1.0).then(1.0).when(acf < -1.0).then(-1.0).otherwise(acf)
        out += [
            col("np", scope).cast(nw.Int64).alias(f"n_pairs_{scope}"),
            mssd.alias(f"mssd_{scope}"),
            mssd.sqrt().alias(f"rmssd_{scope}"),
            nw.when(npairs >= 1)
            .then(col("nbig", scope).cast(nw.Float64) / npairs)
            .alias(f"pac_{scope}"),
            col("thr", scope).alias(f"pac_threshold_{scope}"),
            nw.when((npairs >= 1) & (n >= 2) & ~constant).then(acf).alias(f"acf_lag1_{scope}"),
            nw.when(ols_ok & spread_b).then(sab / (saa * sbb).sqrt()).alias(f"autor_{scope}"),
            nw.when(ols_ok).then(sab / saa).alias(f"ar1_ols_{scope}"),
        ]
        if with_time_adjust:
            out.append(nw.when(npairs >= 1).then(col("tasd", scope)).alias(f"tasd_mssd_{scope}"))
    psych = nw.when(n >= 2).then(col("ssd", "all") / (n - 1.0))
    out += [
        psych.alias("psych_mssd"),
        psych.sqrt().alias("psych_rmssd"),
        nw.lit(options.pac.label).alias("pac_rule"),
    ]
    return [*steps, out]


def threshold_value(options: IndexOptions, pooled: float | None) -> float:
    """The PAC threshold actually used (NaN when no pair exists to take a quantile of)."""
    if options.pac.fixed is not None:
        return options.pac.fixed
    return math.nan if pooled is None else float(pooled)


def scalar_values(
    item: str, options: IndexOptions, pooled: dict[str, Any]
) -> tuple[dict[Scope, float], dict[Scope, float]]:
    """The PAC thresholds and time-adjustment medians of one item per scope, from the
    pooled scalars an engine computed (named by :meth:`Pooled.name`) and the options."""
    thresholds = {
        s: threshold_value(options, pooled.get(column_name("thr", item, s))) for s in SCOPES
    }
    medians = {
        s: float(
            options.time_adjust_median
            if options.time_adjust_median is not None
            else (pooled.get(column_name("md", item, s)) or math.nan)
        )
        for s in SCOPES
    }
    return thresholds, medians


INDEX_COLUMNS: tuple[str, ...] = (
    "n_rows",
    "n_obs",
    "mean",
    "sd",
    *(
        f"{stem}_{scope}"
        for scope in SCOPES
        for stem in (
            "n_pairs",
            "mssd",
            "rmssd",
            "pac",
            "pac_threshold",
            "acf_lag1",
            "autor",
            "ar1_ols",
        )
    ),
    "psych_mssd",
    "psych_rmssd",
    "pac_rule",
)
