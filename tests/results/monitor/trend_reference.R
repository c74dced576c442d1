# Reference trend fits for socmob.monitor, computed with base R's lm().
#
# Run from the repository root:
#   Rscript tests/results/monitor/trend_reference.R tests/results/monitor
# Reads  trend_inputs.csv     published rows of six real State of the Nation series, as
#                             in socmob.data.load(code, edition): series, code, edition,
#                             label (time as published), value, lci, uci, se (the
#                             published standard error, where the release gives one)
# Writes trend_reference.csv  one row per series: n, slope, se_lm, sigma, df, p_lm,
#                             se_floor, p_floor, method
#
# Independent of socmob: times, standard errors, weights and the choice of points are
# worked out here from the published labels and intervals.
#   time    "2014" -> 2014; "2013/14" (academic or financial year) -> 2014, its end;
#           "2016-20" -> 2018 (centre of the pooled years); a 3-year moving average
#           dated 2016 covers 2014-2016 -> 2015.
#   se      the published standard error where there is one (MO12: its intervals are
#           value -/+ 1.96 se); else (uci - lci) / (2 * qnorm(0.975)) from the published
#           95% interval, on the log scale for odds ratios (MO42).
#   points  in21 is a 3-year moving average: only every third point, counting back from
#           the latest, enters the fit (2016, 2019, 2022, 2025), so no two share a year.
#   fit     lm(y ~ x, weights = 1/se^2) where every point has an interval, else
#           lm(y ~ x); MO12's 2014 value is the Unidiff reference (0, zero-width
#           interval): the line goes through it, lm(I(y - y0) ~ 0 + I(x - x0),
#           weights = 1/se^2) on the other years.
#   floor   socmob never lets a weighted fit claim more precision than the sampling
#           errors allow: se_floor = se_lm / sigma * max(sigma, 1) (the fixed-effect
#           meta-regression standard error when sigma < 1); p_floor from t on df.

args <- commandArgs(trailingOnly = TRUE)
out_dir <- if (length(args)) args[1] else "tests/results/monitor"
inputs <- read.csv(file.path(out_dir, "trend_inputs.csv"), stringsAsFactors = FALSE)
z <- qnorm(0.975)

time_of <- function(label) {
  sapply(label, function(l) {
    if (grepl("^[0-9]{4}/[0-9]{2}$", l)) return(as.numeric(substr(l, 1, 4)) + 1)
    if (grepl("^[0-9]{4}-[0-9]{2}$", l)) {
      a <- as.numeric(substr(l, 1, 4)); b <- 100 * (a %/% 100) + as.numeric(substr(l, 6, 7))
      return((a + b) / 2)
    }
    as.numeric(l)
  }, USE.NAMES = FALSE)
}

rows <- list()
for (s in unique(inputs$series)) {
  d <- inputs[inputs$series == s, ]
  d$x <- time_of(d$label)
  log_scale <- s == "MO42"
  d$y <- if (log_scale) log(d$value) else d$value
  from_interval <- if (log_scale) (log(d$uci) - log(d$lci)) / (2 * z) else
    (d$uci - d$lci) / (2 * z)
  d$se <- ifelse(is.finite(d$se) & !log_scale, d$se, from_interval)
  if (s == "in21") {
    d <- d[d$x %in% c(2016, 2019, 2022, 2025), ]
    d$x <- d$x - 1  # centre of the 3-year window
  }
  d <- d[order(d$x), ]
  weighted <- all(is.finite(d$se))
  if (s == "MO12") {
    ref <- which(d$se == 0)
    x0 <- d$x[ref]; y0 <- d$y[ref]
    e <- d[-ref, ]
    fit <- lm(I(y - y0) ~ 0 + I(x - x0), data = e, weights = 1 / e$se^2)
    coef_row <- 1
    df <- nrow(d) - 2  # the reference point is fitted exactly: n - 1 residuals, 1 slope
    method <- "wls through reference"
  } else if (weighted) {
    fit <- lm(y ~ x, data = d, weights = 1 / d$se^2)
    coef_row <- 2
    df <- fit$df.residual
    method <- "wls"
  } else {
    fit <- lm(y ~ x, data = d)
    coef_row <- 2
    df <- fit$df.residual
    method <- "ols"
  }
  cf <- summary(fit)$coefficients
  slope <- cf[coef_row, 1]
  # summary() uses the fit's own residual df; recompute sigma on socmob's df (equal except
  # for MO12, where lm sees n - 1 points but one parameter fewer)
  sigma <- sqrt(sum((if (is.null(weights(fit))) 1 else weights(fit)) * residuals(fit)^2) / df)
  sxx_inv <- (cf[coef_row, 2] / summary(fit)$sigma)^2
  se_lm <- sigma * sqrt(sxx_inv)
  p_lm <- 2 * pt(abs(slope / se_lm), df, lower.tail = FALSE)
  se_floor <- if (method == "ols") se_lm else sqrt(max(sigma^2, 1) * sxx_inv)
  p_floor <- 2 * pt(abs(slope / se_floor), df, lower.tail = FALSE)
  rows[[s]] <- data.frame(series = s, n = nrow(d), slope = slope, se_lm = se_lm,
                          sigma = sigma, df = df, p_lm = p_lm, se_floor = se_floor,
                          p_floor = p_floor, method = method)
}
out <- do.call(rbind, rows)
write.csv(out, file.path(out_dir, "trend_reference.csv"), row.names = FALSE)
print(out)
