# Reference descriptives of three classic public mobility tables, computed in base R
# (independently of socmob) from the data sets shipped with vcdExtra.
#
#   Rscript tests/results/tables/classic_tables.R [OUT_DIR]   (from the repository root)
#
# Writes, beside this script:
#   classic_tables_long.csv      the tables as long counts (table, layer, origin, destination, count)
#   classic_tables_reference.csv measures: table, layer, measure, i, j, value
#
# Tables (class order top first):
#   glass     Glass (1954) British father-son 5x5, N = 3497 (vcdExtra::Glass);
#             order Professional, Managerial, Supervisory, Skilled, Unskilled
#   hauser    Hauser (1979) US father-son 5x5 (OCG 1973), vcdExtra::Hauser79;
#             order UpNM, LoNM, UpM, LoM, Farm
#   yamaguchi Yamaguchi (1987) US/UK/Japan 5x5x3, vcdExtra::Yamaguchi87
# Measures follow the definitions in socmob.tables (origin = row, index 1 = top class);
# Wilson intervals are prop.test(correct = FALSE)$conf.int; the Altham index is the
# quadruple sum over all ordered row and column pairs (Altham 1970), done by brute force.
suppressPackageStartupMessages(library(vcdExtra))
args <- commandArgs(trailingOnly = TRUE)
out_dir <- if (length(args) > 0) args[1] else "tests/results/tables"

data(Glass); data(Hauser79); data(Yamaguchi87)
glass_order <- c("Professional", "Managerial", "Supervisory", "Skilled", "Unskilled")
nm_order <- c("UpNM", "LoNM", "UpM", "LoM", "Farm")

tabs <- list()
g <- xtabs(Freq ~ factor(father, levels = glass_order) + factor(son, levels = glass_order), Glass)
tabs[["glass/all"]] <- unclass(g)
h <- xtabs(Freq ~ factor(Father, levels = nm_order) + factor(Son, levels = nm_order), Hauser79)
tabs[["hauser/all"]] <- unclass(h)
for (country in levels(Yamaguchi87$Country)) {
  sub <- Yamaguchi87[Yamaguchi87$Country == country, ]
  y <- xtabs(Freq ~ factor(Father, levels = nm_order) + factor(Son, levels = nm_order), sub)
  tabs[[paste0("yamaguchi/", country)]] <- unclass(y)
}
ysum <- Reduce(`+`, tabs[grep("^yamaguchi/", names(tabs))])
tabs[["yamaguchi/all"]] <- ysum

labels <- list(glass = glass_order, hauser = nm_order, yamaguchi = nm_order)
long <- list(); ref <- list()
add <- function(tab, layer, measure, i, j, value) {
  ref[[length(ref) + 1]] <<- data.frame(table = tab, layer = layer, measure = measure,
                                        i = i, j = j, value = sprintf("%.15g", value))
}
for (key in names(tabs)) {
  parts <- strsplit(key, "/")[[1]]; tab <- parts[1]; layer <- parts[2]
  n <- tabs[[key]]; K <- nrow(n); N <- sum(n)
  if (layer != "all" || tab != "yamaguchi") {
    lab <- labels[[tab]]
    long[[length(long) + 1]] <- data.frame(
      table = tab, layer = layer, origin = rep(lab, each = K),
      destination = rep(lab, times = K), count = as.vector(t(n)))
  }
  step <- outer(1:K, 1:K, "-")  # origin - destination; > 0 = upward
  rates <- list(immobility = sum(diag(n)), upward = sum(n[step > 0]),
                downward = sum(n[step < 0]), long_range_upward = sum(n[step >= 2]),
                long_range_downward = sum(n[step <= -2]))
  for (m in names(rates)) {
    add(tab, layer, m, NA, NA, rates[[m]] / N)
    ci <- prop.test(rates[[m]], N, conf.level = 0.95, correct = FALSE)$conf.int
    add(tab, layer, paste0(m, "_lci"), NA, NA, ci[1])
    add(tab, layer, paste0(m, "_uci"), NA, NA, ci[2])
  }
  add(tab, layer, "structural", NA, NA, 0.5 * sum(abs(rowSums(n) - colSums(n))) / N)
  outflow <- prop.table(n, 1); inflow <- prop.table(n, 2)
  for (i in 1:K) for (j in 1:K) {
    add(tab, layer, "outflow", i, j, 100 * outflow[i, j])
    add(tab, layer, "inflow", i, j, 100 * inflow[i, j])
    ci <- prop.test(n[i, j], sum(n[i, ]), correct = FALSE)$conf.int
    add(tab, layer, "outflow_lci", i, j, 100 * ci[1])
    add(tab, layer, "outflow_uci", i, j, 100 * ci[2])
  }
  for (i in 1:(K - 1)) for (j in 1:(K - 1)) {
    add(tab, layer, "local_log_or", i, j,
        log(n[i, j] * n[i + 1, j + 1] / (n[i, j + 1] * n[i + 1, j])))
  }
  add(tab, layer, "corner_log_or", NA, NA, log(n[1, 1] * n[K, K] / (n[1, K] * n[K, 1])))
  add(tab, layer, "corner_se", NA, NA, sqrt(1 / n[1, 1] + 1 / n[K, K] + 1 / n[1, K] + 1 / n[K, 1]))
  p <- n / N; s <- 0
  for (i in 1:K) for (l in 1:K) for (j in 1:K) for (m in 1:K) {
    s <- s + log(p[i, j] * p[l, m] / (p[i, m] * p[l, j]))^2
  }
  add(tab, layer, "altham", NA, NA, sqrt(s))
}
# Altham distance between the US and UK layers of Yamaguchi (1987)
p <- tabs[["yamaguchi/US"]] / sum(tabs[["yamaguchi/US"]])
q <- tabs[["yamaguchi/UK"]] / sum(tabs[["yamaguchi/UK"]])
s <- 0
for (i in 1:5) for (l in 1:5) for (j in 1:5) for (m in 1:5) {
  s <- s + log(p[i, j] * p[l, m] * q[i, m] * q[l, j] / (p[i, m] * p[l, j] * q[i, j] * q[l, m]))^2
}
add("yamaguchi", "US-UK", "altham_distance", NA, NA, sqrt(s))

write.csv(do.call(rbind, long), file.path(out_dir, "classic_tables_long.csv"), row.names = FALSE)
write.csv(do.call(rbind, ref), file.path(out_dir, "classic_tables_reference.csv"),
          row.names = FALSE, na = "")
cat(R.version.string, "vcdExtra", as.character(packageVersion("vcdExtra")), "\n")
