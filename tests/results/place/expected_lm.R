# Reference values for socmob.place.expected (better or worse than expected).
#
# Fits lm(outcome ~ predictors) with base R and, for every area, refits the model
# without that area to get its leave-one-out prediction and 95% prediction interval
# (predict(..., interval = "prediction") on the refit). Also reports rstudent() and
# hatvalues() from the full fit.
#
# Usage: Rscript expected_lm.R INPUT.csv OUTPUT_PREFIX
#   INPUT.csv: columns area_id, y, x1[, x2, ...]
#   writes OUTPUT_PREFIX_coef.csv (term, estimate, std_error) and
#          OUTPUT_PREFIX_areas.csv (area_id, rstudent, hat, loo_fit, loo_lwr, loo_upr)
args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(args[1], stringsAsFactors = FALSE)
preds <- setdiff(names(d), c("area_id", "y"))
f <- reformulate(preds, response = "y")
fit <- lm(f, data = d)
s <- summary(fit)$coefficients
coef <- data.frame(term = c("const", preds), estimate = s[, 1], std_error = s[, 2])
loo <- t(sapply(seq_len(nrow(d)), function(i) {
  refit <- lm(f, data = d[-i, ])
  predict(refit, newdata = d[i, , drop = FALSE], interval = "prediction", level = 0.95)
}))
areas <- data.frame(area_id = d$area_id, rstudent = rstudent(fit), hat = hatvalues(fit),
                    loo_fit = loo[, 1], loo_lwr = loo[, 2], loo_upr = loo[, 3])
write.csv(coef, paste0(args[2], "_coef.csv"), row.names = FALSE)
write.csv(format(areas, digits = 15), paste0(args[2], "_areas.csv"), row.names = FALSE,
          quote = FALSE)
