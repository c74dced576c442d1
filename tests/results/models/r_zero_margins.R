# Reference fits for two shapes of table that socmob once got wrong, computed with R.
#
# Run from the repository root:
#   Rscript tests/results/models/r_zero_margins.R tests/results/models
# Writes, into the given directory,
#   absent_destination_7x7x6.csv   a layered 7x7x6 table (origin, destination, layer, count)
#                                  in which destination C7 has no cases in layers L2..L6
#   absent_destination_one_layer_7x7x6.csv
#                                  the same table with C7 absent from layer L6 only
#   caithness_eye_hair_4x5.csv     eye colour x hair colour (eye, hair, count)
#   r_zero_margins.csv             table, model, quantity, name, value
#                                  quantity in {deviance, df, df_all_cells, pearson, param,
#                                  se, fitted}
#
# (a) Degrees of freedom with a category absent from some layers. The cells of an absent
#     destination are fitted as zero by every model with layer-specific margins, and the
#     margin parameters of those layers are not estimable. Bishop, Fienberg & Holland
#     (1975, ch. 5) count neither: the reference is therefore R fitted on the table
#     *without* those cells (glm/gnm df = cells used - rank). `df_all_cells` is what R
#     reports when the cells are kept, for the record. The table is synthetic (seeded):
#     a Unidiff structure, psi_ij = -2 (i - j)^2 / 36, phi = 1, .9, .8, .7, .6, .5,
#     3000 people per layer drawn multinomially.
# (b) A non-square table whose row and column labels overlap: the Caithness table of eye
#     colour (blue, light, medium, dark) by hair colour (fair, red, medium, dark, black)
#     (Tocher 1908; MASS::caith), sharing "medium" and "dark". Models with integer scores
#     1..4 and 1..5 in that order, treatment coding, first category the reference; RC(1)
#     scores normalised as in r_reference.R.
#
# R 4.2.2, gnm 1.1.2, MASS 7.3 (Debian 12).

suppressPackageStartupMessages({
  library(gnm)
  library(MASS)
})
args <- commandArgs(trailingOnly = TRUE)
outdir <- if (length(args)) args[1] else "."
out <- list()
emit <- function(tab, model, quantity, name, value) {
  out[[length(out) + 1]] <<- data.frame(table = tab, model = model, quantity = quantity,
                                        name = name, value = value,
                                        stringsAsFactors = FALSE)
}
tight <- glm.control(epsilon = 1e-14, maxit = 200)

# --- (a) a destination absent from some layers ---------------------------------------
set.seed(20261201)
I <- 7
K <- 6
classes <- paste0("C", 1:I)
layers <- paste0("L", 1:K)
psi <- -2 * outer(1:I, 1:I, function(i, j) (i - j)^2) / (I - 1)^2
phis <- c(1, .9, .8, .7, .6, .5)
arr <- array(0, c(I, I, K), dimnames = list(origin = classes, destination = classes,
                                           layer = layers))
for (k in 1:K) {
  a <- rnorm(I, 0, .3)
  b <- rnorm(I, 0, .3)
  m <- exp(outer(a, b, "+") + phis[k] * psi)
  arr[, , k] <- matrix(rmultinom(1, 3000, as.vector(m / sum(m))), I, I)
}
long <- function(arr) {
  d <- as.data.frame(as.table(arr), stringsAsFactors = FALSE)
  names(d)[4] <- "count"
  d$origin <- factor(d$origin, levels = classes)
  d$destination <- factor(d$destination, levels = classes)
  d$layer <- factor(d$layer, levels = layers)
  d[order(d$layer, d$origin, d$destination), ]
}
fmt_cell <- function(d) {
  paste(as.integer(d$layer) - 1L, as.integer(d$origin) - 1L, as.integer(d$destination) - 1L,
        sep = ",")
}
absent_case <- function(tab, absent_layers) {
  x <- arr
  x[, "C7", absent_layers] <- 0
  d <- long(x)
  write.csv(d[, c("origin", "destination", "layer", "count")],
            file.path(outdir, paste0(tab, ".csv")), row.names = FALSE)
  keep <- !(d$destination == "C7" & d$layer %in% absent_layers)
  dk <- d[keep, ]
  fits <- list(
    "conditional-independence" = glm(count ~ layer * origin + layer * destination,
                                      family = poisson, data = dk, control = tight),
    "constant-fluidity" = glm(count ~ layer * origin + layer * destination +
                                origin:destination, family = poisson, data = dk,
                              control = tight))
  kept_all <- list(
    "conditional-independence" = glm(count ~ layer * origin + layer * destination,
                                      family = poisson, data = d, control = tight),
    "constant-fluidity" = glm(count ~ layer * origin + layer * destination +
                                origin:destination, family = poisson, data = d,
                              control = tight))
  best <- NULL
  for (s in 1:6) {
    set.seed(s)
    f <- gnm(count ~ layer * origin + layer * destination +
               Mult(Exp(layer), origin:destination),
             family = poisson, data = dk, verbose = FALSE, tolerance = 1e-12)
    if (!is.null(f) && (is.null(best) || deviance(f) < deviance(best))) best <- f
  }
  fits[["unidiff"]] <- best
  best <- NULL
  for (s in 1:6) {
    set.seed(s)
    f <- gnm(count ~ layer * origin + layer * destination + Mult(layer, origin, destination),
             family = poisson, data = dk, verbose = FALSE, tolerance = 1e-12)
    if (!is.null(f) && (is.null(best) || deviance(f) < deviance(best))) best <- f
  }
  fits[["rc-layered"]] <- best
  for (model in names(fits)) {
    f <- fits[[model]]
    mu <- fitted(f)
    emit(tab, model, "deviance", "", deviance(f))
    emit(tab, model, "df", "", df.residual(f))
    emit(tab, model, "pearson", "", sum((dk$count - mu)^2 / mu))
    emit(tab, model, "fitted", fmt_cell(dk), as.numeric(mu))
    if (model %in% names(kept_all)) {
      emit(tab, model, "df_all_cells", "", df.residual(kept_all[[model]]))
    }
  }
  f <- fits[["unidiff"]]
  ct <- getContrasts(f, pickCoef(f, "[.]layer"), ref = "first", scaleRef = "first")$qvframe
  emit(tab, "unidiff", "param", paste0("log_phi[", layers, "]"), ct[[1]])
  emit(tab, "unidiff", "se", paste0("log_phi[", layers, "]"), ct[[2]])
  # the layer-specific destination effects that remain estimable (treatment coding:
  # destination[C7] in layer L1 is the main effect, in layer Lk main + interaction)
  f <- fits[["constant-fluidity"]]
  cf <- coef(f)
  emit(tab, "constant-fluidity", "param", "destination[C7]", unname(cf["destinationC7"]))
  emit(tab, "constant-fluidity", "param", "assoc[C7,C7]",
       unname(cf["originC7:destinationC7"]))
}
absent_case("absent_destination_7x7x6", paste0("L", 2:6))
absent_case("absent_destination_one_layer_7x7x6", "L6")

# --- (b) eye colour x hair colour ----------------------------------------------------
eye <- c("blue", "light", "medium", "dark")
hair <- c("fair", "red", "medium", "dark", "black")
ca <- as.matrix(MASS::caith)[eye, hair]
d <- data.frame(eye = factor(rep(eye, times = 5), levels = eye),
                hair = factor(rep(hair, each = 4), levels = hair),
                count = as.vector(ca))
d <- d[order(d$eye, d$hair), ]
write.csv(d, file.path(outdir, "caithness_eye_hair_4x5.csv"), row.names = FALSE)
d$u <- as.integer(d$eye)
d$v <- as.integer(d$hair)
d$k <- 0L
cells <- paste(0L, d$u - 1L, d$v - 1L, sep = ",")
basic <- function(model, f) {
  mu <- fitted(f)
  emit("caithness", model, "deviance", "", deviance(f))
  emit("caithness", model, "df", "", df.residual(f))
  emit("caithness", model, "pearson", "", sum((d$count - mu)^2 / mu))
  emit("caithness", model, "fitted", cells, as.numeric(mu))
}
coefs <- function(model, f, rnames, snames) {
  cf <- coef(f)
  se <- sqrt(diag(vcov(f)))
  emit("caithness", model, "param", snames, unname(cf[rnames]))
  emit("caithness", model, "se", snames, unname(se[rnames]))
}
X <- d
for (a in 2:4) X[[paste0("tau", a)]] <- (d$u == a) * d$v
for (b in 2:5) X[[paste0("rho", b)]] <- (d$v == b) * d$u
f <- glm(count ~ eye + hair, family = poisson, data = X, control = tight)
basic("independence", f)
coefs("independence", f, c(paste0("eye", eye[-1]), paste0("hair", hair[-1])),
      c(paste0("origin[", eye[-1], "]"), paste0("destination[", hair[-1], "]")))
f <- glm(count ~ eye + hair + I(u * v), family = poisson, data = X, control = tight)
basic("uniform-association", f)
coefs("uniform-association", f, "I(u * v)", "uniform")
f <- glm(count ~ eye + hair + tau2 + tau3 + tau4, family = poisson, data = X, control = tight)
basic("row-effects", f)
coefs("row-effects", f, paste0("tau", 2:4), paste0("row_effect[", eye[-1], "]"))
f <- glm(count ~ eye + hair + rho2 + rho3 + rho4 + rho5, family = poisson, data = X,
         control = tight)
basic("column-effects", f)
coefs("column-effects", f, paste0("rho", 2:5), paste0("column_effect[", hair[-1], "]"))
f <- glm(count ~ eye + hair + tau2 + tau3 + tau4 + rho2 + rho3 + rho4, family = poisson,
         data = X, control = tight)
basic("row-column-effects", f)
coefs("row-column-effects", f, c(paste0("tau", 2:4), paste0("rho", 2:4)),
      c(paste0("row_effect[", eye[-1], "]"), paste0("column_effect[", hair[2:4], "]")))
best <- NULL
for (s in 1:6) {
  set.seed(s)
  f <- gnm(count ~ eye + hair + Mult(eye, hair), family = poisson, data = d,
           verbose = FALSE, tolerance = 1e-12)
  if (!is.null(f) && (is.null(best) || deviance(f) < deviance(best))) best <- f
}
f <- best
basic("rc1", f)
mu_idx <- pickCoef(f, "Mult(.*)\\.eye", fixed = FALSE)
nu_idx <- pickCoef(f, "Mult\\(eye, .\\)\\.hair", fixed = FALSE)
mu_raw <- coef(f)[mu_idx]
nu_raw <- coef(f)[nu_idx]
mu_c <- getContrasts(f, mu_idx, ref = "mean", scaleRef = "mean", scaleWeights = rep(1, 4))$qvframe
nu_c <- getContrasts(f, nu_idx, ref = "mean", scaleRef = "mean", scaleWeights = rep(1, 5))$qvframe
phi <- sqrt(sum((mu_raw - mean(mu_raw))^2)) * sqrt(sum((nu_raw - mean(nu_raw))^2))
mu_e <- sign(sum(mu_c[[1]] * (mu_raw - mean(mu_raw)))) * mu_c[[1]]
nu_e <- sign(sum(nu_c[[1]] * (nu_raw - mean(nu_raw)))) * nu_c[[1]]
if (mu_e[1] < 0) { mu_e <- -mu_e; nu_e <- -nu_e }
emit("caithness", "rc1", "param", "phi", phi)
emit("caithness", "rc1", "param", paste0("mu[", eye, "]"), mu_e)
emit("caithness", "rc1", "se", paste0("mu[", eye, "]"), mu_c[[2]])
emit("caithness", "rc1", "param", paste0("nu[", hair, "]"), nu_e)
emit("caithness", "rc1", "se", paste0("nu[", hair, "]"), nu_c[[2]])

res <- do.call(rbind, out)
res$value <- formatC(res$value, digits = 15, format = "g")
write.csv(res, file.path(outdir, "r_zero_margins.csv"), row.names = FALSE)
cat(sprintf("R %s, gnm %s, MASS %s: %d reference values\n",
            paste(R.version$major, R.version$minor, sep = "."),
            as.character(packageVersion("gnm")), as.character(packageVersion("MASS")),
            nrow(res)))
