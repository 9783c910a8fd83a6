"""Affective-instability indices: each defined once, as Narwhals expressions.

Every index here is computed per *unit* (a person, or a person in a period) and per item,
from the rows of that unit sorted by time. The definitions are written against two things
an engine provides: the frame, and a ``prev`` function that returns an expression's value
on the previous row of the same unit (``shift(1)`` on input sorted by unit and time on
Polars; ``shift(1).over(unit, order_by=time)`` on PySpark). Nothing else differs between
engines, so the Polars and Spark results agree (see :mod:`analytics.engine`).

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

Sums of products are accumulated around a constant (the pooled mean rounded to an
integer), which keeps them exact for integer-valued scales and limits cancellation
otherwise.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

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


# Names of the per-row helper columns an engine adds (the item name is appended).
def _c(stem: str, item: str, scope: Scope | None = None) -> str:
    return f"__{stem}_{scope}_{item}" if scope else f"__{stem}_{item}"


def pair_ok(unit: Sequence[str], prev: Prev, scope: Scope, *, has_day: bool) -> nw.Expr:
    """True where a row and the row before it belong to the same unit (and, within-day,
    to the same day and within ``max_gap``; the gap is applied by :func:`pair_columns`)."""
    ok = nw.lit(value=True)
    for key in unit:
        ok = ok & (prev(nw.col(key)) == nw.col(key))
    if scope == "withinday" and has_day:
        ok = ok & (prev(nw.col("__day")) == nw.col("__day"))
    return ok.fill_null(value=False)


def pair_columns(
    item: str,
    unit: Sequence[str],
    prev: Prev,
    options: IndexOptions,
    *,
    has_day: bool,
    has_time: bool,
    center: float,
) -> list[nw.Expr]:
    """Per-row columns of one item: the lagged value of each valid pair, centred on
    ``center`` (``__a_<scope>``), and the pair's time interval (``__dt_<scope>``); null
    where the row does not close a valid pair of the scope."""
    y = nw.col(item) - center
    y_prev = prev(y)
    exprs: list[nw.Expr] = []
    for scope in SCOPES:
        ok = pair_ok(unit, prev, scope, has_day=has_day) & ~y.is_null() & ~y_prev.is_null()
        if has_time:
            dt = nw.col("__t") - prev(nw.col("__t"))
            if scope == "withinday" and options.max_gap is not None:
                ok = ok & (dt <= options.max_gap).fill_null(value=False)
            if options.time_adjust_lambda is not None:
                exprs.append(nw.when(ok).then(dt).alias(_c("dt", item, scope)))
        exprs.append(nw.when(ok).then(y_prev).alias(_c("a", item, scope)))
    return exprs


def _pair(item: str, scope: Scope, center: float) -> tuple[nw.Expr, nw.Expr]:
    """The (lagged, current) values of the scope's valid pairs, centred; null elsewhere."""
    a = nw.col(_c("a", item, scope))
    return a, nw.when(~a.is_null()).then(nw.col(item) - center)


def pooled_scalars(
    item: str, options: IndexOptions, *, has_time: bool, center: float
) -> list[nw.Expr]:
    """Pooled quantities over all units: the PAC threshold and the time-adjustment median
    of each scope (a first, cheap aggregation pass)."""
    exprs: list[nw.Expr] = []
    for scope in SCOPES:
        a, b = _pair(item, scope, center)
        absd = (b - a).abs()
        if options.pac.quantile is not None:
            exprs.append(
                absd.quantile(options.pac.quantile, interpolation="linear").alias(
                    _c("thr", item, scope)
                )
            )
        wants_median = options.time_adjust_lambda is not None and options.time_adjust_median is None
        if has_time and wants_median:
            exprs.append(nw.col(_c("dt", item, scope)).median().alias(_c("md", item, scope)))
    return exprs


def unit_aggregations(
    item: str,
    options: IndexOptions,
    thresholds: dict[Scope, float],
    medians: dict[Scope, float],
    *,
    has_time: bool,
    center: float,
) -> list[nw.Expr]:
    """Per-unit sums from which every index follows (one ``group_by(unit).agg`` pass)."""
    x = nw.col(item)
    out = [
        nw.len().alias(_c("nrows", item)),
        x.count().alias(_c("n", item)),
        x.mean().alias(_c("mean", item)),
        x.std(ddof=1).alias(_c("sd", item)),
        x.min().alias(_c("min", item)),
        x.max().alias(_c("max", item)),
    ]
    for scope in SCOPES:
        a, b = _pair(item, scope, center)
        d = b - a
        out += [
            b.count().alias(_c("np", item, scope)),
            (d * d).sum().alias(_c("ssd", item, scope)),
            (d.abs() >= thresholds[scope]).cast(nw.Int64).sum().alias(_c("nbig", item, scope)),
            a.sum().alias(_c("sa", item, scope)),
            b.sum().alias(_c("sb", item, scope)),
            (a * a).sum().alias(_c("saa", item, scope)),
            (b * b).sum().alias(_c("sbb", item, scope)),
            (a * b).sum().alias(_c("sab", item, scope)),
        ]
        if has_time and options.time_adjust_lambda is not None:
            ratio = nw.col(_c("dt", item, scope)) / medians[scope]
            asd2 = (d * d) / (ratio ** (2 * options.time_adjust_lambda))
            out.append(asd2.mean().alias(_c("tasd", item, scope)))
    return out


def _null() -> nw.Expr:
    return nw.lit(None, dtype=nw.Float64)


def unit_indices(
    item: str,
    options: IndexOptions,
    thresholds: dict[Scope, float],
    *,
    center: float,
    with_time_adjust: bool,
) -> list[nw.Expr]:
    """The indices of one item, as expressions over the per-unit sums."""

    def col(stem: str, scope: Scope | None = None) -> nw.Expr:
        return nw.col(_c(stem, item, scope))

    n = col("n").cast(nw.Float64)
    constant = (col("max") == col("min")) | (n < 1)
    sd = nw.when(n >= 2).then(col("sd"))
    out = [
        col("nrows").cast(nw.Int64).alias("n_rows"),
        col("n").cast(nw.Int64).alias("n_obs"),
        nw.when(n >= 1).then(col("mean")).alias("mean"),
        sd.alias("sd"),
    ]
    for scope in SCOPES:
        npairs = col("np", scope).cast(nw.Float64)
        mssd = nw.when(npairs >= 1).then(col("ssd", scope) / npairs)
        # Centred sums of squares and products over the pairs.
        saa = col("saa", scope) - col("sa", scope) * col("sa", scope) / npairs
        sbb = col("sbb", scope) - col("sb", scope) * col("sb", scope) / npairs
        sab = col("sab", scope) - col("sa", scope) * col("sb", scope) / npairs
        spread_a = saa > SPREAD_EPS * (col("saa", scope).abs() + 1.0)
        spread_b = sbb > SPREAD_EPS * (col("sbb", scope).abs() + 1.0)
        ols_ok = (npairs >= 2) & spread_a & ~constant
        # stats::acf: deviations from the mean of all N values; lag-1 sum over P + 1.
        m = col("mean") - center
        lag1 = col("sab", scope) - m * (col("sa", scope) + col("sb", scope)) + npairs * m * m
        lag0 = sd * sd * (n - 1.0) / n
        acf = (lag1 / (npairs + 1.0)) / lag0
        acf = nw.when(acf > 1.0).then(1.0).when(acf < -1.0).then(-1.0).otherwise(acf)
        out += [
            col("np", scope).cast(nw.Int64).alias(f"n_pairs_{scope}"),
            mssd.alias(f"mssd_{scope}"),
            mssd.sqrt().alias(f"rmssd_{scope}"),
            nw.when(npairs >= 1)
            .then(col("nbig", scope).cast(nw.Float64) / npairs)
            .alias(f"pac_{scope}"),
            nw.lit(thresholds[scope], dtype=nw.Float64).alias(f"pac_threshold_{scope}"),
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
    return out


def threshold_value(options: IndexOptions, pooled: float | None) -> float:
    """The PAC threshold actually used (NaN when no pair exists to take a quantile of)."""
    if options.pac.fixed is not None:
        return options.pac.fixed
    return math.nan if pooled is None else float(pooled)


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
