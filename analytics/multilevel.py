"""Multilevel AR(1): inertia as a random slope, fitted with statsmodels' MixedLM.

Model (``CLINICAL.md`` §5, the alternative to the per-person lag-1 autocorrelation):

    yᵢₜ = (β₀ + u₀ᵢ) + (β₁ + u₁ᵢ)·lag_pcᵢₜ + εᵢₜ,   (u₀ᵢ, u₁ᵢ) ~ N(0, G),  εᵢₜ ~ N(0, σ²)

with lag_pcᵢₜ = yᵢ,ₜ₋₁ − ȳᵢ: the previous beep *of the same day* (the first beep of a day
has none, and a missed beep breaks the pair) minus the person's mean over all their
observations. Fitted by REML, as R's ``lme4::lmer(y ~ 1 + lag_pc + (1 + lag_pc | id),
REML = TRUE)``. MixedLM's optimizers stop at different points on this likelihood, so
several are tried and the fit with the highest REML log-likelihood is kept (then polished
from there); the optimizer is reported with the result. Person-specific coefficients are
the fixed effects plus each person's predicted random effects (lme4's ``coef()``).
"""

from __future__ import annotations

import itertools
import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

OPTIMIZERS: tuple[str, ...] = ("bfgs", "lbfgs", "cg", "nm", "powell")


@dataclass(frozen=True)
class MultilevelAR1:
    """Fixed effects with standard errors, variance components, fit, and per-person
    coefficients (``person``: id, intercept, ar1)."""

    b0: float
    b_ar1: float
    se_b0: float
    se_b_ar1: float
    sd_u0: float
    sd_u1: float
    cor_u0u1: float
    sd_resid: float
    loglik_reml: float
    n_obs: int
    n_persons: int
    optimizer: str
    person: pl.DataFrame


def lagged_within_day(
    frame: pl.DataFrame, *, id: str, time: str, item: str, day: str
) -> pl.DataFrame:
    """Rows with both yₜ and the same day's yₜ₋₁: columns id, y, lag, lag_pc."""
    data = (
        frame.select(
            pl.col(id).alias("id"),
            pl.col(time),
            pl.col(day).alias("__day"),
            pl.col(item).cast(pl.Float64).fill_nan(None).alias("y"),
        )
        .sort("id", time)
        .with_columns(
            pl.when(
                (pl.col("id") == pl.col("id").shift(1))
                & (pl.col("__day") == pl.col("__day").shift(1))
            )
            .then(pl.col("y").shift(1))
            .alias("lag"),
            pl.col("y").mean().over("id").alias("__mean"),
        )
    )
    return data.drop_nulls(["y", "lag"]).select(
        "id", "y", "lag", (pl.col("lag") - pl.col("__mean")).alias("lag_pc")
    )


def _fixed_effect_se(
    design: np.ndarray, groups: np.ndarray, cov_re: np.ndarray, scale: float
) -> np.ndarray:
    """Standard errors of the fixed effects as lme4 reports them: √diag((X'V⁻¹X)⁻¹) with
    Vᵢ = ZᵢGZᵢ' + σ²I at the estimated variance components (here Z = X)."""
    information = np.zeros((design.shape[1], design.shape[1]))
    boundaries = np.flatnonzero(np.r_[True, groups[1:] != groups[:-1], True])
    for start, stop in itertools.pairwise(boundaries):
        x = design[start:stop]
        v = x @ cov_re @ x.T + scale * np.eye(int(stop - start))
        information += x.T @ np.linalg.solve(v, x)
    return np.sqrt(np.diag(np.linalg.inv(information)))


def fit_multilevel_ar1(
    frame: pl.DataFrame,
    *,
    id: str,
    time: str,
    item: str,
    day: str,
    optimizers: Sequence[str] = OPTIMIZERS,
) -> MultilevelAR1:
    """Fit the model above to one item; see the module docstring."""
    from statsmodels.regression.mixed_linear_model import MixedLM

    data = lagged_within_day(frame, id=id, time=time, item=item, day=day)
    if data.height == 0:
        raise ValueError(f"{item}: no within-day pairs to fit")
    y = data["y"].to_numpy()
    design = np.column_stack([np.ones(data.height), data["lag_pc"].to_numpy()])
    groups = data["id"].to_numpy()
    model = MixedLM(y, design, groups, exog_re=design)

    best: Any = None
    best_name = ""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # non-converging optimizers are expected; best kept
        for name in optimizers:
            try:
                fit = model.fit(reml=True, method=name, maxiter=5000)
            except (np.linalg.LinAlgError, ValueError):
                continue
            if np.isfinite(fit.llf) and (best is None or fit.llf > best.llf):
                best, best_name = fit, name
        if best is None:
            raise ValueError(f"{item}: no optimizer reached a fit")
        # Polish from the best point with a tight gradient tolerance.
        try:
            polished = model.fit(
                reml=True, method="bfgs", start_params=best.params_object, gtol=1e-10, maxiter=5000
            )
            if np.isfinite(polished.llf) and polished.llf >= best.llf:
                best = polished
        except (np.linalg.LinAlgError, ValueError):
            pass

    fe = np.asarray(best.fe_params)
    cov_re = np.asarray(best.cov_re)
    bse = _fixed_effect_se(design, groups, cov_re, float(best.scale))
    random = best.random_effects
    ids = sorted(random)
    re = np.array([np.asarray(random[i]) for i in ids])
    person = pl.DataFrame(
        {"id": ids, "intercept": fe[0] + re[:, 0], "ar1": fe[1] + re[:, 1]},
        schema_overrides={"id": data["id"].dtype},
    )
    sd_u0, sd_u1 = math.sqrt(cov_re[0, 0]), math.sqrt(cov_re[1, 1])
    return MultilevelAR1(
        b0=float(fe[0]),
        b_ar1=float(fe[1]),
        se_b0=float(bse[0]),
        se_b_ar1=float(bse[1]),
        sd_u0=sd_u0,
        sd_u1=sd_u1,
        cor_u0u1=float(cov_re[0, 1] / (sd_u0 * sd_u1)),
        sd_resid=math.sqrt(float(best.scale)),
        loglik_reml=float(best.llf),
        n_obs=data.height,
        n_persons=len(ids),
        optimizer=best_name,
        person=person,
    )
