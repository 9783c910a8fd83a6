"""Early-warning trends of one patient's daily series: rolling variance and lag-1
autocorrelation, and Kendall's τ of their trend (``CLINICAL.md`` §7).

**Exploratory.** These trends are shown to clinicians, with the method and
:data:`CAVEAT` beside them, and never raise an alert. They have not been validated in
borderline personality disorder (BPD).

The computation follows the steps of the early-warning-signals toolbox (Dakos et al. 2012,
*PLoS ONE* 7:e41010, "Methods for detecting early warnings of critical transitions in time
series illustrated using simulated ecological data"; early-warning-signals.org):

1. **Equal spacing** (:func:`daily_series`). One row per calendar day from the first to
   the last day with a value. Days without a value stay missing. With
   ``interpolate="linear"``, a missing day between two observed days gets
   xₜ = x_a + (x_b − x_a)·(t − a)/(b − a), with a and b the nearest observed days before and
   after it. The default is no interpolation.
2. **Detrending** (:func:`detrend`), on the observed (or interpolated) days, with tᵢ the day
   number:

   * ``none``: rₜ = xₜ.
   * ``linear``: rₜ = xₜ − (α̂ + β̂t), the OLS line over the observed days, with
     β̂ = Σ(t − t̄)(x − x̄)/Σ(t − t̄)² and α̂ = x̄ − β̂t̄.
   * ``gaussian``: rₜ = xₜ − sₜ, with sₜ the Nadaraya–Watson Gaussian-kernel smooth
     sₜ = Σⱼ K((t − j)/h)·xⱼ / Σⱼ K((t − j)/h) over the observed days j, where
     K(u) = exp(−u²/2). The bandwidth h is the kernel's standard deviation in days. R's
     ``ksmooth``, which the toolbox uses, scales its kernel so that the quartiles lie at
     ±0.25·b for its "bandwidth" b. A ksmooth bandwidth b is therefore
     h = 0.25·b/0.6745 ≈ 0.371·b here.
   * ``difference``: rₜ = xₜ − xₜ₋₁. It is only defined when both calendar days have a
     value, so a missing day breaks the difference.

   Fewer than two values leave nothing to detrend, and the detrended series is missing.
   A linear or Gaussian residual smaller than :data:`NOISE` times the largest absolute
   value of the series is floating-point noise and is set to 0. Without this, a series
   that is constant could pick up an autocorrelation made of rounding errors.
3. **Rolling windows** of ``window_days`` calendar days, each ending on a day of the
   series. The first window ends on day ``window_days`` of the series, so only full windows
   are used. A window with fewer than ``min_obs`` observed days gives missing indicators.
   In each window, over its N observed values:

   * **variance** = Σ(rᵢ − r̄)²/(N − 1): the square of the engine's within-person ``sd``.
   * **lag-1 autocorrelation**: the engine's ``acf_lag1_all``, i.e. the R
     ``stats::acf(na.action = na.pass)`` convention. With cᵢ = rᵢ − r̄ and the P pairs of
     consecutive calendar days that both have a value,
     r₁ = [Σ_pairs cₜ₋₁cₜ/(P + 1)] / [Σcᵢ²/N]. It is missing for a constant window or a
     window without pairs.

   Each window is one unit for :func:`analytics.engine.compute_local`, so both indicators
   come from the single definition in :mod:`analytics.indices`.
4. **Trend** (Dakos et al. 2012; van de Leemput et al. 2014, *PNAS* 111:87–92). Kendall's τ
   (τ-b, ``scipy.stats.kendalltau``) between the window's end day and the indicator, over
   the windows where the indicator has a value. τ > 0 means the indicator rose over the
   period. To keep floating-point noise from counting as a rise or a fall, variances are
   first divided by the variance of the whole detrended series, and both indicators are
   then rounded to 9 decimals. τ is missing when fewer than ``min_windows`` windows have a
   value, or when the indicator does not change. **The p-value is nominal.** Overlapping
   windows share most of their days, so successive indicator values are strongly
   dependent and the p-value overstates the evidence. The toolbox tests against surrogate
   series instead, which is not done here. Report τ as a description, not as a test.
5. **Sensitivity** (:func:`trend_sensitivity`): τ for a few window lengths and, with
   Gaussian detrending, a few bandwidths.

This module imports no Django. It takes a frame that Narwhals can read, such as Polars or
pandas.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

import narwhals as nw
import numpy as np
import polars as pl
from narwhals.typing import IntoDataFrame

from analytics.engine import Columns, compute_local
from analytics.indices import IndexOptions, PacRule

Detrend = Literal["none", "linear", "gaussian", "difference"]
Interpolation = Literal["none", "linear"]
DETRENDS: tuple[Detrend, ...] = ("none", "linear", "gaussian", "difference")

#: Shown beside every early-warning trend, in plain words (``CLINICAL.md`` §7).
CAVEAT = (
    "This is an exploratory trend, shown for clinical review. It is not an alert, a risk "
    "score or a prediction. In some studies of depression, day-to-day ratings became more "
    "variable, or stayed longer at the same level, in the weeks before a change in mood. "
    "But such signals often failed to appear before a change, and often appeared when "
    "nothing changed. They have not been tested in people with borderline personality "
    "disorder, whose ratings may vary a great deal anyway. A rising or falling line here "
    "is something to look at and ask about, together with the person. It must never "
    "replace asking them. The p-value beside τ ignores that neighbouring windows share "
    "most of their days, so it makes the trend look more certain than it is."
)

#: Relative size under which a detrended residual is rounding noise (set to 0).
NOISE = 1e-10

#: Decimals kept in the (scaled) indicators before Kendall's τ; see the module docstring.
TAU_DECIMALS = 9


@dataclass(frozen=True)
class TrendMethod:
    """The parameters a trend was computed with, as a page states them."""

    window_days: int
    min_obs: int
    detrend: Detrend
    bandwidth_days: float | None
    interpolate: Interpolation
    first_day: date | None
    last_day: date | None

    @property
    def description(self) -> str:
        """One plain sentence: the spacing, detrending, window and minimum observations."""
        span = (
            f"from {self.first_day.isoformat()} to {self.last_day.isoformat()}"
            if self.first_day is not None and self.last_day is not None
            else "(no days with a value)"
        )
        gaps = (
            "missing days filled in by straight lines between neighbouring days"
            if self.interpolate == "linear"
            else "missing days left missing"
        )
        detrending = {
            "none": "not detrended",
            "linear": "a straight-line trend removed",
            "gaussian": "a smooth trend removed (Gaussian kernel, bandwidth "
            f"{self.bandwidth_days or 0:g} days)",
            "difference": "replaced by day-to-day differences",
        }[self.detrend]
        return (
            f"Daily values {span}, {gaps}; {detrending}. Variance and lag-1 "
            f"autocorrelation in rolling {self.window_days}-day windows, each needing at "
            f"least {self.min_obs} days with a value; the trend is Kendall's τ over the "
            "windows."
        )


@dataclass(frozen=True)
class KendallTrend:
    """Kendall's τ of one indicator over the windows, with its nominal p-value."""

    tau: float | None
    p_value: float | None
    #: Windows where the indicator has a value (the τ is over these).
    n_windows: int


@dataclass(frozen=True)
class EarlyWarningTrends:
    """Per-window indicators, their trends, the method and the caveat.

    ``series``: date, value (after spacing and optional interpolation; null = missing),
    interpolated (bool), detrended. ``windows``: window_start, window_end, n_obs, variance,
    acf_lag1 (null where the window has fewer than ``method.min_obs`` days with a value).
    """

    series: pl.DataFrame
    windows: pl.DataFrame
    variance: KendallTrend
    acf_lag1: KendallTrend
    method: TrendMethod
    caveat: str = CAVEAT


def daily_series(
    frame: IntoDataFrame,
    *,
    date_col: str = "date",
    value_col: str = "value",
    interpolate: Interpolation = "none",
) -> pl.DataFrame:
    """One row per calendar day from the first to the last day with a value (step 1).

    Columns: ``date`` (Date), ``value`` (Float64; NaN and null are missing), ``interpolated``
    (True where linear interpolation filled the day). A date that appears twice is an
    error. With no value at all, the result has no rows.
    """
    native = nw.from_native(frame, eager_only=True).to_polars()
    data = native.select(
        pl.col(date_col).cast(pl.Date).alias("date"),
        pl.col(value_col).cast(pl.Float64).fill_nan(None).alias("value"),
    )
    if data["date"].null_count():
        raise ValueError(f"column {date_col!r} has empty dates")
    duplicated = data.filter(pl.col("date").is_duplicated())["date"].unique().sort()
    if duplicated.len():
        shown = ", ".join(d.isoformat() for d in duplicated.head(5).to_list())
        raise ValueError(f"more than one row for a day: {shown}")
    observed = data.drop_nulls("value")
    empty = pl.DataFrame(schema={"date": pl.Date, "value": pl.Float64, "interpolated": pl.Boolean})
    if observed.height == 0:
        return empty
    dates: list[date] = observed["date"].sort().to_list()
    days = pl.DataFrame({"date": pl.date_range(dates[0], dates[-1], "1d", eager=True)})
    out = days.join(observed, on="date", how="left")
    missing = out["value"].is_null().to_numpy()
    if interpolate == "linear" and missing.any():
        x = out["value"].to_numpy().astype(float)
        t = np.arange(len(x), dtype=float)
        filled = np.interp(t, t[~missing], x[~missing])
        out = out.with_columns(pl.Series("value", filled))
        return out.with_columns(pl.Series("interpolated", missing))
    return out.with_columns(pl.lit(value=False).alias("interpolated"))


def detrend(values: np.ndarray, method: Detrend, bandwidth_days: float | None = None) -> np.ndarray:
    """The detrended series of step 2, for values on consecutive calendar days (NaN =
    missing; missing days stay NaN)."""
    x = np.asarray(values, dtype=float)
    ok = ~np.isnan(x)
    out = np.full_like(x, np.nan)
    if ok.sum() < 2:
        return out
    t = np.arange(len(x), dtype=float)
    if method == "none":
        out[ok] = x[ok]
    elif method == "linear":
        tt, xx = t[ok], x[ok]
        tc = tt - tt.mean()
        beta = float(np.dot(tc, xx - xx.mean()) / np.dot(tc, tc))
        out[ok] = xx - xx.mean() - beta * tc
    elif method == "gaussian":
        if bandwidth_days is None or not bandwidth_days > 0:
            raise ValueError("a Gaussian-kernel detrend needs a bandwidth in days (> 0)")
        tt, xx = t[ok], x[ok]
        weights = np.exp(-0.5 * ((tt[:, None] - tt[None, :]) / bandwidth_days) ** 2)
        smooth = weights @ xx / weights.sum(axis=1)
        out[ok] = xx - smooth
    elif method == "difference":
        out[1:] = x[1:] - x[:-1]  # NaN wherever either day is missing
    else:
        raise ValueError(f"unknown detrending {method!r} (one of {', '.join(DETRENDS)})")
    if method in {"linear", "gaussian"}:
        out[np.abs(out) <= NOISE * float(np.max(np.abs(x[ok])))] = 0.0
    return out


def rolling_indicators(detrended: np.ndarray, window_days: int, min_obs: int) -> pl.DataFrame:
    """Step 3: per full window (``window_end`` = the index of its last day), n_obs, variance
    and acf_lag1, computed by the index engine with each window as a unit."""
    schema = {
        "window_end": pl.Int64,
        "n_obs": pl.Int64,
        "variance": pl.Float64,
        "acf_lag1": pl.Float64,
    }
    n = len(detrended)
    if n < window_days:
        return pl.DataFrame(schema=schema)
    ends = np.arange(window_days - 1, n)
    day = (ends[:, None] - np.arange(window_days - 1, -1, -1)[None, :]).ravel()
    long = pl.DataFrame(
        {
            "window_end": np.repeat(ends, window_days),
            "t": day,
            "x": detrended[day],
        }
    ).with_columns(pl.col("x").fill_nan(None))
    # PAC is not used here; a fixed threshold skips the pooled-quantile pass.
    options = IndexOptions(pac=PacRule(quantile=None, fixed=0.0))
    result = compute_local(long, Columns(id="window_end", time="t", items=("x",)), options)
    enough = pl.col("n_obs") >= min_obs
    return (
        result.frame.sort("window_end")
        .select(
            pl.col("window_end").cast(pl.Int64),
            pl.col("n_obs").cast(pl.Int64),
            pl.when(enough).then(pl.col("sd") ** 2).alias("variance"),
            pl.when(enough).then(pl.col("acf_lag1_all")).alias("acf_lag1"),
        )
        .cast(schema)  # type: ignore[arg-type]
    )


def kendall_trend(
    position: Sequence[float] | np.ndarray,
    indicator: Sequence[float | None] | np.ndarray,
    *,
    min_windows: int = 3,
) -> KendallTrend:
    """Kendall's τ-b of the indicator against its position (step 4), over the entries that
    have a value, with scipy's nominal two-sided p-value (see the module docstring)."""
    from scipy.stats import kendalltau  # type: ignore[import-untyped]

    y = np.array([math.nan if v is None else v for v in indicator], dtype=float)
    x = np.asarray(position, dtype=float)
    ok = ~np.isnan(y)
    count = int(ok.sum())
    if count < max(min_windows, 2) or np.unique(y[ok]).size < 2:
        return KendallTrend(tau=None, p_value=None, n_windows=count)
    result = kendalltau(x[ok], y[ok])
    return KendallTrend(tau=float(result.statistic), p_value=float(result.pvalue), n_windows=count)


def _scaled(values: pl.Series, scale: float) -> np.ndarray:
    """Indicator values on a common scale, rounded to :data:`TAU_DECIMALS` (NaN = missing)."""
    array = values.cast(pl.Float64).fill_null(math.nan).to_numpy()
    return np.asarray(np.round(array / scale, TAU_DECIMALS))


def _resolve_min_obs(window_days: int, min_obs: int | None) -> int:
    if window_days < 2:
        raise ValueError("a window needs at least 2 days")
    resolved = max(2, math.ceil(window_days / 2)) if min_obs is None else min_obs
    if not 2 <= resolved <= window_days:
        raise ValueError(f"min_obs must be between 2 and the window ({window_days} days)")
    return resolved


def _trends(
    series: pl.DataFrame,
    detrended: np.ndarray,
    *,
    window_days: int,
    min_obs: int,
    min_windows: int,
) -> tuple[pl.DataFrame, KendallTrend, KendallTrend]:
    indicators = rolling_indicators(detrended, window_days, min_obs)
    start = series["date"][0] if series.height else None
    windows = indicators.select(
        (pl.lit(start, dtype=pl.Date) + pl.duration(days=pl.col("window_end") - window_days + 1))
        .cast(pl.Date)
        .alias("window_start"),
        (pl.lit(start, dtype=pl.Date) + pl.duration(days=pl.col("window_end")))
        .cast(pl.Date)
        .alias("window_end"),
        "n_obs",
        "variance",
        "acf_lag1",
    )
    position = indicators["window_end"].cast(pl.Float64).to_numpy()
    ok = ~np.isnan(detrended)
    whole = float(np.var(detrended[ok], ddof=1)) if ok.sum() >= 2 else 0.0
    variance = kendall_trend(
        position,
        _scaled(indicators["variance"], whole if whole > 0 else 1.0),
        min_windows=min_windows,
    )
    acf = kendall_trend(position, _scaled(indicators["acf_lag1"], 1.0), min_windows=min_windows)
    return windows, variance, acf


def early_warning_trends(
    frame: IntoDataFrame,
    *,
    date_col: str = "date",
    value_col: str = "value",
    window_days: int = 28,
    min_obs: int | None = None,
    detrend_method: Detrend = "linear",
    bandwidth_days: float | None = None,
    interpolate: Interpolation = "none",
    min_windows: int = 3,
) -> EarlyWarningTrends:
    """Rolling variance and lag-1 autocorrelation of one patient's detrended daily series,
    and Kendall's τ of each over the windows (see the module docstring for every formula).

    ``frame`` holds one row per day (``date_col``, ``value_col``); days may be absent or
    missing. ``min_obs`` defaults to half the window, rounded up (at least 2). ``bandwidth_days`` is
    needed by, and only allowed with, ``detrend_method="gaussian"``.
    """
    if detrend_method not in DETRENDS:
        raise ValueError(f"unknown detrending {detrend_method!r} (one of {', '.join(DETRENDS)})")
    if detrend_method == "gaussian" and (bandwidth_days is None or not bandwidth_days > 0):
        raise ValueError("a Gaussian-kernel detrend needs a bandwidth in days (> 0)")
    if detrend_method != "gaussian" and bandwidth_days is not None:
        raise ValueError("a bandwidth applies only to the Gaussian-kernel detrend")
    resolved = _resolve_min_obs(window_days, min_obs)
    series = daily_series(frame, date_col=date_col, value_col=value_col, interpolate=interpolate)
    values = series["value"].fill_null(math.nan).to_numpy().astype(float)
    detrended = detrend(values, detrend_method, bandwidth_days)
    windows, variance, acf = _trends(
        series, detrended, window_days=window_days, min_obs=resolved, min_windows=min_windows
    )
    method = TrendMethod(
        window_days=window_days,
        min_obs=resolved,
        detrend=detrend_method,
        bandwidth_days=bandwidth_days,
        interpolate=interpolate,
        first_day=series["date"][0] if series.height else None,
        last_day=series["date"][-1] if series.height else None,
    )
    return EarlyWarningTrends(
        series=series.with_columns(pl.Series("detrended", detrended).fill_nan(None)),
        windows=windows,
        variance=variance,
        acf_lag1=acf,
        method=method,
    )


def trend_sensitivity(
    frame: IntoDataFrame,
    *,
    windows: Sequence[int] = (14, 21, 28, 42),
    bandwidths: Sequence[float] | None = None,
    min_obs_fraction: float = 0.5,
    **options: Any,
) -> pl.DataFrame:
    """Kendall's τ of both indicators for each window length (and, with
    ``detrend_method="gaussian"``, each bandwidth): does the trend depend on the choice?

    Each window w needs at least ⌈min_obs_fraction·w⌉ days with a value (at least 2).
    ``options`` are passed on to :func:`early_warning_trends` (``date_col``, ``value_col``,
    ``detrend_method``, ``interpolate``, ``min_windows``; ``bandwidth_days`` when
    ``bandwidths`` is not given). One row per combination: window_days, bandwidth_days,
    min_obs, n_windows, tau_variance, p_variance, tau_acf_lag1, p_acf_lag1.
    """
    if not 0 < min_obs_fraction <= 1:
        raise ValueError("min_obs_fraction must be in (0, 1]")
    if bandwidths is not None:
        if options.get("detrend_method") != "gaussian":
            raise ValueError("bandwidths apply only to detrend_method='gaussian'")
        options.pop("bandwidth_days", None)
        grid: list[float | None] = list(bandwidths)
    else:
        grid = [options.pop("bandwidth_days", None)]
    rows: list[dict[str, Any]] = []
    for bandwidth in grid:
        for window in windows:
            min_obs = max(2, math.ceil(min_obs_fraction * window))
            result = early_warning_trends(
                frame, window_days=window, min_obs=min_obs, bandwidth_days=bandwidth, **options
            )
            rows.append(
                {
                    "window_days": window,
                    "bandwidth_days": bandwidth,
                    "min_obs": min_obs,
                    "n_windows": result.windows.height,
                    "tau_variance": result.variance.tau,
                    "p_variance": result.variance.p_value,
                    "tau_acf_lag1": result.acf_lag1.tau,
                    "p_acf_lag1": result.acf_lag1.p_value,
                }
            )
    return pl.DataFrame(
        rows,
        schema={
            "window_days": pl.Int64,
            "bandwidth_days": pl.Float64,
            "min_obs": pl.Int64,
            "n_windows": pl.Int64,
            "tau_variance": pl.Float64,
            "p_variance": pl.Float64,
            "tau_acf_lag1": pl.Float64,
            "p_acf_lag1": pl.Float64,
        },
    )
