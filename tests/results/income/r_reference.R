# Reference values for tests/income/test_r_reference.py, computed with base R only.
# Run from this folder:  Rscript r_reference.R  (writes r_reference_expected.csv)
d <- read.csv("r_reference_pairs.csv")
hc1 <- function(X, e, w) {
  # HC1 sandwich for weighted least squares with probability weights:
  # n/(n-k) (X'WX)^-1 (sum w_i^2 e_i^2 x_i x_i') (X'WX)^-1
  bread <- solve(t(X) %*% (w * X))
  meat <- t(X) %*% ((w^2 * e^2) * X)
  n <- nrow(X); k <- ncol(X)
  n / (n - k) * bread %*% meat %*% bread
}
out <- data.frame(name = character(), value = numeric())
add <- function(name, value) out[nrow(out) + 1, ] <<- list(name, value)

# IGE, zero_policy = "drop": WLS of log child on log parent among positive pairs
pos <- d$parent > 0 & d$child > 0
m <- lm(log(child) ~ log(parent), data = d[pos, ], weights = w)
X <- model.matrix(m)
V <- hc1(X, residuals(m), d$w[pos])
add("ige_const", coef(m)[1]); add("ige_slope", coef(m)[2])
add("ige_se_classic", summary(m)$coefficients[2, 2])
add("ige_se_hc1", sqrt(V[2, 2])); add("ige_nobs", sum(pos))

# weighted mid-ranks 100 (W(y < y_i) + W(y = y_i)/2) / W, then rank-rank WLS
midrank <- function(v, w) sapply(v, function(a) 100 * (sum(w[v < a]) + sum(w[v == a]) / 2) / sum(w))
d$rx <- midrank(d$parent, d$w); d$ry <- midrank(d$child, d$w)
r <- lm(ry ~ rx, data = d, weights = w)
Vr <- hc1(model.matrix(r), residuals(r), d$w)
add("rank_const", coef(r)[1]); add("rank_slope", coef(r)[2])
add("rank_se_classic", summary(r)$coefficients[2, 2]); add("rank_se_hc1", sqrt(Vr[2, 2]))

# quintile transition cell P(child Q5 | parent Q1), bins floor(rank / 20)
qx <- pmin(floor(d$rx / 20), 4); qy <- pmin(floor(d$ry / 20), 4)
add("p_top_given_bottom", sum(d$w[qx == 0 & qy == 4]) / sum(d$w[qx == 0]))
add("absolute_mobility", sum(d$w[d$child > d$parent]) / sum(d$w))

# Poisson pseudo-ML IGE (zeros kept), weights as in the score equations
p <- glm(child ~ log(parent), family = quasipoisson(), data = d, weights = w,
         control = glm.control(epsilon = 1e-14, maxit = 100))
add("ppml_const", coef(p)[1]); add("ppml_slope", coef(p)[2])
Xp <- model.matrix(p); mu <- fitted(p)
H <- t(Xp) %*% ((d$w * mu) * Xp)
M <- t(Xp) %*% ((d$w^2 * (d$child - mu)^2) * Xp)
Vp <- solve(H) %*% M %*% solve(H)
add("ppml_se_hc0", sqrt(Vp[2, 2]))

write.csv(out, "r_reference_expected.csv", row.names = FALSE)
cat(R.version.string, "\n")
