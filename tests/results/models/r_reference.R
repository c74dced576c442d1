# Reference fits for socmob's association models, computed with R + gnm.
#
# Run from the repository root:
#   Rscript tests/results/models/r_reference.R tests/results/models
# Writes, into the given directory,
#   <table>.csv        the table in long form (origin,destination,[layer,]count), category
#                      order = the order used by the models (top class first)
#   r_reference.csv    one row per reference number: table, model, quantity, name, value
#                      quantity in {deviance, df, pearson, param, se, fitted}
#
# Tables (all shipped with R packages; sources as documented there):
#   glass       Glass (1954) British father-son mobility 5x5 (vcdExtra::Glass), classes
#               reordered from the package's alphabetical order to the status order
#               Professional, Managerial, Supervisory, Skilled, Unskilled.
#   hauser79    Hauser (1979/1980) US father's occupation x son's first occupation 5x5
#               (vcdExtra::Hauser79).
#   goodman8    Goodman (1979) JASA 74:537-552, British 8x8 occupational status of fathers
#               and sons (datasets::occupationalStatus).
#   erikson7    Erikson, Goldthorpe & Portocarero (1982) EGP class mobility in England &
#               Wales, France and Sweden (gnm::erikson), collapsed to 7x7 as in gnm's
#               ?erikson example (I+II, IVa+IVb).
#   yamaguchi87 Yamaguchi (1987) ASR 52:482-494 Table 1: US, UK, Japan 5x5
#               (vcdExtra::Yamaguchi87).
#
# Parametrisations follow socmob (treatment coding, first category = reference); where R's
# own coding differs, the identified contrasts are computed here from R's estimates and
# covariance matrix. Log-multiplicative fits use gnm from several seeded starts; RC scores
# are normalised with getContrasts(ref = "mean", scaleRef = "mean", scaleWeights = 1).

suppressPackageStartupMessages({
  library(gnm)
  library(vcdExtra)
})
args <- commandArgs(trailingOnly = TRUE)
outdir <- if (length(args)) args[1] else "."
out <- list()
emit <- function(tab, model, quantity, name, value) {
  out[[length(out) + 1]] <<- data.frame(table = tab, model = model, quantity = quantity,
                                        name = name, value = value,
                                        stringsAsFactors = FALSE)
}
fmt_cell <- function(d) paste(d$k, d$i, d$j, sep = ",")

# --- data ---------------------------------------------------------------------------
long_frame <- function(arr, layer = FALSE) {
  # arr: [origin, destination(, layer)] table; returns data frame with 0-based indices
  d <- as.data.frame(as.table(arr), stringsAsFactors = FALSE)
  names(d)[1:2] <- c("origin", "destination")
  if (layer) names(d)[3] <- "layer"
  names(d)[ncol(d)] <- "count"
  d$origin <- factor(d$origin, levels = dimnames(arr)[[1]])
  d$destination <- factor(d$destination, levels = dimnames(arr)[[2]])
  d$i <- as.integer(d$origin) - 1L
  d$j <- as.integer(d$destination) - 1L
  if (layer) {
    d$layer <- factor(d$layer, levels = dimnames(arr)[[3]])
    d$k <- as.integer(d$layer) - 1L
  } else {
    d$k <- 0L
  }
  d <- d[order(d$k, d$i, d$j), ]
  d$Rscore <- d$i + 1
  d$Cscore <- d$j + 1
  d
}
write_table <- function(d, name, layer = FALSE) {
  cols <- if (layer) c("origin", "destination", "layer", "count") else
    c("origin", "destination", "count")
  write.csv(d[, cols], file.path(outdir, paste0(name, ".csv")), row.names = FALSE)
}

data(Glass, package = "vcdExtra")
glass_levels <- c("Professional", "Managerial", "Supervisory", "Skilled", "Unskilled")
glass <- xtabs(Freq ~ father + son, Glass)[glass_levels, glass_levels]
dimnames(glass) <- list(origin = glass_levels, destination = glass_levels)

data(Hauser79, package = "vcdExtra")
hauser <- xtabs(Freq ~ Father + Son, Hauser79)
dimnames(hauser) <- list(origin = levels(Hauser79$Father), destination = levels(Hauser79$Son))

goodman <- datasets::occupationalStatus
dimnames(goodman) <- list(origin = as.character(1:8), destination = as.character(1:8))

data(erikson, package = "gnm")
er <- as.data.frame(erikson)
lvl <- levels(er$origin)
new <- c(rep(paste(lvl[1:2], collapse = "+"), 2), lvl[3],
         rep(paste(lvl[4:5], collapse = "+"), 2), lvl[6:9])
levels(er$origin) <- levels(er$destination) <- new
erikson7 <- xtabs(Freq ~ origin + destination + country, data = er)

data(Yamaguchi87, package = "vcdExtra")
yama <- xtabs(Freq ~ Father + Son + Country, Yamaguchi87)
dimnames(yama) <- list(origin = levels(Yamaguchi87$Father),
                       destination = levels(Yamaguchi87$Son),
                       layer = levels(Yamaguchi87$Country))

# --- helpers ------------------------------------------------------------------------
# glm's default epsilon (1e-8) leaves SEs accurate to ~1e-5 only; iterate to the limit
tight <- glm.control(epsilon = 1e-14, maxit = 200)
basic <- function(tab, model, fit, d, include = rep(TRUE, nrow(d))) {
  mu <- fitted(fit)
  y <- d$count
  emit(tab, model, "deviance", "", deviance(fit))
  emit(tab, model, "df", "", df.residual(fit))
  emit(tab, model, "pearson", "", sum(((y - mu)^2 / mu)[include]))
  emit(tab, model, "fitted", fmt_cell(d), as.numeric(mu))
}
coef_rows <- function(tab, model, fit, rnames, snames) {
  cf <- coef(fit)
  se <- sqrt(diag(vcov(fit)))
  for (t in seq_along(rnames)) {
    emit(tab, model, "param", snames[t], unname(cf[rnames[t]]))
    emit(tab, model, "se", snames[t], unname(se[rnames[t]]))
  }
}
twoway <- function(tab, arr) {
  d <- long_frame(arr)
  write_table(d, tab)
  L <- dimnames(arr)[[1]]
  I <- length(L)
  d$Diag <- Diag(d$origin, d$destination)
  diag_names <- paste0("Diag(origin, destination)", L)
  # independence
  f <- glm(count ~ origin + destination, family = poisson, data = d, control = tight)
  basic(tab, "independence", f, d)
  coef_rows(tab, "independence", f, paste0("origin", L[-1]), paste0("origin[", L[-1], "]"))
  # quasi-independence
  f <- glm(count ~ origin + destination + Diag, family = poisson, data = d, control = tight)
  basic(tab, "quasi-independence", f, d)
  dn <- paste0("Diag", L)
  coef_rows(tab, "quasi-independence", f, dn, paste0("diag[", L, "]"))
  # uniform and quasi-uniform association
  f <- glm(count ~ origin + destination + Rscore:Cscore, family = poisson, data = d, control = tight)
  basic(tab, "uniform-association", f, d)
  coef_rows(tab, "uniform-association", f, "Rscore:Cscore", "uniform")
  f <- glm(count ~ origin + destination + Diag + Rscore:Cscore, family = poisson, data = d, control = tight)
  basic(tab, "quasi-uniform-association", f, d)
  coef_rows(tab, "quasi-uniform-association", f, c("Rscore:Cscore", dn),
            c("uniform", paste0("diag[", L, "]")))
  # row effects / column effects. R's formula `origin + destination + origin:Cscore`
  # leaves one aliased column for glm's pivoting to drop; iterated to convergence that
  # fit is unstable, so the effects are entered as explicit full-rank columns
  # tau_a = [i = a] * Cscore (a >= 2) and rho_b = [j = b] * Rscore (b >= 2).
  for (q in c(FALSE, TRUE)) {
    pre <- if (q) "quasi-" else ""
    X <- d[, c("count", "origin", "destination", "Diag")]
    for (a in 2:I) X[[paste0("tau", a)]] <- (d$i == a - 1) * d$Cscore
    for (b in 2:I) X[[paste0("rho", b)]] <- (d$j == b - 1) * d$Rscore
    base <- c("origin", "destination", if (q) "Diag")
    f <- glm(as.formula(paste("count ~", paste(c(base, paste0("tau", 2:I)), collapse = " + "))),
             family = poisson, data = X, control = tight)
    stopifnot(!any(is.na(coef(f))))
    basic(tab, paste0(pre, "row-effects"), f, d)
    coef_rows(tab, paste0(pre, "row-effects"), f, paste0("tau", 2:I),
              paste0("row_effect[", L[-1], "]"))
    f <- glm(as.formula(paste("count ~", paste(c(base, paste0("rho", 2:I)), collapse = " + "))),
             family = poisson, data = X, control = tight)
    stopifnot(!any(is.na(coef(f))))
    basic(tab, paste0(pre, "column-effects"), f, d)
    coef_rows(tab, paste0(pre, "column-effects"), f, paste0("rho", 2:I),
              paste0("column_effect[", L[-1], "]"))
    # row + column effects: an explicit full-rank design (tau_1 = rho_1 = rho_J = 0) so
    # that no aliased column is dropped by glm's pivoting
    X <- d[, c("count", "origin", "destination", "Diag")]
    for (a in 2:I) X[[paste0("tau", a)]] <- (d$i == a - 1) * d$Cscore
    for (b in 2:(I - 1)) X[[paste0("rho", b)]] <- (d$j == b - 1) * d$Rscore
    rhs <- paste(c("origin", "destination", if (q) "Diag",
                   paste0("tau", 2:I), paste0("rho", 2:(I - 1))), collapse = " + ")
    f <- glm(as.formula(paste("count ~", rhs)), family = poisson, data = X, control = tight)
    stopifnot(!any(is.na(coef(f))))
    basic(tab, paste0(pre, "row-column-effects"), f, d)
    coef_rows(tab, paste0(pre, "row-column-effects"), f,
              c(paste0("tau", 2:I), paste0("rho", 2:(I - 1))),
              c(paste0("row_effect[", L[-1], "]"), paste0("column_effect[", L[2:(I - 1)], "]")))
    # the same model in R's formula notation, aliasing left to glm (recorded, not used as
    # a reference)
    f2 <- tryCatch(glm(if (q) count ~ origin + destination + Diag + origin:Cscore +
                         destination:Rscore
                       else count ~ origin + destination + origin:Cscore + destination:Rscore,
                       family = poisson, data = d), error = function(e) NULL)
    if (!is.null(f2)) {
      emit(tab, paste0(pre, "row-column-effects"), "glm_formula_deviance", "", deviance(f2))
      emit(tab, paste0(pre, "row-column-effects"), "glm_formula_df", "", df.residual(f2))
    }
  }
  # symmetry and quasi-symmetry
  f <- glm(count ~ Symm(origin, destination), family = poisson, data = d, control = tight)
  basic(tab, "symmetry", f, d)
  # destination effects are implied by origin + Symm; leaving them in makes glm alias
  # columns and, iterated to convergence, diverge
  f <- glm(count ~ origin + Symm(origin, destination), family = poisson, data = d,
           control = tight)
  basic(tab, "quasi-symmetry", f, d)
  # RC(1) and quasi-RC(1)
  for (q in c(FALSE, TRUE)) {
    model <- if (q) "quasi-rc1" else "rc1"
    best <- NULL
    for (s in 1:6) {
      set.seed(s)
      f <- if (q) gnm(count ~ origin + destination + Diag + Mult(origin, destination),
                      family = poisson, data = d, verbose = FALSE, tolerance = 1e-12)
      else gnm(count ~ origin + destination + Mult(origin, destination),
               family = poisson, data = d, verbose = FALSE, tolerance = 1e-12)
      if (!is.null(f) && (is.null(best) || deviance(f) < deviance(best))) best <- f
    }
    f <- best
    basic(tab, model, f, d)
    mu_raw <- coef(f)[pickCoef(f, "Mult(.*)\\.origin", fixed = FALSE)]
    nu_raw <- coef(f)[pickCoef(f, "Mult\\(origin, .\\)\\.destination", fixed = FALSE)]
    mu_c <- getContrasts(f, pickCoef(f, "Mult(.*)\\.origin", fixed = FALSE),
                         ref = "mean", scaleRef = "mean", scaleWeights = rep(1, I))$qvframe
    nu_c <- getContrasts(f, pickCoef(f, "Mult\\(origin, .\\)\\.destination", fixed = FALSE),
                         ref = "mean", scaleRef = "mean", scaleWeights = rep(1, I))$qvframe
    phi <- sqrt(sum((mu_raw - mean(mu_raw))^2)) * sqrt(sum((nu_raw - mean(nu_raw))^2))
    # sign convention of socmob: phi > 0 and mu_1 > 0
    s_mu <- sign(sum(mu_c[[1]] * (mu_raw - mean(mu_raw))))
    s_nu <- sign(sum(nu_c[[1]] * (nu_raw - mean(nu_raw))))
    mu_e <- s_mu * mu_c[[1]]
    nu_e <- s_nu * nu_c[[1]]
    if (mu_e[1] < 0) { mu_e <- -mu_e; nu_e <- -nu_e }
    emit(tab, model, "param", "phi", phi)
    emit(tab, model, "param", paste0("mu[", L, "]"), mu_e)
    emit(tab, model, "se", paste0("mu[", L, "]"), mu_c[[2]])
    emit(tab, model, "param", paste0("nu[", L, "]"), nu_e)
    emit(tab, model, "se", paste0("nu[", L, "]"), nu_c[[2]])
  }
}

homogeneous <- function(tab, arr) {
  d <- long_frame(arr)
  L <- dimnames(arr)[[1]]
  I <- length(L)
  d$Diag <- Diag(d$origin, d$destination)
  for (q in c(FALSE, TRUE)) {
    model <- if (q) "quasi-rc1-homogeneous" else "rc1-homogeneous"
    best <- NULL
    for (s in 1:6) {
      set.seed(s)
      f <- if (q) gnm(count ~ origin + destination + Diag + MultHomog(origin, destination),
                      family = poisson, data = d, verbose = FALSE, tolerance = 1e-12)
      else gnm(count ~ origin + destination + MultHomog(origin, destination),
               family = poisson, data = d, verbose = FALSE, tolerance = 1e-12)
      if (!is.null(f) && (is.null(best) || deviance(f) < deviance(best))) best <- f
    }
    f <- best
    basic(tab, model, f, d)
    idx <- pickCoef(f, "MultHomog")
    raw <- coef(f)[idx]
    ct <- getContrasts(f, idx, ref = "mean", scaleRef = "mean", scaleWeights = rep(1, I))$qvframe
    est <- ct[[1]] * sign(sum(ct[[1]] * (raw - mean(raw))))
    if (est[1] < 0) est <- -est
    emit(tab, model, "param", "phi", sum((raw - mean(raw))^2))
    emit(tab, model, "param", paste0("mu[", L, "]"), est)
    emit(tab, model, "se", paste0("mu[", L, "]"), ct[[2]])
  }
}

layered <- function(tab, arr) {
  d <- long_frame(arr, layer = TRUE)
  write_table(d, tab, layer = TRUE)
  K <- dim(arr)[3]
  f <- glm(count ~ layer * origin + layer * destination, family = poisson, data = d, control = tight)
  basic(tab, "conditional-independence", f, d)
  f <- glm(count ~ layer * origin + layer * destination + origin:destination,
           family = poisson, data = d, control = tight)
  basic(tab, "constant-fluidity", f, d)
  d$Diag <- Diag(d$origin, d$destination)
  for (q in c(FALSE, TRUE)) {
    model <- if (q) "quasi-unidiff" else "unidiff"
    best <- NULL
    for (s in 1:6) {
      set.seed(s)
      f <- if (q) gnm(count ~ layer * origin + layer * destination + layer:Diag +
                        Mult(Exp(layer), origin:destination),
                      family = poisson, data = d, verbose = FALSE, tolerance = 1e-12)
      else gnm(count ~ layer * origin + layer * destination +
                 Mult(Exp(layer), origin:destination),
               family = poisson, data = d, verbose = FALSE, tolerance = 1e-12)
      if (!is.null(f) && (is.null(best) || deviance(f) < deviance(best))) best <- f
    }
    f <- best
    basic(tab, model, f, d)
    ct <- getContrasts(f, pickCoef(f, "[.]layer"), ref = "first", scaleRef = "first")$qvframe
    labs <- dimnames(arr)[[3]]
    emit(tab, model, "param", paste0("log_phi[", labs, "]"), ct[[1]])
    emit(tab, model, "se", paste0("log_phi[", labs, "]"), ct[[2]])
    emit(tab, model, "quasi_se", paste0("log_phi[", labs, "]"), ct[[3]])
  }
}

twoway("glass", glass)
twoway("hauser79", hauser)
twoway("goodman8", goodman)
homogeneous("goodman8", goodman)
homogeneous("glass", glass)
layered("erikson7", erikson7)
layered("yamaguchi87", yama)

res <- do.call(rbind, out)
res$value <- formatC(res$value, digits = 15, format = "g")
write.csv(res, file.path(outdir, "r_reference.csv"), row.names = FALSE)
cat(sprintf("R %s, gnm %s, vcdExtra %s: %d reference values\n",
            paste(R.version$major, R.version$minor, sep = "."),
            as.character(packageVersion("gnm")), as.character(packageVersion("vcdExtra")),
            nrow(res)))
