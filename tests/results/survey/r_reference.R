# Reference values for socmob.survey from R's survey package.
#
# Usage: Rscript r_reference.R DATA_DIR [OUT_DIR]
#   DATA_DIR holds barometer_test.csv and barometer_test_margins.csv (make_data.py);
#   writes OUT_DIR/r_reference.csv (default DATA_DIR): one row per number, printed with 17
#   significant digits, keyed by design, statistic, item, by, group, level, quantity.
#
# Designs (all: PSUs `psu` nested in strata `stratum`, weights `design_weight`):
#   base       svydesign(ids = ~psu, strata = ~stratum, weights = ~design_weight, nest = TRUE)
#   raked      rake(base, ~wave + age_group + sex, ~wave + region, ~wave + background) to the
#              population margins of every wave (converged to 1e-13 of the total)
#   poststrat  postStratify(base, ~wave + region, ...)
#   fpc        base with fpc = ~fpc_psu (population PSUs per stratum)
#   lonely_*   base after merging the PSUs of stratum "2022 North East" into one, with
#              options(survey.lonely.psu = "certainty" / "remove" / "adjust")
#   jkn        as.svrepdesign(base, type = "JKn"): its replicate weights are written to
#              OUT_DIR/barometer_test_replicates.csv for socmob to read
#   jkn_raked  rake(jkn, ...) with the margins of "raked" (every replicate raked)
# Korn-Graubard intervals ("kg_*") are computed from svymean and degf with n = the
# respondents of the domain (Korn & Graubard 1998); for the uncalibrated base design this
# is what svyciprop(method = "beta") gives, checked below ("svyciprop_beta"). Domains are
# formed after dropping unanswered items (subset(des, !is.na(item))), as na.rm = TRUE does.

suppressPackageStartupMessages(library(survey))
args <- commandArgs(trailingOnly = TRUE)
data_dir <- args[1]
out_dir <- if (length(args) > 1) args[2] else data_dir

d <- read.csv(file.path(data_dir, "barometer_test.csv"), stringsAsFactors = FALSE)
mar <- read.csv(file.path(data_dir, "barometer_test_margins.csv"), stringsAsFactors = FALSE,
                colClasses = "character")
mar$target <- as.numeric(mar$target)
d$wave <- factor(d$wave)
waves <- levels(d$wave)
items <- c("q_parents", "q_equal_opportunities", "q_class_gap")

rows <- list()
add <- function(design, statistic, item, by, group, level, quantity, value) {
  if (length(value) == 0) stop("empty value for ", design, " ", statistic, " ", item, " ", quantity)
  n <- length(value)
  rows[[length(rows) + 1]] <<- data.frame(
    design = design, statistic = statistic, item = item, by = by,
    group = rep_len(as.character(group), n), level = rep_len(as.character(level), n),
    quantity = quantity, value = formatC(as.numeric(value), digits = 17, format = "g"),
    stringsAsFactors = FALSE)
}

pop_for <- function(name, vars) {
  m <- mar[mar$margin == name, c(vars, "target")]
  p <- do.call(rbind, lapply(waves, function(w) cbind(data.frame(wave = w), m)))
  names(p)[names(p) == "target"] <- "Freq"
  p
}

kg <- function(p, v, n, df, level = 0.95) {
  alpha <- 1 - level
  neff <- p * (1 - p) / v * (qt(alpha / 2, n - 1) / qt(alpha / 2, df))^2
  c(qbeta(alpha / 2, neff * p, neff * (1 - p) + 1),
    qbeta(1 - alpha / 2, neff * p + 1, neff * (1 - p)))
}

pairs_of <- function(groups) {
  out <- list()
  for (i in seq_along(groups)) for (j in seq_along(groups)) if (i < j)
    out[[length(out) + 1]] <- c(groups[i], groups[j])
  out
}

estimates <- function(des, label, full = TRUE) {
  df_all <- degf(des)
  add(label, "design", "", "", "all", "", "df", df_all)
  for (q in items) {
    f <- as.formula(paste0("~", q))
    answered <- subset(des, !is.na(get(q)))
    n_all <- sum(!is.na(d[[q]]))
    m <- svymean(f, des, na.rm = TRUE)
    add(label, "mean", q, "", "all", "mean", "estimate", coef(m))
    add(label, "mean", q, "", "all", "mean", "se", SE(m))
    add(label, "mean", q, "", "all", "mean", "df", degf(answered))
    ci <- confint(m, df = degf(answered))
    add(label, "mean", q, "", "all", "mean", "lower", ci[1])
    add(label, "mean", q, "", "all", "mean", "upper", ci[2])
    fq <- as.formula(paste0("~factor(", q, ")"))
    p <- svymean(fq, des, na.rm = TRUE)
    lv <- sub(paste0("factor\\(", q, "\\)"), "", names(coef(p)))
    add(label, "proportion", q, "", "all", lv, "estimate", coef(p))
    add(label, "proportion", q, "", "all", lv, "se", SE(p))
    fn <- as.formula(paste0("~I(1 * (", q, " >= 4) - 1 * (", q, " <= 2))"))
    nt <- svymean(fn, des, na.rm = TRUE)
    add(label, "net", q, "", "all", "net agreement", "estimate", coef(nt))
    add(label, "net", q, "", "all", "net agreement", "se", SE(nt))
    fa <- as.formula(paste0("~I(", q, " >= 4)"))
    lg <- svyciprop(fa, answered, method = "logit")
    add(label, "agree", q, "", "all", "4 or 5", "estimate", coef(lg))
    add(label, "agree", q, "", "all", "4 or 5", "logit_lower", attr(lg, "ci")[1])
    add(label, "agree", q, "", "all", "4 or 5", "logit_upper", attr(lg, "ci")[2])
    ma <- svymean(fa, answered, na.rm = TRUE)
    k <- kg(coef(ma)[2], vcov(ma)[2, 2], n_all, degf(answered))
    add(label, "agree", q, "", "all", "4 or 5", "se", SE(ma)[2])
    add(label, "agree", q, "", "all", "4 or 5", "kg_lower", k[1])
    add(label, "agree", q, "", "all", "4 or 5", "kg_upper", k[2])
    if (label == "base") {
      b <- svyciprop(fa, answered, method = "beta")
      stopifnot(max(abs(attr(b, "ci") - k)) < 1e-12)
      add(label, "agree", q, "", "all", "4 or 5", "svyciprop_beta_lower", attr(b, "ci")[1])
      add(label, "agree", q, "", "all", "4 or 5", "svyciprop_beta_upper", attr(b, "ci")[2])
    }
    if (!full) next
    # by background (domains of respondents who answered, through an "answered"
    # indicator so no row is dropped): means with covariance, group differences,
    # agreement intervals
    dv <- update(des, yq = ifelse(is.na(get(q)), 0, get(q)),
                 yagree = ifelse(is.na(get(q)), 0, 1 * (get(q) >= 4)),
                 ans = ifelse(is.na(get(q)), "no", "yes"))
    # joint covariance of domain means: weighted totals of y·1[domain] and 1[domain]
    # for every domain (svytotal, full covariance), then the ratio's gradient (delta
    # method = linearisation); the standard errors are checked against svyby's
    pick <- function(byvars, yvar) {
      key <- interaction(dv$variables[byvars], drop = TRUE, sep = ".")
      lv <- levels(key)[grepl("\\.yes$", levels(key))]
      G <- length(lv)
      num <- sapply(lv, function(l) dv$variables[[yvar]] * (key == l))
      den <- sapply(lv, function(l) 1 * (key == l))
      colnames(num) <- paste0("n", seq_len(G)); colnames(den) <- paste0("d", seq_len(G))
      dd <- dv
      dd$variables <- cbind(dd$variables, num, den)
      tot <- svytotal(as.formula(paste("~", paste(c(colnames(num), colnames(den)),
                                                  collapse = "+"))), dd)
      Y <- coef(tot)[seq_len(G)]; N <- coef(tot)[G + seq_len(G)]
      J <- cbind(diag(1 / N, G), diag(-Y / N^2, G))
      list(est = setNames(Y / N, lv), V = J %*% vcov(tot) %*% t(J), names = lv)
    }
    bm <- pick(c("background", "ans"), "yq")
    byse <- svyby(f, ~background, answered, svymean, na.rm = TRUE)
    stopifnot(max(abs(SE(byse) - sqrt(diag(bm$V)))) < 1e-12,
              max(abs(coef(byse) - bm$est)) < 1e-12)
    groups <- sub("\\.yes$", "", bm$names)
    add(label, "mean", q, "background", groups, "mean", "estimate", bm$est)
    add(label, "mean", q, "background", groups, "mean", "se", sqrt(diag(bm$V)))
    for (g in groups) {
      dg <- subset(des, background == g & !is.na(get(q)))
      add(label, "mean", q, "background", g, "mean", "df", degf(dg))
      ag <- svyciprop(fa, dg, method = "logit")
      add(label, "agree", q, "background", g, "4 or 5", "estimate", coef(ag))
      add(label, "agree", q, "background", g, "4 or 5", "logit_lower", attr(ag, "ci")[1])
      add(label, "agree", q, "background", g, "4 or 5", "logit_upper", attr(ag, "ci")[2])
      mg <- svymean(fa, dg, na.rm = TRUE)
      k <- kg(coef(mg)[2], vcov(mg)[2, 2], sum(d$background == g & !is.na(d[[q]])), degf(dg))
      add(label, "agree", q, "background", g, "4 or 5", "se", SE(mg)[2])
      add(label, "agree", q, "background", g, "4 or 5", "kg_lower", k[1])
      add(label, "agree", q, "background", g, "4 or 5", "kg_upper", k[2])
      if (label == "base") {
        b <- svyciprop(fa, dg, method = "beta")
        stopifnot(max(abs(attr(b, "ci") - k)) < 1e-12)
      }
    }
    contrast <- function(est, V, cvec) {
      c(sum(cvec * est), sqrt(drop(t(cvec) %*% V %*% cvec)))
    }
    pr <- pairs_of(groups)
    res <- t(sapply(pr, function(p) contrast(bm$est, bm$V, (groups == p[1]) - (groups == p[2]))))
    cn <- sapply(pr, function(p) paste(p[1], "-", p[2]))
    pv <- 2 * pt(-abs(res[, 1] / res[, 2]), df_all)
    add(label, "mean_difference", q, "background", cn, "mean", "estimate", res[, 1])
    add(label, "mean_difference", q, "background", cn, "mean", "se", res[, 2])
    add(label, "mean_difference", q, "background", cn, "mean", "p", pv)
    add(label, "mean_difference", q, "background", cn, "mean", "p_holm", p.adjust(pv, "holm"))
    add(label, "mean_difference", q, "background", cn, "mean", "p_bh", p.adjust(pv, "BH"))
    # agreement (a proportion) by background: differences against "Professional"
    ba <- pick(c("background", "ans"), "yagree")
    for (g in setdiff(groups, "Professional")) {
      r <- contrast(ba$est, ba$V, (groups == g) - (groups == "Professional"))
      add(label, "agree_difference", q, "background", paste(g, "-", "Professional"),
          "4 or 5", "estimate", r[1])
      add(label, "agree_difference", q, "background", paste(g, "-", "Professional"),
          "4 or 5", "se", r[2])
    }
    # waves: overall change and change within background
    bw <- pick(c("wave", "ans"), "yq")
    r <- contrast(bw$est, bw$V, c(-1, 1))
    add(label, "wave_difference", q, "wave", "all", "mean", "estimate", r[1])
    add(label, "wave_difference", q, "wave", "all", "mean", "se", r[2])
    bbw <- pick(c("background", "wave", "ans"), "yq")
    wp <- numeric(0)
    for (g in groups) {
      cvec <- (bbw$names == paste0(g, ".", waves[2], ".yes")) -
        (bbw$names == paste0(g, ".", waves[1], ".yes"))
      r <- contrast(bbw$est, bbw$V, cvec)
      add(label, "wave_difference", q, "background", g, "mean", "estimate", r[1])
      add(label, "wave_difference", q, "background", g, "mean", "se", r[2])
      wp <- c(wp, 2 * pt(-abs(r[1] / r[2]), df_all))
    }
    add(label, "wave_difference", q, "background", groups, "mean", "p_holm", p.adjust(wp, "holm"))
  }
  # proportions of every answer of q_parents by region
  answered <- subset(des, !is.na(q_parents))
  for (r in sort(unique(d$region))) {
    pr <- svymean(~factor(q_parents), subset(answered, region == r), na.rm = TRUE)
    lv <- sub("factor(q_parents)", "", names(coef(pr)), fixed = TRUE)
    add(label, "proportion", "q_parents", "region", r, lv, "estimate", coef(pr))
    add(label, "proportion", "q_parents", "region", r, lv, "se", SE(pr))
  }
}

options(survey.lonely.psu = "fail")
base <- svydesign(ids = ~psu, strata = ~stratum, weights = ~design_weight, data = d,
                  nest = TRUE)
estimates(base, "base")

raked <- rake(base, list(~wave + age_group + sex, ~wave + region, ~wave + background),
              list(pop_for("age_sex", c("age_group", "sex")), pop_for("region", "region"),
                   pop_for("background", "background")),
              control = list(maxit = 500, epsilon = 1e-13, verbose = FALSE))
add("raked", "weight", "", "", d$respondent_id, "", "weight", weights(raked))
estimates(raked, "raked")

ps <- postStratify(base, ~wave + region, pop_for("region", "region"))
add("poststrat", "weight", "", "", d$respondent_id, "", "weight", weights(ps))
estimates(ps, "poststrat")

fpcd <- svydesign(ids = ~psu, strata = ~stratum, weights = ~design_weight, fpc = ~fpc_psu,
                  data = d, nest = TRUE)
estimates(fpcd, "fpc", full = FALSE)

d2 <- d
lone <- d2$stratum == "2022 North East"
d2$psu[lone] <- d2$psu[lone][1]
for (opt in c("certainty", "remove", "adjust")) {
  options(survey.lonely.psu = opt)
  des <- svydesign(ids = ~psu, strata = ~stratum, weights = ~design_weight, data = d2,
                   nest = TRUE)
  estimates(des, paste0("lonely_", opt), full = FALSE)
}
options(survey.lonely.psu = "fail")

# replicate weights: the jackknife (JKn) replicates of the base design, written out so
# that socmob reads the same replicate weights; then raked (every replicate raked)
jk <- as.svrepdesign(base, type = "JKn", compress = FALSE)
aw <- unclass(as.matrix(weights(jk, "analysis")))
attributes(aw) <- list(dim = dim(aw))
colnames(aw) <- sprintf("rep_%02d", seq_len(ncol(aw)))
write.csv(cbind(data.frame(respondent_id = d$respondent_id), aw),
          file.path(out_dir, "barometer_test_replicates.csv"), row.names = FALSE)
jr <- rake(jk, list(~wave + age_group + sex, ~wave + region, ~wave + background),
           list(pop_for("age_sex", c("age_group", "sex")), pop_for("region", "region"),
                pop_for("background", "background")),
           control = list(maxit = 500, epsilon = 1e-13, verbose = FALSE))
for (lab in c("jkn", "jkn_raked")) {
  des <- if (lab == "jkn") jk else jr
  add(lab, "replicates", "", "", "all", "", "scale", des$scale)
  add(lab, "replicates", "", "", seq_along(des$rscales), "", "rscale", des$rscales)
  add(lab, "replicates", "", "", "all", "", "mse", as.numeric(isTRUE(des$mse)))
  estimates(des, lab, full = FALSE)
  for (q in items) {
    bm <- svyby(as.formula(paste0("~", q)), ~background, subset(des, !is.na(get(q))),
                svymean, na.rm = TRUE)
    add(lab, "mean", q, "background", bm$background, "mean", "estimate", coef(bm))
    add(lab, "mean", q, "background", bm$background, "mean", "se", SE(bm))
  }
}
add("jkn_raked", "weight", "", "", d$respondent_id, "", "weight", weights(jr, "sampling"))

out <- do.call(rbind, rows)
write.csv(out, file.path(out_dir, "r_reference.csv"), row.names = FALSE)
cat("R", R.version$major, ".", R.version$minor, " survey ", as.character(packageVersion("survey")),
    ": ", nrow(out), " reference values\n", sep = "")
