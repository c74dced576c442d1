# Independent cross-check of PCA and Cronbach's alpha on the COINr ASEM reference data sets,
# with base R only (stats::prcomp, stats::cov). Run from this directory:
#   Rscript pca_cronbach.R   -> writes pca_cronbach_R.csv
agg <- read.csv("asem_example_coin_Aggregated.csv")
nrm <- read.csv("asem_example_coin_Normalised.csv")
meta <- read.csv("asem_iMeta.csv")
ind <- meta[meta$Level %in% 1, ]
pil <- meta[meta$Level %in% 2, ]
alpha <- function(X) {
  X <- X[stats::complete.cases(X), , drop = FALSE]
  k <- ncol(X); C <- stats::cov(X)
  k / (k - 1) * (1 - sum(diag(C)) / sum(C))
}
conn <- ind$iCode[ind$Parent %in% pil$iCode[pil$Parent == "Conn"]]
sust <- ind$iCode[ind$Parent %in% pil$iCode[pil$Parent == "Sust"]]
p <- stats::prcomp(agg[c("Environ", "Social", "SusEcFin")], center = TRUE, scale. = TRUE)
share <- p$sdev^2 / sum(p$sdev^2)
out <- data.frame(
  quantity = c("alpha_Conn", "alpha_Sust", paste0("share_PC", 1:3),
               paste0("PC1_", rownames(p$rotation)), paste0("PC2_", rownames(p$rotation))),
  value = c(alpha(nrm[conn]), alpha(nrm[sust]), share, p$rotation[, 1], p$rotation[, 2])
)
write.csv(out, "pca_cronbach_R.csv", row.names = FALSE)
