# Rscript mlm_ar1_optimum.R ../0012_dejonckheere_ts.tsv ref_R_0012_dejonckheere_mlm_ar1_optimum.csv ref_R_0012_dejonckheere_mlm_ar1_optimum_persons.csv
# The multilevel AR(1) of ref_R_0012_dejonckheere_mlm_ar1_fixed.csv refitted with lme4 converged
# as far as its REML deviance allows: nloptwrap with tight tolerances, then a BFGS polish of
# lme4's own deviance function (it does not move: the deviance is flat to ~1e-10 there).
# The shipped lme4 fit of `sad` stopped 1.5e-7 log-likelihood units below this optimum, with
# sd_u0 4e-4 away (see docs/decisions/0019-analytics-engine.md). Written by wisemind's
# analytics session with R 4.2.2 / lme4 1.1-31, from the same TSV.
suppressMessages(library(lme4))
args <- commandArgs(trailingOnly = TRUE)
d <- read.delim(args[1]); d <- d[order(d$id, d$counter), ]
out <- NULL; persons <- NULL
for (item in c("sad", "happy")) {
  y <- d[[item]]; n <- nrow(d); lag <- c(NA, y[-n])
  ok <- c(FALSE, d$id[-1] == d$id[-n] & d$day[-1] == d$day[-n]); lag[!ok] <- NA
  pm <- ave(y, d$id, FUN = function(v) mean(v, na.rm = TRUE))
  dd <- data.frame(id = d$id, y = y, lag_pc = lag - pm)
  dd <- dd[!is.na(dd$y) & !is.na(dd$lag_pc), ]
  form <- y ~ 1 + lag_pc + (1 + lag_pc | id)
  tight <- lmerControl(optimizer = "nloptwrap", calc.derivs = FALSE,
                       optCtrl = list(xtol_abs = 1e-14, ftol_abs = 1e-16, xtol_rel = 0, ftol_rel = 0, maxeval = 1e5))
  f0 <- lmer(form, data = dd, REML = TRUE, control = tight)
  lf <- lFormula(form, data = dd, REML = TRUE)
  dev <- do.call(mkLmerDevfun, lf)
  o <- optim(getME(f0, "theta"), dev, method = "BFGS",
             control = list(reltol = 1e-16, maxit = 10000, ndeps = rep(1e-7, 3)))
  o$value <- dev(o$par)  # leave the deviance function's state at the optimum
  f <- mkMerMod(environment(dev), list(par = o$par, fval = o$value, conv = 0, feval = NA, message = ""),
                lf$reTrms, fr = lf$fr)
  vc <- as.data.frame(VarCorr(f))
  out <- rbind(out, data.frame(
    dataset_var = paste0("0012_dejonckheere:", item), engine = "lme4 REML optimum (nloptwrap tight + BFGS)",
    n_obs_used = nrow(dd), n_persons = length(unique(dd$id)),
    b0 = fixef(f)[[1]], b_ar1 = fixef(f)[[2]], se_b0 = sqrt(diag(as.matrix(vcov(f))))[1],
    se_b_ar1 = sqrt(diag(as.matrix(vcov(f))))[2],
    sd_u0 = vc$sdcor[1], sd_u1 = vc$sdcor[2], cor_u0u1 = vc$sdcor[3], sd_resid = vc$sdcor[4],
    logLik_REML = as.numeric(logLik(f)), deviance_default_fit = dev(getME(f0, "theta")),
    deviance_optimum = o$value))
  co <- coef(f)$id
  persons <- rbind(persons, data.frame(item = item, id = as.integer(rownames(co)),
                                       intercept = co[, 1], ar1 = co[, 2]))
}
write.csv(format(out, digits = 15), args[2], row.names = FALSE)
write.csv(format(persons, digits = 15), args[3], row.names = FALSE)
cat(R.version.string, "lme4", as.character(packageVersion("lme4")), "\n")
