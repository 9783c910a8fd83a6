"""The multilevel AR(1) against lme4 (and nlme) on the real dataset."""

from __future__ import annotations

import polars as pl
import pytest

from analytics.multilevel import fit_multilevel_ar1
from analytics.tests.conftest import REFERENCE, reference


def r_fit(item: str, engine: str) -> dict[str, float]:
    fits = pl.read_csv(REFERENCE / "ref_R_0012_dejonckheere_mlm_ar1_fixed.csv")
    return fits.filter(
        (pl.col("dataset_var") == f"0012_dejonckheere:{item}") & (pl.col("engine") == engine)
    ).row(0, named=True)


@pytest.mark.parametrize("item", ["sad", "happy"])
def test_multilevel_ar1_matches_lmer(ema: pl.DataFrame, item: str) -> None:
    lmer, lme = r_fit(item, "lme4::lmer"), r_fit(item, "nlme::lme")

    fit = fit_multilevel_ar1(ema, id="id", time="counter", item=item, day="day")

    assert (fit.n_obs, fit.n_persons) == (lmer["n_obs_used"], lmer["n_persons"]) == (6890, 100)
    for name in ("b0", "b_ar1", "se_b_ar1", "sd_u1", "sd_resid"):
        assert getattr(fit, name) == pytest.approx(lmer[name], abs=1e-5), name
    # Our REML optimum is at least as high as both R fits (lme4 stops slightly short).
    assert fit.loglik_reml >= max(lmer["logLik_REML"], lme["logLik_REML"]) - 1e-8
    assert fit.loglik_reml == pytest.approx(lmer["logLik_REML"], abs=1e-6)
    person = fit.person.sort("id")
    ref = reference(item).sort("id")
    assert person["id"].to_list() == ref["id"].to_list()
    assert (person["ar1"] - ref["lmer_ar1"]).abs().max() <= 1e-5
    # The random-intercept SD sits on a flat ridge of the likelihood: for sad the shipped
    # lme4 fit stopped 1.5e-7 log-likelihood units below the optimum (nlme and we go
    # further), which moves sd_u0 by 3.7e-4 and the person intercepts by up to 1.4e-4; for
    # happy they agree. Against lme4 converged to its optimum, see the test below.
    flat = 1e-5 if item == "happy" else 5e-4
    assert fit.sd_u0 == pytest.approx(lmer["sd_u0"], abs=max(flat, 2e-5))
    assert fit.cor_u0u1 == pytest.approx(lmer["cor_u0u1"], abs=max(flat, 1e-5))
    assert (person["intercept"] - ref["lmer_intercept"]).abs().max() <= max(flat, 1e-5)


@pytest.mark.parametrize("item", ["sad", "happy"])
def test_multilevel_ar1_matches_lmer_at_its_optimum(ema: pl.DataFrame, item: str) -> None:
    """lme4 converged as far as its REML deviance allows (``mlm_ar1_optimum.R``): every
    figure to 1e-5, except sd_u0 for happy. There the REML deviance is flat to 2e-10 (its
    rounding noise) over 1.3e-5 of sd_u0, and lme4's fit and ours sit at either end (ours
    has the lower deviance in lme4's own deviance function, by 2e-10), so 2e-5."""
    optimum = pl.read_csv(REFERENCE / "ref_R_0012_dejonckheere_mlm_ar1_optimum.csv")
    r = optimum.filter(pl.col("dataset_var") == f"0012_dejonckheere:{item}").row(0, named=True)
    persons = pl.read_csv(REFERENCE / "ref_R_0012_dejonckheere_mlm_ar1_optimum_persons.csv")
    ref = persons.filter(pl.col("item") == item).sort("id")

    fit = fit_multilevel_ar1(ema, id="id", time="counter", item=item, day="day")

    for name in ("b0", "b_ar1", "se_b0", "se_b_ar1", "sd_u1", "cor_u0u1", "sd_resid"):
        assert getattr(fit, name) == pytest.approx(r[name], abs=1e-5), name
    assert fit.sd_u0 == pytest.approx(r["sd_u0"], abs=1e-5 if item == "sad" else 2e-5)
    assert fit.loglik_reml == pytest.approx(r["logLik_REML"], abs=1e-8)
    person = fit.person.sort("id")
    assert person["id"].to_list() == ref["id"].to_list()
    assert (person["intercept"] - ref["intercept"]).abs().max() <= 1e-5
    assert (person["ar1"] - ref["ar1"]).abs().max() <= 1e-5
